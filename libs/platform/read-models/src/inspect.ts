import { sql } from 'kysely';
import { ReadModelDb } from './db';
import type { AnyKysely } from './types';

/** Table names in the store's own schema (PostgreSQL) or file (SQLite). */
export async function tableNames(db: ReadModelDb): Promise<string[]> {
  const query =
    db.dialect === 'sqlite'
      ? sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`
      : sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema() order by table_name`;
  return (await query.execute(db.kysely)).rows.map((r) => r.name);
}

/** Index names of one table, without SQLite's automatic ones. */
export async function indexNames(db: ReadModelDb, table: string): Promise<string[]> {
  const query =
    db.dialect === 'sqlite'
      ? sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = ${table} and name not like 'sqlite_autoindex_%' order by name`
      : sql<{ name: string }>`select indexname as name from pg_indexes where schemaname = current_schema() and tablename = ${table} order by indexname`;
  return (await query.execute(db.kysely)).rows.map((r) => r.name);
}

export type TableDump = Record<string, Array<Record<string, unknown>>>;

/**
 * Every row of the given tables, keyed by logical name, in an order that depends only on the
 * values (not on insertion order, engine or collation), so two generations built from the same
 * events compare equal with `toEqual`. `tables`: logical -> physical, or plain names.
 */
export async function dumpTables(db: ReadModelDb | AnyKysely, tables: Readonly<Record<string, string>> | readonly string[]): Promise<TableDump> {
  const kysely: AnyKysely = db instanceof ReadModelDb ? db.kysely : db;
  const entries: Array<[string, string]> = Array.isArray(tables)
    ? (tables as readonly string[]).map((t) => [t, t])
    : Object.entries(tables as Readonly<Record<string, string>>);
  const dump: TableDump = {};
  for (const [logical, physical] of entries.sort(([a], [b]) => compareValues(a, b))) {
    const rows = (await kysely.selectFrom(physical).selectAll().execute()) as Array<Record<string, unknown>>;
    dump[logical] = rows.map(sortKeys).sort(compareRows);
  }
  return dump;
}

function sortKeys(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(row).sort().map((key) => [key, row[key]]));
}

function compareRows(a: Record<string, unknown>, b: Record<string, unknown>): number {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  for (const key of keys) {
    const c = compareValues(a[key], b[key]);
    if (c !== 0) return c;
  }
  return 0;
}

const RANK: Record<string, number> = { undefined: 0, object: 1, boolean: 2, number: 3, bigint: 3, string: 4 };

function compareValues(a: unknown, b: unknown): number {
  const ra = a === null ? 1 : (RANK[typeof a] ?? 5);
  const rb = b === null ? 1 : (RANK[typeof b] ?? 5);
  if (ra !== rb) return ra - rb;
  if (a === null || b === null || a === undefined || b === undefined) return 0;
  if (typeof a === 'number' || typeof a === 'bigint') return Number(a) - Number(b);
  const sa = typeof a === 'string' ? a : JSON.stringify(a);
  const sb = typeof b === 'string' ? b : JSON.stringify(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}
