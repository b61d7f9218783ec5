import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReadModelDb } from './db';
import { CachingSqliteDatabase } from './statement-cache';

const dir = mkdtempSync(join(tmpdir(), 'evp-rm-statements-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('prepared-statement cache of the SQLite read-model store', () => {
  let raw: Database.Database;
  let cache: CachingSqliteDatabase;

  beforeEach(() => {
    raw = new Database(':memory:');
    raw.exec(`create table t (id integer primary key, name text not null unique)`);
    const insert = raw.prepare('insert into t (id, name) values (?, ?)');
    for (let i = 1; i <= 5; i++) insert.run(i, `n${i}`);
    cache = new CachingSqliteDatabase(raw, { capacity: 3 });
  });
  afterEach(() => cache.close());

  it('given the same SQL twice, when prepared, then the one statement is reused and answers as a fresh one would', () => {
    const first = cache.prepare('select * from t where id >= ? order by id');
    const again = cache.prepare('select * from t where id >= ? order by id');
    expect(again).toBe(first);
    expect(again.all([4])).toEqual(raw.prepare('select * from t where id >= ? order by id').all(4));
    expect(first.all([2])).toHaveLength(4);
    expect(cache.size).toBe(1);
  });

  it('keeps at most its capacity, dropping the least recently used first', () => {
    const a = cache.prepare('select 1');
    const b = cache.prepare('select 2');
    cache.prepare('select 3');
    expect(cache.prepare('select 1')).toBe(a); // a is now the most recently used; b the least
    cache.prepare('select 4');
    expect(cache.size).toBe(3);
    expect(cache.prepare('select 1')).toBe(a);
    expect(cache.prepare('select 2')).not.toBe(b);
    expect(cache.size).toBe(3);
  });

  it('does not keep SQL longer than its limit, and with capacity 0 keeps nothing', () => {
    const small = new CachingSqliteDatabase(raw, { capacity: 10, maxSqlLength: 20 });
    const long = 'select 1 as one, 2 as two, 3 as three';
    expect(small.prepare(long)).not.toBe(small.prepare(long));
    expect(small.size).toBe(0);
    const off = new CachingSqliteDatabase(raw, { capacity: 0 });
    expect(off.prepare('select 1')).not.toBe(off.prepare('select 1'));
    expect(off.size).toBe(0);
  });

  it('a statement that failed runs again correctly: better-sqlite3 resets it on the error', () => {
    const insert = cache.prepare('insert into t (id, name) values (?, ?)');
    expect(() => insert.run([6, 'n1'])).toThrow(/UNIQUE/);
    const again = cache.prepare('insert into t (id, name) values (?, ?)');
    expect(again).toBe(insert);
    expect(again.run([6, 'n6']).changes).toBe(1);
    const select = cache.prepare('select name from t where id = ?');
    expect(() => select.all([1, 2])).toThrow(/parameter/);
    expect(cache.prepare('select name from t where id = ?').all([6])).toEqual([{ name: 'n6' }]);
  });

  it('while an iterator holds a statement, the same SQL gets a fresh one; once the iterator is done, the cached one is reused', () => {
    const query = 'select id from t where id >= ? order by id';
    const streaming = cache.prepare(query);
    const iterator = streaming.iterate([1]);
    expect(iterator.next().value).toEqual({ id: 1 });
    const meanwhile = cache.prepare(query);
    expect(meanwhile).not.toBe(streaming);
    expect(meanwhile.all([3])).toEqual([{ id: 3 }, { id: 4 }, { id: 5 }]);
    expect([...iterator].map((r) => (r as { id: number }).id)).toEqual([2, 3, 4, 5]);
    // The fresh statement took the busy one's place and is reused from now on.
    expect(cache.prepare(query)).toBe(meanwhile);
  });
});

describe('ReadModelDb on SQLite with its statement cache', () => {
  let n = 0;
  const open = (statementCacheSize?: number) =>
    ReadModelDb.open({ kind: 'sqlite', file: join(dir, `store-${++n}.sqlite`), ...(statementCacheSize === undefined ? {} : { statementCacheSize }) });

  it('gives the same results with and without the cache, through queries, errors, transactions and streams', async () => {
    const run = async (db: ReadModelDb) => {
      await db.kysely.schema.createTable('item').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('name', 'text', (c) => c.notNull().unique()).execute();
      const seen: unknown[] = [];
      for (let i = 1; i <= 20; i++) await db.kysely.insertInto('item').values({ id: i, name: `item ${i}` }).execute();
      // A failed insert (duplicate name) rolls its transaction back; the same statement then succeeds.
      await expect(db.transaction((tx) => tx.insertInto('item').values({ id: 21, name: 'item 1' }).execute())).rejects.toMatchObject({ message: expect.stringMatching(/UNIQUE/) });
      await db.transaction((tx) => tx.insertInto('item').values({ id: 21, name: 'item 21' }).execute());
      for (const from of [1, 10, 19]) seen.push(await db.kysely.selectFrom('item').select(['id', 'name']).where('id', '>=', from).orderBy('id').limit(3).execute());
      // A stream left early, then the same query again, streamed and executed.
      const streamed: number[] = [];
      for await (const row of db.kysely.selectFrom('item').select('id').where('id', '>', 5).orderBy('id').stream()) {
        streamed.push(row.id as number);
        if (streamed.length === 2) break;
      }
      seen.push(streamed);
      const all: number[] = [];
      for await (const row of db.kysely.selectFrom('item').select('id').where('id', '>', 5).orderBy('id').stream()) all.push(row.id as number);
      seen.push(all, await db.kysely.selectFrom('item').select('id').where('id', '>', 5).orderBy('id').execute());
      seen.push((await sql<{ n: number }>`select count(*) as n from item`.execute(db.kysely)).rows);
      return seen;
    };
    const cached = await open();
    const uncached = await open(0);
    try {
      const withCache = await run(cached);
      expect(withCache).toEqual(await run(uncached));
      expect(withCache[3]).toEqual([6, 7]);
      expect(withCache[4]).toHaveLength(16);
    } finally {
      await cached.close();
      await uncached.close();
    }
  });

  it("a read-only connection's data version changes when the writer commits, and only then", async () => {
    const file = join(dir, `versions.sqlite`);
    const writer = await ReadModelDb.open({ kind: 'sqlite', file });
    const reader = await ReadModelDb.open({ kind: 'sqlite', file, readonly: true });
    try {
      await writer.kysely.schema.createTable('item').addColumn('id', 'integer', (c) => c.primaryKey()).execute();
      const v1 = reader.dataVersion();
      expect(v1).toEqual(expect.any(Number));
      await reader.kysely.selectFrom('item').selectAll().execute();
      expect(reader.dataVersion()).toBe(v1);
      await writer.kysely.insertInto('item').values({ id: 1 }).execute();
      const v2 = reader.dataVersion();
      expect(v2).not.toBe(v1);
      expect(reader.dataVersion()).toBe(v2);
    } finally {
      await reader.close();
      await writer.close();
    }
    expect(reader.dataVersion()).toBeUndefined();
  });
});
