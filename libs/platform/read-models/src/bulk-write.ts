import { CompiledQuery, type Compilable, type Kysely } from 'kysely';
import type { AnyKysely } from './types';

/** Statement shapes remembered (per process): a few per projection table and chunk size. */
const MAX_TEMPLATES = 512;
const templates = new Map<string, string | null>();

/**
 * Writes `rows` a chunk at a time with the statement `build` makes for a chunk (a multi-row
 * insert or upsert), building it with Kysely only once per statement shape: the SQL Kysely
 * compiled for a chunk of n rows (table mapping included) is kept, and a later chunk of n rows
 * runs it with its own values. Building an insert of a hundred rows through Kysely costs more
 * than SQLite takes to run it; a rebuild writes thousands of them.
 *
 * Reuse is exact: the first time, the parameters Kysely compiled are compared with the rows'
 * values taken in `columns` order, and a shape whose parameters are anything else (a value in the
 * conflict clause, an expression among the values, a column missing from a row) is built by Kysely
 * every time. Every row must hold exactly `columns` (null, not undefined, for no value).
 */
export async function writeRows<DB, Row extends object>(
  db: Kysely<DB>,
  rows: readonly Row[],
  columns: ReadonlyArray<keyof Row & string>,
  chunkSize: number,
  build: (chunk: readonly Row[]) => Compilable<unknown>,
): Promise<void> {
  if (rows.length === 0) return;
  // Keyed by the SQL of a one-row statement: that names the physical table and the whole clause.
  const shape = build(rows.slice(0, 1)).compile().sql;
  for (let i = 0; i < rows.length; i += chunkSize) {
    const chunk = rows.slice(i, i + chunkSize);
    const key = `${chunk.length}|${shape}`;
    const sql = templates.get(key);
    if (sql === null) {
      await db.executeQuery(build(chunk));
      continue;
    }
    const parameters = valuesOf(chunk, columns);
    if (sql !== undefined) {
      await db.executeQuery(CompiledQuery.raw(sql, parameters));
      continue;
    }
    const compiled = build(chunk).compile();
    remember(key, sameValues(compiled.parameters, parameters) ? compiled.sql : null);
    await db.executeQuery(compiled);
  }
}

function valuesOf<Row extends object>(rows: readonly Row[], columns: ReadonlyArray<keyof Row & string>): unknown[] {
  const values: unknown[] = new Array(rows.length * columns.length);
  let n = 0;
  for (const row of rows) for (const column of columns) values[n++] = row[column];
  return values;
}

function sameValues(compiled: readonly unknown[], ours: readonly unknown[]): boolean {
  return compiled.length === ours.length && compiled.every((value, i) => value === ours[i]);
}

function remember(key: string, sql: string | null): void {
  if (templates.size >= MAX_TEMPLATES) templates.delete(templates.keys().next().value as string);
  templates.set(key, sql);
}

/**
 * Inserts `rows` into `table` a hundred at a time; a row whose `key` exists already has its
 * `update` columns set to the new values (the rest stay as they were).
 */
export async function upsertRows(tx: AnyKysely, table: string, rows: readonly object[], key: string, update: readonly string[]): Promise<void> {
  for (let i = 0; i < rows.length; i += UPSERT_CHUNK) {
    await tx
      .insertInto(table)
      .values(rows.slice(i, i + UPSERT_CHUNK))
      .onConflict((oc) => oc.column(key).doUpdateSet((eb) => Object.fromEntries(update.map((column) => [column, eb.ref(`excluded.${column}`)]))))
      .execute();
  }
}

const UPSERT_CHUNK = 100;
