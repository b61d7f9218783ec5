import { CompiledQuery, sql } from 'kysely';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeReadModelContract } from './contract';
import { caseListProjection, EventLog, must, sampleHistory, type CaseListTables } from './contract-fixtures';
import { ReadModelDb } from './db';
import { isTransientSqlError, ReadModelStoreUnavailableError } from './errors';
import { ProjectionGenerations } from './generations';
import { keysetQuery, type KeysetOrder } from './keyset';
import { applyBatch, mapGeneration } from './projection';
import { openThrowawaySqlite } from './testing';

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

  it('opens the file in WAL mode with synchronous NORMAL, foreign keys off and a short busy timeout, creating its folder', async () => {
    const file = join(dir, 'pragmas', 'nested', 'read-models.sqlite');
    const db = await ReadModelDb.open({ kind: 'sqlite', file });
    try {
      expect(existsSync(file)).toBe(true);
      const pragma = async (name: string) => Object.values((await sql.raw<Record<string, unknown>>(`pragma ${name}`).execute(db.kysely)).rows[0] ?? {})[0];
      expect(await pragma('journal_mode')).toBe('wal');
      expect(await pragma('synchronous')).toBe(1);
      expect(await pragma('foreign_keys')).toBe(0);
      expect(await pragma('busy_timeout')).toBe(1000);
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

      // The reader holds one snapshot for its whole transaction while the writer commits twice.
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

  it('a second writer gets SQLITE_BUSY, a transient error', async () => {
    const t = await openThrowawaySqlite({ label: 'busy' });
    const intruder = await ReadModelDb.open({ ...(t.backend as { kind: 'sqlite'; file: string }), busyTimeoutMs: 0 });
    try {
      await t.db.transaction(async (tx) => {
        await tx.insertInto('rm_checkpoints').values({ name: 'a', position: '1', updated_seq: 1 }).execute();
        const busy = await intruder.kysely
          .insertInto('rm_checkpoints')
          .values({ name: 'b', position: '1', updated_seq: 1 })
          .execute()
          .catch((e: unknown) => e);
        expect(busy).toMatchObject({ code: 'SQLITE_BUSY' });
        expect(isTransientSqlError(busy)).toBe(true);
      });
    } finally {
      await intruder.close();
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
