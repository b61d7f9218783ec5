import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testEvent } from '../contract';
import { DuplicateEventIdError, EventStoreUnavailableError, WrongExpectedRevisionError } from '../errors';
import type { ExpectedRevision, NewEvent } from '../port';
import { validateAndSerialise } from '../validation';
import { BusyRetry } from './busy-retry';
import { SCHEMA, type PreparedAppend } from './sqlite-rows';
import { StepWriter } from './step-writer';

/**
 * StepWriter on a real SQLite file set up as the store sets it up (WAL, synchronous FULL, the
 * schema). `main` plays the store's own connection (and readers); `other` plays another process
 * that takes the write lock with `BEGIN IMMEDIATE`. Real timers throughout: the writer waits with
 * setImmediate and BusyRetry's timers, and no assertion depends on how fast the machine is.
 */

let dir: string;
let file: string;
let main: Database.Database;
const cleanup: Array<() => void> = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'evp-step-writer-'));
  file = join(dir, 'store.sqlite');
  main = new Database(file, { timeout: 0 });
  main.pragma('synchronous = FULL');
  main.pragma('journal_mode = WAL');
  main.exec(SCHEMA);
});

afterEach(() => {
  jest.restoreAllMocks();
  for (const undo of cleanup.splice(0).reverse()) undo();
  if (main.open) main.close();
  rmSync(dir, { recursive: true, force: true });
});

function openWriter(): StepWriter {
  const writer = new StepWriter(file);
  cleanup.push(() => {
    if (!writer.db.open) return;
    if (writer.db.inTransaction) writer.db.exec('ROLLBACK');
    writer.db.close();
  });
  return writer;
}

/** Another connection to the file, as another process has. */
function openOther(): Database.Database {
  const other = new Database(file, { timeout: 0 });
  cleanup.push(() => {
    if (!other.open) return;
    if (other.inTransaction) other.exec('ROLLBACK');
    other.close();
  });
  return other;
}

const openStore = () => new BusyRetry(3_000, () => undefined);

function prepared(streamName: string, count: number, expectedRevision: ExpectedRevision, events?: NewEvent[]): PreparedAppend {
  const list = events ?? Array.from({ length: count }, () => testEvent());
  return { streamName, events: list, expectedRevision, serialised: validateAndSerialise(streamName, list, expectedRevision) };
}

/** The log as a connection sees it: committed rows, or its own transaction's too. */
function log(db: Database.Database = main) {
  return db.prepare('SELECT position, stream_name AS stream, revision, event_id AS id FROM events ORDER BY position').all() as Array<{
    position: number;
    stream: string;
    revision: number;
    id: string;
  }>;
}

const count = (db: Database.Database = main) => db.prepare('SELECT count(*) FROM events').pluck().get() as number;

/** Appends one event to `stream` on `db` outside any StepWriter, as the store's own appends do. */
function appendDirect(db: Database.Database, stream: string, revision: number): void {
  const [event] = validateAndSerialise(stream, [testEvent()], 'any');
  db.prepare('INSERT INTO events (stream_name, revision, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
    stream,
    revision,
    event?.event.id,
    event?.event.type,
    event?.data,
    event?.metadata,
    new Date().toISOString(),
  );
}

