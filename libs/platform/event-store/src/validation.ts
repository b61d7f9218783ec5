import {
  EventTooLargeError,
  InvalidEventError,
  InvalidExpectedRevisionError,
  InvalidStreamNameError,
  NotSerialisableError,
} from './errors';
import type { ExpectedRevision, NewEvent } from './port';

/** Largest serialised event (data plus metadata) either backend accepts. EventStoreDB's default is 16 MiB; we keep events small on purpose. */
export const MAX_EVENT_BYTES = 1024 * 1024;

/**
 * `category-id`: a lowercase category, a dash, then an id of letters, digits and `_ . : -`.
 * The first dash separates the category, as EventStoreDB's category projections expect.
 */
const STREAM_NAME = /^[a-z][a-z0-9]*(?:\.[a-z0-9]+)*-[A-Za-z0-9_.:][A-Za-z0-9_.:-]*$/;
const MAX_STREAM_NAME_LENGTH = 200;
const EVENT_TYPE = /^[A-Za-z][A-Za-z0-9_.-]*$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function assertValidStreamName(streamName: unknown): asserts streamName is string {
  if (typeof streamName !== 'string' || streamName.length > MAX_STREAM_NAME_LENGTH || !STREAM_NAME.test(streamName)) {
    throw new InvalidStreamNameError(
      `Invalid stream name ${JSON.stringify(String(streamName).slice(0, 80))}: expected "category-id" (lowercase category, a dash, then letters, digits or _ . : -; at most ${MAX_STREAM_NAME_LENGTH} characters)`,
    );
  }
}

export function assertValidExpectedRevision(expected: unknown): asserts expected is ExpectedRevision {
  if (expected === 'no_stream' || expected === 'any' || expected === 'stream_exists') return;
  if (typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= 0) return;
  throw new InvalidExpectedRevisionError(
    `Invalid expected revision ${JSON.stringify(expected) ?? String(expected)}: expected 'no_stream', 'stream_exists', 'any' or a whole number >= 0`,
  );
}

/** Rejects what would not survive a JSON round trip unchanged (undefined, functions, NaN, bigint, Dates, cycles, class instances). */
export function assertJsonSerialisable(value: unknown, path: string, seen: Set<object> = new Set()): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new NotSerialisableError(`${path} is ${value}: not representable in JSON`);
    return;
  }
  if (typeof value !== 'object') throw new NotSerialisableError(`${path} is a ${typeof value}: not representable in JSON`);
  if (seen.has(value)) throw new NotSerialisableError(`${path} refers back to itself: a cycle cannot be stored`);
  seen.add(value);
  if (Array.isArray(value)) {
    value.forEach((item, i) => assertJsonSerialisable(item, `${path}[${i}]`, seen));
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new NotSerialisableError(`${path} is a ${proto?.constructor?.name ?? 'class instance'}: only plain objects, arrays, strings, finite numbers, booleans and null can be stored`);
    }
    for (const [key, item] of Object.entries(value)) assertJsonSerialisable(item, `${path}.${key}`, seen);
  }
  seen.delete(value);
}

export interface SerialisedEvent {
  readonly event: NewEvent;
  readonly data: string;
  readonly metadata: string;
}

/**
 * Metadata already validated and serialised, by object: the events of one import share one
 * metadata object, checked and written out once instead of once per event (a tenth of the api's
 * work on a 100 000-line file was this). Scoped to one append, whose events are the caller's to
 * leave alone until it resolves.
 */
export type MetadataMemo = Map<object, { readonly json: string; readonly bytes: number }>;

/** Validates a whole batch before anything is written, and serialises it once. */
export function validateAndSerialise(streamName: string, events: readonly NewEvent[], expectedRevision: unknown, memo?: MetadataMemo): SerialisedEvent[] {
  assertValidStreamName(streamName);
  assertValidExpectedRevision(expectedRevision);
  if (!Array.isArray(events)) throw new InvalidEventError('events must be an array');
  const ids = new Set<string>();
  return events.map((event, i) => {
    const where = `events[${i}]`;
    if (typeof event?.id !== 'string' || !UUID.test(event.id)) throw new InvalidEventError(`${where}.id must be a UUID`);
    if (ids.has(event.id.toLowerCase())) throw new InvalidEventError(`${where}.id ${event.id} appears twice in one append`);
    ids.add(event.id.toLowerCase());
    if (typeof event.type !== 'string' || event.type.length > 200 || !EVENT_TYPE.test(event.type)) {
      throw new InvalidEventError(`${where}.type must be a stable type name (letters, digits, _ . -), got ${JSON.stringify(String(event.type).slice(0, 80))}`);
    }
    if (event.data === null || typeof event.data !== 'object' || Array.isArray(event.data)) {
      throw new InvalidEventError(`${where}.data must be a JSON object`);
    }
    let meta = memo && event.metadata !== null && typeof event.metadata === 'object' ? memo.get(event.metadata) : undefined;
    if (!meta) {
      assertValidMetadata(event.metadata, `${where}.metadata`);
      assertJsonSerialisable(event.metadata, `${where}.metadata`);
      const json = JSON.stringify(event.metadata);
      meta = { json, bytes: Buffer.byteLength(json) };
      memo?.set(event.metadata, meta);
    }
    assertJsonSerialisable(event.data, `${where}.data`);
    const data = JSON.stringify(event.data);
    const metadata = meta.json;
    const bytes = Buffer.byteLength(data) + meta.bytes;
    if (bytes > MAX_EVENT_BYTES) {
      throw new EventTooLargeError(`${where} (${event.type}) is ${bytes} bytes serialised; the limit is ${MAX_EVENT_BYTES}`);
    }
    return { event: { ...event, id: event.id.toLowerCase() }, data, metadata };
  });
}

function assertValidMetadata(metadata: unknown, where: string): void {
  if (metadata === null || typeof metadata !== 'object') throw new InvalidEventError(`${where} is required`);
  const m = metadata as Record<string, unknown>;
  if (typeof m['correlationId'] !== 'string' || m['correlationId'] === '') throw new InvalidEventError(`${where}.correlationId must be a non-empty string`);
  if (m['causationId'] !== null && typeof m['causationId'] !== 'string') throw new InvalidEventError(`${where}.causationId must be a string or null`);
  const actor = m['actor'] as Record<string, unknown> | undefined;
  if (!actor || typeof actor['id'] !== 'string' || typeof actor['role'] !== 'string') throw new InvalidEventError(`${where}.actor must have a string id and role`);
  if (typeof m['occurredAt'] !== 'string' || Number.isNaN(Date.parse(m['occurredAt']))) throw new InvalidEventError(`${where}.occurredAt must be an ISO 8601 timestamp`);
  if (!Number.isInteger(m['schemaVersion']) || (m['schemaVersion'] as number) < 1) throw new InvalidEventError(`${where}.schemaVersion must be a whole number >= 1`);
}

export function matchesFilter(streamName: string, prefixes: readonly string[] | undefined): boolean {
  return !prefixes || prefixes.length === 0 || prefixes.some((p) => streamName.startsWith(p));
}
