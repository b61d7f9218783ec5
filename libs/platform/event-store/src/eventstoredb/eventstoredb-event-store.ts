import {
  BACKWARDS,
  END,
  FORWARDS,
  NO_STREAM,
  START,
  jsonEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type Filter,
  type Position,
  type ResolvedEvent,
} from '@eventstore/db-client';
import {
  DuplicateEventIdError,
  EventStoreError,
  EventStoreUnavailableError,
  EventTooLargeError,
  InvalidEventError,
  WrongExpectedRevisionError,
} from '../errors';
import type {
  AppendResult,
  EventMetadata,
  EventStore,
  ExpectedRevision,
  GlobalPosition,
  JsonObject,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StreamAppend,
  SubscribeOptions,
  Subscription,
  FilterClause,
} from '../port';
import { filterClauses, passesClauses } from '../port';
import { assertValidStreamName, validateAndSerialise, type SerialisedEvent } from '../validation';
import { connectEsdbClient, type EsdbClient, type EsdbSubscription } from './esdb-client';

export { checkEventStoreConnectionString } from './connection-string';
export type { EsdbClient, EsdbReadAllOptions, EsdbReadStreamOptions, EsdbSubscribeToAllOptions, EsdbSubscription } from './esdb-client';

/** EventStoreDB's default `MaxAppendSize`: one append (all its events together) may not exceed it. */
export const EVENTSTOREDB_DEFAULT_MAX_APPEND_BYTES = 1024 * 1024;

/**
 * Streams the adapter bounds with `$maxCount` the first time it writes to them, so they do not grow
 * for ever: a checkpoint stream is only ever read for its last event; a parking lot is folded from
 * its events, and 10 000 park/hold/release records is far beyond any healthy subscription (a
 * lot that large has lost its oldest entries, which an operator must notice before that).
 * Recognised by prefix here, inside the adapter, so callers (the runtime's checkpoint store and
 * parking lot) need not know about EventStoreDB metadata. SQLite keeps these streams whole.
 */
export const BOUNDED_STREAMS: ReadonlyArray<{ readonly prefix: string; readonly maxCount: number }> = [
  { prefix: 'checkpoint-', maxCount: 5 },
  { prefix: 'parked-', maxCount: 10_000 },
];

export interface ResubscribeInfo {
  /** Why the subscription dropped (a gRPC error, or an end the adapter did not ask for). */
  readonly error: unknown;
  /** Consecutive drops without progress; 1 for the first. */
  readonly attempt: number;
  readonly delayMs: number;
  /** The position it resumes after: the last event it delivered (undefined: the start it was given). */
  readonly resumeAfter: GlobalPosition | undefined;
}

export interface EventStoreDbOptions {
  /** e.g. `esdb://user:password@host:2113` (see `checkEventStoreConnectionString` for production). */
  readonly connectionString?: string;
  /** Instead of a connection string: a client (tests inject an in-memory one). Disposed by `close()`. */
  readonly client?: EsdbClient;
  /** The server's `MaxAppendSize` (default 1 MiB); larger appends are refused before they are sent. */
  readonly maxAppendBytes?: number;
  /** Backoff between resubscriptions after a dropped subscription. */
  readonly resubscribe?: {
    readonly initialDelayMs?: number;
    readonly maxDelayMs?: number;
    /** A subscription that stayed up this long before dropping starts its backoff afresh. */
    readonly stableAfterMs?: number;
  };
  /** Called before each resubscription (for logs and metrics). */
  readonly onResubscribe?: (info: ResubscribeInfo) => void;
}

/** Events in streams starting with `$` are EventStoreDB's own (metadata, statistics, projections). */
const USER_STREAMS = '^[^$]';
/** Slack for what the server counts besides data and metadata (id, type, content type). */
const PER_EVENT_OVERHEAD_BYTES = 64;
/** Stream reads in flight at once for `readStreams`: enough to hide round trips, few enough not to crowd the connection. */
const READ_STREAMS_CONCURRENCY = 16;
/** Error types of `@eventstore/db-client` that mean "the server could not be reached or answered in time": retry. */
const UNAVAILABLE_TYPES = new Set(['unavailable', 'deadline-exceeded', 'timeout', 'cancelled', 'not-leader']);

