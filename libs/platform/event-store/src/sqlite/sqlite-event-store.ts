import Database from 'better-sqlite3';
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DuplicateEventIdError, EventStoreUnavailableError, InvalidEventError, WrongExpectedRevisionError } from '../errors';
import type {
  AppendResult,
  ExpectedRevision,
  GlobalPosition,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StreamAppend,
  SubscribeOptions,
  Subscription,
  EventStore,
} from '../port';
import { assertValidStreamName, validateAndSerialise, type SerialisedEvent } from '../validation';

export interface SqliteEventStoreOptions {
  /** Path of the database file; created with its folder when missing. `:memory:` for throwaway use. */
  readonly file: string;
  /** How often a live subscription looks for events appended by another process. */
  readonly pollIntervalMs?: number;
  /** How long a writer waits for another process's write lock before SQLITE_BUSY. */
  readonly busyTimeoutMs?: number;
  /** Events a subscription reads per query while catching up. */
  readonly pageSize?: number;
}

interface PollState {
  cursor: number;
  stopped: boolean;
  wake: (() => void) | undefined;
}

interface EventRow {
  position: number;
  stream_name: string;
  revision: number;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    position     INTEGER PRIMARY KEY AUTOINCREMENT,
    stream_name  TEXT    NOT NULL,
    revision     INTEGER NOT NULL,
    event_id     TEXT    NOT NULL UNIQUE,
    type         TEXT    NOT NULL,
    data         TEXT    NOT NULL,
    metadata     TEXT    NOT NULL,
    recorded_at  TEXT    NOT NULL,
    UNIQUE (stream_name, revision)
  );
