import type { Database, Statement } from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** How many prepared statements one SQLite connection keeps: every query shape of every projection, with room for a rebuild's second generation. */
export const DEFAULT_STATEMENT_CACHE_SIZE = 256;
/** Longer SQL (a bulk insert of many rows) is prepared each time and never cached, so a few shapes cannot hold megabytes. */
export const MAX_CACHED_SQL_LENGTH = 16 * 1024;

export interface StatementCacheOptions {
  /** At most this many statements are kept (least recently used ones are dropped first); 0 turns caching off. */
  readonly capacity?: number;
  readonly maxSqlLength?: number;
}

/**
 * The better-sqlite3 database Kysely's SqliteDialect runs on, with a bounded LRU cache of prepared
 * statements keyed by their SQL text. Kysely calls `prepare(sql)` for every query; compiling the
 * same SQL again each time costs more than running a primary-key look-up.
 *
 * Reusing a statement is safe where better-sqlite3 allows it: `all()` and `run()` reset the
 * statement when they return or throw, and bindings are passed per call (Kysely never binds
 * permanently nor switches a statement to raw, pluck or safe-integer mode). A statement whose
 * `iterate()` is still open (a stream in progress, or one its consumer abandoned) is `busy` and
 * cannot run again: the cache then prepares a fresh one in its place. A cached statement whose
 * tables changed is re-prepared by SQLite itself; one whose table is gone fails as a fresh
 * `prepare` would ("no such table").
 */
export class CachingSqliteDatabase implements SqliteDatabase {
  private readonly statements = new Map<string, Statement>();
  private readonly capacity: number;
  private readonly maxSqlLength: number;

  constructor(
    readonly database: Database,
    options: StatementCacheOptions = {},
  ) {
    this.capacity = Math.max(0, Math.floor(options.capacity ?? DEFAULT_STATEMENT_CACHE_SIZE));
    this.maxSqlLength = options.maxSqlLength ?? MAX_CACHED_SQL_LENGTH;
  }

  /** How many statements are cached now (for tests and diagnostics). */
  get size(): number {
    return this.statements.size;
  }

  prepare(sql: string): SqliteStatement {
    const cached = this.statements.get(sql);
    if (cached !== undefined) {
      // Delete and set again: a Map iterates in insertion order, so the first key is the least recently used.
      this.statements.delete(sql);
      if (!cached.busy) {
        this.statements.set(sql, cached);
        return cached;
      }
    }
    const statement = this.database.prepare(sql);
    if (this.capacity > 0 && sql.length <= this.maxSqlLength) {
      this.statements.set(sql, statement);
      if (this.statements.size > this.capacity) {
        const oldest = this.statements.keys().next().value;
        if (oldest !== undefined) this.statements.delete(oldest);
      }
    }
    return statement;
  }

  /** Drops every cached statement (they are finalised when collected). */
  clear(): void {
    this.statements.clear();
  }

  close(): void {
    this.statements.clear();
    this.database.close();
  }
}