interface FollowState {
  last: Position | undefined;
  stopped: boolean;
  current: EsdbSubscription | undefined;
  wake: (() => void) | undefined;
}

/**
 * The production event store on EventStoreDB (`@eventstore/db-client` 6.2.1, server 21.10 or later
 * for filtered reads). It passes the same contract suite as the SQLite store; the differences the
 * port hides:
 * - positions are EventStoreDB's commit/prepare pair, encoded as `commit/prepare`;
 * - EventStoreDB drops a re-sent event id only shortly after the first append (invariant 10), so an
 *   append first looks for its ids in the stream's tail, which makes a retry a reported no-op
 *   (`alreadyAppended`) and turns a conflicting retry into success rather than a conflict;
 * - a catch-up subscription survives dropped gRPC streams, leader changes and restarts: it
 *   resubscribes with backoff after the last event it delivered, until `stop()`;
 * - every read of `$all` is filtered by the server (stream prefixes, or "no system streams"), so
 *   neither the lag check nor `headPosition` pages the log through this process;
 * - `checkpoint-*` and `parked-*` streams are bounded with `$maxCount` (see `BOUNDED_STREAMS`).
 */
export class EventStoreDbEventStore implements EventStore {
  readonly backend = 'eventstoredb' as const;
  readonly maxAppendBytes: number;
  private readonly client: EsdbClient;
  private readonly subscriptions = new Set<Subscription>();
  /** Bounded streams whose `$maxCount` is known to be set (or being set) by this process. */
  private readonly bounded = new Map<string, Promise<void>>();
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly stableAfterMs: number;
  private readonly onResubscribe: ((info: ResubscribeInfo) => void) | undefined;
  private closed = false;

  constructor(options: EventStoreDbOptions) {
    if (options.client) this.client = options.client;
    else if (options.connectionString) this.client = connectEsdbClient(options.connectionString);
    else throw new Error('EventStoreDbEventStore needs a connectionString or a client');
    this.maxAppendBytes = options.maxAppendBytes ?? EVENTSTOREDB_DEFAULT_MAX_APPEND_BYTES;
    this.initialDelayMs = options.resubscribe?.initialDelayMs ?? 200;
    this.maxDelayMs = options.resubscribe?.maxDelayMs ?? 10_000;
    this.stableAfterMs = options.resubscribe?.stableAfterMs ?? 5_000;
    this.onResubscribe = options.onResubscribe;
  }

  async appendToStream(streamName: string, events: readonly NewEvent[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    this.assertOpen();
    const serialised = validateAndSerialise(streamName, events, options.expectedRevision);
    const expected = options.expectedRevision;
    if (serialised.length === 0) return this.checkExpectedRevision(streamName, expected);
    // The server refuses an append larger than its MaxAppendSize as a whole; say so before sending.
    const bytes = serialisedBytes(serialised);
    if (bytes > this.maxAppendBytes) {
      throw new EventTooLargeError(
        `Stream ${streamName}: ${serialised.length} events are about ${bytes} bytes together; EventStoreDB accepts at most ${this.maxAppendBytes} bytes in one append (split the batch, or raise the server's MaxAppendSize and maxAppendBytes)`,
      );
    }
    const ids = serialised.map((s) => s.event.id);
    const existing = await this.findExisting(streamName, ids);
    if (existing.found === ids.length) return { nextExpectedRevision: existing.current, alreadyAppended: true };
    if (existing.found > 0) {
      throw new DuplicateEventIdError(`Stream ${streamName}: ${existing.found} of ${ids.length} event ids are already stored; an append is retried whole or not at all`);
    }
    await this.ensureBounded(streamName);
    try {
      const result = await this.client.appendToStream(
        streamName,
        serialised.map(({ event }) => jsonEvent({ id: event.id, type: event.type, data: event.data, metadata: event.metadata as unknown as JsonObject })),
        { expectedRevision: toEsdbExpectedRevision(expected) },
      );
      return { nextExpectedRevision: Number(result.nextExpectedRevision), alreadyAppended: false };
    } catch (error) {
      if (esdbErrorType(error) === 'wrong-expected-version') {
        // A retry whose first attempt did reach the server (the reply was lost) conflicts with itself.
        const again = await this.findExisting(streamName, ids);
        if (again.found === ids.length) return { nextExpectedRevision: again.current, alreadyAppended: true };
        throw new WrongExpectedRevisionError(streamName, String(expected), describeRevision((error as { actualVersion?: unknown }).actualVersion));
      }
      // A timeout or lost connection leaves the outcome unknown; the caller retries with the same
      // ids and the look-up above turns an append that did happen into `alreadyAppended`.
      throw mapError(error);
    }
  }

  async appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    this.assertOpen();
    // Validate everything first, so bad input writes nothing even here.
    for (const a of appends) validateAndSerialise(a.streamName, a.events, a.expectedRevision);
    const results: AppendResult[] = [];
    for (const a of appends) results.push(await this.appendToStream(a.streamName, a.events, { expectedRevision: a.expectedRevision }));
    return results;
  }

