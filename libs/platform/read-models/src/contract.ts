import { sql, type Kysely, type Migration } from 'kysely';
import { deleteCheckpoint, readCheckpoint, readCheckpointState, writeCheckpoint } from './checkpoints';
import { caseListProjection, EventLog, must, POISON_EVENT, sampleHistory, type CaseListTables } from './contract-fixtures';
import type { ReadModelDb } from './db';
import { CheckpointConflictError, isTransientSqlError, ReadModelMigrationError } from './errors';
import { ProjectionGenerations } from './generations';
import { decodeCursor, keysetPage, type KeysetOrder } from './keyset';
import { checkpointNameOf } from './naming';
import { applyBatch, createGenerationTables, mapGeneration, type GenerationTarget, type SqlProjection } from './projection';
import { mapTables } from './table-mapping';
import { dumpTables, indexNames, tableNames } from './inspect';
import type { AnyKysely } from './types';

/** Pages through a whole list, checking every page's size. */
async function allPages<O>(run: (after: unknown[] | undefined) => Promise<{ rows: O[]; nextCursor: string | null }>, arity: number, limit: number): Promise<O[][]> {
  const pages: O[][] = [];
  let after: unknown[] | undefined;
  for (;;) {
    const page = await run(after);
    pages.push(page.rows);
    if (page.nextCursor === null) return pages;
    expect(page.rows).toHaveLength(limit);
    after = decodeCursor(page.nextCursor, arity);
    expect(after).toBeDefined();
    if (pages.length > 1000) throw new Error('Pagination does not end');
  }
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The behaviour the read-model store must have on every engine. Run it from each backend's spec;
 * `open` returns a fresh, unmigrated store that the suite closes.
 */
/*
 * Refusals are checked with `rejects.toHaveProperty(...)`, not `rejects.toThrow()`: better-sqlite3's
 * native addon keeps the error class of the first Jest test file that loaded it, so in a later file
 * of the same worker its errors come from another vm realm, and `toThrow` does not count them.
 */
export function describeReadModelContract(name: string, open: () => Promise<ReadModelDb>): void {
  describe(`read-model store contract: ${name}`, () => {
    let db: ReadModelDb;
    beforeEach(async () => {
      db = await open();
    });
    afterEach(async () => {
      await db.close();
    });

    describe('migrations', () => {
      const createTable =
        (table: string): Migration =>
        ({
          up: async (k: AnyKysely) => {
            await k.schema.createTable(table).addColumn('id', 'text', (c) => c.primaryKey()).execute();
          },
        }) as Migration;

      it('runs the platform migrations, then the given ones in name order, each once', async () => {
        const order: string[] = [];
        const tracked = (migrationName: string): Migration => ({
          up: async (k: AnyKysely) => {
            order.push(migrationName);
            await k.schema.createTable(`t_${migrationName.slice(0, 3)}`).addColumn('id', 'integer').execute();
          },
        });
        // Given out of order on purpose.
        const applied = await db.migrate({ '002_second': tracked('002_second'), '001_first': tracked('001_first'), '010_tenth': tracked('010_tenth') });
        expect(applied).toEqual(['0001_rm_checkpoints', '0002_rm_generations', '001_first', '002_second', '010_tenth']);
        expect(order).toEqual(['001_first', '002_second', '010_tenth']);
        expect(await tableNames(db)).toEqual(expect.arrayContaining(['rm_checkpoints', 'rm_generations', 't_001', 't_002', 't_010']));

        expect(await db.migrate({ '002_second': tracked('002_second'), '001_first': tracked('001_first'), '010_tenth': tracked('010_tenth') })).toEqual([]);
        expect(order).toHaveLength(3);
      });

      it('applies only the new migrations on a later run', async () => {
        expect(await db.migrate({ '001_cases': createTable('cases_extra') })).toEqual(['0001_rm_checkpoints', '0002_rm_generations', '001_cases']);
        expect(await db.migrate({ '001_cases': createTable('cases_extra'), '002_more': createTable('more_extra') })).toEqual(['002_more']);
        expect(await db.migrate({ '001_cases': createTable('cases_extra'), '002_more': createTable('more_extra') })).toEqual([]);
      });

      it('a failing migration throws with its name and applies nothing of its run', async () => {
        await db.migrate();
        const failing = db.migrate({
          '001_ok': createTable('first_table'),
          '002_broken': { up: async (k: AnyKysely) => void (await sql`select * from table_that_is_not_there`.execute(k)) },
        });
        await expect(failing).rejects.toBeInstanceOf(ReadModelMigrationError);
        await expect(failing).rejects.toMatchObject({ migrationName: '002_broken', message: expect.stringContaining('002_broken') });
        expect(await tableNames(db)).not.toContain('first_table');
        expect(await db.migrate({ '001_ok': createTable('first_table') })).toEqual(['001_ok']);
      });

      it('refuses a new migration that sorts before one already run', async () => {
        await db.migrate({ '002_b': createTable('b_table') });
        await expect(db.migrate({ '001_a': createTable('a_table'), '002_b': createTable('b_table') })).rejects.toBeInstanceOf(ReadModelMigrationError);
      });

      it('platform tables start empty and the store answers ping', async () => {
        await db.migrate();
        await db.ping();
        expect(await db.kysely.selectFrom('rm_checkpoints').selectAll().execute()).toEqual([]);
        expect(await db.kysely.selectFrom('rm_generations').selectAll().execute()).toEqual([]);
      });
    });

    describe('after migration', () => {
      beforeEach(async () => {
        await db.migrate();
      });

      describe('checkpoints', () => {
        it('are upserted, counted and deleted', async () => {
          expect(await readCheckpoint(db.kysely, 'p@g1')).toBeUndefined();
          await db.transaction((tx) => writeCheckpoint(tx, 'p@g1', '17'));
          expect(await readCheckpoint(db.kysely, 'p@g1')).toBe('17');
          await db.transaction((tx) => writeCheckpoint(tx, 'p@g1', '42'));
          expect(await readCheckpointState(db.kysely, 'p@g1')).toEqual({ position: '42', updatedSeq: 2 });
          expect(await readCheckpoint(db.kysely, 'p@g2')).toBeUndefined();
          await db.transaction((tx) => deleteCheckpoint(tx, 'p@g1'));
          expect(await readCheckpoint(db.kysely, 'p@g1')).toBeUndefined();
        });

        it('keep opaque positions as written', async () => {
          const position = 'C:1234567890123/P:1234567890100';
          await db.transaction((tx) => writeCheckpoint(tx, 'esdb', position));
          expect(await readCheckpoint(db.kysely, 'esdb')).toBe(position);
        });
      });

      describe('applyBatch', () => {
        const projection = caseListProjection();
        let generations: ProjectionGenerations;
        let target: GenerationTarget;
        let cases: Kysely<CaseListTables>;
        const checkpoint = () => readCheckpoint(db.kysely, checkpointNameOf(projection.name, target.generation));

        beforeEach(async () => {
          generations = new ProjectionGenerations(db);
          target = await generations.beginWithTables(projection);
          cases = mapGeneration<CaseListTables>(db.kysely, target);
        });

        it('commits the writes and the checkpoint together', async () => {
          const log = new EventLog();
          log.opened('c1', '5035', '2026-03-02');
          log.opened('c2', '5035', '2026-03-01');
          log.escalated('c1', '5035', 'nav');
          await applyBatch(db, projection, target, log.all(), '3');

          expect(await checkpoint()).toBe('3');
          expect(await cases.selectFrom('case_list').select(['case_id', 'status', 'escalations']).orderBy('case_id').execute()).toEqual([
            { case_id: 'c1', status: 'escalated', escalations: 1 },
            { case_id: 'c2', status: 'open', escalations: 0 },
          ]);
          expect(await cases.selectFrom('case_counts').selectAll().orderBy('status').execute()).toEqual([
            { municipality: '5035', status: 'escalated', cases: 1 },
            { municipality: '5035', status: 'open', cases: 1 },
          ]);
        });

        it('rolls back the writes and the checkpoint when apply throws midway (SQL error)', async () => {
          const log = new EventLog();
          log.opened('c1', '5035', '2026-03-01');
          await applyBatch(db, projection, target, log.all(), '1');
          const before = await dumpTables(db, target.tables);

          const next = new EventLog();
          next.opened('c2', '5035', '2026-03-02');
          next.escalated('c1', '5035', 'arrears-team');
          next.opened('c1', '5035', '2026-03-01'); // a duplicate key, after two events' writes
          const failure = applyBatch(db, projection, target, next.all(), '4');
          await expect(failure).rejects.toHaveProperty('code', expect.stringMatching(/^(SQLITE_CONSTRAINT|23505)/));
          expect(isTransientSqlError(await failure.catch((e: unknown) => e))).toBe(false);

          expect(await checkpoint()).toBe('1');
          expect(await dumpTables(db, target.tables)).toEqual(before);
        });

        it('rolls back the writes and the checkpoint when apply throws midway (code error)', async () => {
          const log = new EventLog();
          log.opened('c1', '5035', '2026-03-01');
          log.opened('c2', '5037', '2026-03-01');
          log.append('case-5035-c1', POISON_EVENT, {});
          await expect(applyBatch(db, projection, target, log.all(), '3')).rejects.toThrow(/Poison event/);
          expect(await checkpoint()).toBeUndefined();
          expect(await dumpTables(db, target.tables)).toEqual({ case_counts: [], case_list: [] });
        });

        it('rolls back the writes when the checkpoint write fails', async () => {
          const log = new EventLog();
          log.opened('c1', '5035', '2026-03-01');
          await db.kysely.schema.alterTable('rm_checkpoints').renameTo('rm_checkpoints_away').execute();
          let failure: unknown;
          try {
            await applyBatch(db, projection, target, log.all(), '1');
          } catch (err) {
            failure = err;
          } finally {
            await db.kysely.schema.alterTable('rm_checkpoints_away').renameTo('rm_checkpoints').execute();
          }
          expect(failure).toBeDefined();
          // The store lost a table: an infrastructure fault to retry, never the event's.
          expect(isTransientSqlError(failure)).toBe(true);
          expect(await dumpTables(db, target.tables)).toEqual({ case_counts: [], case_list: [] });
        });

        it('moves the checkpoint past events the filter skipped (an empty batch)', async () => {
          await applyBatch(db, projection, target, [], '99');
          expect(await checkpoint()).toBe('99');
        });

        it('with an expected checkpoint, a second writer of the same batch commits nothing', async () => {
          const log = new EventLog();
          log.opened('c1', '5035', '2026-03-01');
          log.opened('c2', '5035', '2026-03-02');
          const [first, second] = log.batches(1).map((b) => must(b, 'a batch'));
          await applyBatch(db, projection, target, first.events, first.position, { expectedCheckpoint: null });
          await applyBatch(db, projection, target, second.events, second.position, { expectedCheckpoint: '1' });

          // A stale worker that also read checkpoint '1' and the same event.
          const stale = applyBatch(db, projection, target, second.events, second.position, { expectedCheckpoint: '1' });
          await expect(stale).rejects.toBeInstanceOf(CheckpointConflictError);
          // And one that believes nothing was applied yet.
          await expect(applyBatch(db, projection, target, first.events, first.position, { expectedCheckpoint: null })).rejects.toBeInstanceOf(
            CheckpointConflictError,
          );
          expect(await checkpoint()).toBe('2');
          expect(await cases.selectFrom('case_counts').select('cases').execute()).toEqual([{ cases: 2 }]);
        });

        it('refuses a target that does not map every table the projection owns', async () => {
          const partial = { generation: target.generation, tables: { case_list: must(target.tables['case_list']) } };
          await expect(applyBatch(db, projection, partial, [], '1')).rejects.toThrow(/case_counts/);
          await expect(applyBatch(db, projection, target, [], '')).rejects.toThrow(/non-empty/);
        });
      });

      describe('generations', () => {
        const projection = caseListProjection();
        let generations: ProjectionGenerations;
        let clock: number;
        beforeEach(() => {
          clock = 0;
          generations = new ProjectionGenerations(db, { now: () => `2026-11-26T10:00:0${clock++}.000Z` });
        });

        it('begin registers a building generation with suffixed physical names; nothing is active yet', async () => {
          const g1 = await generations.begin(projection.name, 1, projection.tables);
          expect(g1).toEqual({
            projection: 'case-list',
            generation: 1,
            version: 1,
            status: 'building',
            tables: { case_counts: 'case_counts__g1', case_list: 'case_list__g1' },
            createdAt: '2026-11-26T10:00:00.000Z',
            switchedAt: null,
          });
          expect(await generations.active(projection.name)).toBeUndefined();
          expect(await generations.list(projection.name)).toEqual([g1]);
          // Registering creates no tables; createGenerationTables does, and registers the checkpoint.
          expect(await tableNames(db)).not.toContain('case_list__g1');
          await createGenerationTables(db, projection, g1);
          expect(await tableNames(db)).toEqual(expect.arrayContaining(['case_list__g1', 'case_counts__g1']));
          expect(await readCheckpointState(db.kysely, checkpointNameOf(projection.name, 1))).toEqual({ position: null, updatedSeq: 0 });
        });

        it('two generations keep their own tables and indexes side by side, and switch in one step', async () => {
          const g1 = await generations.beginWithTables(projection);
          await generations.switchTo(projection.name, g1.generation);
          const g2 = await generations.beginWithTables(caseListProjection({ version: 2 }));
          expect(g2.generation).toBe(2);

          expect(await indexNames(db, 'case_list__g1')).toEqual(
            expect.arrayContaining(['case_list_municipality_opened_idx__g1', 'case_list_municipality_recent_idx__g1']),
          );
          expect(await indexNames(db, 'case_list__g2')).toEqual(
            expect.arrayContaining(['case_list_municipality_opened_idx__g2', 'case_list_municipality_recent_idx__g2']),
          );
          if (db.dialect === 'postgres') {
            // Named constraints get the suffix too: PostgreSQL names their indexes after them.
            expect(await indexNames(db, 'case_counts__g1')).toEqual(['case_counts_pk__g1']);
            expect(await indexNames(db, 'case_counts__g2')).toEqual(['case_counts_pk__g2']);
          }

          // Writes to one generation do not reach the other.
          const log = new EventLog();
          log.opened('c1', '5035', '2026-03-01');
          await applyBatch(db, projection, g2, log.all(), '1');
          expect(await dumpTables(db, g1.tables)).toEqual({ case_counts: [], case_list: [] });
          expect((await dumpTables(db, g2.tables))['case_list']).toHaveLength(1);

          expect(await generations.active(projection.name)).toEqual({ generation: 1, version: 1, tables: g1.tables });
          await generations.switchTo(projection.name, 2);
          expect(await generations.active(projection.name)).toEqual({ generation: 2, version: 2, tables: g2.tables });
          expect((await generations.list(projection.name)).map((g) => [g.generation, g.status, g.switchedAt])).toEqual([
            [1, 'retired', '2026-11-26T10:00:01.000Z'],
            [2, 'active', '2026-11-26T10:00:03.000Z'],
          ]);
          // Switching again to the active one changes nothing.
          await generations.switchTo(projection.name, 2);
          expect((await generations.active(projection.name))?.generation).toBe(2);
        });

        it('dropRetired drops the retired tables, their indexes, checkpoints and rows, and nothing else', async () => {
          const g1 = await generations.beginWithTables(projection);
          await applyBatch(db, projection, g1, [], '5');
          await generations.switchTo(projection.name, 1);
          const g2 = await generations.beginWithTables(projection);
          await generations.switchTo(projection.name, 2);
          const other = await generations.beginWithTables(caseListProjection({ name: 'case-list-other' }));
          await generations.switchTo('case-list-other', other.generation);

          expect(await generations.dropRetired(projection.name)).toEqual([1]);
          expect(await generations.dropRetired(projection.name)).toEqual([]);

          const tables = await tableNames(db);
          expect(tables).not.toContain('case_list__g1');
          expect(tables).not.toContain('case_counts__g1');
          expect(tables).toEqual(expect.arrayContaining(['case_list__g2', 'case_counts__g2']));
          expect(await indexNames(db, 'case_list__g1')).toEqual([]);
          expect(await readCheckpoint(db.kysely, checkpointNameOf(projection.name, 1))).toBeUndefined();
          expect((await generations.list(projection.name)).map((g) => g.generation)).toEqual([2]);
          expect(await generations.active('case-list-other')).toEqual({ generation: 1, version: 1, tables: other.tables });

          // A reader still holding the old generation gets an error to retry after resolving again.
          const stale = await mapGeneration<CaseListTables>(db.kysely, g1)
            .selectFrom('case_list')
            .selectAll()
            .execute()
            .catch((e: unknown) => e);
          expect(isTransientSqlError(stale)).toBe(true);
          expect(g2.tables['case_list']).toBe('case_list__g2');
        });

        it('abandon drops a building generation; active and retired ones are refused', async () => {
          await generations.beginWithTables(projection);
          await generations.switchTo(projection.name, 1);
          const g2 = await generations.beginWithTables(projection);
          await applyBatch(db, projection, g2, [], '3');

          await generations.abandon(projection.name, 2);
          expect(await tableNames(db)).not.toContain('case_list__g2');
          expect(await readCheckpoint(db.kysely, checkpointNameOf(projection.name, 2))).toBeUndefined();
          expect(await generations.get(projection.name, 2)).toBeUndefined();
          await generations.abandon(projection.name, 2); // already gone: nothing to do

          await expect(generations.abandon(projection.name, 1)).rejects.toThrow(/active/);
          // The number is free again, and the new generation starts clean.
          const again = await generations.beginWithTables(projection);
          expect(again.generation).toBe(2);
          expect(await readCheckpointState(db.kysely, checkpointNameOf(projection.name, 2))).toEqual({ position: null, updatedSeq: 0 });
          await generations.switchTo(projection.name, 2);
          await expect(generations.switchTo(projection.name, 1)).rejects.toThrow(/retired/);
          await expect(generations.switchTo(projection.name, 7)).rejects.toThrow(/no generation 7/);
        });

        it('the database itself refuses a second active generation', async () => {
          await generations.beginWithTables(projection);
          await generations.beginWithTables(projection);
          await generations.switchTo(projection.name, 1);
          await expect(
            db.kysely.updateTable('rm_generations').set({ status: 'active' }).where('projection', '=', projection.name).where('generation', '=', 2).execute(),
          ).rejects.toHaveProperty('message');
          await expect(db.kysely.updateTable('rm_generations').set({ status: 'finished' }).where('generation', '=', 2).execute()).rejects.toHaveProperty('message');
        });

        it('beginWithTables registers nothing when creating the tables fails', async () => {
          const broken: SqlProjection<CaseListTables> = {
            ...projection,
            async createTables(k) {
              await projection.createTables(k);
              await sql`create table ${sql.table('case_list')} (x integer)`.execute(k);
            },
          };
          await expect(generations.beginWithTables(broken)).rejects.toHaveProperty('message');
          expect(await generations.list(projection.name)).toEqual([]);
          expect(await tableNames(db)).not.toContain('case_list__g1');
          expect(await readCheckpointState(db.kysely, checkpointNameOf(projection.name, 1))).toBeUndefined();
        });

        it('begin validates versions and logical table names', async () => {
          await expect(generations.begin('p', 0, ['case_list'])).rejects.toThrow(/version/);
          await expect(generations.begin('p', 1, [])).rejects.toThrow(/at least one/);
          await expect(generations.begin('p', 1, ['Case List'])).rejects.toThrow(/Invalid logical table/);
          await expect(generations.begin('p', 1, ['case__g1'])).rejects.toThrow(/__g/);
          await expect(generations.begin('p', 1, ['a', 'a'])).rejects.toThrow(/twice/);
          await expect(generations.begin('p', 1, ['x'.repeat(60)])).rejects.toThrow(/63 bytes/);
          expect(await generations.list('p')).toEqual([]);
        });
      });

      describe('table mapping', () => {
        const g1 = { case_list: 'case_list__g1', case_counts: 'case_counts__g1' };
        const g2 = { case_list: 'case_list__g2', case_counts: 'case_counts__g2' };
        let one: Kysely<CaseListTables>;
        let two: Kysely<CaseListTables>;
        beforeEach(async () => {
          one = mapTables<CaseListTables>(db.kysely, g1, '__g1');
          two = mapTables<CaseListTables>(db.kysely, g2); // suffix inferred
          for (const k of [one, two]) await caseListProjection().createTables(k);
        });

        const row = (caseId: string, municipality: string, openedOn: string) => ({
          case_id: caseId,
          municipality,
          tenancy_id: `t-${caseId}`,
          status: 'open' as const,
          opened_on: openedOn,
          closed_on: null,
          escalated_to: null,
          escalations: 0,
        });

        it('schema statements create and drop physical tables and suffixed indexes', async () => {
          expect(await tableNames(db)).toEqual(expect.arrayContaining(['case_list__g1', 'case_list__g2', 'case_counts__g1', 'case_counts__g2']));
          await two.schema.alterTable('case_list').addColumn('note', 'text').execute();
          await two.schema.createIndex('case_list_status_idx').on('case_list').columns(['status', 'case_id']).execute();
          expect(await indexNames(db, 'case_list__g2')).toContain('case_list_status_idx__g2');
          await two.schema.dropIndex('case_list_status_idx').execute();
          expect(await indexNames(db, 'case_list__g2')).not.toContain('case_list_status_idx__g2');
          await two.insertInto('case_list').values(row('c1', '5035', '2026-03-01')).execute();
          expect(await two.selectFrom('case_list').select('case_id').execute()).toEqual([{ case_id: 'c1' }]);
          await two.schema.dropTable('case_list').execute();
          expect(await tableNames(db)).not.toContain('case_list__g2');
          expect(await tableNames(db)).toContain('case_list__g1');
        });

        it('insert, select with qualified references, update and delete reach the physical table', async () => {
          await one.insertInto('case_list').values([row('c1', '5035', '2026-03-01'), row('c2', '5037', '2026-03-02'), row('c3', '5035', '2026-03-03')]).execute();
          await one
            .updateTable('case_list')
            .set((eb) => ({ escalations: eb('case_list.escalations', '+', 2) }))
            .where('case_list.municipality', '=', '5035')
            .execute();
          await one.deleteFrom('case_list').where('case_list.case_id', '=', 'c3').execute();
          expect(
            await one
              .selectFrom('case_list')
              .select(['case_list.case_id', 'case_list.escalations'])
              .where('case_list.opened_on', '>=', '2026-03-01')
              .orderBy('case_list.case_id')
              .execute(),
          ).toEqual([
            { case_id: 'c1', escalations: 2 },
            { case_id: 'c2', escalations: 0 },
          ]);
          // Nothing went to the other generation or to a table under the logical name.
          expect(await two.selectFrom('case_list').selectAll().execute()).toEqual([]);
          expect(await tableNames(db)).not.toContain('case_list');
        });

        it('upserts: on conflict do update (with excluded and the target table) and do nothing', async () => {
          const upsert = (municipality: string, status: string, cases: number) =>
            one
              .insertInto('case_counts')
              .values({ municipality, status, cases })
              .onConflict((oc) =>
                oc
                  .columns(['municipality', 'status'])
                  .doUpdateSet((eb) => ({ cases: eb('case_counts.cases', '+', eb.ref('excluded.cases')) }))
                  .where('case_counts.cases', '<', 100),
              )
              .execute();
          await upsert('5035', 'open', 1);
          await upsert('5035', 'open', 2);
          await upsert('5037', 'open', 1);
          await one.insertInto('case_list').values(row('c1', '5035', '2026-03-01')).execute();
          await one
            .insertInto('case_list')
            .values({ ...row('c1', '5035', '2026-03-09'), status: 'closed' })
            .onConflict((oc) => oc.column('case_id').doNothing())
            .execute();
          expect(await one.selectFrom('case_counts').select(['municipality', 'cases']).orderBy('municipality').execute()).toEqual([
            { municipality: '5035', cases: 3 },
            { municipality: '5037', cases: 1 },
          ]);
          expect(await one.selectFrom('case_list').select(['opened_on', 'status']).execute()).toEqual([{ opened_on: '2026-03-01', status: 'open' }]);
        });

        it('joins, subqueries, CTEs, insert-select and returning', async () => {
          await one.insertInto('case_list').values([row('c1', '5035', '2026-03-01'), row('c2', '5035', '2026-03-02'), row('c3', '5037', '2026-03-01')]).execute();
          // insert ... select, grouped: the counts derived from the list.
          await one
            .insertInto('case_counts')
            .columns(['municipality', 'status', 'cases'])
            .expression((eb) =>
              eb
                .selectFrom('case_list')
                .select((s) => ['case_list.municipality', 'case_list.status', s.fn.countAll<number>().as('cases')])
                .groupBy(['case_list.municipality', 'case_list.status']),
            )
            .execute();

          const joined = await one
            .selectFrom('case_list as c')
            .innerJoin('case_counts', (j) => j.onRef('case_counts.municipality', '=', 'c.municipality').onRef('case_counts.status', '=', 'c.status'))
            .leftJoin('case_list as twin', (j) => j.onRef('twin.municipality', '=', 'c.municipality').onRef('twin.case_id', '<>', 'c.case_id'))
            .select(['c.case_id', 'case_counts.cases', 'twin.case_id as twin_id'])
            .select((eb) =>
              eb
                .selectFrom('case_list as inner_list')
                .select((s) => s.fn.countAll<number>().as('n'))
                .whereRef('inner_list.opened_on', '<=', 'c.opened_on')
                .as('opened_no_later'),
            )
            .orderBy('c.case_id')
            .execute();
          expect(joined).toEqual([
            { case_id: 'c1', cases: 2, twin_id: 'c2', opened_no_later: 2 },
            { case_id: 'c2', cases: 2, twin_id: 'c1', opened_no_later: 3 },
            { case_id: 'c3', cases: 1, twin_id: null, opened_no_later: 2 },
          ]);

          const cte = await one
            .with('busy', (w) => w.selectFrom('case_counts').select('municipality').where('cases', '>', 1))
            .selectFrom('case_list')
            .innerJoin('busy', 'busy.municipality', 'case_list.municipality')
            .select('case_list.case_id')
            .orderBy('case_list.case_id')
            .execute();
          expect(cte).toEqual([{ case_id: 'c1' }, { case_id: 'c2' }]);

          const updated = await one
            .updateTable('case_list')
            .set({ escalations: 1 })
            .where('municipality', 'in', (eb) => eb.selectFrom('case_counts').select('municipality').where('cases', '=', 2))
            .returning(['case_id'])
            .execute();
          expect(updated.map((r) => r.case_id).sort()).toEqual(['c1', 'c2']);
          const closed = await one
            .updateTable('case_list')
            .set({ status: 'closed' })
            .where((eb) => eb.exists(eb.selectFrom('case_counts').select('cases').whereRef('case_counts.municipality', '=', 'case_list.municipality').where('case_counts.cases', '=', 1)))
            .returning(['case_id', 'status'])
            .execute();
          expect(closed).toEqual([{ case_id: 'c3', status: 'closed' }]);
          const deleted = await one
            .deleteFrom('case_list')
            .where((eb) => eb.not(eb.exists(eb.selectFrom('case_counts').select('cases').whereRef('case_counts.status', '=', 'case_list.status'))))
            .returning('case_id')
            .execute();
          expect(deleted).toEqual([{ case_id: 'c3' }]);

          const raw = await sql<{ n: number }>`select count(*) as n from ${sql.table('case_list')} where ${sql.ref('case_list.municipality')} = ${'5035'}`.execute(one);
          expect(Number(must(raw.rows[0]).n)).toBe(2);
        });

        it('leaves tables outside the map alone, so platform tables stay reachable', async () => {
          await one.transaction().execute((tx) => writeCheckpoint(tx, 'mapped', '7'));
          expect(await readCheckpoint(one as AnyKysely, 'mapped')).toBe('7');
        });
      });

      describe('keyset pagination', () => {
        const projection = caseListProjection();
        let cases: Kysely<CaseListTables>;
        let all: CaseListTables['case_list'][];
        beforeEach(async () => {
          const generations = new ProjectionGenerations(db);
          const g = await generations.beginWithTables(projection);
          await applyBatch(db, projection, g, sampleHistory(24).all(), '999');
          cases = mapGeneration<CaseListTables>(db.kysely, g);
          all = await cases.selectFrom('case_list').selectAll().execute();
          expect(all).toHaveLength(24);
        });

        const sorted = (rows: CaseListTables['case_list'][], order: readonly KeysetOrder[]) =>
          [...rows].sort((a, b) => {
            for (const { column, direction } of order) {
              const key = column.slice(column.lastIndexOf('.') + 1) as keyof CaseListTables['case_list'];
              const c = compareText(String(a[key]), String(b[key]));
              if (c !== 0) return direction === 'asc' ? c : -c;
            }
            return 0;
          });

        const cases1 = [
          { name: 'ascending keys with ties', order: [{ column: 'opened_on', direction: 'asc' }, { column: 'case_id', direction: 'asc' }], limit: 4 },
          { name: 'mixed directions', order: [{ column: 'opened_on', direction: 'desc' }, { column: 'case_id', direction: 'asc' }], limit: 3 },
          { name: 'both descending', order: [{ column: 'opened_on', direction: 'desc' }, { column: 'case_id', direction: 'desc' }], limit: 5 },
          {
            name: 'three keys, mixed',
            order: [{ column: 'status', direction: 'asc' }, { column: 'case_list.opened_on', direction: 'desc' }, { column: 'case_id', direction: 'asc' }],
            limit: 2,
          },
          { name: 'a single unique key', order: [{ column: 'case_id', direction: 'desc' }], limit: 7 },
        ] as const;

        it.each(cases1)('$name: pages cover the list once, in order', async ({ order, limit }) => {
          const pages = await allPages(
            (after) => keysetPage(cases.selectFrom('case_list').selectAll(), { order, after, limit }),
            order.length,
            limit,
          );
          expect(pages.flat().map((r) => r.case_id)).toEqual(sorted(all, order).map((r) => r.case_id));
          expect(pages.length).toBe(Math.ceil(all.length / limit));
        });

        it('scoped to a municipality, and the last full page says there is no next one', async () => {
          const order = [
            { column: 'opened_on', direction: 'asc' },
            { column: 'case_id', direction: 'asc' },
          ] as const;
          const mine = sorted(
            all.filter((r) => r.municipality === '5037'),
            order,
          );
          expect(mine).toHaveLength(8);
          const pages = await allPages(
            (after) => keysetPage(cases.selectFrom('case_list').select(['case_id', 'opened_on']).where('municipality', '=', '5037'), { order, after, limit: 4 }),
            2,
            4,
          );
          expect(pages.map((p) => p.length)).toEqual([4, 4]);
          expect(pages.flat().map((r) => r.case_id)).toEqual(mine.map((r) => r.case_id));
        });

        it('an empty list is one empty last page', async () => {
          const page = await keysetPage(cases.selectFrom('case_list').selectAll().where('municipality', '=', '0301'), {
            order: [{ column: 'case_id', direction: 'asc' }],
            limit: 10,
          });
          expect(page).toEqual({ rows: [], nextCursor: null });
        });

        it('refuses order columns missing from the row, bad limits and cursors of the wrong arity', async () => {
          const order = [
            { column: 'opened_on', direction: 'asc' },
            { column: 'case_id', direction: 'asc' },
          ] as const;
          await expect(keysetPage(cases.selectFrom('case_list').select('case_id'), { order, limit: 1 })).rejects.toThrow(/opened_on/);
          await expect(keysetPage(cases.selectFrom('case_list').selectAll(), { order, limit: 0 })).rejects.toThrow(/Page size/);
          await expect(keysetPage(cases.selectFrom('case_list').selectAll(), { order, after: ['x'], limit: 1 })).rejects.toThrow(/2 order columns/);
        });
      });

      describe('rebuild', () => {
        it('a rebuild into a new generation from the same events gives identical tables, then takes over', async () => {
          const projection = caseListProjection();
          const history = sampleHistory(24);
          const generations = new ProjectionGenerations(db);

          const g1 = await generations.beginWithTables(projection);
          for (const batch of history.batches(5)) await applyBatch(db, projection, g1, batch.events, batch.position);
          await generations.switchTo(projection.name, 1);

          // The rebuild: the same events, one big batch, while queries read generation 1.
          const g2 = await generations.beginWithTables(caseListProjection({ version: 2 }));
          await applyBatch(db, projection, g2, history.all(), must(history.all().at(-1)).position);

          const dump1 = await dumpTables(db, g1.tables);
          const dump2 = await dumpTables(db, g2.tables);
          expect(dump2).toEqual(dump1);
          expect(dump1['case_list']).toHaveLength(24);
          expect(must(dump1['case_counts']).length).toBeGreaterThan(2);
          expect(await readCheckpoint(db.kysely, checkpointNameOf(projection.name, 2))).toBe(await readCheckpoint(db.kysely, checkpointNameOf(projection.name, 1)));

          await generations.switchTo(projection.name, 2);
          expect(await generations.dropRetired(projection.name)).toEqual([1]);
          const active = must(await generations.active(projection.name), 'the active generation');
          expect(active.version).toBe(2);
          const reader = mapGeneration<CaseListTables>(db.kysely, active);
          const open = await reader.selectFrom('case_counts').select(['municipality', 'cases']).where('status', '=', 'open').orderBy('municipality').execute();
          const expected = must(dump2['case_counts']).filter((r) => r['status'] === 'open').map((r) => ({ municipality: r['municipality'], cases: r['cases'] }));
          expect(open).toEqual(expected.sort((a, b) => compareText(String(a.municipality), String(b.municipality))));
        });
      });
    });
  });
}
