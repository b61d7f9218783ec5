import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filterClauses, passesClauses, type EventFilter, type FilterClause, type RecordedEvent } from '../port';
import { SharedTail, type SubscriptionPage } from './shared-tail';
import { SCHEMA, toRecorded, type EventRow, type Statements } from './sqlite-rows';

/**
 * SharedTail over a real SQLite file with the store's schema and the two statements the store
 * gives it (`head` and `after`, with the store's SQL). The statements are spied on (they still
 * run): how often the tail reads the file is part of what it promises.
 */

let dir: string;
let db: Database.Database;
let stmts: Pick<Statements, 'head' | 'after'>;
let headReads: jest.SpyInstance;
let afterReads: jest.SpyInstance;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'evp-shared-tail-'));
  db = new Database(join(dir, 'store.sqlite'), { timeout: 0 });
  db.pragma('journal_mode = WAL');
  db.exec(SCHEMA);
  // As SqliteEventStore.initialise prepares them.
  stmts = {
    head: db.prepare('SELECT max(position) AS head FROM events'),
    after: db.prepare('SELECT * FROM events WHERE position > ? AND position <= ? ORDER BY position LIMIT ?'),
  };
  headReads = jest.spyOn(stmts.head, 'get');
  afterReads = jest.spyOn(stmts.after, 'all');
});

