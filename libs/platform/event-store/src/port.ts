/**
 * The event store port. Everything the system knows is an event in a stream; every other store is
 * derived from these. Two adapters implement it (SQLite for one machine, EventStoreDB for
 * production) and both must pass the contract suite in `contract.ts`.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Who did it: a person (or the system itself) acting in a role. Never a name or identity number. */
export interface Actor {
  readonly id: string;
  readonly role: string;
}

/** Metadata every event carries (ARCHITECTURE.md, invariant 6). */
export interface EventMetadata {
  readonly correlationId: string;
  readonly causationId: string | null;
  readonly actor: Actor;
  /** When it happened in the domain (ISO 8601, from the injected clock), not when it was stored. */
  readonly occurredAt: string;
  readonly schemaVersion: number;
}

export interface NewEvent<TData extends JsonObject = JsonObject> {
  /** A UUID; deterministic where the event is derived from an input, so retries are no-ops. */
  readonly id: string;
  /** A stable type name (e.g. `ledger.ChargePosted`), never derived from a class name. */
  readonly type: string;
  readonly data: TData;
  readonly metadata: EventMetadata;
}

/**
 * A position in the global log. Opaque: SQLite uses its row sequence, EventStoreDB its
 * commit/prepare pair. Only the adapter that produced it may interpret it.
 */
export type GlobalPosition = string;

export interface RecordedEvent<TData extends JsonObject = JsonObject> extends NewEvent<TData> {
  readonly streamName: string;
  /** 0-based revision of the event within its stream. */
  readonly revision: number;
  readonly position: GlobalPosition;
  /** When the store recorded it (store clock; for operators, never for business rules). */
  readonly recordedAt: string;
}

/**
 * `no_stream`: the stream must not exist. `stream_exists`: it must. `any`: no check.
 * A number: the revision of the stream's last event, as it was when the caller loaded it.
 */
export type ExpectedRevision = 'no_stream' | 'stream_exists' | 'any' | number;

export interface AppendResult {
  /** Revision of the stream's last event after the append: the next call's expected revision. */
  readonly nextExpectedRevision: number;
  /** True when every event was already in the stream: nothing was written. */
  readonly alreadyAppended: boolean;
}

export interface ReadStreamOptions {
  /** First revision to read (inclusive) when reading forwards; last (inclusive) when backwards. */
  readonly fromRevision?: number;
  readonly maxCount?: number;
  readonly direction?: 'forwards' | 'backwards';
}

export interface EventFilter {
  /** Only events whose stream name starts with one of these. */
  readonly streamPrefixes: readonly string[];
  /**
   * Narrows some of `streamPrefixes` to a few event types: an event of a stream under a prefix
   * named here passes only when its type is listed. Prefixes not named here pass every type, so a
   * new event type of a context a subscriber reads whole is never filtered out by accident. Lets a
   * subscriber that needs one kind of event from a busy category (the cases projection, which
   * takes only a tenancy's registration and details from the ledger) skip the rest inside the
   * store. The prefixes are alternatives: a wider prefix without a type list (`tenancy-` beside a
   * narrowed `tenancy-5035-`) still lets every type of its streams through.
   */
  readonly onlyTypes?: Readonly<Record<string, readonly string[]>>;
}

/** One alternative of a filter: streams under `prefix`, of the listed types or (none) of any type. */
export interface FilterClause {
  readonly prefix: string;
  readonly types: ReadonlySet<string> | undefined;
}

/**
 * A filter as alternatives, for adapters. An empty list means every stream. Throws when
 * `onlyTypes` names a prefix that is not in `streamPrefixes` or lists no type: a mistake in the
 * subscriber's code, caught when it subscribes rather than by events that never arrive.
 */
export function filterClauses(filter: EventFilter | undefined): FilterClause[] {
  const prefixes = (filter?.streamPrefixes ?? []).filter((p) => p.length > 0);
  const onlyTypes = filter?.onlyTypes ?? {};
  for (const [prefix, types] of Object.entries(onlyTypes)) {
    if (!prefixes.includes(prefix)) throw new Error(`EventFilter.onlyTypes names '${prefix}', which is not one of its streamPrefixes`);
    if (types.length === 0) throw new Error(`EventFilter.onlyTypes['${prefix}'] lists no event type`);
  }
  return [...new Set(prefixes)].map((prefix) => ({ prefix, types: Object.hasOwn(onlyTypes, prefix) ? new Set(onlyTypes[prefix]) : undefined }));
}

/** Whether an event of `streamName` and `type` passes the clauses (none: every event). */
export function passesClauses(clauses: readonly FilterClause[], streamName: string, type: string): boolean {
  if (clauses.length === 0) return true;
  for (const clause of clauses) {
    if (streamName.startsWith(clause.prefix) && (!clause.types || clause.types.has(type))) return true;
  }
  return false;
}

export interface ReadAllOptions {
  /** Read events after this position (exclusive). Omitted: from the start of the log. */
  readonly after?: GlobalPosition;
  readonly maxCount?: number;
  readonly filter?: EventFilter;
}

export interface SubscribeOptions {
  /** Deliver events after this checkpoint (exclusive). Omitted: from the start of the log. */
  readonly after?: GlobalPosition;
  readonly filter?: EventFilter;
}

/**
 * A catch-up subscription: the past from the checkpoint, then live events, in global order, with no
 * gap and no duplicate. Iterate it with `for await`; the next event is fetched only when the loop
 * asks for it, so a slow handler applies back-pressure instead of buffering the log in memory.
 */
export interface Subscription extends AsyncIterable<RecordedEvent> {
  stop(): Promise<void>;
}

export interface StreamAppend {
  readonly streamName: string;
  readonly events: readonly NewEvent[];
  readonly expectedRevision: ExpectedRevision;
}

export interface EventStore {
  readonly backend: 'sqlite' | 'eventstoredb';
  appendToStream(streamName: string, events: readonly NewEvent[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult>;
  /**
   * Appends to several streams. SQLite: one transaction, all or nothing. EventStoreDB (before 25.1)
   * cannot append atomically across streams: each stream's append is atomic and they run in order,
   * so callers use deterministic event ids and retry the whole call, which completes a partial one.
   */
  appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]>;
  /** Reads a stream; a stream that does not exist reads as empty. */
  readStream(streamName: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /**
   * Reads several whole streams, each forwards; a stream that does not exist reads as empty. For a
   * decision over many streams at once (an import touching thousands of tenancies): SQLite reads
   * them a few hundred per statement; EventStoreDB, which has no multi-stream read, a few at a time.
   * Each stream is read consistently on its own, as `readStream` reads it; not all in one snapshot.
   */
  readStreams(streamNames: readonly string[]): Promise<Map<string, RecordedEvent[]>>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  subscribeToAll(options?: SubscribeOptions): Subscription;
  /** Position of the last event in the log (undefined when empty): how far subscriptions must get to be caught up. */
  headPosition(): Promise<GlobalPosition | undefined>;
  /** A cheap round trip for health checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
