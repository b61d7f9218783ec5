import Database from 'better-sqlite3';
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
  FilterClause,
} from '../port';
import { filterClauses, passesClauses } from '../port';
import { assertValidStreamName, validateAndSerialise, type SerialisedEvent } from '../validation';
import { WalNotifier } from './wal-notifier';

export interface SqliteEventStoreOptions {
  /** Path of the database file; created with its folder when missing. `:memory:` for throwaway use. */
  readonly file: string;
  /**
   * How often a live subscription looks for events appended by another process when no
   * notification arrives (notification off, unsupported, or missed).
   */
  readonly pollIntervalMs?: number;
  /**
   * How long a call waits for a lock another process holds (its write lock, or its exclusive lock
   * while it creates the file) before failing with `EventStoreUnavailableError`. The wait is
   * asynchronous: the process keeps serving meanwhile. Default 30 000 ms.
   */
  readonly busyTimeoutMs?: number;
  /** Events a subscription reads per query while catching up. */
  readonly pageSize?: number;
  /**
   * How many of the newest events live subscriptions share (default 8 × `pageSize`): read from
   * the file once, decoded once on first use, handed to every subscription near the head. 0 turns
   * the sharing off (each subscription reads for itself, as before).
   */
  readonly sharedTailSize?: number;
  /**
   * Wake subscriptions as soon as another process commits, by watching the WAL file (default
   * true). False leaves polling alone: for comparison in benchmarks, or where file watching is
   * known not to work.
   */
  readonly notify?: boolean;
  /**
   * Appends of at least this many events (a month's postings file) are written on a connection of
   * their own, in steps with the event loop let in between, in one transaction all the same
   * (default 5 000). Smaller ones are written in one go.
   */
  readonly largeAppendEvents?: number;
  /**
   * An append that comes within this long of the previous one waits for the end of the event
   * loop's turn and shares one commit with whatever else the turn appends (default 10 ms); one
   * that comes alone is written at once. 0: every append alone (no grouping).
   */
  readonly groupCommitWindowMs?: number;
  /** How long a large append works before it lets the event loop in (default 20 ms; 0: after every stream, for tests). */
  readonly largeAppendStepMs?: number;
  /**
   * Benchmarks only: let better-sqlite3 wait for locks synchronously inside the call, as this
   * adapter once did, which freezes the whole process for up to `busyTimeoutMs`. Never in production.
   */
  readonly syncBusyWait?: boolean;
}

interface PollState {
  cursor: number;
  stopped: boolean;
  /** Set by a wake-up, cleared before each read: a wake-up during a read or a yield is not lost. */
  signalled: boolean;
  wake: (() => void) | undefined;
  /** The subscription's filter as alternatives (none: every stream). */
  clauses: readonly FilterClause[];
}

interface Statements {
  streamRevision: Database.Statement<[string], { revision: number | null }>;
  insert: Database.Statement<[string, number, string, string, string, string, string]>;
  head: Database.Statement<[], { head: number | null }>;
  /** Every stream's events after a position, in order, up to a limit: the shared tail's read. */
  after: Database.Statement<[number, number, number], EventRow>;
  dataVersion: Database.Statement<[], number>;
}

/** One event of the shared tail: the row as read, decoded on first use. */
interface TailEntry {
  readonly position: number;
  readonly streamName: string;
  readonly type: string;
  row: EventRow | undefined;
  event: RecordedEvent | undefined;
}

interface GroupMember {
  readonly prepared: ReadonlyArray<StreamAppend & { readonly serialised: SerialisedEvent[] }>;
  readonly resolve: (results: AppendResult[]) => void;
  readonly reject: (error: unknown) => void;
}

