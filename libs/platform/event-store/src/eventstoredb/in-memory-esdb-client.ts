import { randomUUID } from 'node:crypto';
import {
  MaxAppendSizeExceededError,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type AppendResult,
  type EventData,
  type Filter,
  type Position,
  type ReadPosition,
  type ResolvedEvent,
} from '@eventstore/db-client';
import type { EsdbClient, EsdbReadAllOptions, EsdbReadStreamOptions, EsdbSubscribeToAllOptions, EsdbSubscription } from './esdb-client';

/**
 * An in-memory stand-in for EventStoreDB behind the adapter's client seam, for tests where no
 * server runs. It models what the adapter relies on, as the client's documentation and source
 * describe it — and nothing more; the real server is the judge (the contract suite runs against
 * it wherever `EVENTSTORE_CONNECTION_STRING` is set):
 * - errors are the client's own classes (`WrongExpectedVersionError`, `StreamNotFoundError`, …);
 * - a stream read of a missing stream fails with `StreamNotFoundError` while iterating;
 * - `readAll` from a position includes the event at it; a subscription's start is exclusive;
 * - events of one append share a commit position and have rising prepare positions;
 * - `$maxCount` in `$$<stream>` hides all but the last events of a stream from stream reads;
 * - filters (stream-name prefixes or regex, event-type regex) are applied "server-side";
 * - one append may not exceed `maxAppendBytes` (data plus metadata);
 * - no de-duplication of re-sent event ids (the server's is best effort; the adapter must not rely on it).
 * Test controls drop, end or fail subscriptions and calls, and every call is recorded.
 */
export class InMemoryEsdbClient implements EsdbClient {
  readonly records: StoredRecord[] = [];
  readonly calls = {
    appendToStream: [] as Array<{ streamName: string; count: number; expectedRevision: AppendExpectedRevision }>,
    readStream: [] as Array<{ streamName: string; options: EsdbReadStreamOptions }>,
    readAll: [] as EsdbReadAllOptions[],
    subscribeToAll: [] as EsdbSubscribeToAllOptions[],
  };
  maxAppendBytes = 1024 * 1024;
  disposed = false;
  private nextCommit = 1_000n;
  private readonly subscriptions = new Set<FakeSubscription>();
  private readonly scheduled: Array<{ op: Operation | 'appendToStream:afterWrite'; error: Error }> = [];

  async appendToStream(streamName: string, events: EventData[], options: { expectedRevision: AppendExpectedRevision }): Promise<AppendResult> {
    this.assertUsable();
    this.calls.appendToStream.push({ streamName, count: events.length, expectedRevision: options.expectedRevision });
    await tick();
    this.throwIfScheduled('appendToStream');
    const current = this.streamRevision(streamName);
    const expected = options.expectedRevision;
    const ok =
      expected === 'any' ||
      (expected === 'no_stream' && current === undefined) ||
      (expected === 'stream_exists' && current !== undefined) ||
      (typeof expected === 'bigint' && current === expected);
    if (!ok) throw new WrongExpectedVersionError(undefined, { streamName, expected, current: current ?? 'no_stream' });
    const bytes = events.reduce((n, e) => n + byteLength(e.data) + (e.metadata === undefined ? 0 : byteLength(e.metadata)), 0);
    if (bytes > this.maxAppendBytes) throw MaxAppendSizeExceededError.fromMaxAppendSize(this.maxAppendBytes);
    const commit = this.nextCommit;
    let revision = current ?? -1n;
    events.forEach((e, i) => {
      revision += 1n;
      this.records.push({
        streamId: streamName,
        id: e.id,
        type: e.type,
        isJson: e.contentType === 'application/json',
        data: clone(e.data),
        metadata: e.metadata === undefined ? undefined : clone(e.metadata),
        revision,
        position: { commit, prepare: commit + BigInt(i) * 50n },
        created: new Date(),
      });
    });
    this.nextCommit += BigInt(events.length) * 50n + 100n;
    for (const s of this.subscriptions) s.wake();
    // The write happened, but the caller never hears so (a timeout, a lost connection).
    const lost = this.takeScheduled('appendToStream:afterWrite');
    if (lost) throw lost;
    return { success: true, nextExpectedRevision: revision, position: { commit, prepare: commit } };
  }