  /** An empty append writes nothing but still answers whether the expectation holds. */
  private async checkExpectedRevision(streamName: string, expected: ExpectedRevision): Promise<AppendResult> {
    const [last] = await this.readStream(streamName, { direction: 'backwards', maxCount: 1 });
    const current = last?.revision ?? null;
    const actual = current === null ? 'no stream' : String(current);
    if (expected === 'no_stream' && current !== null) throw new WrongExpectedRevisionError(streamName, expected, actual);
    if (expected === 'stream_exists' && current === null) throw new WrongExpectedRevisionError(streamName, expected, actual);
    if (typeof expected === 'number' && expected !== current) throw new WrongExpectedRevisionError(streamName, String(expected), actual);
    return { nextExpectedRevision: current ?? -1, alreadyAppended: false };
  }

  /**
   * Event ids are unique per store in our model. EventStoreDB cannot look an id up, so the check
   * covers the stream's recent tail, which is where a retried append's events are.
   */
  private async findExisting(streamName: string, ids: string[]): Promise<{ found: number; current: number }> {
    const tail = await this.readStream(streamName, { direction: 'backwards', maxCount: Math.max(ids.length * 2, 100) });
    const wanted = new Set(ids);
    return { found: tail.filter((e) => wanted.has(e.id)).length, current: tail[0]?.revision ?? -1 };
  }

  /**
   * Sets `$maxCount` on a bounded stream once per process, before its first append here. It reads
   * the stream's metadata first and writes only when the bound differs, keeping every other
   * metadata key (an ACL an operator set), so repeating it — another process, a restart — is
   * harmless. The metadata event goes to `$$<stream>`, a system stream no read or subscription of
   * this adapter returns.
   */
  private async ensureBounded(streamName: string): Promise<void> {
    const bound = BOUNDED_STREAMS.find((b) => streamName.startsWith(b.prefix));
    if (!bound) return;
    let pending = this.bounded.get(streamName);
    if (!pending) {
      pending = this.setMaxCount(streamName, bound.maxCount);
      this.bounded.set(streamName, pending);
      // Forget a failure, so the next append tries again.
      pending.catch(() => this.bounded.delete(streamName));
    }
    await pending;
  }