afterEach(() => {
  jest.restoreAllMocks();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const revisions = new Map<string, number>();
beforeEach(() => revisions.clear());

/** Appends one event to `stream`; its position is the next one, or `position` when given (to leave gaps). */
function append(stream: string, type = 'test.Happened', position?: number): number {
  const revision = (revisions.get(stream) ?? -1) + 1;
  revisions.set(stream, revision);
  const metadata = JSON.stringify({ correlationId: `corr-${stream}`, causationId: null, actor: { id: 'shared-tail-spec', role: 'system' }, occurredAt: '2026-11-26T10:00:00.000Z', schemaVersion: 1 });
  const info = db
    .prepare('INSERT INTO events (position, stream_name, revision, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .run(position ?? null, stream, revision, `id-${stream}-${revision}`, type, JSON.stringify({ stream, revision }), metadata, '2026-11-26T10:00:00.000Z');
  return Number(info.lastInsertRowid);
}

/** Appends `count` events spread over streams a-1, b-1, a-2, b-2, ... (types alternate too). */
function appendMany(count: number): void {
  for (let i = 0; i < count; i++) append(`${i % 2 === 0 ? 'a' : 'b'}-${(i % 4 >> 1) + 1}`, i % 3 === 0 ? 'test.Rare' : 'test.Happened');
}

const all: readonly FilterClause[] = [];
const clauses = (filter: EventFilter) => filterClauses(filter);

/** A page as positions, how far it scanned and whether it reached the head (undefined stays undefined). */
function summary(page: SubscriptionPage | undefined) {
  return page && { positions: page.events.map((e) => Number(e.position)), scannedTo: page.scannedTo, caughtUp: page.caughtUp };
}

function read(tail: SharedTail, after: number, filter: readonly FilterClause[] = all) {
  return summary(tail.read(stmts, after, filter));
}

const afterCalls = () => afterReads.mock.calls as Array<[number, number, number]>;

describe('SharedTail with sharing off (size 0)', () => {
  it('returns undefined to every reader and reads nothing from the file', () => {
    appendMany(5);
    const tail = new SharedTail(0, 10);
    expect([read(tail, 0), read(tail, 3), read(tail, 5), read(tail, 50)]).toEqual([undefined, undefined, undefined, undefined]);
    expect([headReads.mock.calls.length, afterReads.mock.calls.length]).toEqual([0, 0]);
  });
});

describe('SharedTail.read', () => {
  it('gives a first reader the next page from the file, decoded as toRecorded decodes the row, in position order', () => {
    appendMany(3);
    const tail = new SharedTail(100, 10);
    const page = tail.read(stmts, 0, all);
    expect(summary(page)).toEqual({ positions: [1, 2, 3], scannedTo: 3, caughtUp: true });
    const row = db.prepare('SELECT * FROM events WHERE position = 2').get() as EventRow;
    expect(page?.events[1]).toEqual(toRecorded(row));
    expect(page?.events[1]).toEqual({
      id: 'id-b-1-0',
      type: 'test.Happened',
      data: { stream: 'b-1', revision: 0 },
      metadata: { correlationId: 'corr-b-1', causationId: null, actor: { id: 'shared-tail-spec', role: 'system' }, occurredAt: '2026-11-26T10:00:00.000Z', schemaVersion: 1 },
      streamName: 'b-1',
      revision: 0,
      position: '2',
      recordedAt: '2026-11-26T10:00:00.000Z',
    });
    expect(afterCalls()).toEqual([[0, 3, 10]]);
  });

  it('on an empty log returns an empty page, caught up, at the cursor', () => {
    const tail = new SharedTail(100, 10);
    expect(read(tail, 0)).toEqual({ positions: [], scannedTo: 0, caughtUp: true });
    expect(afterCalls()).toEqual([]);
  });

  it('is extended a page at a time, in order, with one unfiltered read of the file per extension, and says when it reached the head', () => {
    appendMany(10);
    const tail = new SharedTail(100, 4);
    expect([read(tail, 0), read(tail, 4), read(tail, 8)]).toEqual([
      { positions: [1, 2, 3, 4], scannedTo: 4, caughtUp: false },
      { positions: [5, 6, 7, 8], scannedTo: 8, caughtUp: false },
      { positions: [9, 10], scannedTo: 10, caughtUp: true },
    ]);
    expect(afterCalls()).toEqual([
      [0, 10, 4],
      [4, 10, 4],
      [8, 10, 4],
    ]);
    // Nothing new: the head is read, the log is not.
    expect(read(tail, 10)).toEqual({ positions: [], scannedTo: 10, caughtUp: true });
    expect(afterCalls()).toHaveLength(3);

    appendMany(2);
    expect(read(tail, 10)).toEqual({ positions: [11, 12], scannedTo: 12, caughtUp: true });
    expect(afterCalls().at(-1)).toEqual([10, 12, 4]);
  });

  it('serves a reader inside the tail from memory: no read of the log, and the very objects the other readers got (decoded once)', () => {
    appendMany(6);
    const tail = new SharedTail(100, 10);
    const first = tail.read(stmts, 0, all);
    const second = tail.read(stmts, 3, all);
    expect(summary(second)).toEqual({ positions: [4, 5, 6], scannedTo: 6, caughtUp: true });
    expect(afterCalls()).toHaveLength(1);
    expect(second?.events[0]).toBe(first?.events[3]);
    expect(second?.events[2]).toBe(first?.events[5]);
  });

  it('hands each reader only the events its filter passes, yet scans the tail to its end', () => {
    // 1 a-1 Rare, 2 b-1, 3 a-2, 4 b-2 Rare, 5 a-1, 6 b-1, 7 a-2 Rare, 8 b-2
    appendMany(8);
    const tail = new SharedTail(100, 10);
    expect(read(tail, 0, clauses({ streamPrefixes: ['a-'] }))).toEqual({ positions: [1, 3, 5, 7], scannedTo: 8, caughtUp: true });
    expect(read(tail, 0, clauses({ streamPrefixes: ['a-1', 'b-'], onlyTypes: { 'b-': ['test.Rare'] } }))).toEqual({ positions: [1, 4, 5], scannedTo: 8, caughtUp: true });
    expect(read(tail, 2, clauses({ streamPrefixes: ['c-'] }))).toEqual({ positions: [], scannedTo: 8, caughtUp: true });
    expect(afterCalls()).toHaveLength(1);
  });

  it('ends a page at its pageSize-th matching event: scannedTo is that event’s position and it is not caught up', () => {
    appendMany(9);
    const tail = new SharedTail(100, 3);
    // One reader brings the whole log into the tail, a page at a time.
    for (let after = 0; after < 9; after += 3) read(tail, after);
    expect(afterCalls()).toHaveLength(3);
    const onlyA = clauses({ streamPrefixes: ['a-'] });
    expect([read(tail, 0, onlyA), read(tail, 5, onlyA)]).toEqual([
      { positions: [1, 3, 5], scannedTo: 5, caughtUp: false },
      // A page left for it in the tail: no look at the head, so not claimed caught up…
      { positions: [7, 9], scannedTo: 9, caughtUp: false },
    ]);
    // …until it asks again from the end of the tail, which looks (and finds nothing new).
    expect(read(tail, 9, onlyA)).toEqual({ positions: [], scannedTo: 9, caughtUp: true });
    expect(read(tail, 1)).toEqual({ positions: [2, 3, 4], scannedTo: 4, caughtUp: false });
    expect(afterCalls()).toHaveLength(3);
  });

  it('is extended only by a reader near its end, so a slower reader far behind the newest stays in it', () => {
    appendMany(40);
    const tail = new SharedTail(12, 4);
    // The leader reads three pages: each time it has less than a page left, so it extends.
    expect([read(tail, 0), read(tail, 4), read(tail, 8)].map((p) => p?.positions)).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [9, 10, 11, 12],
    ]);
    expect(afterCalls()).toHaveLength(3);
    // A slower reader from the start of the tail: two pages ahead of it in memory, so it reads
    // them without extending (and without a look at the head), as often as it likes.
    expect([read(tail, 0), read(tail, 4)]).toEqual([
      { positions: [1, 2, 3, 4], scannedTo: 4, caughtUp: false },
      { positions: [5, 6, 7, 8], scannedTo: 8, caughtUp: false },
    ]);
    expect(afterCalls()).toHaveLength(3);
    // The leader goes on; the tail (12, dropped a page at a time) now holds 5..16: the slower
    // reader at 4 is just inside, and one at 3 is behind it and reads from the file.
    expect(read(tail, 12)?.positions).toEqual([13, 14, 15, 16]);
    expect(afterCalls()).toHaveLength(4);
    expect(read(tail, 4)?.positions).toEqual([5, 6, 7, 8]);
    expect(read(tail, 3)).toBeUndefined();
  });

  it('reports not caught up while the extension stopped short of the head, even when the filter found nothing', () => {
    appendMany(6);
    const tail = new SharedTail(100, 2);
    expect(read(tail, 0, clauses({ streamPrefixes: ['c-'] }))).toEqual({ positions: [], scannedTo: 2, caughtUp: false });
    expect(read(tail, 2, clauses({ streamPrefixes: ['c-'] }))).toEqual({ positions: [], scannedTo: 4, caughtUp: false });
    expect(read(tail, 4, clauses({ streamPrefixes: ['c-'] }))).toEqual({ positions: [], scannedTo: 6, caughtUp: true });
  });

  it('starts again from a reader whose cursor lies beyond the tail; readers then behind it go to the file (undefined)', () => {
    appendMany(10);
    const tail = new SharedTail(100, 4);
    expect(read(tail, 0)).toEqual({ positions: [1, 2, 3, 4], scannedTo: 4, caughtUp: false });
    // A reader from a later checkpoint than the tail's end.
    expect(read(tail, 8)).toEqual({ positions: [9, 10], scannedTo: 10, caughtUp: true });
    expect(afterCalls().at(-1)).toEqual([8, 10, 4]);
    const reads = [headReads.mock.calls.length, afterCalls().length];
    expect([read(tail, 0), read(tail, 4), read(tail, 7)]).toEqual([undefined, undefined, undefined]);
    // A reader behind the tail costs the tail nothing: not even a look at the head.
    expect([headReads.mock.calls.length, afterCalls().length]).toEqual(reads);
    expect(read(tail, 8)).toEqual({ positions: [9, 10], scannedTo: 10, caughtUp: true });
    expect(read(tail, 9)).toEqual({ positions: [10], scannedTo: 10, caughtUp: true });
  });

  it('starts again even for a reader just one past the tail’s end, from that reader’s cursor', () => {
    appendMany(10);
    const tail = new SharedTail(100, 4);
    expect(read(tail, 0)).toEqual({ positions: [1, 2, 3, 4], scannedTo: 4, caughtUp: false });
    expect(read(tail, 5)).toEqual({ positions: [6, 7, 8, 9], scannedTo: 9, caughtUp: false });
    expect(afterCalls()).toEqual([
      [0, 10, 4],
      [5, 10, 4],
    ]);
    // Position 5 was never in the tail: the reader at 4 is behind it now.
    expect(read(tail, 4)).toBeUndefined();
  });

  it('answers a reader beyond the head with an empty page at its own cursor, caught up', () => {
    appendMany(3);
    const tail = new SharedTail(100, 10);
    expect(read(tail, 50)).toEqual({ positions: [], scannedTo: 50, caughtUp: true });
    expect(afterCalls()).toEqual([]);
    expect(read(tail, 3)).toBeUndefined();
  });

  it('keeps up to a page beyond its size, then drops its oldest entries a page at a time: readers behind them go to the file', () => {
    const tail = new SharedTail(4, 2);
    appendMany(2);
    // A full page is never "caught up", even at the head: more may follow it (as with the file's pages).
    expect(read(tail, 0)).toEqual({ positions: [1, 2], scannedTo: 2, caughtUp: false });
    appendMany(2);
    expect(read(tail, 2)).toEqual({ positions: [3, 4], scannedTo: 4, caughtUp: false });
    appendMany(1);
    expect(read(tail, 4)).toEqual({ positions: [5], scannedTo: 5, caughtUp: true });
    // Five entries for a size of four: less than a page too many, so nothing is dropped yet.
    expect(read(tail, 0)).toEqual({ positions: [1, 2], scannedTo: 2, caughtUp: false });

    appendMany(1);
    expect(read(tail, 5)).toEqual({ positions: [6], scannedTo: 6, caughtUp: true });
    // Six: a page too many, so 1 and 2 are gone and the tail covers (2, 6].
    expect([read(tail, 0), read(tail, 1)]).toEqual([undefined, undefined]);
    expect([read(tail, 2), read(tail, 4)]).toEqual([
      { positions: [3, 4], scannedTo: 4, caughtUp: false },
      { positions: [5, 6], scannedTo: 6, caughtUp: false },
    ]);
    expect(afterCalls()).toEqual([
      [0, 2, 2],
      [2, 4, 2],
      [4, 5, 2],
      [5, 6, 2],
    ]);
  });

  it('sends a reader to the file when the extension it triggers drops its own next events', () => {
    const tail = new SharedTail(2, 2);
    appendMany(2);
    expect(read(tail, 0)).toEqual({ positions: [1, 2], scannedTo: 2, caughtUp: false });
    appendMany(2);
    // The reader at 1 extends the tail by 3 and 4, which pushes 1 and 2 (its next event) out.
    expect(read(tail, 1)).toBeUndefined();
    expect(afterCalls()).toEqual([
      [0, 2, 2],
      [2, 4, 2],
    ]);
    // Whoever is at 2 finds 3 and 4 in memory.
    expect(read(tail, 2)).toEqual({ positions: [3, 4], scannedTo: 4, caughtUp: false });
    expect(read(tail, 4)).toEqual({ positions: [], scannedTo: 4, caughtUp: true });
    expect(afterCalls()).toHaveLength(2);
  });

  it('follows gaps in the positions: a cursor inside a gap gets the events after it, and the head ends the scan', () => {
    append('a-1', 'test.Happened', 1);
    append('a-1', 'test.Happened', 2);
    append('b-1', 'test.Happened', 5);
    append('a-1', 'test.Happened', 9);
    const tail = new SharedTail(100, 2);
    expect(read(tail, 0)).toEqual({ positions: [1, 2], scannedTo: 2, caughtUp: false });
    // A full page of rows ends the extension at its last row (9), which is the head; a full page
    // of events is not caught up all the same.
    expect(read(tail, 2)).toEqual({ positions: [5, 9], scannedTo: 9, caughtUp: false });
    expect([read(tail, 3), read(tail, 5), read(tail, 6), read(tail, 9)]).toEqual([
      { positions: [5, 9], scannedTo: 9, caughtUp: false },
      { positions: [9], scannedTo: 9, caughtUp: true },
      { positions: [9], scannedTo: 9, caughtUp: true },
      { positions: [], scannedTo: 9, caughtUp: true },
    ]);
    append('b-1', 'test.Happened', 20);
    expect(read(tail, 9)).toEqual({ positions: [20], scannedTo: 20, caughtUp: true });
    expect(read(tail, 12)).toEqual({ positions: [20], scannedTo: 20, caughtUp: true });
  });

  it('clear() forgets every entry: the next reader starts the tail again from its cursor', () => {
    appendMany(6);
    const tail = new SharedTail(100, 10);
    expect(read(tail, 0)).toEqual({ positions: [1, 2, 3, 4, 5, 6], scannedTo: 6, caughtUp: true });
    tail.clear();
    expect(read(tail, 4)).toEqual({ positions: [5, 6], scannedTo: 6, caughtUp: true });
    expect(afterCalls()).toEqual([
      [0, 6, 10],
      [4, 6, 10],
    ]);
    expect(read(tail, 2)).toBeUndefined();
  });
});

describe('SharedTail against the file, readers and appends interleaved', () => {
  /** Deterministic pseudo-random numbers (a linear congruential generator), so a failure replays. */
  function random(seed: number) {
    let state = seed >>> 0;
    return (below: number) => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state % below;
    };
  }

  const filters: ReadonlyArray<readonly FilterClause[]> = [
    all,
    clauses({ streamPrefixes: ['a-'] }),
    clauses({ streamPrefixes: ['b-2'] }),
    clauses({ streamPrefixes: ['a-', 'c-'], onlyTypes: { 'a-': ['test.Rare'] } }),
    clauses({ streamPrefixes: ['z-'] }),
  ];
  const streams = ['a-1', 'a-2', 'b-1', 'b-2', 'c-1'];
  const types = ['test.Happened', 'test.Rare'];

  /** Every event after `after` (up to `upTo`) that passes `filter`, from the file. */
  function matching(after: number, upTo: number, filter: readonly FilterClause[]): RecordedEvent[] {
    const rows = db.prepare('SELECT * FROM events WHERE position > ? AND position <= ? ORDER BY position').all(after, upTo) as EventRow[];
    return rows.filter((row) => passesClauses(filter, row.stream_name, row.type)).map(toRecorded);
  }

  const head = () => (db.prepare('SELECT max(position) FROM events').pluck().get() as number | null) ?? 0;

  it.each([
    [1, 1],
    [3, 2],
    [2, 5],
    [8, 3],
    [20, 4],
    [50, 7],
  ])('with size %i and pages of %i, every page is exactly the next matching events, and every reader ends with all of them in order', (tailSize, pageSize) => {
    const next = random(tailSize * 1000 + pageSize);
    const tail = new SharedTail(tailSize, pageSize);
    const readers = filters.map((filter) => ({ filter, cursor: 0, got: [] as RecordedEvent[], startedAt: 0 }));
    let fromTail = 0;
    let fromFile = 0;
    for (let round = 0; round < 400; round++) {
      const action = next(10);
      if (action < 3) {
        for (let n = next(2 * pageSize + 2); n > 0; n--) append(streams[next(streams.length)] as string, types[next(types.length)] as string);
        continue;
      }
      if (action === 3 && round % 7 === 0) {
        // A reader that starts over from a later checkpoint (a new subscription): possibly past the tail.
        const reader = readers[next(readers.length)] as (typeof readers)[number];
        reader.cursor = reader.startedAt = Math.min(head(), reader.cursor + next(3 * pageSize + 1));
        reader.got = [];
        continue;
      }
      const reader = readers[next(readers.length)] as (typeof readers)[number];
      const headNow = head();
      const page = tail.read(stmts, reader.cursor, reader.filter);
      if (!page) {
        // Behind the tail: the store reads from the file with the reader's own filter.
        fromFile++;
        const events = matching(reader.cursor, headNow, reader.filter).slice(0, pageSize);
        reader.got.push(...events);
        reader.cursor = events.length === pageSize ? Number((events.at(-1) as RecordedEvent).position) : headNow;
        continue;
      }
      fromTail++;
      // Exactly the matching events between the cursor and scannedTo, no more than a page, nothing skipped.
      expect(page.scannedTo).toBeGreaterThanOrEqual(reader.cursor);
      expect(page.scannedTo).toBeLessThanOrEqual(Math.max(headNow, reader.cursor));
      expect(page.events.map((e) => e.position)).toEqual(matching(reader.cursor, page.scannedTo, reader.filter).map((e) => e.position));
      expect(page.events.length).toBeLessThanOrEqual(pageSize);
      if (page.events.length === pageSize) expect(page.scannedTo).toBe(Number((page.events.at(-1) as RecordedEvent).position));
      if (page.caughtUp) expect(page.scannedTo).toBeGreaterThanOrEqual(headNow);
      reader.got.push(...page.events);
      reader.cursor = Math.max(reader.cursor, page.scannedTo);
    }
    // Both paths were taken, so the check above covered the tail, not only the file.
    expect(fromTail).toBeGreaterThan(10);
    expect(fromFile + fromTail).toBeGreaterThan(100);
    // Drained: each reader, through tail and file alike, got every matching event once, in order.
    for (const reader of readers) {
      for (let guard = 0; guard < 1000 && reader.cursor < head(); guard++) {
        const page = tail.read(stmts, reader.cursor, reader.filter);
        if (page) {
          reader.got.push(...page.events);
          reader.cursor = Math.max(reader.cursor, page.scannedTo);
        } else {
          const events = matching(reader.cursor, head(), reader.filter).slice(0, pageSize);
          reader.got.push(...events);
          reader.cursor = events.length === pageSize ? Number((events.at(-1) as RecordedEvent).position) : head();
        }
      }
      expect(reader.got.map((e) => e.position)).toEqual(matching(reader.startedAt, head(), reader.filter).map((e) => e.position));
      expect(reader.got.map((e) => e.id)).toEqual(matching(reader.startedAt, head(), reader.filter).map((e) => e.id));
    }
  });
});
