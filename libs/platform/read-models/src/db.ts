import Database, { type Statement } from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  Migrator,
  PostgresDialect,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type Migration,
  type MigrationResult,
  type QueryResult,
  type SqliteDialectConfig,
} from 'kysely';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Pool, types as pgTypes, type CustomTypesConfig } from 'pg';
// The small module only, not the event store's barrel (its adapters and their clients).
import { BusyRetry, DRIVER_BUSY_TIMEOUT_MS } from '@evp/event-store/busy-retry';
import { ReadModelMigrationError, ReadModelStoreUnavailableError } from './errors';
import { PLATFORM_MIGRATIONS } from './platform-migrations';
import { CachingSqliteDatabase, DEFAULT_STATEMENT_CACHE_SIZE } from './statement-cache';
import { assertIdentifierLength, type AnyDB, type AnyKysely, type AnyTransaction } from './types';

export type ReadModelBackend =
  | {
      readonly kind: 'sqlite';
      /** The read models' own file (never the event store's); its folder is created when missing. */
      readonly file: string;
      /** The api's reader: opens an existing file read-only and never takes the write lock. */
      readonly readonly?: boolean;
      /**
       * How long a statement (a writer's `BEGIN IMMEDIATE` above all) waits for another process's
       * lock before it fails as unavailable, a transient error (default 1 s). The wait is on timers:
       * the event loop goes on meanwhile.
       */
      readonly busyTimeoutMs?: number;
      /** SQLite's page cache for this connection, in KiB (default 32 MiB, taken only as pages are read). */
      readonly pageCacheKib?: number;
      /** Prepared statements kept per connection, least recently used dropped first (default 256; 0: prepare every query). */
      readonly statementCacheSize?: number;
    }
  | {
      readonly kind: 'postgres';
      readonly connectionString: string;
      /** Every table of this store lives in this schema (created when missing); lowercase letters, digits and `_`. */
      readonly schema: string;
      readonly poolMax?: number;
      /** How long a query waits for a free pooled connection before failing (a transient error). */
      readonly connectionTimeoutMs?: number;
    };

export interface ReadModelDbOptions {
  /**
   * A pooled PostgreSQL connection failed (server restart, failover, network), idle or in use.
   * For logging only: the query in flight, if any, rejects with a transient error, and the pool
   * drops the connection and opens a new one for the next query.
   */
  readonly onConnectionError?: (err: Error) => void;
}

const DEFAULT_SQLITE_BUSY_TIMEOUT_MS = 1_000;
const DEFAULT_SQLITE_PAGE_CACHE_KIB = 32 * 1024;
const DEFAULT_PG_POOL_MAX = 10;
const DEFAULT_PG_CONNECTION_TIMEOUT_MS = 10_000;
const SCHEMA_NAME = /^[a-z_][a-z0-9_]*$/;

const PG_INT8 = 20;
const PG_NUMERIC = 1700;
const PG_DATE = 1082;
const PG_TIMESTAMP = 1114;
const PG_TIMESTAMPTZ = 1184;

const parseNumber = (value: string): number => Number(value);
const keepText = (value: string): string => value;

/**
 * Per pool, not pg's global `types.setTypeParser`, so nothing else in the process (the event
 * store, another library) changes behaviour. int8 (count(*), sum of integers) and numeric become
 * numbers as SQLite returns them; read models keep amounts in øre as integers, far below 2^53.
 * Dates and timestamps stay text: pg would make a Date in the process's time zone, and the same
 * projection on SQLite reads the text it stored.
 */
const PG_TYPES: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (format === undefined || format === 'text') {
      if (oid === PG_INT8 || oid === PG_NUMERIC) return parseNumber;
      if (oid === PG_DATE || oid === PG_TIMESTAMP || oid === PG_TIMESTAMPTZ) return keepText;
    }
    return format === undefined ? pgTypes.getTypeParser(oid) : pgTypes.getTypeParser(oid, format);
  }) as CustomTypesConfig['getTypeParser'],
};

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * SQLite's DDL is transactional, but Kysely's adapter says otherwise, so its Migrator would run
 * SQLite migrations without a transaction and leave a failed one half-applied. The flag is read
 * by the Migrator only.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/**
 * Several processes may write the file: the worker split by WORKER_ROLE into a projections and a
 * workflows process, each committing its read-model writes with its checkpoint. Two things make
 * that safe and keep both event loops free:
 *
 * - A writer's transaction begins with `BEGIN IMMEDIATE`, so it takes the write lock before its
 *   first read. Kysely's `begin` is deferred: a transaction that read, then wrote after the other
 *   process committed would fail with SQLITE_BUSY_SNAPSHOT, which no waiting mends.
 * - better-sqlite3's own busy timeout is zero (it would sleep inside the call, freezing the event
 *   loop); a statement that meets the other's lock is tried again on timers (`BusyRetry`, shared
 *   with the event store) until `busyTimeoutMs`. Kysely's SQLite connection runs a statement
 *   synchronously, so the lock shows as a synchronous throw, before anything was done.
 *
 * The read-only connection (the api) keeps a deferred `begin`: it takes no write lock, and in WAL
 * mode its reads wait for no writer.
 */