  private async setMaxCount(streamName: string, maxCount: number): Promise<void> {
    const metastream = `$$${streamName}`;
    for (let attempt = 0; ; attempt++) {
      let current: { revision: bigint; data: Record<string, unknown> } | undefined;
      try {
        for await (const resolved of this.client.readStream(metastream, { direction: BACKWARDS, fromRevision: END, maxCount: 1 })) {
          const event = resolved.event;
          if (event) current = { revision: event.revision, data: event.isJson && isPlainObject(event.data) ? event.data : {} };
        }
      } catch (error) {
        if (esdbErrorType(error) !== 'stream-not-found') throw mapError(error);
      }
      if (current?.data['$maxCount'] === maxCount) return;
      try {
        // Written raw rather than through `setStreamMetadata`, whose companion `getStreamMetadata`
        // reports a commit position as `metastreamRevision` in 6.2.1 and so cannot give the
        // expected revision that makes this write safe against a concurrent one.
        await this.client.appendToStream(metastream, [jsonEvent({ type: '$metadata', data: { ...(current?.data ?? {}), $maxCount: maxCount } })], {
          expectedRevision: current ? current.revision : NO_STREAM,
        });
        return;
      } catch (error) {
        // Another process set the metadata meanwhile: read it again.
        if (esdbErrorType(error) === 'wrong-expected-version' && attempt < 3) continue;
        throw mapError(error);
      }
    }
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    assertValidStreamName(streamName);
    const backwards = options.direction === 'backwards';
    const events: RecordedEvent[] = [];
    try {
      for await (const resolved of this.client.readStream(streamName, {
        direction: backwards ? BACKWARDS : FORWARDS,
        fromRevision: options.fromRevision !== undefined ? BigInt(options.fromRevision) : backwards ? END : START,
        ...(options.maxCount !== undefined ? { maxCount: options.maxCount } : {}),
      })) {
        const recorded = toRecorded(resolved);
        if (recorded) events.push(recorded);
      }
    } catch (error) {
      const type = esdbErrorType(error);
      // A stream that never existed, or was deleted, reads as empty (the port's promise).
      if (type === 'stream-not-found' || type === 'stream-deleted') return [];
      throw mapError(error);
    }
    return events;
  }

