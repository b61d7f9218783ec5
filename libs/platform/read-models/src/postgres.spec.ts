import { sql } from 'kysely';
import { Client } from 'pg';
import { describeReadModelContract } from './contract';
import { caseListProjection, EventLog, must, type CaseListTables } from './contract-fixtures';
import { ReadModelDb } from './db';
import { CheckpointConflictError, isTransientSqlError } from './errors';
import { ProjectionGenerations } from './generations';
import { applyBatch, mapGeneration } from './projection';
import { readCheckpoint } from './checkpoints';
import type { AnyKysely } from './types';
import { checkpointNameOf } from './naming';
import { dropTestSchema, dumpTables, openThrowawayPostgres, TEST_POSTGRES_URL, uniqueTestSchema, type ThrowawayReadModelDb } from './testing';

const schemas: string[] = [];
// The contract suite makes a schema per store it opens (about a hundred): dropping them all takes
// seconds, more on a busy machine, so this hook gets a minute rather than Jest's default five seconds.
afterAll(async () => {
  for (const schema of schemas) await dropTestSchema(schema);
}, 60_000);

describeReadModelContract('postgres', () => {
  const schema = uniqueTestSchema('contract');
  schemas.push(schema);
  return ReadModelDb.open({ kind: 'postgres', connectionString: TEST_POSTGRES_URL, schema, poolMax: 3 });
});