interface SubscriptionPage {
  readonly events: RecordedEvent[];
  /** How far the log was examined for this subscription. */
  readonly scannedTo: number;
  /** Whether it reached the head: no need to read again before a wake-up or the poll interval. */
  readonly caughtUp: boolean;
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
/**
 * Most positions one filtered statement looks at: some milliseconds of scanning. A filtered read
 * goes on in further windows, with the event loop let in between.
 */
const SCAN_WINDOW = 20_000;
/** SQLite's limit on bound parameters is 32766; stay well below it. */
const ID_LOOKUP_CHUNK = 500;
/**
 * Long enough for another process's large import to finish: waiting costs this process nothing
 * now that it is asynchronous, while giving up turns a slow write into an error (a 503, or a
 * saga retry that counts towards parking). Still below common HTTP proxy timeouts (60 s).
 */
const DEFAULT_BUSY_TIMEOUT_MS = 30_000;
/**
 * better-sqlite3's own busy timeout. Zero: SQLite must never sleep inside a call, which would
 * freeze the event loop; SQLITE_BUSY comes back at once and `retryWhileBusy` waits with timers.
 */
const DRIVER_BUSY_TIMEOUT_MS = 0;
/** Backoff between lock attempts: from about a millisecond (a typical append holds the lock ~0.2 ms) up to tens. */
const FIRST_BACKOFF_MS = 1;
const MAX_BACKOFF_MS = 32;
/** How long a large append works before it lets the event loop in. */
const DEFAULT_STEP_MS = 20;
/** Longer than an fsync (~2 ms here): the appends a batch's commands make one after another count as a burst. */
const DEFAULT_GROUP_WINDOW_MS = 10;

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
 *
 * Waiting for another process's lock never blocks the event loop: SQLite itself does not wait
 * (busy timeout 0), and a call that meets SQLITE_BUSY is tried again on short jittered timers
 * until `busyTimeoutMs`. Appends of this process that arrive while one waits queue behind it, so
 * they still commit in call order and only one of them at a time knocks on the lock.
 *
 * Subscriptions wake at once on appends in this process, on other processes' commits through a
 * watch on the WAL file (`WalNotifier`), and otherwise every `pollIntervalMs`.
 */
export class SqliteEventStore implements EventStore {
  readonly backend = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly pollIntervalMs: number;
  private readonly pageSize: number;
  private readonly busyTimeoutMs: number;
  private readonly subscriptions = new Set<{ stop(): Promise<void> }>();
  private readonly tailSize: number;
  /**
   * The newest events, every stream, in position order: all events in (tailFrom, tailTo] are in
   * `tail`. A subscription whose cursor lies in that range reads from here instead of the file.
   */
  private tail: TailEntry[] = [];
  private tailFrom = 0;
  private tailTo = 0;
  /** Subscriptions iterating now: whom to wake, and whether the WAL needs watching at all. */
  private readonly pollers = new Set<PollState>();
  private readonly notifier: WalNotifier | undefined;
  /** Prepared statements by SQL text: reads and id look-ups run on hot paths (sagas, imports). */
  private readonly statements = new Map<string, Database.Statement>();
  /** Backoff timers of calls waiting for a lock: `close()` ends them at once instead of at their next try. */
  private readonly sleepers = new Set<() => void>();
  private closed = false;
  /** Undefined until the schema is in place: opening may have to wait for another process's lock. */
  private stmts: Statements | undefined;
  private opening: Promise<Statements> | undefined;
  /** Settles when the last append this process was asked for is written or refused; later ones queue behind it. */
  private writeTail: Promise<void> | undefined;
  private readonly file: string;
  private readonly largeAppendEvents: number;
  private readonly stepMs: number;
  /** The second connection large appends are written on, opened on first use. */
  private stepWriter: { db: Database.Database; stmts: Pick<Statements, 'streamRevision' | 'insert'>; idLookups: Map<string, Database.Statement> } | undefined;
  private readonly groupWindowMs: number;
  private lastAppendAt = Number.NEGATIVE_INFINITY;
  /** Appends waiting for this turn's group commit (and how many events they hold), while it takes more. */
  private group: { members: GroupMember[]; events: number } | undefined;
  /** `PRAGMA data_version` as last seen: it moves only when another connection commits. */
  private dataVersion = 0;

  constructor(options: SqliteEventStoreOptions) {
    if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
    this.busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
    this.pollIntervalMs = options.pollIntervalMs ?? 100;
    this.pageSize = options.pageSize ?? 1000;
    this.tailSize = Math.max(0, options.sharedTailSize ?? this.pageSize * 8);
    this.file = options.file;
    this.largeAppendEvents = options.largeAppendEvents ?? 5_000;
    this.stepMs = options.largeAppendStepMs ?? DEFAULT_STEP_MS;
    this.groupWindowMs = options.groupCommitWindowMs ?? DEFAULT_GROUP_WINDOW_MS;
    this.db = new Database(options.file, { timeout: options.syncBusyWait ? this.busyTimeoutMs : DRIVER_BUSY_TIMEOUT_MS });
    try {
      this.stmts = this.initialise();
    } catch (error) {
      if (!isBusy(error)) {
        this.db.close();
        throw error;
      }
      // Another process holds a lock the set-up needs: it is creating the same new file right now
      // (api and worker starting together), or recovering the WAL after a crash. Finish opening in
      // the background; every call awaits it, and a call after a failed opening tries again.
      this.opening = this.open(performance.now(), error);
      this.opening.catch(() => undefined);
    }
    if (options.file !== ':memory:' && options.notify !== false) {
      this.notifier = new WalNotifier({ databaseFile: options.file, changedByOthers: () => this.changedByOthers(), wake: () => this.wakePollers() });
    }
  }