class ReadModelSqliteDialect extends SqliteDialect {
  constructor(
    private readonly settings: SqliteDialectConfig,
    private readonly begin: 'begin' | 'begin immediate',
    private readonly busy: BusyRetry,
  ) {
    super(settings);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }

  override createDriver(): Driver {
    return new ReadModelSqliteDriver(this.settings, this.begin, this.busy);
  }
}

class ReadModelSqliteDriver extends SqliteDriver {
  private waiting: WaitingSqliteConnection | undefined;

  constructor(
    settings: SqliteDialectConfig,
    private readonly begin: 'begin' | 'begin immediate',
    private readonly busy: BusyRetry,
  ) {
    super(settings);
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    // SQLite has the one connection (the base class queues callers for it): wrap it once.
    const connection = await super.acquireConnection();
    if (this.waiting?.inner !== connection) this.waiting = new WaitingSqliteConnection(connection, this.busy);
    return this.waiting;
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(this.begin));
  }
}

class WaitingSqliteConnection implements DatabaseConnection {
  constructor(
    readonly inner: DatabaseConnection,
    private readonly busy: BusyRetry,
  ) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return Promise.resolve(this.busy.attemptWhileBusy(() => this.inner.executeQuery<R>(query), 'run a read-model statement (nothing was done)'));
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

/**
 * The SQL store read models live in: an SQLite file of its own (the worker writes, the api reads
 * the same file through a `readonly` connection) or a PostgreSQL schema. Read models are derived
 * from events, so losing this store loses nothing: projections rebuild it.
 */
export class ReadModelDb {
  private closed = false;

  private constructor(
    readonly kysely: AnyKysely,
    readonly dialect: 'sqlite' | 'postgres',
    readonly readOnly: boolean,
    /** PostgreSQL: the schema every table of this store lives in. */
    readonly schema: string | undefined,
    /** PostgreSQL: Kysely ends the pool only if a query ever ran through it; close() must anyway. */
    private readonly pool?: Pool,
    /** SQLite: the connection Kysely runs on, with its statement cache. */
    sqlite?: CachingSqliteDatabase,
    /** SQLite: the wait for another process's lock; woken on close. */
    private readonly busy?: BusyRetry,
  ) {
    this.dataVersionStatement = sqlite?.database.prepare('PRAGMA data_version').pluck();
  }

  private readonly dataVersionStatement: Statement | undefined;

  static async open(backend: ReadModelBackend, options: ReadModelDbOptions = {}): Promise<ReadModelDb> {
    return backend.kind === 'sqlite' ? ReadModelDb.openSqlite(backend) : ReadModelDb.openPostgres(backend, options);
  }

