import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Redis } from 'ioredis';

/**
 * Looks for personal data where it must not be (ARCHITECTURE.md, invariant 7): each place is a
 * list of items (a log line, a Redis key with its value, a table row, an event outside its
 * ciphertext), and a hit is an item that holds any of the secrets.
 */
export type Places = Record<string, string[]>;

export function hits(items: readonly string[], secrets: readonly string[]): string[] {
  return items.filter((item) => secrets.some((s) => item.includes(s)));
}

/** Every key under the prefix with its value, whatever its type (BullMQ uses hashes, lists, sorted sets and streams). */
export async function redisItems(redis: Redis, prefix: string): Promise<string[]> {
  const items: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const type = await redis.type(key);
      const value =
        type === 'string' ? await redis.get(key)
        : type === 'hash' ? await redis.hgetall(key)
        : type === 'list' ? await redis.lrange(key, 0, -1)
        : type === 'set' ? await redis.smembers(key)
        : type === 'zset' ? await redis.zrange(key, 0, -1, 'WITHSCORES')
        : type === 'stream' ? await redis.xrange(key, '-', '+')
        : null;
      items.push(`${key} ${JSON.stringify(value)}`);
    }
  } while (cursor !== '0');
  return items;
}

/** Every row of every table of an SQLite file, opened read-only (table name first). */
export function sqliteRows(file: string): string[] {
  if (!existsSync(file)) return [];
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as Array<{ name: string }>;
    return tables.flatMap(({ name }) => (db.prepare(`SELECT * FROM "${name.replace(/"/g, '""')}"`).all() as unknown[]).map((row) => `${name} ${JSON.stringify(row)}`));
  } finally {
    db.close();
  }
}

/** Drops every `encrypted` member, at any depth: what is left of an event must hold no personal data. */
function withoutCiphertext(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutCiphertext);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).filter(([k]) => k !== 'encrypted').map(([k, v]) => [k, withoutCiphertext(v)]));
}

/** Every event of the SQLite event store, every column, with the ciphertext left out. */
export function eventRows(file: string): string[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT * FROM events ORDER BY position').all() as Array<Record<string, unknown> & { data: string }>;
    return rows.map((row) => JSON.stringify({ ...row, data: withoutCiphertext(JSON.parse(row.data)) }));
  } finally {
    db.close();
  }
}

/** The bytes of every file in a folder (WAL files included), as latin1 text: what a disk image would show. */
export function rawFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => !name.endsWith('.json'))
    .map((name) => `${name} ${readFileSync(join(dir, name)).toString('latin1')}`);
}

/** Prints the count per place and returns the places with hits (for the assertion to show). */
export function report(title: string, places: Places, secrets: readonly string[]): Record<string, string[]> {
  const found: Record<string, string[]> = {};
  const lines = Object.entries(places).map(([place, items]) => {
    const h = hits(items, secrets);
    if (h.length) found[place] = h.map((item) => item.slice(0, 300));
    return `  ${place.padEnd(44)} ${String(items.length).padStart(6)} scanned  ${h.length} hits`;
  });
  const total = Object.values(found).reduce((n, h) => n + h.length, 0);
  console.log(`${title}: ${total} hits\n${lines.join('\n')}`);
  return found;
}