  /** EventStoreDB has no multi-stream read: a few streams at a time over the one connection. */
  async readStreams(streamNames: readonly string[]): Promise<Map<string, RecordedEvent[]>> {
    this.assertOpen();
    const names = [...new Set(streamNames)];
    for (const name of names) assertValidStreamName(name);
    const read = new Map<string, RecordedEvent[]>();
    let next = 0;
    const worker = async () => {
      while (next < names.length) {
        const name = names[next++] as string;
        read.set(name, await this.readStream(name));
      }
    };
    await Promise.all(Array.from({ length: Math.min(READ_STREAMS_CONCURRENCY, names.length) }, worker));
    return new Map(names.map((name) => [name, read.get(name) ?? []]));
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const after = options.after === undefined ? undefined : decodePosition(options.after);
    const limit = options.maxCount;
    if (limit !== undefined && limit <= 0) return [];
    const clauses = filterClauses(options.filter);
    // The server filters by stream name or by type, not both: types are narrowed here, so the
    // server cannot count what we keep, and the read is ended by the loop instead.
    const byType = clauses.some((c) => c.types);
    const events: RecordedEvent[] = [];
    try {
      for await (const resolved of this.client.readAll({
        direction: FORWARDS,
        fromPosition: after ?? START,
        // A read from a position includes the event at it, which the port excludes: ask for one more.
        ...(limit !== undefined && !byType ? { maxCount: limit + (after ? 1 : 0) } : {}),
        filter: serverFilter(options.filter?.streamPrefixes),
      })) {
        const position = resolved.event?.position;
        if (after && position && !isAfter(position, after)) continue;
        const recorded = toRecorded(resolved);
        if (!recorded || !passesClauses(clauses, recorded.streamName, recorded.type)) continue;
        events.push(recorded);
        if (limit !== undefined && events.length >= limit) break;
      }
    } catch (error) {
      throw mapError(error);
    }
    return events;
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    this.assertOpen();
    const state: FollowState = {
      last: options.after === undefined ? undefined : decodePosition(options.after),
      stopped: false,
      current: undefined,
      wake: undefined,
    };
    const filter = serverFilter(options.filter?.streamPrefixes);
    const clauses = filterClauses(options.filter);
    const subscription: Subscription = {
      stop: async () => {
        state.stopped = true;
        this.subscriptions.delete(subscription);
        state.wake?.();
        await state.current?.unsubscribe().catch(() => undefined);
      },
      [Symbol.asyncIterator]: () => this.follow(state, filter, clauses),
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  /**
   * The catch-up loop behind `subscribeToAll`. EventStoreDB's catch-up subscription is one gRPC
   * stream; it ends with an error when the connection drops, the leader changes or the server
   * restarts, and the client does not resubscribe by itself. So: resubscribe after the last event
   * delivered to the caller (the server's `fromPosition` is exclusive), with growing backoff,
   * until `stop()`. Events the previous stream had buffered but not handed out are simply
   * delivered by the next one; anything at or before the last delivered position is dropped, so
   * there is neither a gap nor a duplicate. Errors that retrying cannot fix (access denied, a bad
   * argument, a bug) end the iteration with that error, for the caller to see.
   */
  private async *follow(state: FollowState, filter: Filter, clauses: readonly FilterClause[]): AsyncGenerator<RecordedEvent> {
    let failures = 0;
    while (!state.stopped && !this.closed) {
      const esdb = this.client.subscribeToAll({ fromPosition: state.last ?? START, filter });
      state.current = esdb;
      const startedAt = Date.now();
      const startedFrom = state.last;
      let delivered = 0;
      let failure: unknown;
      try {
        for await (const resolved of esdb) {
          if (state.stopped) return;
          const position = resolved.event?.position;
          if (position) {
            if (state.last && !isAfter(position, state.last)) continue;
            // Moves past events this adapter skips too, so a resubscription does not scan them again.
            state.last = position;
          }
          const recorded = toRecorded(resolved);
          // Types the filter narrows out are dropped here (the server filtered by stream name).
          if (!recorded || !passesClauses(clauses, recorded.streamName, recorded.type)) continue;
          delivered += 1;
          yield recorded;
          if (state.stopped) return;
        }
        failure = new EventStoreUnavailableError('The EventStoreDB subscription ended without being stopped');
      } catch (error) {
        if (state.stopped) return;
        if (!isSubscriptionTransient(error)) throw mapError(error);
        failure = error;
      } finally {
        if (state.current === esdb) state.current = undefined;
        // Releases the gRPC call whether it failed, ended, or the caller broke out of its loop.
        void esdb.unsubscribe().catch(() => undefined);
      }
      if (state.stopped || this.closed) return;
      // Progress resets the backoff, including events passed over for the filter's types.
      if (delivered > 0 || state.last !== startedFrom || Date.now() - startedAt >= this.stableAfterMs) failures = 0;
      failures += 1;
      const delayMs = backoff(failures, this.initialDelayMs, this.maxDelayMs);
      try {
        this.onResubscribe?.({ error: failure, attempt: failures, delayMs, resumeAfter: state.last && encodePosition(state.last) });
      } catch {
        // An observer that fails (a broken logger) must not end the subscription.
      }
      await pause(delayMs, state);
    }
  }

  /**
   * One server call: the last event of a user stream, read backwards with the server filtering out
   * system streams (metadata, statistics), which may well be the log's literal tail.
   */
  async headPosition(): Promise<GlobalPosition | undefined> {
    this.assertOpen();
    try {
      for await (const resolved of this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1, filter: serverFilter(undefined) })) {
        const recorded = toRecorded(resolved);
        if (recorded) return recorded.position;
      }
    } catch (error) {
      throw mapError(error);
    }
    return undefined;
  }

  async ping(): Promise<void> {
    this.assertOpen();
    try {
      for await (const _ of this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 })) break;
    } catch (error) {
      throw mapError(error);
    }
  }

  /** Stops every subscription, then releases the client's connections. Later calls fail as unavailable. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await this.client.dispose();
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreUnavailableError('The EventStoreDB event store is closed');
  }
}

/** Server-side filter: the given stream prefixes, or every user stream. */
function serverFilter(prefixes: readonly string[] | undefined): Filter {
  const wanted = (prefixes ?? []).filter((p) => p.length > 0);
  // By stream name rather than `excludeSystemEvents()`, which matches event *types* not starting
  // with `$` and so lets through system streams' events with plain types (EventStoreDB 22.x sent
  // `PersistentConfig1` from `$persistentSubscriptionConfig` that way).
  return wanted.length > 0 ? streamNameFilter({ prefixes: [...wanted] }) : streamNameFilter({ regex: USER_STREAMS });
}

function toEsdbExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  return typeof expected === 'number' ? BigInt(expected) : expected;
}

function describeRevision(actual: unknown): string {
  return actual === undefined || actual === 'no_stream' ? 'no stream' : String(actual);
}