  private static openSqlite(backend: Extract<ReadModelBackend, { kind: 'sqlite' }>): ReadModelDb {
    const readonly = backend.readonly === true;
    const inMemory = backend.file === ':memory:';
    if (!readonly && !inMemory) mkdirSync(dirname(backend.file), { recursive: true });
    // better-sqlite3 reports a missing folder as a TypeError; either way the writer has not created
    // the file yet, which the caller retries like any unreachable store.
    if (readonly && !existsSync(backend.file)) throw new ReadModelStoreUnavailableError(`Read-model file ${backend.file} does not exist yet`);
    const database = new Database(backend.file, {
      readonly,
      fileMustExist: readonly,
      // Opening may meet another connection's lock (WAL recovery after a crash, the writer
      // switching a new file to WAL): only these first pragmas wait inside the call, at start.
      timeout: backend.busyTimeoutMs ?? DEFAULT_SQLITE_BUSY_TIMEOUT_MS,
    });
    try {
      // WAL lets the api read while the worker writes, each on its own snapshot. The mode is stored
      // in the file, so only the writer sets it; a read-only connection cannot.
      if (!readonly && !inMemory) {
        const mode = database.pragma('journal_mode = WAL', { simple: true });
        if (mode !== 'wal') throw new Error(`SQLite refused WAL mode for ${backend.file} (got ${String(mode)})`);
      }
      // NORMAL may lose the last commits on power loss, never tear one: writes and checkpoint roll
      // back together, and the projection re-applies them from the event store.
      database.pragma('synchronous = NORMAL');
      // PostgreSQL has no such switch, so projections must not lean on foreign keys on either engine;
      // off keeps a rebuild's insert order free.
      database.pragma('foreign_keys = OFF');
      // SQLite's default (2 MiB) holds a few thousand pages: the api's look-ups by id across a
      // large case list would read most pages from the file again. The cache survives between
      // transactions as long as no other connection wrote.
      database.pragma(`cache_size = ${-Math.max(2_048, Math.floor(backend.pageCacheKib ?? DEFAULT_SQLITE_PAGE_CACHE_KIB))}`);
      // From here on SQLite never sleeps inside a call: BusyRetry waits on timers.
      database.pragma(`busy_timeout = ${DRIVER_BUSY_TIMEOUT_MS}`);
    } catch (err) {
      database.close();
      throw err;
    }
    // Kysely prepares every query it runs; the cache keeps the compiled statements of the few query shapes a store runs.
    const cached = new CachingSqliteDatabase(database, { capacity: backend.statementCacheSize ?? DEFAULT_STATEMENT_CACHE_SIZE });
    const busy = new BusyRetry(
      backend.busyTimeoutMs ?? DEFAULT_SQLITE_BUSY_TIMEOUT_MS,
      // Called only when a statement runs, by which time `db` exists.
      () => db.assertOpen(),
      (message) => new ReadModelStoreUnavailableError(message),
      'read-model store',
    );
    const dialect = new ReadModelSqliteDialect({ database: cached }, readonly ? 'begin' : 'begin immediate', busy);
    const db: ReadModelDb = new ReadModelDb(new Kysely<AnyDB>({ dialect }), 'sqlite', readonly, undefined, undefined, cached, busy);
    return db;
  }

  private static async openPostgres(backend: Extract<ReadModelBackend, { kind: 'postgres' }>, options: ReadModelDbOptions): Promise<ReadModelDb> {
    const { schema } = backend;
    if (!SCHEMA_NAME.test(schema)) throw new Error(`Invalid read-model schema name "${schema}": use lowercase letters, digits and _`);
    assertIdentifierLength(schema, 'Schema name');
    const pool = new Pool({
      connectionString: backend.connectionString,
      max: backend.poolMax ?? DEFAULT_PG_POOL_MAX,
      connectionTimeoutMillis: backend.connectionTimeoutMs ?? DEFAULT_PG_CONNECTION_TIMEOUT_MS,
      // Unqualified names resolve in this schema only: the same projection code serves every schema.
      options: `-c search_path=${schema}`,
      types: PG_TYPES,
    });
    // pg emits 'error' on a client whose connection dies. The pool listens only while a client is
    // idle; a client checked out by a query or transaction has no listener, and Node turns an
    // unhandled 'error' event into a crash of the whole worker. So every client gets one for life.
    const report = (err: Error) => options.onConnectionError?.(err);
    pool.on('connect', (client) => client.on('error', report));
    // Already reported by the client's own listener; the pool re-emits it for idle clients.
    pool.on('error', () => undefined);
    try {
      await ensureSchema(pool, schema);
    } catch (err) {
      await pool.end();
      throw err;
    }
    return new ReadModelDb(new Kysely<AnyDB>({ dialect: new PostgresDialect({ pool }) }), 'postgres', false, schema, pool);
  }

  /**
   * Runs the platform's migrations (checkpoints, projection generations), then `migrations`, each
   * set in name order through Kysely's Migrator with a static provider. Pass every migration of
   * this store in one call: the Migrator refuses a set that lacks one it has already run, and a
   * new name that sorts before an executed one. A run's pending migrations share one transaction,
   * so a failure applies none of them; the error names the failing one. Returns the names applied now.
   */
  async migrate(migrations: Readonly<Record<string, Migration>> = {}): Promise<string[]> {
    if (this.readOnly) throw new Error('A read-only read-model connection cannot run migrations');
    const platform = await runMigrations(this.kysely, PLATFORM_MIGRATIONS, 'rm_platform_migration', this.schema);
    const own = await runMigrations(this.kysely, migrations, 'rm_migration', this.schema);
    return [...platform, ...own];
  }