  readStream(streamName: string, options: EsdbReadStreamOptions): AsyncIterable<ResolvedEvent> {
    this.assertUsable();
    this.calls.readStream.push({ streamName, options });
    return this.streamEvents(streamName, options);
  }

  readAll(options: EsdbReadAllOptions): AsyncIterable<AllStreamResolvedEvent> {
    this.assertUsable();
    this.calls.readAll.push(options);
    return this.allEvents(options);
  }

  private async *streamEvents(streamName: string, options: EsdbReadStreamOptions): AsyncGenerator<ResolvedEvent> {
    await tick();
    this.throwIfScheduled('readStream');
    let events = this.records.filter((r) => r.streamId === streamName);
    if (events.length === 0) throw new StreamNotFoundError(undefined, streamName);
    const maxCount = this.metadataOf(streamName)['$maxCount'];
    if (typeof maxCount === 'number') events = events.slice(-maxCount);
    const backwards = options.direction === 'backwards';
    const from = options.fromRevision;
    let selected = backwards
      ? events.filter((r) => from === 'end' || from === 'start' || r.revision <= from).reverse()
      : events.filter((r) => from === 'start' || from === 'end' || r.revision >= from);
    if (!backwards && from === 'end') selected = [];
    let left = options.maxCount ?? Number.POSITIVE_INFINITY;
    for (const r of selected) {
      if (left-- <= 0) return;
      yield { event: view(r) as ResolvedEvent['event'], commitPosition: r.position.commit };
    }
  }

  private async *allEvents(options: EsdbReadAllOptions): AsyncGenerator<AllStreamResolvedEvent> {
    await tick();
    this.throwIfScheduled('readAll');
    const backwards = options.direction === 'backwards';
    const ordered = backwards ? [...this.records].reverse() : this.records;
    let left = options.maxCount ?? Number.POSITIVE_INFINITY;
    for (const r of ordered) {
      if (!inRange(r.position, options.fromPosition, backwards)) continue;
      if (!matches(r, options.filter)) continue;
      if (left-- <= 0) return;
      yield { event: view(r) as AllStreamResolvedEvent['event'], commitPosition: r.position.commit };
    }
  }

  subscribeToAll(options: EsdbSubscribeToAllOptions): EsdbSubscription {
    this.assertUsable();
    this.calls.subscribeToAll.push(options);
    const scheduled = this.takeScheduled('subscribeToAll');
    const subscription = new FakeSubscription(this, options, scheduled);
    this.subscriptions.add(subscription);
    return subscription;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    for (const s of [...this.subscriptions]) s.end();
  }

  // ---- test controls -------------------------------------------------------------------------

  /** Every live subscription fails with `error` on its next pull, as a dropped gRPC stream does. */
  dropSubscriptions(error: Error = new UnavailableError(undefined, '14 UNAVAILABLE: Connection dropped')): void {
    for (const s of [...this.subscriptions]) s.fail(error);
  }

  /** Every live subscription ends without an error (a server that closed the stream). */
  endSubscriptions(): void {
    for (const s of [...this.subscriptions]) s.end();
  }

  /**
   * The next call of `op` fails with `error` (for a subscription: on its first pull).
   * `appendToStream:afterWrite`: the next append is written, then fails as if its reply was lost.
   */
  failNext(op: Operation | 'appendToStream:afterWrite', error: Error): void {
    this.scheduled.push({ op, error });
  }

  /** Something the server writes itself, e.g. statistics: it must never reach the port. */
  appendSystemEvent(streamId = '$stats-127.0.0.1:2113', type = '$statsCollected'): void {
    const commit = this.nextCommit;
    this.nextCommit += 150n;
    const revision = (this.streamRevision(streamId) ?? -1n) + 1n;
    this.records.push({ streamId, id: randomUUID(), type, isJson: true, data: {}, metadata: undefined, revision, position: { commit, prepare: commit }, created: new Date() });
    for (const s of this.subscriptions) s.wake();
  }

  get liveSubscriptions(): number {
    return this.subscriptions.size;
  }

