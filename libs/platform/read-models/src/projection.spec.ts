import { sql, type Kysely } from 'kysely';
import { ProjectionMemo, mapGeneration, writeRows } from './projection';
import { openThrowawayPostgres, openThrowawaySqlite, type ThrowawayReadModelDb } from './testing';

describe('ProjectionMemo', () => {
  it('keeps what a batch set only when it commits, and sees its own staged changes meanwhile', () => {
    const memo = new ProjectionMemo();
    memo.set('a', 'k1', 1);
    expect(memo.get('a', 'k1')).toBe(1);
    expect(memo.size('a')).toBe(0);
    memo.commit();
    expect(memo.size('a')).toBe(1);

    memo.set('a', 'k1', 2);
    memo.set('a', 'k2', 3);
    memo.delete('a', 'k1');
    expect(memo.get('a', 'k1')).toBeUndefined();
    expect([...memo.entries('a')]).toEqual([['k2', 3]]);
    memo.rollback();
    expect(memo.get('a', 'k1')).toBe(1);
    expect(memo.get('a', 'k2')).toBeUndefined();
    expect([...memo.entries('a')]).toEqual([['k1', 1]]);

    memo.delete('a', 'k1');
    memo.set('b', 'k1', 'x');
    memo.commit();
    expect([...memo.entries('a')]).toEqual([]);
    expect(memo.get('b', 'k1')).toBe('x');
  });
});

interface Tables {
  items: { id: string; n: number; note: string | null };
}

describe.each([
  ['SQLite', openThrowawaySqlite],
  ['PostgreSQL', openThrowawayPostgres],
])('writeRows on %s', (_engine, open) => {
  let store: ThrowawayReadModelDb;
  let db: Kysely<Tables>;

  beforeAll(async () => {
    store = await open({ label: 'write_rows' });
    db = mapGeneration<Tables>(store.db.kysely, { generation: 7, tables: { items: 'items__g7' } });
    await db.schema.createTable('items').addColumn('id', 'text', (c) => c.primaryKey()).addColumn('n', 'integer', (c) => c.notNull()).addColumn('note', 'text').execute();
  });
  afterAll(async () => {
    await store.dispose();
  });

  const upsert = (rows: ReadonlyArray<Tables['items']>) =>
    writeRows(db, rows, ['id', 'n', 'note'], 3, (chunk) =>
      db
        .insertInto('items')
        .values(chunk)
        .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({ n: eb.ref('excluded.n'), note: eb.ref('excluded.note') }))),
    );
  const all = async () => (await db.selectFrom('items').selectAll().orderBy('id').execute()).map((r) => [r.id, Number(r.n), r.note]);

  it('writes every chunk into the mapped table, reusing the statement of a chunk size with other values', async () => {
    await upsert([
      { id: 'a', n: 1, note: null },
      { id: 'b', n: 2, note: 'x' },
      { id: 'c', n: 3, note: null },
      { id: 'd', n: 4, note: 'y' },
    ]);
    await upsert([
      { id: 'c', n: 30, note: 'z' },
      { id: 'e', n: 5, note: null },
      { id: 'a', n: 10, note: null },
      { id: 'f', n: 6, note: null },
    ]);
    expect(await all()).toEqual([
      ['a', 10, null],
      ['b', 2, 'x'],
      ['c', 30, 'z'],
      ['d', 4, 'y'],
      ['e', 5, null],
      ['f', 6, null],
    ]);
    const { rows } = await sql<{ n: number }>`select count(*) as n from ${sql.table('items__g7')}`.execute(store.db.kysely);
    expect(Number(rows[0]?.n)).toBe(6);
  });

  it('builds a statement whose parameters are not just the rows (a value in its conflict clause) through Kysely every time', async () => {
    const add = (rows: ReadonlyArray<Tables['items']>, by: number) =>
      writeRows(db, rows, ['id', 'n', 'note'], 2, (chunk) =>
        db
          .insertInto('items')
          .values(chunk)
          .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({ n: eb('items.n', '+', by) }))),
      );
    await add([{ id: 'a', n: 0, note: null }, { id: 'b', n: 0, note: null }], 1);
    await add([{ id: 'a', n: 0, note: null }, { id: 'b', n: 0, note: null }], 100);
    expect((await all()).slice(0, 2)).toEqual([
      ['a', 111, null],
      ['b', 103, 'x'],
    ]);
  });
});