  /**
   * Commits when `fn` resolves, rolls back when it throws. Transactions do not nest. Use only `tx`
   * inside: on SQLite the store has a single connection, so a query through `this.kysely` would
   * wait for the transaction to end, which never comes.
   */
  transaction<T>(fn: (tx: AnyTransaction) => Promise<T>): Promise<T> {
    return this.kysely.transaction().execute(fn);
  }

  /**
   * SQLite: `PRAGMA data_version` of this store's connection, which changes whenever another
   * connection (the worker) committed since the last call; as long as it is unchanged, so is
   * every row this connection reads. Undefined on PostgreSQL, after close(), and while the
   * connection cannot run a statement now (an open iterator): the caller then must not assume
   * anything is unchanged.
   */
  dataVersion(): number | undefined {
    if (this.dataVersionStatement === undefined || this.closed) return undefined;
    try {
      return Number(this.dataVersionStatement.get());
    } catch {
      return undefined;
    }
  }

  /** Throws once closed: a statement waiting for a lock stops waiting. */
  private assertOpen(): void {
    if (this.closed) throw new ReadModelStoreUnavailableError('The read-model store is closed');
  }

  /** A cheap round trip for health checks. */
  async ping(): Promise<void> {
    await this.kysely.selectNoFrom((eb) => eb.lit(1).as('ok')).execute();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // A statement waiting for another process's lock gives up now instead of at its next try.
    this.busy?.wakeSleepers();
    await this.kysely.destroy();
    if (this.pool && !this.pool.ended) await this.pool.end();
  }
}

async function ensureSchema(pool: Pool, schema: string): Promise<void> {
  const client = await pool.connect();
  try {
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    } catch (err) {
      // Two processes creating the same schema at once: IF NOT EXISTS does not cover the race.
      const code = (err as { code?: unknown }).code;
      if (code !== '23505' && code !== '42P06') throw err;
    }
    // A connection string's own `options` would override ours; writing into another schema than
    // the one configured must not happen silently.
    const { rows } = await client.query<{ current: string | null }>('SELECT current_schema() AS current');
    if (rows[0]?.current !== schema) {
      throw new Error(`Read-model connection resolves tables in schema "${rows[0]?.current ?? '(none)'}", not "${schema}": remove search_path from the connection string`);
    }
  } finally {
    client.release();
  }
}

async function runMigrations(db: AnyKysely, migrations: Readonly<Record<string, Migration>>, table: string, schema: string | undefined): Promise<string[]> {
  const migrator = new Migrator({
    db,
    // Named explicitly on PostgreSQL: the Migrator looks for its tables in every schema of the
    // database, and would take another schema's for ours (two installations, a scratch target).
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
    provider: { getMigrations: async () => ({ ...migrations }) },
    migrationTableName: table,
    migrationLockTableName: `${table}_lock`,
    // localeCompare (Kysely's default) depends on the process's locale.
    nameComparator: byCodeUnits,
  });
  let { error, results } = await migrator.migrateToLatest();
  // Kysely's Migrator introspects every schema of the database; one dropped meanwhile (another
  // installation's scratch target, a test run's schema) fails the look-up, never our migration.
  for (let attempt = 1; attempt < 5 && error !== undefined && isDroppedSchemaRace(error, schema); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    ({ error, results } = await migrator.migrateToLatest());
  }
  if (error !== undefined) {
    const failed = results?.find((r: MigrationResult) => r.status === 'Error');
    throw new ReadModelMigrationError(failed?.migrationName, error);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * A schema dropped during the look-up (3F000), or a table of another schema dropped between the
 * listing of its tables and the reading of their columns (42P01, named with that schema): never
 * one of ours, which a retry would not mend.
 */
function isDroppedSchemaRace(error: unknown, ownSchema: string | undefined): boolean {
  const e = error as { code?: unknown; message?: unknown };
  const message = typeof e?.message === 'string' ? e.message : '';
  if (e?.code === '3F000' || /^schema ".*" does not exist$/.test(message)) return true;
  const other = /^relation "([^".]+)\.[^"]+" does not exist$/.exec(message);
  return other !== null && other[1] !== ownSchema;
}
