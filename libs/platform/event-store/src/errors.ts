/** Typed errors of the event store port; each carries a stable `code` and a message for operators. */
export abstract class EventStoreError extends Error {
  abstract readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidStreamNameError extends EventStoreError {
  readonly code = 'INVALID_STREAM_NAME';
}

export class InvalidEventError extends EventStoreError {
  readonly code = 'INVALID_EVENT';
}

export class EventTooLargeError extends EventStoreError {
  readonly code = 'EVENT_TOO_LARGE';
}

export class NotSerialisableError extends EventStoreError {
  readonly code = 'NOT_SERIALISABLE';
}

export class InvalidExpectedRevisionError extends EventStoreError {
  readonly code = 'INVALID_EXPECTED_REVISION';
}

/** Someone else appended first: reload the stream, decide again, or answer 409. */
export class WrongExpectedRevisionError extends EventStoreError {
  readonly code = 'WRONG_EXPECTED_REVISION';
  constructor(
    readonly streamName: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`Stream ${streamName}: expected revision ${expected}, but the stream is at ${actual}`);
  }
}

/** Some, but not all, of the appended event ids are already stored: not a retry of one append. */
export class DuplicateEventIdError extends EventStoreError {
  readonly code = 'DUPLICATE_EVENT_ID';
}

export class EventStoreUnavailableError extends EventStoreError {
  readonly code = 'EVENT_STORE_UNAVAILABLE';
}