`;

/** Above every character a validated stream name can hold, so `prefix .. prefix+HIGH` is a prefix range. */
const PREFIX_RANGE_END = '\x7f';
/** SQLite's limit on bound parameters is 32766; stay well below it. */
const ID_LOOKUP_CHUNK = 500;
const MAX_BUSY_RETRIES = 8;

/**
 * The single-machine event store: one SQLite file in WAL mode with `synchronous = FULL`, so an
 * acknowledged append survives a power cut.
 *
 * Several processes (api and worker) append to the same file. Every append runs in a
 * `BEGIN IMMEDIATE` transaction, which takes SQLite's single write lock before reading the
 * stream's revision. Writers are therefore serialised, the AUTOINCREMENT position is assigned
 * inside the lock, and positions follow commit order: a reader can never see position n+1
 * committed while n is still pending, so a subscriber polling `position > checkpoint` never skips
 * an event that committed late (the classic gap of sequence-based stores with parallel writers).
 */
export class SqliteEventStore implements EventStore {
  readonly backend = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly appended = new EventEmitter();
  private readonly pollIntervalMs: number;
  private readonly pageSize: number;
  private readonly subscriptions = new Set<{ stop(): Promise<void> }>();
  /** Prepared statements by SQL text: reads and id look-ups run on hot paths (sagas, imports). */
  private readonly statements = new Map<string, Database.Statement>();
  private closed = false;

  private readonly stmts: {
    streamRevision: Database.Statement<[string], { revision: number | null }>;
    insert: Database.Statement<[string, number, string, string, string, string, string]>;
    head: Database.Statement<[], { head: number | null }>;
  };

  constructor(options: SqliteEventStoreOptions) {
    if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
    this.db = new Database(options.file, { timeout: options.busyTimeoutMs ?? 5000 });
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(SCHEMA);
    this.pollIntervalMs = options.pollIntervalMs ?? 100;
    this.pageSize = options.pageSize ?? 1000;
    this.appended.setMaxListeners(0);
    this.stmts = {
      streamRevision: this.db.prepare('SELECT max(revision) AS revision FROM events WHERE stream_name = ?'),
      insert: this.db.prepare(
        'INSERT INTO events (stream_name, revision, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      head: this.db.prepare('SELECT max(position) AS head FROM events'),
    };
  }

  async appendToStream(streamName: string, events: readonly NewEvent[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    const [result] = await this.appendToStreams([{ streamName, events, expectedRevision: options.expectedRevision }]);
    return result as AppendResult;
  }

  /**
   * Appends to several streams in one transaction: all or nothing. SQLite-only (EventStoreDB
   * before 25.1 cannot do it); callers that must run on both backends use one stream per atomic unit.
   */
  async appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    this.assertOpen();
    // Validate and serialise everything before taking the write lock: bad input writes nothing.
    const prepared = appends.map((a) => ({ ...a, serialised: validateAndSerialise(a.streamName, a.events, a.expectedRevision) }));
    const recordedAt = new Date().toISOString();
    const results = this.withBusyRetry(() =>
      this.db.transaction(() => prepared.map((a) => this.appendInTransaction(a.streamName, a.serialised, a.expectedRevision, recordedAt))).immediate(),
    );
    if (results.some((r) => !r.alreadyAppended)) this.appended.emit('appended');
    return results;
  }

  private appendInTransaction(streamName: string, events: SerialisedEvent[], expected: ExpectedRevision, recordedAt: string): AppendResult {
    const current = this.stmts.streamRevision.get(streamName)?.revision ?? null;
    if (events.length > 0) {
      const existing = this.findExisting(events.map((e) => e.event.id));
      if (existing.length === events.length && existing.every((row) => row.stream_name === streamName)) {
        // A retry of an append that already succeeded: nothing to write.
        return { nextExpectedRevision: current ?? -1, alreadyAppended: true };
      }
      if (existing.length > 0) {
        throw new DuplicateEventIdError(
          `Stream ${streamName}: ${existing.length} of ${events.length} event ids are already stored (first ${existing[0]?.event_id} in ${existing[0]?.stream_name}); an append is retried whole or not at all`,
        );
      }
    }
    checkExpectedRevision(streamName, expected, current);
    let revision = current ?? -1;
    for (const { event, data, metadata } of events) {
      revision += 1;
      this.stmts.insert.run(streamName, revision, event.id, event.type, data, metadata, recordedAt);
    }
    return { nextExpectedRevision: revision, alreadyAppended: false };
  }

  private findExisting(ids: string[]): Array<{ event_id: string; stream_name: string }> {
    const found: Array<{ event_id: string; stream_name: string }> = [];
    for (let i = 0; i < ids.length; i += ID_LOOKUP_CHUNK) {
      const chunk = ids.slice(i, i + ID_LOOKUP_CHUNK);
      const rows = this.statement(`SELECT event_id, stream_name FROM events WHERE event_id IN (${chunk.map(() => '?').join(',')})`).all(...chunk) as Array<{
        event_id: string;
        stream_name: string;
      }>;
      found.push(...rows);
    }
    return found;
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    assertValidStreamName(streamName);
    const backwards = options.direction === 'backwards';
    const limit = options.maxCount ?? -1;
    const from = options.fromRevision ?? (backwards ? Number.MAX_SAFE_INTEGER : 0);
    const rows = this.statement(
      backwards
        ? 'SELECT * FROM events WHERE stream_name = ? AND revision <= ? ORDER BY revision DESC LIMIT ?'
        : 'SELECT * FROM events WHERE stream_name = ? AND revision >= ? ORDER BY revision ASC LIMIT ?',
    ).all(streamName, from, limit) as EventRow[];
    return rows.map(toRecorded);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    return this.readPage(parsePosition(options.after), options.maxCount ?? -1, options.filter?.streamPrefixes).rows.map(toRecorded);
  }

  /**
   * One page of the log after `after`, read in one snapshot. `scannedTo` is how far the log was
   * examined, so a subscription with a narrow filter moves past events it does not want instead
   * of scanning them again on every poll.
   */
  private readPage(after: number, limit: number, prefixes: readonly string[] | undefined): { rows: EventRow[]; scannedTo: number } {
    return this.db.transaction(() => {
      const head = this.stmts.head.get()?.head ?? 0;
      const ranges = (prefixes ?? []).filter((p) => p.length > 0);
      const where = ranges.length ? ` AND (${ranges.map(() => '(stream_name >= ? AND stream_name < ?)').join(' OR ')})` : '';
      const params = ranges.flatMap((p) => [p, p + PREFIX_RANGE_END]);
      const rows = this.statement(`SELECT * FROM events WHERE position > ? AND position <= ?${where} ORDER BY position LIMIT ?`).all(after, head, ...params, limit) as EventRow[];
      const full = limit >= 0 && rows.length === limit;
      return { rows, scannedTo: full ? (rows[rows.length - 1] as EventRow).position : Math.max(head, after) };
    })();
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    this.assertOpen();
    const state: PollState = { cursor: parsePosition(options.after), stopped: false, wake: undefined };
    const onAppend = () => state.wake?.();
    this.appended.on('appended', onAppend);
    const subscription: Subscription = {
      stop: async () => {
        state.stopped = true;
        this.appended.off('appended', onAppend);
        this.subscriptions.delete(subscription);
        state.wake?.();
      },
      [Symbol.asyncIterator]: () => this.poll(state, options.filter?.streamPrefixes, onAppend),
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** Pages through the log; when caught up, waits for an append in this process or the poll interval (other processes). */
  private async *poll(state: PollState, prefixes: readonly string[] | undefined, onAppend: () => void): AsyncGenerator<RecordedEvent> {
    try {
      while (!state.stopped && !this.closed) {
        const { rows, scannedTo } = this.readPage(state.cursor, this.pageSize, prefixes);
        for (const row of rows) {
          if (state.stopped) return;
          state.cursor = row.position;
          yield toRecorded(row);
        }
        state.cursor = Math.max(state.cursor, scannedTo);
        if (rows.length < this.pageSize && !state.stopped) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, this.pollIntervalMs);
            state.wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          state.wake = undefined;
        }
      }
    } finally {
      this.appended.off('appended', onAppend);
    }
  }

  async headPosition(): Promise<GlobalPosition | undefined> {
    this.assertOpen();
    const head = this.stmts.head.get()?.head;
    return head ? String(head) : undefined;
  }

  async ping(): Promise<void> {
    this.assertOpen();
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    this.closed = true;
    this.db.close();
  }

  /** Direct access for benchmarks and tests that compare against raw statements. */
  get database(): Database.Database {
    return this.db;
  }

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      if (this.statements.size < 100) this.statements.set(sql, statement);
    }
    return statement;
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreUnavailableError('The SQLite event store is closed');
  }

  /**
   * better-sqlite3 already waits `busyTimeoutMs` for the lock; a writer in another process that
   * holds it longer (a large import) would still surface as SQLITE_BUSY, so retry a few times.
   */
  private withBusyRetry<T>(fn: () => T): T {
    for (let attempt = 0; ; attempt++) {
      try {
        return fn();
      } catch (error) {
        const code = (error as { code?: string }).code;
        if ((code !== 'SQLITE_BUSY' && code !== 'SQLITE_LOCKED') || attempt >= MAX_BUSY_RETRIES) throw error;
      }
    }
  }
}

function checkExpectedRevision(streamName: string, expected: ExpectedRevision, current: number | null): void {
  const actual = current === null ? 'no stream' : String(current);
  if (expected === 'any') return;
  if (expected === 'no_stream' && current === null) return;
  if (expected === 'stream_exists' && current !== null) return;
  if (typeof expected === 'number' && expected === current) return;
  throw new WrongExpectedRevisionError(streamName, String(expected), actual);
}

function parsePosition(position: GlobalPosition | undefined): number {
  if (position === undefined) return 0;
  if (!/^\d{1,15}$/.test(position)) throw new InvalidEventError(`Invalid SQLite global position ${JSON.stringify(position)}`);
  return Number(position);
}

function toRecorded(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    type: row.type,
    data: JSON.parse(row.data),
    metadata: JSON.parse(row.metadata),
    streamName: row.stream_name,
    revision: row.revision,
    position: String(row.position),
    recordedAt: row.recorded_at,
  };
}

