import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { EventStoreUnavailableError } from '../errors';
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
import { assertValidStreamName, validateAndSerialise, type MetadataMemo } from '../validation';
import { BusyRetry, DRIVER_BUSY_TIMEOUT_MS, isBusy } from './busy-retry';
import { SharedTail, type SubscriptionPage } from './shared-tail';
import { appendInTransaction, ID_LOOKUP_CHUNK, isRefusal, parsePosition, prepareAppendStatements, SCHEMA, toRecorded, type EventRow, type PreparedAppend, type Statements } from './sqlite-rows';
import { StepWriter } from './step-writer';
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

interface GroupMember {
  readonly prepared: readonly PreparedAppend[];
  readonly resolve: (results: AppendResult[]) => void;
  readonly reject: (error: unknown) => void;
}

/** Above every character a validated stream name can hold, so `[prefix, prefix + PREFIX_RANGE_END)` is a prefix range. */
const PREFIX_RANGE_END = '\x7f';
/**
 * Most positions one filtered statement looks at: some milliseconds of scanning. A filtered read
 * goes on in further windows, with the event loop let in between.
 */
const SCAN_WINDOW = 20_000;
/**
 * Long enough for another process's large import to finish: waiting costs this process nothing
 * now that it is asynchronous, while giving up turns a slow write into an error (a 503, or a
 * saga retry that counts towards parking). Still below common HTTP proxy timeouts (60 s).
 */
const DEFAULT_BUSY_TIMEOUT_MS = 30_000;
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
  /** The newest events, shared by the subscriptions near the head. */
  private readonly sharedTail: SharedTail;
  /** Subscriptions iterating now: whom to wake, and whether the WAL needs watching at all. */
  private readonly pollers = new Set<PollState>();
  private readonly notifier: WalNotifier | undefined;
  /** Prepared statements by SQL text: reads and id look-ups run on hot paths (sagas, imports). */
  private readonly statements = new Map<string, Database.Statement>();
  /** Waits for other processes' locks on timers, never inside SQLite. */
  private readonly busyRetry: BusyRetry;
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
  private stepWriter: StepWriter | undefined;
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
    this.sharedTail = new SharedTail(Math.max(0, options.sharedTailSize ?? this.pageSize * 8), this.pageSize);
    this.busyRetry = new BusyRetry(this.busyTimeoutMs, () => this.assertOpen());
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
    const memo: MetadataMemo = new Map();
    const prepared = appends.map((a) => ({ ...a, serialised: validateAndSerialise(a.streamName, a.events, a.expectedRevision, memo) }));
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
      const lookup = (sql: string) => this.statement(sql);
      outcomes = await this.busyRetry.attemptWhileBusy(() => {
        // Stamped per attempt: when it was recorded, however long another process's lock delayed it.
        const recordedAt = new Date().toISOString();
        return this.db
          .transaction(() =>
            members.map((member) => {
              try {
                // Nested: a savepoint, rolled back alone when this append is refused.
                return { results: this.db.transaction(() => member.prepared.map((a) => appendInTransaction(stmts, a.streamName, a.serialised, a.expectedRevision, recordedAt, lookup)))() };
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
      const prepared: PreparedAppend[] = [];
      const memo: MetadataMemo = new Map();
      let slice = performance.now();
      for (const a of appends) {
        prepared.push({ ...a, serialised: validateAndSerialise(a.streamName, a.events, a.expectedRevision, memo) });
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

  private async writeInSteps(prepared: readonly PreparedAppend[]): Promise<AppendResult[]> {
    const writer = (this.stepWriter ??= new StepWriter(this.file));
    try {
      return await writer.write(prepared, this.busyRetry, this.stepMs, () => this.closed);
    } finally {
      if (this.closed) this.closeStepWriter();
    }
  }

  private closeStepWriter(): void {
    if (this.stepWriter?.close()) this.stepWriter = undefined;
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
    const { sql, params } = pageQueryOf(clauses);
    return this.db.transaction(() => {
      const head = stmts.head.get()?.head ?? 0;
      const upTo = clauses.length ? Math.min(head, after + SCAN_WINDOW) : head;
      const rows = this.statement(sql).all(after, upTo, ...params, limit) as EventRow[];
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
    const shared = this.sharedTail.read(stmts, after, clauses);
    if (shared) return shared;
    const page = this.readPage(stmts, after, this.pageSize, clauses);
    return { events: page.rows.map(toRecorded), scannedTo: page.scannedTo, caughtUp: page.reachedHead };
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
    this.busyRetry.wakeSleepers();
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
      ...prepareAppendStatements(this.db),
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
    return this.busyRetry.retryWhileBusy(() => this.initialise(), startedAt, 'open the database', busy).then(
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

  private read<T>(attempt: () => T): T | Promise<T> {
    return this.busyRetry.attemptWhileBusy(attempt, 'read');
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
      this.sharedTail.clear();
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

/** A page's statement and its filter's parameters, built once per filter: a subscription reads page after page with the same one. */
const pageQueries = new WeakMap<readonly FilterClause[], { readonly sql: string; readonly params: readonly string[] }>();

function pageQueryOf(clauses: readonly FilterClause[]): { readonly sql: string; readonly params: readonly string[] } {
  let query = pageQueries.get(clauses);
  if (!query) {
    const where = clauses.length
      ? ` AND (${clauses.map((c) => `(stream_name >= ? AND stream_name < ?${c.types ? ` AND type IN (${[...c.types].map(() => '?').join(',')})` : ''})`).join(' OR ')})`
      : '';
    const params = clauses.flatMap((c) => [c.prefix, c.prefix + PREFIX_RANGE_END, ...(c.types ?? [])]);
    query = { sql: `SELECT * FROM events WHERE position > ? AND position <= ?${where} ORDER BY position LIMIT ?`, params };
    pageQueries.set(clauses, query);
  }
  return query;
}
