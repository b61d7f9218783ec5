import { sql, type Expression, type ExpressionBuilder, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { AnyDB } from './types';

export type KeysetDirection = 'asc' | 'desc';

export interface KeysetOrder {
  /** A column reference as the query knows it: `opened_on` or `c.opened_on`. */
  readonly column: string;
  readonly direction: KeysetDirection;
  /** The property holding the column's value in a result row; defaults to the column without its table. */
  readonly key?: string;
}

export interface KeysetOptions {
  /**
   * The list's order. The columns must be NOT NULL and the last ones must make it total (end with
   * a unique key such as `case_id`), or rows that tie would be skipped or repeated across pages.
   */
  readonly order: readonly KeysetOrder[];
  /** The previous page's `nextCursor`, decoded with `decodeCursor(cursor, order.length)`. */
  readonly after?: readonly unknown[];
  readonly limit: number;
}

export interface KeysetPage<O> {
  readonly rows: O[];
  /** Null on the last page. */
  readonly nextCursor: string | null;
}

export type CursorValue = string | number | boolean;

/** Longer cursors are refused unread: a cursor is a few key values, and its size is the caller's input. */
export const MAX_CURSOR_LENGTH = 1024;
export const MAX_PAGE_SIZE = 10_000;

/** An opaque page cursor: the last row's key values as base64url JSON. */
export function encodeCursor(values: readonly unknown[]): string {
  for (const value of values) {
    if (!isCursorValue(value)) throw new Error(`A cursor holds strings, finite numbers and booleans, got ${describe(value)}`);
  }
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

/** The key values of a cursor with `arity` keys; undefined when it is malformed (answer 422). */
export function decodeCursor(cursor: unknown, arity: number): CursorValue[] | undefined {
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH) return undefined;
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== arity || !parsed.every(isCursorValue)) return undefined;
  return parsed as CursorValue[];
}

/**
 * Runs one page of a keyset-paginated list: adds the "after the cursor" condition, the ORDER BY
 * and LIMIT limit+1 (the extra row tells whether another page follows), so a page costs an index
 * range scan wherever it starts, never an OFFSET walk.
 *
 * The condition is the expanded form `(a > x) OR (a = x AND b > y) …` (with `<` for descending
 * keys), which works for mixed directions on both engines where a row-value comparison cannot,
 * plus a redundant bound on the leading key (`a >= x`) that lets the planner start the index
 * range there instead of filtering the whole prefix.
 */
export async function keysetPage<DB, TB extends keyof DB, O>(qb: SelectQueryBuilder<DB, TB, O>, options: KeysetOptions): Promise<KeysetPage<O>> {
  const { order, limit } = options;
  const fetched = await keysetQuery(qb, options).execute();
  const rows = fetched.length > limit ? fetched.slice(0, limit) : fetched;
  const last = rows[rows.length - 1];
  const nextCursor = fetched.length > limit && last !== undefined ? encodeCursor(order.map((o) => keyValue(last, o))) : null;
  return { rows, nextCursor };
}

/** The query `keysetPage` runs (condition, order, LIMIT limit+1), for EXPLAIN or further composition. */
export function keysetQuery<DB, TB extends keyof DB, O>(qb: SelectQueryBuilder<DB, TB, O>, options: KeysetOptions): SelectQueryBuilder<DB, TB, O> {
  const { order, after, limit } = options;
  if (order.length === 0) throw new Error('Keyset pagination needs at least one order column');
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) throw new Error(`Page size must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${limit}`);
  if (after !== undefined && after.length !== order.length) {
    throw new Error(`The cursor has ${after.length} values for ${order.length} order columns`);
  }
  let query = qb as unknown as SelectQueryBuilder<AnyDB, AnyDB, O>;
  if (after !== undefined) query = query.where((eb) => afterCondition(eb, order, after));
  for (const { column, direction } of order) query = query.orderBy(sql.ref(column), direction);
  return query.limit(limit + 1) as unknown as SelectQueryBuilder<DB, TB, O>;
}

function afterCondition(eb: ExpressionBuilder<AnyDB, AnyDB>, order: readonly KeysetOrder[], after: readonly unknown[]): Expression<SqlBool> {
  const keys = order.map(({ column, direction }, i) => ({ ref: sql.ref(column), direction, value: after[i] }));
  const strictlyAfter = (key: (typeof keys)[number]) => eb(key.ref, key.direction === 'asc' ? '>' : '<', key.value);
  const [leading, ...rest] = keys;
  if (leading === undefined) throw new Error('Keyset pagination needs at least one order column');
  if (rest.length === 0) return strictlyAfter(leading);
  const alternatives = keys.map((key, i) => eb.and([...keys.slice(0, i).map((tie) => eb(tie.ref, '=', tie.value)), strictlyAfter(key)]));
  const leadingBound = eb(leading.ref, leading.direction === 'asc' ? '>=' : '<=', leading.value);
  return eb.and([leadingBound, eb.or(alternatives)]);
}

function keyValue(row: unknown, order: KeysetOrder): CursorValue {
  const key = order.key ?? order.column.slice(order.column.lastIndexOf('.') + 1);
  const value = (row as Record<string, unknown>)[key];
  if (value === undefined) throw new Error(`Keyset column "${key}" is not in the selected row; select it or set its key`);
  if (!isCursorValue(value)) throw new Error(`Keyset column "${key}" must be NOT NULL text, number or boolean, got ${describe(value)}`);
  return value;
}

function isCursorValue(value: unknown): value is CursorValue {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

function describe(value: unknown): string {
  return value === null ? 'null' : typeof value;
}