  async appendToStream(streamName: string, events: readonly NewEvent[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    const [result] = await this.appendToStreams([{ streamName, events, expectedRevision: options.expectedRevision }]);
    return result as AppendResult;
  }

  /**
   * Appends to several streams in one transaction: all or nothing. SQLite-only (EventStoreDB
   * before 25.1 cannot do it); callers that must run on both backends use one stream per atomic unit.
   *
   * Group commit: appends that come in a burst (a workflow dispatching a batch's commands,
   * concurrent requests) are written per turn of the event loop in ONE transaction, each in a savepoint of its own,
   * so they share one fsync (about 2 ms on this kind of disk, during which better-sqlite3 holds the
   * event loop) instead of one each. Each append still succeeds or fails alone: a conflict rolls
   * back its savepoint only, and its promise rejects while the others resolve. Every promise
   * settles after the commit, so an acknowledged append is as durable as before.
   */
  async appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    this.assertOpen();
    const total = appends.reduce((n, a) => n + a.events.length, 0);
    if (total >= this.largeAppendEvents && this.file !== ':memory:') return this.appendInSteps(appends);
    // Validate and serialise everything before taking the write lock: bad input writes nothing.
    const prepared = appends.map((a) => ({ ...a, serialised: validateAndSerialise(a.streamName, a.events, a.expectedRevision) }));
    const now = performance.now();
    // Alone (nothing queued, no append for a while): written at once, as a single append always
    // was — a posting's latency should not wait for the rest of the turn. In a burst (a workflow
    // dispatching a batch's commands, an import's fan-out), grouped.
    const alone = this.stmts !== undefined && !this.group && !this.writeTail && now - this.lastAppendAt >= this.groupWindowMs;
    this.lastAppendAt = now;
    const events = prepared.reduce((n, a) => n + a.serialised.length, 0);
    return new Promise<AppendResult[]>((resolve, reject) => {
      const member: GroupMember = { prepared, resolve, reject };
      if (this.group) {
        this.group.members.push(member);
        this.group.events += events;
        // A full group takes no more: later appends start the next (one synchronous transaction stays bounded).
        if (this.group.events >= this.largeAppendEvents) this.group = undefined;
        return;
      }
      const group = { members: [member], events };
      this.group = group.events >= this.largeAppendEvents ? undefined : group;
      // Its place in this process's queue is taken now (appends commit in call order); in a
      // burst it is written after the microtasks of this turn, so whatever else this turn
      // appends joins it.
      const ahead = this.writeTail;
      const flushing = alone
        ? this.flushGroup(group)
        : new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
            if (ahead) await ahead;
            await this.flushGroup(group);
          });
      this.queueBehind(flushing);
    });
  }

  private async flushGroup(group: { readonly members: GroupMember[] }): Promise<void> {
    // Appends that come from here on start a group of their own.
    if (this.group === group) this.group = undefined;
    const members = group.members;
    if (members.length === 0) return;
    let outcomes: Array<{ results: AppendResult[] } | { error: unknown }>;
    try {
      const stmts = this.stmts ?? (await this.ready());
      // Its turn in the queue has come: at once, or after waiting for another process's lock.
      this.assertOpen();
      outcomes = await this.attemptWhileBusy(() => {
        // Stamped per attempt: when it was recorded, however long another process's lock delayed it.
        const recordedAt = new Date().toISOString();
        return this.db
          .transaction(() =>
            members.map((member) => {
              try {
                // Nested: a savepoint, rolled back alone when this append is refused.
                return { results: this.db.transaction(() => member.prepared.map((a) => this.appendInTransaction(stmts, a.streamName, a.serialised, a.expectedRevision, recordedAt)))() };
              } catch (error) {
                // Only a refusal of this append is its own. Anything else (disk full, I/O, a lock)
                // may have ended the whole transaction: it fails the group, nothing is written,
                // and every member hears the real error (or it is retried, for a lock).
                if (!this.db.inTransaction || !isRefusal(error)) throw error;
                return { error };
              }
            }),
          )
          .immediate();
      });
    } catch (error) {
      // The transaction itself failed (the lock never came, the disk): nothing was written.
      for (const member of members) member.reject(error);
      return;
    }
    const written: Array<{ streamName: string; type: string }> = [];
    members.forEach((member, i) => {
      const outcome = outcomes[i] as { results: AppendResult[] } | { error: unknown };
      if ('error' in outcome) {
        member.reject(outcome.error);
        return;
      }
      member.prepared.forEach((a, j) => {
        if (!outcome.results[j]?.alreadyAppended) for (const e of a.events) written.push({ streamName: a.streamName, type: e.type });
      });
      member.resolve(outcome.results);
    });
    if (written.length) this.wakePollers(written);
  }

  private appendInTransaction(stmts: Pick<Statements, 'streamRevision' | 'insert'>, streamName: string, events: SerialisedEvent[], expected: ExpectedRevision, recordedAt: string, lookup: (sql: string) => Database.Statement = (sql) => this.statement(sql)): AppendResult {
    const current = stmts.streamRevision.get(streamName)?.revision ?? null;
    if (events.length > 0) {
      const existing = findExisting(lookup, events.map((e) => e.event.id));
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
      stmts.insert.run(streamName, revision, event.id, event.type, data, metadata, recordedAt);
    }
    return { nextExpectedRevision: revision, alreadyAppended: false };
  }

  /**
   * A large append (an accounting file of 100 000 lines): validated and serialised in slices, then
   * written in ONE transaction on a second connection, a slice of streams at a time with the event
   * loop let in between. Written in one go it held the process for seconds (every request of the
   * api waited); now reads go on meanwhile on the main connection, which in WAL mode sees only
   * committed data, so nobody sees half an import, and a crash mid-way leaves nothing of it.
   * Appends of this process made meanwhile queue behind it, as behind any append waiting for the
   * lock; other processes meet the lock as they would during any append.
   */
  private async appendInSteps(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    // Its place in this process's queue is taken now, so appends made later commit after it: an
    // open group takes no more members (they would commit before this one).
    this.group = undefined;
    const ahead = this.writeTail;
    const run = (async () => {
      const prepared: Array<StreamAppend & { serialised: SerialisedEvent[] }> = [];
      let slice = performance.now();
      for (const a of appends) {
        prepared.push({ ...a, serialised: validateAndSerialise(a.streamName, a.events, a.expectedRevision) });
        if (performance.now() - slice >= this.stepMs) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          slice = performance.now();
        }
      }
      if (ahead) await ahead;
      if (!this.stmts) await this.ready(); // the schema is in place
      this.assertOpen();
      return this.writeInSteps(prepared);
    })();
    this.queueBehind(run);
    const results = await run;
    // Tens of thousands of events: every subscription is woken rather than each matched against
    // them all; one with nothing of its own in them reads past them and waits again.
    if (results.some((r) => !r.alreadyAppended)) this.wakePollers();
    return results;
  }

  private async writeInSteps(prepared: ReadonlyArray<StreamAppend & { serialised: SerialisedEvent[] }>): Promise<AppendResult[]> {
    const writer = this.openStepWriter();
    const lookup = (sql: string) => {
      let statement = writer.idLookups.get(sql);
      if (!statement) writer.idLookups.set(sql, (statement = writer.db.prepare(sql)));
      return statement;
    };
    // The lock, waited for asynchronously like any append's.
    await this.retryWhileBusy(() => writer.db.prepare('BEGIN IMMEDIATE').run(), performance.now(), 'append (nothing was written)');
    try {
      const recordedAt = new Date().toISOString();
      const results: AppendResult[] = [];
      let slice = performance.now();
      for (const a of prepared) {
        results.push(this.appendInTransaction(writer.stmts, a.streamName, a.serialised, a.expectedRevision, recordedAt, lookup));
        if (performance.now() - slice >= this.stepMs) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          if (this.closed) throw new EventStoreUnavailableError('The SQLite event store was closed during a large append (nothing was written)');
          slice = performance.now();
        }
      }
      writer.db.prepare('COMMIT').run();
      return results;
    } catch (error) {
      try {
        if (writer.db.inTransaction) writer.db.prepare('ROLLBACK').run();
      } catch {
        // The error that ended the append is the one to report; SQLite rolls back on close anyway.
      }
      throw error;
    } finally {
      if (this.closed) this.closeStepWriter();
    }
  }

  private openStepWriter(): NonNullable<SqliteEventStore['stepWriter']> {
    if (!this.stepWriter) {
      const db = new Database(this.file, { timeout: DRIVER_BUSY_TIMEOUT_MS });
      try {
        // Per connection: an acknowledged append survives a power cut on this one too.
        db.pragma('synchronous = FULL');
        this.stepWriter = {
          db,
          stmts: {
            streamRevision: db.prepare('SELECT max(revision) AS revision FROM events WHERE stream_name = ?'),
            insert: db.prepare('INSERT INTO events (stream_name, revision, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
          },
          idLookups: new Map(),
        };
      } catch (error) {
        db.close();
        throw error;
      }
    }
    return this.stepWriter;
  }

  private closeStepWriter(): void {
    if (this.stepWriter && !this.stepWriter.db.inTransaction) {
      this.stepWriter.db.close();
      this.stepWriter = undefined;
    }
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    assertValidStreamName(streamName);
    if (!this.stmts) await this.ready();
    const backwards = options.direction === 'backwards';
    const limit = options.maxCount ?? -1;
    const from = options.fromRevision ?? (backwards ? Number.MAX_SAFE_INTEGER : 0);
    const sql = backwards
      ? 'SELECT * FROM events WHERE stream_name = ? AND revision <= ? ORDER BY revision DESC LIMIT ?'
      : 'SELECT * FROM events WHERE stream_name = ? AND revision >= ? ORDER BY revision ASC LIMIT ?';
    const rows = await this.read(() => this.statement(sql).all(streamName, from, limit) as EventRow[]);
    return rows.map(toRecorded);
  }

  async readStreams(streamNames: readonly string[]): Promise<Map<string, RecordedEvent[]>> {
    this.assertOpen();
    const names = [...new Set(streamNames)];
    for (const name of names) assertValidStreamName(name);
    if (!this.stmts) await this.ready();
    const read = new Map<string, RecordedEvent[]>(names.map((name) => [name, []]));
    for (let i = 0; i < names.length; i += ID_LOOKUP_CHUNK) {
      const chunk = names.slice(i, i + ID_LOOKUP_CHUNK);
      const sql = `SELECT * FROM events WHERE stream_name IN (${chunk.map(() => '?').join(',')}) ORDER BY stream_name, revision`;
      const rows = await this.read(() => this.statement(sql).all(...chunk) as EventRow[]);
      for (const row of rows) (read.get(row.stream_name) as RecordedEvent[]).push(toRecorded(row));
      // A large import reads tens of thousands of streams: let other requests in between chunks.
      if (i + ID_LOOKUP_CHUNK < names.length) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return read;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const after = parsePosition(options.after);
    const stmts = this.stmts ?? (await this.ready());
    const clauses = filterClauses(options.filter);
    const limit = options.maxCount ?? -1;
    const rows: EventRow[] = [];
    // A filtered read looks at a window of the log per statement (see `readPage`), and lets the
    // event loop in between: a rare type after a month's postings is found without a freeze.
    for (let from = after; ; ) {
      const page = await this.read(() => this.readPage(stmts, from, limit < 0 ? -1 : limit - rows.length, clauses));
      for (const row of page.rows) rows.push(row);
      if (page.reachedHead || (limit >= 0 && rows.length >= limit)) break;
      from = page.scannedTo;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return rows.map(toRecorded);
  }

  /**
   * One page of the log after `after`, read in one snapshot. `scannedTo` is how far the log was
   * examined, so a subscription with a narrow filter moves past events it does not want instead
   * of scanning them again on every poll. A filtered page looks at most `SCAN_WINDOW` positions
   * past `after` (`reachedHead` false when the log goes on): one statement is synchronous, and a
   * narrow filter behind a year of postings would otherwise hold the process for the whole scan.
   */
  private readPage(stmts: Statements, after: number, limit: number, clauses: readonly FilterClause[]): { rows: EventRow[]; scannedTo: number; reachedHead: boolean } {
    return this.db.transaction(() => {
      const head = stmts.head.get()?.head ?? 0;
      const upTo = clauses.length ? Math.min(head, after + SCAN_WINDOW) : head;
      const where = clauses.length
        ? ` AND (${clauses.map((c) => `(stream_name >= ? AND stream_name < ?${c.types ? ` AND type IN (${[...c.types].map(() => '?').join(',')})` : ''})`).join(' OR ')})`
        : '';
      const params = clauses.flatMap((c) => [c.prefix, c.prefix + PREFIX_RANGE_END, ...(c.types ?? [])]);
      const rows = this.statement(`SELECT * FROM events WHERE position > ? AND position <= ?${where} ORDER BY position LIMIT ?`).all(after, upTo, ...params, limit) as EventRow[];
      const full = limit >= 0 && rows.length === limit;
      return { rows, scannedTo: full ? (rows[rows.length - 1] as EventRow).position : Math.max(upTo, after), reachedHead: !full && upTo >= head };
    })();
  }

  /**
   * A subscription's next page. Near the head, from the shared tail, which is first extended by
   * one unfiltered read of whatever was committed since (at most a page): a dozen subscriptions
   * woken by one commit then cost one query and one decode per event, not a dozen of each — an
   * import of 100 000 events was otherwise read and parsed once per ledger subscription. Further
   * behind (catching up, or a slow subscription the tail has moved past), from the file with its
   * own filter, as before.
   */
  private readForSubscription(stmts: Statements, after: number, clauses: readonly FilterClause[]): SubscriptionPage {
    if (this.tailSize > 0 && after > this.tailTo) {
      // A cursor beyond everything shared (the first reader, or one that started from a later
      // checkpoint than the tail's): the tail starts again from here, at the newest reader.
      this.tail = [];
      this.tailFrom = this.tailTo = after;
    }
    // Extending may drop the oldest entries, this reader's next ones among them: then it reads
    // from the file like any reader behind the tail.
    const head = this.tailSize > 0 && after >= this.tailFrom ? this.extendTail(stmts) : 0;
    if (this.tailSize === 0 || after < this.tailFrom) {
      const page = this.readPage(stmts, after, this.pageSize, clauses);
      return { events: page.rows.map(toRecorded), scannedTo: page.scannedTo, caughtUp: page.reachedHead };
    }
    const events: RecordedEvent[] = [];
    const tail = this.tail;
    // First entry after `after`: positions ascend, so a binary search.
    let lo = 0;
    let hi = tail.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((tail[mid] as TailEntry).position <= after) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < tail.length; i++) {
      const entry = tail[i] as TailEntry;
      if (!passesClauses(clauses, entry.streamName, entry.type)) continue;
      if (!entry.event) {
        entry.event = toRecorded(entry.row as EventRow);
        entry.row = undefined;
      }
      events.push(entry.event);
      if (events.length === this.pageSize) return { events, scannedTo: entry.position, caughtUp: false };
    }
    return { events, scannedTo: Math.max(this.tailTo, after), caughtUp: this.tailTo >= head };
  }

  /**
   * Reads what was committed after the tail (at most a page, every stream), drops its oldest
   * beyond `tailSize`, and returns the head it saw.
   */
  private extendTail(stmts: Statements): number {
    const head = stmts.head.get()?.head ?? 0;
    if (head <= this.tailTo) return head;
    const rows = stmts.after.all(this.tailTo, head, this.pageSize);
    for (const row of rows) this.tail.push({ position: row.position, streamName: row.stream_name, type: row.type, row, event: undefined });
    this.tailTo = rows.length === this.pageSize ? (rows[rows.length - 1] as EventRow).position : head;
    const excess = this.tail.length - this.tailSize;
    // Dropped a page at a time, not an entry at a time: splicing the front of an array is linear.
    if (excess >= Math.min(this.pageSize, this.tailSize)) {
      const dropped = this.tail.splice(0, excess);
      this.tailFrom = (dropped[dropped.length - 1] as TailEntry).position;
    }
    return head;
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    this.assertOpen();
    const clauses = filterClauses(options.filter);
    const state: PollState = { cursor: parsePosition(options.after), stopped: false, signalled: false, wake: undefined, clauses };
    const subscription: Subscription = {
      stop: async () => {
        state.stopped = true;
        this.subscriptions.delete(subscription);
        this.removePoller(state);
        state.wake?.();
      },
      [Symbol.asyncIterator]: () => this.poll(state),
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  /**
   * Pages through the log; when caught up, waits to be woken (an append in this process, or a
   * commit by another process that the notifier saw) or for the poll interval.
   */
  private async *poll(state: PollState): AsyncGenerator<RecordedEvent> {
    if (state.stopped || this.closed) return;
    this.pollers.add(state);
    try {
      while (!state.stopped && !this.closed) {
        // Cleared before the read: whatever wakes us from here on was not in what we read.
        state.signalled = false;
        let page: SubscriptionPage;
        try {
          const stmts = this.stmts ?? (await this.ready());
          page = await this.read(() => this.readForSubscription(stmts, state.cursor, state.clauses));
        } catch (error) {
          // Stopped or closed while the read waited for a lock: end quietly, as a stop always has.
          if (state.stopped || this.closed) return;
          throw error;
        }
        for (const event of page.events) {
          if (state.stopped) return;
          state.cursor = Number(event.position);
          yield event;
        }
        state.cursor = Math.max(state.cursor, page.scannedTo);
        if (!page.caughtUp) {
          // More to read, but nothing of ours in this page (a narrow filter while the log floods
          // with other streams): let the event loop in before the next page.
          if (page.events.length === 0) await new Promise<void>((resolve) => setImmediate(resolve));
          continue;
        }
        if (!state.stopped && !state.signalled) {
          // The watch starts here, not at subscribe: only a subscription that waits needs it, and
          // one that failed earlier gets another chance. A commit between our read and the start
          // of the watch raised no event we will see, so read once more before waiting.
          if (this.watchOtherProcesses()) continue;
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
      this.removePoller(state);
    }
  }

  async headPosition(): Promise<GlobalPosition | undefined> {
    this.assertOpen();
    const stmts = this.stmts ?? (await this.ready());
    const head = await this.read(() => stmts.head.get()?.head);
    return head ? String(head) : undefined;
  }

  async ping(): Promise<void> {
    this.assertOpen();
    if (!this.stmts) await this.ready();
    await this.read(() => this.statement('SELECT 1').get());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    // Appends of this turn not yet written: written now (at once unless another process holds the
    // lock; a wait for it ends with the close, as any waiting append's does).
    if (this.group) void this.flushGroup(this.group);
    this.closed = true;
    this.closeStepWriter();
    this.notifier?.stop();
    for (const wake of [...this.sleepers]) wake();
    this.db.close();
  }

  /** Direct access for benchmarks and tests that compare against raw statements. */
  get database(): Database.Database {
    return this.db;
  }

  /** Whether other processes' commits wake subscriptions now (false: polling alone, or nobody subscribed). */
  get watchingOtherProcesses(): boolean {
    return this.notifier?.active ?? false;
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
   * Sets up the connection and the file (WAL, schema) and prepares statements. Idempotent, so a
   * retry after SQLITE_BUSY starts over. Every step reads the schema, which another process's
   * exclusive lock forbids, `synchronous` included.
   */
  private initialise(): Statements {
    this.db.pragma('synchronous = FULL');
    this.db.pragma('journal_mode = WAL');
    this.db.exec(SCHEMA);
    const stmts: Statements = {
      streamRevision: this.db.prepare('SELECT max(revision) AS revision FROM events WHERE stream_name = ?'),
      insert: this.db.prepare('INSERT INTO events (stream_name, revision, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      head: this.db.prepare('SELECT max(position) AS head FROM events'),
      after: this.db.prepare('SELECT * FROM events WHERE position > ? AND position <= ? ORDER BY position LIMIT ?'),
      dataVersion: this.db.prepare<[], number>('PRAGMA data_version').pluck(),
    };
    this.dataVersion = stmts.dataVersion.get() as number;
    return stmts;
  }

  /** The statements, or a promise of them while opening waits for another process's lock. */
  private ready(): Statements | Promise<Statements> {
    this.assertOpen();
    return this.stmts ?? (this.opening ??= this.open(performance.now()));
  }

  private open(startedAt: number, busy?: unknown): Promise<Statements> {
    return this.retryWhileBusy(() => this.initialise(), startedAt, 'open the database', busy).then(
      (stmts) => {
        this.stmts = stmts;
        this.opening = undefined;
        return stmts;
      },
      (error: unknown) => {
        // Forget the failure: the next call tries to open again.
        this.opening = undefined;
        throw error;
      },
    );
  }

  /** Makes `write` the last in this process's queue of appends: the next one waits until it settles. */
  private queueBehind(write: Promise<unknown>): void {
    const tail = write.then(
      () => undefined,
      () => undefined,
    );
    this.writeTail = tail;
    void tail.then(() => {
      if (this.writeTail === tail) this.writeTail = undefined;
    });
  }

  /**
   * Runs `attempt` (one synchronous SQLite call) at once, or, when it meets another process's
   * lock, again and again on timers until it gets it (`retryWhileBusy`). A write calls it when its
   * turn in this process's queue has come (`writeTail`: each append takes its place when called,
   * so this process's appends commit in call order and only one of them at a time knocks on the
   * lock). A read calls it directly: in WAL mode reads do not wait for writers; they meet a lock
   * only in rare moments (WAL recovery after a crash, a checkpoint resetting the log).
   */
  private attemptWhileBusy<T>(attempt: () => T, what = 'append (nothing was written)'): T | Promise<T> {
    this.assertOpen();
    const startedAt = performance.now();
    try {
      return attempt();
    } catch (error) {
      if (!isBusy(error)) throw error;
      return this.retryWhileBusy(attempt, startedAt, what, error);
    }
  }

  private read<T>(attempt: () => T): T | Promise<T> {
    return this.attemptWhileBusy(attempt, 'read');
  }

  /**
   * Runs `attempt` (one synchronous SQLite call) again after a short, growing, jittered timer each
   * time another process's lock turns it away, until `busyTimeoutMs` has passed since `startedAt`;
   * then fails with EventStoreUnavailableError. An append's attempt is its whole transaction
   * (better-sqlite3 rolls back one that fails), so each try re-reads the stream's revision under
   * the lock. `busy`: the first attempt already failed, so wait before the next. Times are
   * `performance.now()`: monotonic, so a clock adjustment cannot stretch or cut the wait.
   */
  private async retryWhileBusy<T>(attempt: () => T, startedAt: number, what: string, busy?: unknown): Promise<T> {
    const deadline = startedAt + this.busyTimeoutMs;
    let backoff = FIRST_BACKOFF_MS;
    for (;;) {
      if (busy !== undefined) {
        const left = deadline - performance.now();
        if (left <= 0) {
          throw new EventStoreUnavailableError(
            `The SQLite event store stayed locked by another process for ${this.busyTimeoutMs} ms (${(busy as { code?: string }).code}); could not ${what}`,
          );
        }
        // Jitter: two processes that met at the lock do not knock again in step.
        await this.sleep(Math.min(left, backoff / 2 + (Math.random() * backoff) / 2));
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
      this.assertOpen();
      try {
        return attempt();
      } catch (error) {
        if (!isBusy(error)) throw error;
        busy = error;
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  /** Starts the notifier if it is off; true when it has just started. */
  private watchOtherProcesses(): boolean {
    if (!this.notifier || this.notifier.active || this.closed) return false;
    this.notifier.start();
    return this.notifier.active;
  }

  private removePoller(state: PollState): void {
    this.pollers.delete(state);
    // Nobody left to wake: give the watch back (inotify watches are a limited, per-user resource),
    // and the shared tail (nobody left to share it).
    if (this.pollers.size === 0) {
      this.notifier?.stop();
      this.tail = [];
      this.tailFrom = this.tailTo = 0;
    }
  }

  /**
   * Wakes the waiting subscriptions: after an append in this process only those whose filter
   * passes an event written (`written`), so a commit does not set a dozen unrelated subscriptions
   * reading the log ahead of the ones it concerns; after another process's commit or a large
   * append (no list), all.
   * One not woken reads at its next poll and finds nothing of its own in between.
   */
  private wakePollers(written?: ReadonlyArray<{ readonly streamName: string; readonly type: string }>): void {
    for (const state of this.pollers) {
      if (written && !written.some((e) => passesClauses(state.clauses, e.streamName, e.type))) continue;
      state.signalled = true;
      state.wake?.();
    }
  }

  /** For the notifier: whether another connection committed since the last look. */
  private changedByOthers(): boolean {
    if (this.closed || !this.stmts) return false;
    const version = this.stmts.dataVersion.get() as number;
    const changed = version !== this.dataVersion;
    this.dataVersion = version;
    return changed;
  }
}

/**
 * Another process's lock: SQLITE_BUSY and its extended codes (BUSY_SNAPSHOT, BUSY_RECOVERY,
 * BUSY_TIMEOUT). Not SQLITE_LOCKED, which the old retry loop also caught: it is a conflict inside
 * this one connection (there is no shared cache), which waiting cannot resolve, so it surfaces at
 * once instead of after the busy timeout. Told by the code, not by `instanceof SqliteError`: the
 * native addon keeps the error class of whichever copy of better-sqlite3 loaded it first, which in
 * Jest (a module registry per test file) is not the class this module sees.
 */
function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/**
 * An append refused for what it is (its expected revision, its event ids, a constraint of its
 * rows): it alone fails. Anything else is a failure of the transaction it is part of.
 */
function isRefusal(error: unknown): boolean {
  if (error instanceof WrongExpectedRevisionError || error instanceof DuplicateEventIdError || error instanceof InvalidEventError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT');
}

function findExisting(lookup: (sql: string) => Database.Statement, ids: string[]): Array<{ event_id: string; stream_name: string }> {
  const found: Array<{ event_id: string; stream_name: string }> = [];
  for (let i = 0; i < ids.length; i += ID_LOOKUP_CHUNK) {
    const chunk = ids.slice(i, i + ID_LOOKUP_CHUNK);
    found.push(...(lookup(`SELECT event_id, stream_name FROM events WHERE event_id IN (${chunk.map(() => '?').join(',')})`).all(...chunk) as Array<{ event_id: string; stream_name: string }>));
  }
  return found;
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

/**
 * Metadata as parsed lately, by its text. The events of one command or one import carry the same
 * metadata (correlation, causation, actor, time), so an import's 100 000 events parse it once
 * instead of 100 000 times. Shared objects: readers treat events as immutable (they are facts).
 */
const parsedMetadata = new Map<string, RecordedEvent['metadata']>();
const PARSED_METADATA_MAX = 256;
const PARSED_METADATA_MAX_CHARS = 4_096;

function parseMetadata(text: string): RecordedEvent['metadata'] {
  // Metadata may carry more than the usual fields; a large one is parsed each time, not kept.
  if (text.length > PARSED_METADATA_MAX_CHARS) return JSON.parse(text) as RecordedEvent['metadata'];
  let metadata = parsedMetadata.get(text);
  if (metadata === undefined) {
    metadata = JSON.parse(text) as RecordedEvent['metadata'];
    if (parsedMetadata.size >= PARSED_METADATA_MAX) parsedMetadata.delete(parsedMetadata.keys().next().value as string);
    parsedMetadata.set(text, metadata);
  }
  return metadata;
}

function toRecorded(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    type: row.type,
    data: JSON.parse(row.data),
    metadata: parseMetadata(row.metadata),
    streamName: row.stream_name,
    revision: row.revision,
    position: String(row.position),
    recordedAt: row.recorded_at,
  };
}

