import { CompiledQuery, sql } from 'kysely';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeReadModelContract } from './contract';
import { caseListProjection, EventLog, must, sampleHistory, type CaseListTables } from './contract-fixtures';
import { ReadModelDb, type ReadModelBackend } from './db';
import { isTransientSqlError, ReadModelStoreUnavailableError } from './errors';
import { ProjectionGenerations } from './generations';
import { keysetQuery, type KeysetOrder } from './keyset';
import { applyBatch, mapGeneration } from './projection';
import { openThrowawaySqlite, type ThrowawayReadModelDb } from './testing';
import type { AnyKysely, AnyTransaction } from './types';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** Lets pending promise callbacks run (a handful suffice; many more for slack) without a turn of the event loop. */
async function drainPromiseJobs(): Promise<void> {
  for (let i = 0; i < 50; i++) await null;
}
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const dir = mkdtempSync(join(tmpdir(), 'evp-rm-sqlite-contract-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
describeReadModelContract('sqlite', () => ReadModelDb.open({ kind: 'sqlite', file: join(dir, `store-${++n}`, 'read-models.sqlite') }));

describe('SQLite read-model store', () => {
  const projection = caseListProjection();
  const countCases = async (db: ReadModelDb) => {
    const active = await new ProjectionGenerations(db).active(projection.name);
    if (!active) return undefined;
    const row = await mapGeneration<CaseListTables>(db.kysely, active)
      .selectFrom('case_list')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return row.n;
  };
  /** Another writer on the same file, with its own busy wait. */
  const openWriter = (t: ThrowawayReadModelDb, busyTimeoutMs: number) => ReadModelDb.open({ ...(t.backend as Extract<ReadModelBackend, { kind: 'sqlite' }>), busyTimeoutMs });
  const insertCheckpoint = (db: AnyKysely | AnyTransaction, name: string) => db.insertInto('rm_checkpoints').values({ name, position: '1', updated_seq: 1 }).execute();
  const checkpointNames = async (db: ReadModelDb | AnyTransaction) => {
    const kysely = db instanceof ReadModelDb ? db.kysely : db;
    const rows = await kysely.selectFrom('rm_checkpoints').select('name').orderBy('name').execute();
    return rows.map((r) => r.name as string);
  };
  /** `intruder` writes 'b' while `t.db`'s transaction holds the lock having written 'a': what it met, and after how long. */
  const intrudeWhileLocked = async (t: ThrowawayReadModelDb, intruder: ReadModelDb) => {
    let met: { error: unknown; waitedMs: number } | undefined;
    await t.db.transaction(async (tx) => {
      await insertCheckpoint(tx, 'a');
      const startedAt = performance.now();
      const error = await insertCheckpoint(intruder.kysely, 'b').catch((e: unknown) => e);
      met = { error, waitedMs: performance.now() - startedAt };
    });
    return met as { error: unknown; waitedMs: number };
  };
  /**
   * `db` writes 'a' in a transaction it holds open across awaits (as a projection batch does)
   * until `release`; `wrote` resolves once the write is in, `done` when the transaction ends.
   */
  const holdWriteLock = (db: ReadModelDb) => {
    const release = deferred();
    const wrote = deferred();
    const done = db.transaction(async (tx) => {
      await insertCheckpoint(tx, 'a');
      wrote.resolve();
      await release.promise;
    });
    // A failed assertion must not leave the transaction pending while the store closes: await `settled()` in `finally`.
    const settled = async () => {
      release.resolve();
      await done.catch(() => undefined);
    };
    return { wrote: wrote.promise, release: release.resolve, done, settled };
  };

  it('opens the file in WAL mode with synchronous NORMAL, foreign keys off and no busy timeout in SQLite (the wait is on timers), creating its folder', async () => {
    const file = join(dir, 'pragmas', 'nested', 'read-models.sqlite');
    const db = await ReadModelDb.open({ kind: 'sqlite', file });
    try {
      expect(existsSync(file)).toBe(true);
      const pragma = async (name: string) => Object.values((await sql.raw<Record<string, unknown>>(`pragma ${name}`).execute(db.kysely)).rows[0] ?? {})[0];
      expect(await pragma('journal_mode')).toBe('wal');
      expect(await pragma('synchronous')).toBe(1);
      expect(await pragma('foreign_keys')).toBe(0);
      // Zero: SQLite's own busy wait sleeps inside the call and would freeze the event loop; a
      // statement that meets another connection's lock is tried again on timers (BusyRetry) instead.
      expect(await pragma('busy_timeout')).toBe(0);
      expect(await pragma('cache_size')).toBe(-32 * 1024);
      expect(db.dialect).toBe('sqlite');
    } finally {
      await db.close();
      await db.close(); // closing twice is harmless (shutdown hooks race)
    }
  });

  it('a read-only connection on the same file sees committed rows and never blocks the writer', async () => {
    const file = join(dir, 'reader', 'read-models.sqlite');
    // No busy wait at all: if the reader held anything the writer needs, the writer would fail at once.
    const writer = await ReadModelDb.open({ kind: 'sqlite', file, busyTimeoutMs: 0 });
    await writer.migrate();
    const generations = new ProjectionGenerations(writer);
    const g = await generations.beginWithTables(projection);
    await generations.switchTo(projection.name, g.generation);
    const reader = await ReadModelDb.open({ kind: 'sqlite', file, readonly: true, busyTimeoutMs: 0 });
    try {
      expect(reader.readOnly).toBe(true);
      const log = sampleHistory(24);
      const [first, second, third] = log.batches(8).map((b) => must(b, 'a batch'));
      await applyBatch(writer, projection, g, first.events, first.position);
      expect(await countCases(reader)).toBe(8);

      // The reader holds one snapshot for its whole transaction while the writer (busyTimeoutMs 0)
      // commits twice: the reader's `begin` stays deferred and takes no write lock.
      const seen = await reader.transaction(async (rtx) => {
        const count = () =>
          mapGeneration<CaseListTables>(rtx, g)
            .selectFrom('case_list')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow();
        const before = await count();
        await applyBatch(writer, projection, g, second.events, second.position);
        await applyBatch(writer, projection, g, third.events, third.position);
        const during = await count();
        return [before.n, during.n];
      });
      expect(seen).toEqual([8, 8]);
      expect(await countCases(reader)).toBe(24);

      // Uncommitted writes stay invisible to the reader.
      await writer.transaction(async (wtx) => {
        await mapGeneration<CaseListTables>(wtx, g)
          .insertInto('case_list')
          .values({ case_id: 'x', municipality: '5035', tenancy_id: 't', status: 'open', opened_on: '2026-05-01', closed_on: null, escalated_to: null, escalations: 0 })
          .execute();
        expect(await countCases(reader)).toBe(24);
      });
      expect(await countCases(reader)).toBe(25);
    } finally {
      await reader.close();
      await writer.close();
    }
  });

  it('a read-only connection refuses migrations and writes, as deterministic errors', async () => {
    const t = await openThrowawaySqlite({ label: 'readonly' });
    try {
      const reader = await t.openAnother({ readonly: true });
      await expect(reader.migrate()).rejects.toThrow(/read-only/);
      const write = await reader.kysely
        .insertInto('rm_checkpoints')
        .values({ name: 'x', position: '1', updated_seq: 1 })
        .execute()
        .catch((e: unknown) => e);
      expect(write).toMatchObject({ code: 'SQLITE_READONLY' });
      expect(isTransientSqlError(write)).toBe(false);
    } finally {
      await t.dispose();
    }
  });

  it('a reader opened before the worker created the file fails transiently', async () => {
    for (const file of [join(dir, 'missing', 'read-models.sqlite'), join(dir, 'not-yet.sqlite')]) {
      const failure = await ReadModelDb.open({ kind: 'sqlite', file, readonly: true }).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(ReadModelStoreUnavailableError);
      expect(isTransientSqlError(failure)).toBe(true);
    }
  });

  it('a second writer with busyTimeoutMs 0 fails at once as unavailable, a transient error, and writes nothing', async () => {
    const t = await openThrowawaySqlite({ label: 'busy' });
    const intruder = await openWriter(t, 0);
    try {
      const { error: busy, waitedMs } = await intrudeWhileLocked(t, intruder);
      expect(waitedMs).toBeLessThan(1_000);
      expect(busy).toBeInstanceOf(ReadModelStoreUnavailableError);
      expect(busy).toMatchObject({ code: 'READ_MODEL_STORE_UNAVAILABLE', message: expect.stringMatching(/locked by another process for 0 ms \(SQLITE_BUSY\)/) });
      expect(isTransientSqlError(busy)).toBe(true);
      expect(await checkpointNames(t.db)).toEqual(['a']);
    } finally {
      await intruder.close();
      await t.dispose();
    }
  });

  it('a second writer with a larger busyTimeoutMs waits about that long, not at once, then fails as unavailable', async () => {
    const t = await openThrowawaySqlite({ label: 'busy-wait' });
    const intruder = await openWriter(t, 300);
    try {
      const { error: busy, waitedMs: waited } = await intrudeWhileLocked(t, intruder);
      // The deadline is measured on the same monotonic clock from a later start: never short of it.
      expect(waited).toBeGreaterThanOrEqual(295);
      expect(waited).toBeLessThan(2_000);
      expect(busy).toBeInstanceOf(ReadModelStoreUnavailableError);
      expect(busy).toMatchObject({ message: expect.stringMatching(/locked by another process for 300 ms/) });
      expect(isTransientSqlError(busy)).toBe(true);
      expect(await checkpointNames(t.db)).toEqual(['a']);
    } finally {
      await intruder.close();
      await t.dispose();
    }
  });

  it('a writer waiting for another writer\'s transaction keeps the event loop free, then runs and commits after it', async () => {
    const t = await openThrowawaySqlite({ label: 'two-writers' });
    const b = await openWriter(t, 2_000);
    let a: ReturnType<typeof holdWriteLock> | undefined;
    let releasedAt = Number.POSITIVE_INFINITY;
    let ticks = 0;
    let maxGap = 0;
    let lastTick = performance.now();
    const interval = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - lastTick);
      lastTick = now;
      ticks++;
    }, 5);
    try {
      a = holdWriteLock(t.db);
      await a.wrote;
      const held = a;
      lastTick = performance.now();
      let bBeganAt = 0;
      const bDone = b.transaction(async (tx) => {
        bBeganAt = performance.now();
        // B reads first: its snapshot must already hold A's commit (with a deferred `begin` it would
        // not, and B's write would then fail with SQLITE_BUSY_SNAPSHOT).
        const seen = await checkpointNames(tx);
        await insertCheckpoint(tx, 'b');
        return seen;
      });
      setTimeout(() => {
        releasedAt = performance.now();
        held.release();
      }, 300);
      await held.done;
      const seenByB = await bDone;
      const tickedWhileWaiting = ticks;

      expect(bBeganAt).toBeGreaterThanOrEqual(releasedAt);
      expect(seenByB).toEqual(['a']);
      // A 5 ms interval over ~300 ms of waiting: a blocking busy wait would stall it for the whole hold.
      expect(tickedWhileWaiting).toBeGreaterThanOrEqual(10);
      expect(maxGap).toBeLessThan(100);
      expect(await checkpointNames(t.db)).toEqual(['a', 'b']);
    } finally {
      clearInterval(interval);
      await a?.settled();
      await b.close();
      await t.dispose();
    }
  });

  it('a writer\'s transaction takes the write lock at BEGIN (BEGIN IMMEDIATE), before its first write', async () => {
    const t = await openThrowawaySqlite({ label: 'immediate' });
    const a = await openWriter(t, 0);
    try {
      const failure = await t.db.transaction(async (tx) => {
        // B (t.db) has only read so far. A deferred `begin` would hold no write lock now: A's insert
        // would commit, and B's write below would then fail with SQLITE_BUSY_SNAPSHOT.
        expect(await checkpointNames(tx)).toEqual([]);
        const startedAt = performance.now();
        const error = await insertCheckpoint(a.kysely, 'a').catch((e: unknown) => e);
        expect(performance.now() - startedAt).toBeLessThan(1_000);
        await insertCheckpoint(tx, 'b');
        return error;
      });
      expect(failure).toBeInstanceOf(ReadModelStoreUnavailableError);
      expect(isTransientSqlError(failure)).toBe(true);
      expect(await checkpointNames(t.db)).toEqual(['b']);
      expect(await checkpointNames(a)).toEqual(['b']);
    } finally {
      await a.close();
      await t.dispose();
    }
  });

  it('close() ends a statement waiting for the lock at once, as unavailable, and nothing is written', async () => {
    const t = await openThrowawaySqlite({ label: 'close-waiting' });
    const b = await openWriter(t, 10_000);
    const a = holdWriteLock(t.db);
    try {
      await a.wrote;
      let settled = false;
      const waiting = insertCheckpoint(b.kysely, 'b').then(
        () => undefined,
        (e: unknown) => e,
      );
      void waiting.finally(() => (settled = true));
      // Let it meet the lock and go to sleep on its timers.
      await sleep(100);
      expect(settled).toBe(false);

      const closedAt = performance.now();
      await b.close();
      // close() wakes the sleeping retry itself: the statement gives up within the promise jobs
      // that follow, during which no timer can fire, not at its next backoff timer.
      await drainPromiseJobs();
      expect(settled).toBe(true);
      const failure = await waiting;
      expect(performance.now() - closedAt).toBeLessThan(1_000);
      expect(failure).toBeInstanceOf(ReadModelStoreUnavailableError);
      expect(failure).toMatchObject({ message: expect.stringMatching(/closed/) });
      expect(isTransientSqlError(failure)).toBe(true);

      a.release();
      await a.done;
      expect(await checkpointNames(t.db)).toEqual(['a']);
    } finally {
      await a.settled();
      await b.close();
      await t.dispose();
    }
  });

  it('keyset pages are index range scans in the list order (EXPLAIN QUERY PLAN)', async () => {
    const t = await openThrowawaySqlite({ label: 'explain' });
    try {
      const g = await new ProjectionGenerations(t.db).beginWithTables(projection);
      await applyBatch(t.db, projection, g, sampleHistory(24).all(), '1');
      const cases = mapGeneration<CaseListTables>(t.db.kysely, g);
      const plans: Array<[KeysetOrder[], string]> = [
        [
          [
            { column: 'opened_on', direction: 'asc' },
            { column: 'case_id', direction: 'asc' },
          ],
          'case_list_municipality_opened_idx__g1',
        ],
        [
          [
            { column: 'opened_on', direction: 'desc' },
            { column: 'case_id', direction: 'asc' },
          ],
          'case_list_municipality_recent_idx__g1',
        ],
        [
          [
            { column: 'opened_on', direction: 'desc' },
            { column: 'case_id', direction: 'desc' },
          ],
          // Read backwards.
          'case_list_municipality_opened_idx__g1',
        ],
      ];
      for (const [order, index] of plans) {
        const query = keysetQuery(cases.selectFrom('case_list').selectAll().where('municipality', '=', '5035'), {
          order,
          after: ['2026-03-02', 'c005'],
          limit: 10,
        }).compile();
        const plan = await t.db.kysely.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]));
        const details = plan.rows.map((r) => r.detail);
        expect(details).toEqual([expect.stringMatching(new RegExp(`^SEARCH case_list__g1 USING (COVERING )?INDEX ${index} \\(municipality=\\? AND opened_on[<>]=?\\?\\)$`))]);
        // No sort step: the index delivers the order.
        expect(details.join('\n')).not.toMatch(/TEMP B-TREE/);
      }
    } finally {
      await t.dispose();
    }
  });

  it('throwaway stores are removed by dispose', async () => {
    const t = await openThrowawaySqlite({ label: 'dispose' });
    const file = (t.backend as { file: string }).file;
    const log = new EventLog();
    log.opened('c1', '5035', '2026-03-01');
    const g = await new ProjectionGenerations(t.db).beginWithTables(projection);
    await applyBatch(t.db, projection, g, log.all(), '1');
    expect(existsSync(file)).toBe(true);
    await t.dispose();
    expect(existsSync(file)).toBe(false);
  });
});