  /** @internal */
  forget(subscription: FakeSubscription): void {
    this.subscriptions.delete(subscription);
  }

  metadataOf(streamName: string): Record<string, unknown> {
    const last = this.records.filter((r) => r.streamId === `$$${streamName}`).at(-1);
    return last && last.data && typeof last.data === 'object' ? (last.data as Record<string, unknown>) : {};
  }

  private streamRevision(streamName: string): bigint | undefined {
    let revision: bigint | undefined;
    for (const r of this.records) if (r.streamId === streamName) revision = r.revision;
    return revision;
  }

  private throwIfScheduled(op: Operation): void {
    const error = this.takeScheduled(op);
    if (error) throw error;
  }

  private takeScheduled(op: Operation | 'appendToStream:afterWrite'): Error | undefined {
    const i = this.scheduled.findIndex((s) => s.op === op);
    if (i < 0) return undefined;
    const [entry] = this.scheduled.splice(i, 1);
    return entry?.error;
  }

  private assertUsable(): void {
    if (this.disposed) throw new Error('InMemoryEsdbClient: used after dispose()');
  }
}

type Operation = 'appendToStream' | 'readStream' | 'readAll' | 'subscribeToAll';

export interface StoredRecord {
  readonly streamId: string;
  readonly id: string;
  readonly type: string;
  readonly isJson: boolean;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly revision: bigint;
  readonly position: Position;
  readonly created: Date;
}

type RecordedView = StoredRecord;

class FakeSubscription implements EsdbSubscription {
  private cursor: number;
  private ended = false;
  private failure: Error | undefined;
  private waiter: (() => void) | undefined;

  constructor(
    private readonly server: InMemoryEsdbClient,
    private readonly options: EsdbSubscribeToAllOptions,
    initialFailure: Error | undefined,
  ) {
    this.failure = initialFailure;
    const from = options.fromPosition;
    // Exclusive start: the first event strictly after the position.
    this.cursor = from === 'start' ? 0 : from === 'end' ? server.records.length : server.records.findIndex((r) => isAfter(r.position, from));
    if (this.cursor < 0) this.cursor = server.records.length;
  }

  wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  fail(error: Error): void {
    this.failure = error;
    this.wake();
  }

  end(): void {
    this.ended = true;
    this.server.forget(this);
    this.wake();
  }

  async unsubscribe(): Promise<void> {
    this.end();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<AllStreamResolvedEvent> {
    try {
      for (;;) {
        await tick();
        if (this.failure) {
          const error = this.failure;
          this.server.forget(this);
          throw error;
        }
        if (this.ended) return;
        const record = this.server.records[this.cursor];
        if (!record) {
          await new Promise<void>((resolve) => (this.waiter = resolve));
          continue;
        }
        this.cursor += 1;
        if (!matches(record, this.options.filter)) continue;
        yield { event: view(record) as AllStreamResolvedEvent['event'], commitPosition: record.position.commit };
      }
    } finally {
      this.server.forget(this);
    }
  }
}

function matches(record: StoredRecord, filter: Filter | undefined): boolean {
  if (!filter) return true;
  const subject = filter.filterOn === 'streamName' ? record.streamId : record.type;
  if ('prefixes' in filter) return filter.prefixes.some((p) => subject.startsWith(p));
  return new RegExp(filter.regex).test(subject);
}

function inRange(position: Position, from: ReadPosition, backwards: boolean): boolean {
  if (from === 'start') return !backwards;
  if (from === 'end') return backwards;
  // Inclusive both ways, as EventStoreDB reads of `$all` from a position are.
  return backwards ? !isAfter(position, from) : !isAfter(from, position);
}

function isAfter(a: Position, b: Position): boolean {
  return a.commit > b.commit || (a.commit === b.commit && a.prepare > b.prepare);
}

function view(record: StoredRecord): RecordedView {
  return { ...record, data: clone(record.data), metadata: clone(record.metadata) };
}

function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

function byteLength(value: unknown): number {
  return value instanceof Uint8Array ? value.byteLength : Buffer.byteLength(JSON.stringify(value));
}

/** Yields to the event loop, so interleavings resemble network calls rather than synchronous code. */
function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