function serialisedBytes(events: readonly SerialisedEvent[]): number {
  return events.reduce((n, s) => n + Buffer.byteLength(s.data) + Buffer.byteLength(s.metadata) + Buffer.byteLength(s.event.type) + PER_EVENT_OVERHEAD_BYTES, 0);
}

/** What an append of these events weighs against `maxAppendBytes` (an estimate on the safe side). */
export function estimateAppendBytes(events: readonly NewEvent[]): number {
  return events.reduce(
    (n, e) => n + Buffer.byteLength(JSON.stringify(e.data)) + Buffer.byteLength(JSON.stringify(e.metadata)) + Buffer.byteLength(e.type) + PER_EVENT_OVERHEAD_BYTES,
    0,
  );
}

function toRecorded(resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent | undefined {
  const event = resolved.event;
  // Only our own JSON events: system streams and binary events are not part of the port's log.
  if (!event || !event.isJson || event.streamId.startsWith('$')) return undefined;
  const position = event.position;
  return {
    id: event.id,
    type: event.type,
    data: event.data as JsonObject,
    metadata: event.metadata as unknown as EventMetadata,
    streamName: event.streamId,
    revision: Number(event.revision),
    position: position ? encodePosition(position) : '',
    recordedAt: event.created.toISOString(),
  };
}

function encodePosition(position: Position): GlobalPosition {
  return `${position.commit}/${position.prepare}`;
}

function decodePosition(position: GlobalPosition): Position {
  const match = /^(\d+)\/(\d+)$/.exec(position);
  if (!match) throw new InvalidEventError(`Invalid EventStoreDB global position ${JSON.stringify(position)}: expected "commit/prepare"`);
  return { commit: BigInt(match[1] as string), prepare: BigInt(match[2] as string) };
}

/** Global order of `$all`: by commit position, then prepare position (events of one append share a commit). */
function isAfter(a: Position, b: Position): boolean {
  return a.commit > b.commit || (a.commit === b.commit && a.prepare > b.prepare);
}

function esdbErrorType(error: unknown): string | undefined {
  const type = (error as { type?: unknown } | null)?.type;
  return typeof type === 'string' ? type : undefined;
}

/** The client's errors, in the port's terms where the port has one. */
function mapError(error: unknown): unknown {
  if (error instanceof EventStoreError) return error;
  const type = esdbErrorType(error);
  const message = error instanceof Error ? error.message : String(error);
  if ((type && UNAVAILABLE_TYPES.has(type)) || isDiscoveryFailure(error)) return new EventStoreUnavailableError(`EventStoreDB is unavailable (${type ?? 'discovery'}): ${message}`);
  if (type === 'maximum-append-size-exceeded') {
    const limit = (error as { maxAppendSize?: number }).maxAppendSize;
    return new EventTooLargeError(`EventStoreDB refused the append: it exceeds the server's MaxAppendSize${limit ? ` of ${limit} bytes` : ''}`);
  }
  return error;
}

/**
 * A dropped subscription is worth another try when the server was unreachable, went away, lost
 * leadership or reset the stream (grpc-js reports an RST_STREAM as INTERNAL, which the client
 * calls `unknown`), or when Node tore the stream down under the iterator.
 */
function isSubscriptionTransient(error: unknown): boolean {
  if (error instanceof EventStoreUnavailableError || isDiscoveryFailure(error)) return true;
  const type = esdbErrorType(error);
  if (type !== undefined) return UNAVAILABLE_TYPES.has(type) || type === 'unknown';
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET' || code === 'EPIPE';
}

/** Cluster discovery (`esdb+discover://`, gossip) gives up with a plain Error while no node answers. */
function isDiscoveryFailure(error: unknown): boolean {
  return error instanceof Error && /^Failed to discover after \d+ attempts/.test(error.message);
}

function backoff(attempt: number, initialMs: number, maxMs: number): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(attempt - 1, 30));
  // Jitter, so workers that lost the same server do not all come back in the same millisecond.
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

function pause(ms: number, state: FollowState): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      state.wake = undefined;
      resolve();
    }
    state.wake = done;
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
