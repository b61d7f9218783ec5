import type { Kysely } from 'kysely';
import { ProjectionGenerations, mapGeneration, type ProjectionGeneration, type ReadModelDb, type SqlProjection } from '@evp/read-models';
import { openThrowawayPostgres, openThrowawaySqlite, type ThrowawayReadModelDb } from '@evp/read-models/testing';
import { ReadModelReader } from './read-model-reader';

interface Tables {
  item: { id: string; label: string };
}

const projection: SqlProjection<Tables> = {
  name: 'items',
  version: 1,
  filter: { streamPrefixes: ['item-'] },
  tables: ['item'],
  createTables: async (db) => {
    await db.schema
      .createTable('item')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('label', 'text', (c) => c.notNull())
      .execute();
  },
  apply: async () => undefined,
};

const labels = async (db: Kysely<Tables>) => (await db.selectFrom('item').select('label').orderBy('id').execute()).map((r) => r.label);

describe('ReadModelReader on SQLite (the api: a read-only connection beside the worker)', () => {
  let store: ThrowawayReadModelDb;
  let writer: ReadModelDb;
  let generations: ProjectionGenerations;
  let now = 1_000_000;

  /** A new generation holding these labels, made the active one, the previous one's tables dropped. */
  const rebuildWith = async (...items: string[]): Promise<ProjectionGeneration> => {
    const g = await generations.beginWithTables(projection);
    await write(g, ...items);
    await generations.switchTo(projection.name, g.generation);
    await generations.dropRetired(projection.name);
    return g;
  };
  const write = async (g: ProjectionGeneration, ...items: string[]) => {
    for (const label of items) await mapGeneration<Tables>(writer.kysely, g).insertInto('item').values({ id: label, label }).execute();
  };

  beforeEach(async () => {
    store = await openThrowawaySqlite({ label: 'reader' });
    writer = store.db;
    generations = new ProjectionGenerations(writer);
    jest.spyOn(Date, 'now').mockImplementation(() => now);
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await store.dispose();
  });

  it("given an active generation, when queried again and again, then one mapped database serves it; a rebuild's switch is seen within a second, with a new mapping", async () => {
    await rebuildWith('a');
    const reader = new ReadModelReader(await store.openAnother({ readonly: true }));
    const first = await reader.projection<Tables>('items', 1);
    expect(await labels(first)).toEqual(['a']);
    now += 500;
    expect(await reader.projection<Tables>('items', 1)).toBe(first);

    const g2 = await rebuildWith('b', 'c');
    // Within the second, the reader still holds the generation it looked up (its tables are gone: a transient error, retried).
    expect(await reader.projection<Tables>('items', 1)).toBe(first);
    now += 1_001;
    const second = await reader.projection<Tables>('items', 1);
    expect(second).not.toBe(first);
    expect(await labels(second)).toEqual(['b', 'c']);
    // The generation is looked up again each second; while it stays the same, so does the mapping.
    now += 1_001;
    expect(await reader.projection<Tables>('items', 1)).toBe(second);
    await write(g2, 'd');
    expect(await labels(await reader.projection<Tables>('items', 1))).toEqual(['b', 'c', 'd']);
    await expect(reader.projection<Tables>('items', 2)).rejects.toThrow(/being rebuilt for version 2/);
  });

  it('given a cached result, when nothing was committed since, then it is served without running the query; a commit, a new key or a new generation runs it again', async () => {
    const g1 = await rebuildWith('a');
    const reader = new ReadModelReader(await store.openAnother({ readonly: true }));
    let runs = 0;
    const list = (key: string) =>
      reader.cached<Tables, string[]>('items', 1, key, async (db) => {
        runs++;
        return labels(db);
      });

    const first = await list('all');
    expect(first).toEqual(['a']);
    expect(await list('all')).toBe(first);
    expect(runs).toBe(1);
    expect(await list('another caller')).toEqual(['a']);
    expect(runs).toBe(2);

    await write(g1, 'b');
    expect(await list('all')).toEqual(['a', 'b']);
    expect(runs).toBe(3);
    expect(await list('all')).toEqual(['a', 'b']);
    expect(runs).toBe(3);

    await rebuildWith('x');
    now += 1_001;
    expect(await list('all')).toEqual(['x']);
    expect(runs).toBe(4);
  });

  it('given a commit while the query ran, when asked again, then the result is not reused: it may predate the commit', async () => {
    const g1 = await rebuildWith('a');
    const reader = new ReadModelReader(await store.openAnother({ readonly: true }));
    let runs = 0;
    const racing = () =>
      reader.cached<Tables, string[]>('items', 1, 'all', async (db) => {
        runs++;
        const seen = await labels(db);
        if (runs === 1) await write(g1, 'b');
        return seen;
      });
    expect(await racing()).toEqual(['a']);
    expect(await racing()).toEqual(['a', 'b']);
    expect(runs).toBe(2);
    expect(await racing()).toEqual(['a', 'b']);
    expect(runs).toBe(2);
  });

  it('keeps results up to its weight, the least recently used dropped first', async () => {
    await rebuildWith('a');
    const reader = new ReadModelReader(await store.openAnother({ readonly: true }), { resultCacheWeight: 5 });
    const runs: string[] = [];
    const get = (key: string, weight: number) =>
      reader.cached<Tables, string>(
        'items',
        1,
        key,
        async () => {
          runs.push(key);
          return key;
        },
        () => weight,
      );
    await get('p', 2);
    await get('q', 2);
    await get('p', 2); // hit: p is now the most recently used
    await get('r', 2); // 6 > 5: q goes
    await get('p', 2);
    await get('q', 2);
    await get('huge', 6); // heavier than the whole cache: never kept
    await get('huge', 6);
    expect(runs).toEqual(['p', 'q', 'r', 'q', 'huge', 'huge']);
  });

  it("on the writer's own connection (its commits do not change its data version) nothing is cached", async () => {
    const g1 = await rebuildWith('a');
    const reader = new ReadModelReader(writer);
    let runs = 0;
    const list = () => reader.cached<Tables, string[]>('items', 1, 'all', async (db) => (runs++, labels(db)));
    expect(await list()).toEqual(['a']);
    await write(g1, 'b');
    expect(await list()).toEqual(['a', 'b']);
    expect(runs).toBe(2);
  });
});

describe('ReadModelReader on PostgreSQL', () => {
  it('runs every cached() query: PostgreSQL has no data version to prove a result current', async () => {
    const store = await openThrowawayPostgres({ label: 'reader' });
    try {
      const generations = new ProjectionGenerations(store.db);
      const g = await generations.beginWithTables(projection);
      await generations.switchTo(projection.name, g.generation);
      const reader = new ReadModelReader(store.db);
      let runs = 0;
      const list = () => reader.cached<Tables, string[]>('items', 1, 'all', async (db) => (runs++, labels(db)));
      expect(await list()).toEqual([]);
      await mapGeneration<Tables>(store.db.kysely, g).insertInto('item').values({ id: 'a', label: 'a' }).execute();
      expect(await list()).toEqual(['a']);
      expect(runs).toBe(2);
      expect(await reader.projection<Tables>('items', 1)).toBe(await reader.projection<Tables>('items', 1));
    } finally {
      await store.dispose();
    }
  });
});