describe('PostgreSQL read-model store', () => {
  const projection = caseListProjection();
  const opened: ThrowawayReadModelDb[] = [];
  const throwaway = async (label: string) => {
    const t = await openThrowawayPostgres({ label });
    opened.push(t);
    return t;
  };
  afterEach(async () => {
    for (const t of opened.splice(0)) await t.dispose();
  });

  async function withClient<T>(fn: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({ connectionString: TEST_POSTGRES_URL });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  }

  it('two schemas are two isolated stores with the same table names', async () => {
    const a = await throwaway('iso_a');
    const b = await throwaway('iso_b');
    const ga = await new ProjectionGenerations(a.db).beginWithTables(projection);
    const gb = await new ProjectionGenerations(b.db).beginWithTables(projection);
    expect(ga.tables).toEqual(gb.tables);

    const log = new EventLog();
    log.opened('c1', '5035', '2026-03-01');
    await applyBatch(a.db, projection, ga, log.all(), '1');
    expect((await dumpTables(a.db, ga.tables))['case_list']).toHaveLength(1);
    expect(await dumpTables(b.db, gb.tables)).toEqual({ case_counts: [], case_list: [] });
    expect(await readCheckpoint(b.db.kysely, checkpointNameOf(projection.name, 1))).toBeUndefined();

    const schemaA = (a.backend as { schema: string }).schema;
    const located = await withClient((c) =>
      c.query<{ table_schema: string }>(`select table_schema from information_schema.tables where table_name = 'case_list__g1' and table_schema in ($1, $2, 'public') order by 1`, [
        schemaA,
        (b.backend as { schema: string }).schema,
      ]),
    );
    expect(located.rows.map((r) => r.table_schema).sort()).toEqual([schemaA, (b.backend as { schema: string }).schema].sort());
  });

  it('int8 and numeric come back as numbers, dates and timestamps as text, without touching pg globally', async () => {
    const t = await throwaway('types');
    const row = await sql<Record<string, unknown>>`
      select count(*) as n, sum(x) as total, cast(12.5 as numeric) as ratio, cast(9007199254740 as bigint) as big,
             date '2026-03-01' as day, timestamp '2026-03-01 10:00:00' as at, timestamptz '2026-03-01 10:00:00+00' as atz
      from (values (1), (2)) as v(x)`.execute(t.db.kysely);
    expect(row.rows[0]).toEqual({ n: 2, total: 3, ratio: 12.5, big: 9007199254740, day: '2026-03-01', at: '2026-03-01 10:00:00', atz: expect.stringMatching(/^2026-03-01 /) });
    // Any other pg user in the process keeps pg's defaults.
    const plain = await withClient((c) => c.query(`select count(*) as n, date '2026-03-01' as day`));
    expect(plain.rows[0].n).toBe('1');
    expect(plain.rows[0].day).toBeInstanceOf(Date);
  });

  it('upserts on a named constraint reach the generation\'s suffixed constraint', async () => {
    const t = await throwaway('constraint');
    const g = await new ProjectionGenerations(t.db).beginWithTables(projection);
    const counts = mapGeneration<CaseListTables>(t.db.kysely, g);
    for (const cases of [1, 2]) {
      await counts
        .insertInto('case_counts')
        .values({ municipality: '5035', status: 'open', cases })
        .onConflict((oc) => oc.constraint('case_counts_pk').doUpdateSet((eb) => ({ cases: eb('case_counts.cases', '+', eb.ref('excluded.cases')) })))
        .execute();
    }
    expect(await counts.selectFrom('case_counts').select('cases').execute()).toEqual([{ cases: 3 }]);
  });

  it('concurrent writers of one batch: exactly one commits when both state the checkpoint they read', async () => {
    const t = await throwaway('race');
    const g = await new ProjectionGenerations(t.db).beginWithTables(projection);
    const log = new EventLog();
    log.opened('c1', '5035', '2026-03-01');
    log.opened('c2', '5035', '2026-03-02');
    const results = await Promise.allSettled(
      [0, 1, 2].map(() => applyBatch(t.db, projection, g, log.all(), '2', { expectedCheckpoint: null })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(CheckpointConflictError);
    expect((await dumpTables(t.db, g.tables))['case_counts']).toEqual([{ cases: 2, municipality: '5035', status: 'open' }]);
  });

  describe('a killed connection (server restart, failover)', () => {
    let db: ReadModelDb;
    let reported: Error[];
    beforeEach(async () => {
      reported = [];
      const schema = uniqueTestSchema('kill');
      schemas.push(schema);
      db = await ReadModelDb.open({ kind: 'postgres', connectionString: TEST_POSTGRES_URL, schema, poolMax: 2 }, { onConnectionError: (err) => reported.push(err) });
    });
    afterEach(async () => {
      await db.close();
    });

    const terminate = (pid: number) => withClient((c) => c.query('select pg_terminate_backend($1)', [pid]));
    const backendPid = async (k: AnyKysely) => must((await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(k)).rows[0]).pid;
    const until = async (condition: () => boolean) => {
      for (let i = 0; i < 250 && !condition(); i++) await new Promise((r) => setTimeout(r, 20));
      expect(condition()).toBe(true);
    };

    it('mid-query: the query fails transiently, and the store serves the next ones', async () => {
      const slow = db.transaction(async (tx) => {
        const pid = await backendPid(tx);
        await Promise.all([sql`select pg_sleep(30)`.execute(tx), terminate(pid)]);
      });
      // 57P01 (admin_shutdown) for the query, or the rollback's "Connection terminated": both transient.
      const failure = await slow.catch((e: unknown) => e);
      expect(failure).toBeDefined();
      expect(isTransientSqlError(failure)).toBe(true);
      // Right away, before the pool may have noticed: every failure on the way is transient.
      for (let attempt = 0; ; attempt++) {
        const result = await db.ping().catch((e: unknown) => e);
        if (result === undefined) break;
        expect(isTransientSqlError(result)).toBe(true);
        expect(attempt).toBeLessThan(5);
      }
    });

    it('inside a transaction between queries: no crash (the checked-out client has a listener), a transient error', async () => {
      const failure = await db
        .transaction(async (tx) => {
          await terminate(await backendPid(tx));
          await until(() => reported.length > 0);
          await sql`select 1`.execute(tx);
        })
        .catch((e: unknown) => e);
      expect(isTransientSqlError(failure)).toBe(true);
      await db.ping();
    });

    it('while idle in the pool: reported, replaced, and the next query works', async () => {
      const pid = await backendPid(db.kysely);
      await terminate(pid);
      await until(() => reported.length > 0);
      expect(await backendPid(db.kysely)).not.toBe(pid);
    });
  });

  it('an unreachable server is a transient error', async () => {
    const failure = await ReadModelDb.open({ kind: 'postgres', connectionString: 'postgres://postgres@127.0.0.1:1/test', schema: 'rm_unreachable' }).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 'ECONNREFUSED' });
    expect(isTransientSqlError(failure)).toBe(true);
  });

  it('refuses unsafe schema names and a connection string that overrides the search path', async () => {
    for (const schema of ['Public', 'rm"; drop schema public; --', '', 'x'.repeat(64)]) {
      await expect(ReadModelDb.open({ kind: 'postgres', connectionString: TEST_POSTGRES_URL, schema })).rejects.toThrow(/schema name|63 bytes/i);
    }
    const schema = uniqueTestSchema('override');
    schemas.push(schema);
    const overriding = `${TEST_POSTGRES_URL}?options=${encodeURIComponent('-c search_path=public')}`;
    await expect(ReadModelDb.open({ kind: 'postgres', connectionString: overriding, schema })).rejects.toThrow(/resolves tables in schema "public"/);
  });
});