describe('StepWriter: its connection', () => {
  it('is a second connection to the file, with synchronous FULL and no busy wait inside SQLite', () => {
    const writer = openWriter();
    expect(writer.db).not.toBe(main);
    expect([writer.db.name, writer.db.pragma('synchronous', { simple: true }), writer.db.pragma('busy_timeout', { simple: true })]).toEqual([file, 2, 0]);
    // WAL is the file's, set by the store's connection: the writer's connection sees it too.
    expect(writer.db.pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('fails to open on a file without the schema, and closes the connection it opened', () => {
    const bare = join(dir, 'bare.sqlite');
    const close = jest.spyOn(Database.prototype, 'close');
    expect(() => new StepWriter(bare)).toThrow('no such table: events');
    expect(close).toHaveBeenCalledTimes(1);
    expect((close.mock.contexts[0] as Database.Database).name).toBe(bare);
    expect((close.mock.contexts[0] as Database.Database).open).toBe(false);
  });

  it('close() closes it when no write is under way, and says so', () => {
    const writer = openWriter();
    expect([writer.close(), writer.db.open]).toEqual([true, false]);
  });
});

describe('StepWriter.write', () => {
  it('writes every append in order, continuing existing streams, with one recordedAt, and returns each stream’s next expected revision', async () => {
    appendDirect(main, 'konto-1', 0);
    const writer = openWriter();
    const appends = [prepared('konto-1', 2, 0), prepared('konto-2', 3, 'no_stream'), prepared('sak-1', 1, 'any')];
    const results = await writer.write(appends, openStore(), 60_000, () => false);
    expect(results).toEqual([
      { nextExpectedRevision: 2, alreadyAppended: false },
      { nextExpectedRevision: 2, alreadyAppended: false },
      { nextExpectedRevision: 0, alreadyAppended: false },
    ]);
    expect(log().map(({ position, stream, revision }) => [position, stream, revision])).toEqual([
      [1, 'konto-1', 0],
      [2, 'konto-1', 1],
      [3, 'konto-1', 2],
      [4, 'konto-2', 0],
      [5, 'konto-2', 1],
      [6, 'konto-2', 2],
      [7, 'sak-1', 0],
    ]);
    expect(log().slice(1).map((row) => row.id)).toEqual(appends.flatMap((a) => a.events.map((e) => e.id)));
    const stamps = main.prepare('SELECT DISTINCT recorded_at FROM events WHERE position > 1').pluck().all() as string[];
    expect(stamps).toHaveLength(1);
    expect(new Date(stamps[0] as string).toISOString()).toBe(stamps[0]);
    expect(writer.db.inTransaction).toBe(false);
  });

  it('writes nothing when one append is refused, even after the others were written in earlier steps', async () => {
    appendDirect(main, 'konto-3', 0);
    const writer = openWriter();
    const appends = [prepared('konto-1', 2, 'no_stream'), prepared('konto-2', 2, 'no_stream'), prepared('konto-3', 1, 'no_stream')];
    const seenInside: number[] = [];
    const closed = () => {
      seenInside.push(count(writer.db));
      return false;
    };
    await expect(writer.write(appends, openStore(), 0, closed)).rejects.toThrow(WrongExpectedRevisionError);
    // It had written both streams before the third was refused ...
    expect(seenInside).toEqual([3, 5]);
    // ... and rolled them back: the file holds what it held before.
    expect([count(), count(writer.db), writer.db.inTransaction]).toEqual([1, 1, false]);
  });

  it('writes nothing when some event ids are already stored, and can write again afterwards', async () => {
    const writer = openWriter();
    const stored = testEvent();
    await writer.write([prepared('konto-1', 1, 'no_stream', [stored])], openStore(), 60_000, () => false);
    const clash = [prepared('konto-2', 2, 'no_stream'), prepared('konto-3', 2, 'no_stream', [testEvent(), stored])];
    await expect(writer.write(clash, openStore(), 60_000, () => false)).rejects.toThrow(DuplicateEventIdError);
    expect([count(), writer.db.inTransaction]).toEqual([1, false]);

    const results = await writer.write([prepared('konto-2', 2, 'no_stream')], openStore(), 60_000, () => false);
    expect(results).toEqual([{ nextExpectedRevision: 1, alreadyAppended: false }]);
    expect(count()).toBe(3);
  });

  it('treats a retry of an append it already wrote as done, writing nothing twice', async () => {
    const writer = openWriter();
    const appends = [prepared('konto-1', 2, 'no_stream'), prepared('konto-2', 1, 'no_stream')];
    await writer.write(appends, openStore(), 60_000, () => false);
    const again = await writer.write(appends, openStore(), 60_000, () => false);
    expect(again).toEqual([
      { nextExpectedRevision: 1, alreadyAppended: true },
      { nextExpectedRevision: 0, alreadyAppended: true },
    ]);
    expect(count()).toBe(3);
  });

  it('with stepMs 0 lets the event loop in after every append, holding one transaction that others see only once committed', async () => {
    const writer = openWriter();
    const other = openOther();
    const appends = [1, 2, 3, 4].map((n) => prepared(`konto-${n}`, 2, 'no_stream'));
    // Counts turns of the event loop: an immediate that queues itself again.
    let ticks = 0;
    let ticking = true;
    const tick = () => {
      ticks += 1;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const steps: Array<{ ticks: number; writerSees: number; othersSee: number; othersCanWrite: string }> = [];
    const closed = () => {
      let othersCanWrite = 'yes';
      try {
        other.exec('BEGIN IMMEDIATE');
        other.exec('ROLLBACK');
      } catch (error) {
        othersCanWrite = (error as { code?: string }).code ?? String(error);
      }
      steps.push({ ticks, writerSees: count(writer.db), othersSee: count(main), othersCanWrite });
      return false;
    };
    const results = await writer.write(appends, openStore(), 0, closed);
    ticking = false;
    expect(results.map((r) => r.nextExpectedRevision)).toEqual([1, 1, 1, 1]);
    // One step per append: the writer's transaction grows, nobody else sees it, the lock stays taken.
    expect(steps.map(({ writerSees, othersSee, othersCanWrite }) => [writerSees, othersSee, othersCanWrite])).toEqual([
      [2, 0, 'SQLITE_BUSY'],
      [4, 0, 'SQLITE_BUSY'],
      [6, 0, 'SQLITE_BUSY'],
      [8, 0, 'SQLITE_BUSY'],
    ]);
    // The event loop turned between every two steps.
    const turns = steps.slice(1).map((step, i) => step.ticks - (steps[i] as { ticks: number }).ticks);
    expect(turns.filter((n) => n < 1)).toEqual([]);
    expect([count(), count(other)]).toEqual([8, 8]);
  });

  it('with a long stepMs writes everything in one go, without letting the event loop in', async () => {
    const writer = openWriter();
    let immediates = 0;
    setImmediate(() => (immediates += 1));
    let steps = 0;
    const appends = [1, 2, 3].map((n) => prepared(`konto-${n}`, 1, 'no_stream'));
    const written = writer.write(appends, openStore(), 60_000, () => {
      steps += 1;
      return false;
    });
    await expect(written).resolves.toHaveLength(3);
    // Resolved in the promise jobs of this turn: the immediate queued before it has not run yet.
    expect([steps, immediates, count()]).toEqual([0, 0, 3]);
  });

  it('writes nothing, and ends its transaction, when the store is closed between two steps', async () => {
    const writer = openWriter();
    const appends = [1, 2, 3, 4].map((n) => prepared(`konto-${n}`, 1, 'no_stream'));
    let calls = 0;
    const written = writer.write(appends, openStore(), 0, () => ++calls === 2);
    const error = await written.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EventStoreUnavailableError);
    expect((error as Error).message).toBe('The SQLite event store was closed during a large append (nothing was written)');
    expect([calls, count(), count(writer.db), writer.db.inTransaction]).toEqual([2, 0, 0, false]);
    expect(writer.close()).toBe(true);
  });

  it('refuses to close its connection while a write is inside its transaction, and closes it afterwards', async () => {
    const writer = openWriter();
    const answers: Array<[boolean, boolean]> = [];
    const appends = [1, 2].map((n) => prepared(`konto-${n}`, 1, 'no_stream'));
    await writer.write(appends, openStore(), 0, () => {
      answers.push([writer.close(), writer.db.open]);
      return false;
    });
    expect(answers).toEqual([
      [false, true],
      [false, true],
    ]);
    expect(count()).toBe(2);
    expect([writer.close(), writer.db.open]).toEqual([true, false]);
  });

  it('waits for the lock another connection holds without blocking the event loop, then reads the stream’s revision under it', async () => {
    const writer = openWriter();
    const other = openOther();
    // Another process's append to the same stream, committed only when it lets go of the lock.
    other.exec('BEGIN IMMEDIATE');
    appendDirect(other, 'konto-1', 0);
    const written = writer.write([prepared('konto-1', 2, 0), prepared('konto-2', 1, 'no_stream')], openStore(), 60_000, () => false);
    let settled = false;
    written.then(
      () => (settled = true),
      () => (settled = true),
    );
    // Timers run meanwhile: the wait is on the event loop, not inside SQLite.
    await new Promise<void>((resolve) => setTimeout(resolve, 30));
    expect([settled, writer.db.inTransaction, count()]).toEqual([false, false, 0]);

    other.exec('COMMIT');
    await expect(written).resolves.toEqual([
      { nextExpectedRevision: 2, alreadyAppended: false },
      { nextExpectedRevision: 0, alreadyAppended: false },
    ]);
    expect(log().map(({ position, stream, revision }) => [position, stream, revision])).toEqual([
      [1, 'konto-1', 0],
      [2, 'konto-1', 1],
      [3, 'konto-1', 2],
      [4, 'konto-2', 0],
    ]);
  });

  it('fails with EventStoreUnavailableError, writing nothing, when the lock is not let go within the busy timeout', async () => {
    const writer = openWriter();
    const other = openOther();
    other.exec('BEGIN IMMEDIATE');
    const written = writer.write([prepared('konto-1', 1, 'no_stream')], new BusyRetry(50, () => undefined), 60_000, () => false);
    await expect(written).rejects.toThrow(
      new EventStoreUnavailableError('The SQLite event store stayed locked by another process for 50 ms (SQLITE_BUSY); could not append (nothing was written)'),
    );
    other.exec('COMMIT');
    expect([count(), writer.db.inTransaction, writer.close()]).toEqual([0, false, true]);
  });

  it('fails, writing nothing, when the store is closed while it waits for the lock', async () => {
    const writer = openWriter();
    const other = openOther();
    other.exec('BEGIN IMMEDIATE');
    let closed = false;
    const busyRetry = new BusyRetry(3_000, () => {
      if (closed) throw new EventStoreUnavailableError('The SQLite event store is closed');
    });
    const written = writer.write([prepared('konto-1', 1, 'no_stream')], busyRetry, 60_000, () => closed);
    await new Promise<void>((resolve) => setTimeout(resolve, 10));
    // As the store's close() does.
    closed = true;
    busyRetry.wakeSleepers();
    await expect(written).rejects.toThrow('The SQLite event store is closed');
    other.exec('COMMIT');
    expect([count(), writer.db.inTransaction, writer.close()]).toEqual([0, false, true]);
  });
});
