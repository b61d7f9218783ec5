import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixedClock } from '@evp/shared-kernel';
import { SqliteEventStore } from '@evp/event-store';
import { testEvent } from '@evp/event-store/testing';
import { ReadModelDb, type SqlProjection } from '@evp/read-models';
import { silentLogger } from '../testing';
import { ProjectionManager } from './projection-manager';

const dir = mkdtempSync(join(tmpdir(), 'evp-projection-manager-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const clock = new FixedClock(new Date('2026-11-26T09:00:00Z'));

interface SeenTables {
  seen: { n: number };
}

/** Records each event's number; while `gate` is set, every batch waits for it; `failIndexes` fails a rebuild before its switch. */
function seenProjection(): SqlProjection<SeenTables> & { gate: Promise<void> | undefined; failIndexes: boolean } {
  return {
    name: 'seen',
    version: 1,
    filter: { streamPrefixes: ['seen-'] },
    tables: ['seen'],
    gate: undefined,
    failIndexes: false,
    async createIndexes() {
      if (this.failIndexes) throw new Error('disk I/O error');
    },
    async createTables(db) {
      await db.schema.createTable('seen').addColumn('n', 'integer', (c) => c.primaryKey()).execute();
    },
    async apply(tx, events) {
      await this.gate;
      for (const e of events) await tx.insertInto('seen').values({ n: Number(e.data['n']) }).onConflict((oc) => oc.doNothing()).execute();
    },
  };
}

describe('ProjectionManager', () => {
  it('tells the runner of a rebuild in progress from the live one, before and after its switch; a failed rebuild stops and is named, the live generation goes on', async () => {
    const store = new SqliteEventStore({ file: join(dir, 'events.sqlite'), pollIntervalMs: 10 });
    const db = await ReadModelDb.open({ kind: 'sqlite', file: join(dir, 'read-models.sqlite') });
    await db.migrate();
    const projection = seenProjection();
    const manager = new ProjectionManager(db, store, clock, silentLogger);
    manager.add(projection);
    try {
      await manager.start();
      for (let n = 0; n < 3; n++) await store.appendToStream(`seen-${n}`, [testEvent('test.Seen', { n })], { expectedRevision: 'no_stream' });
      const [live] = manager.runners();
      await live?.waitFor(() => live.status().handled === 3);
      expect(live && manager.isBuilding(live)).toBe(false);

      let open: () => void = () => undefined;
      projection.gate = new Promise<void>((resolve) => (open = resolve));
      await manager.rebuild('seen');
      const during = manager.runners();
      expect(during).toHaveLength(2);
      expect(during.map((r) => manager.isBuilding(r))).toEqual([false, true]);

      projection.gate = undefined;
      open();
      await manager.rebuildDone('seen');
      expect(manager.progress('seen')?.state).toBe('switched');
      const after = manager.runners();
      expect(after).toHaveLength(1);
      expect(after.map((r) => manager.isBuilding(r))).toEqual([false]);
      expect(manager.failedRebuilds()).toEqual([]);

      // A rebuild that fails before its switch: stopped, named for health, and the live generation goes on.
      projection.failIndexes = true;
      const failing = await manager.rebuild('seen');
      await manager.rebuildDone('seen');
      expect(manager.progress('seen')).toMatchObject({ state: 'failed', error: expect.stringContaining('disk I/O error') });
      expect(manager.failedRebuilds()).toEqual([{ projection: 'seen', generation: failing.generation, error: expect.stringContaining('disk I/O error') }]);
      const [still] = manager.runners();
      expect(manager.runners()).toHaveLength(1);
      expect(still?.running).toBe(true);
      await store.appendToStream('seen-9', [testEvent('test.Seen', { n: 9 })], { expectedRevision: 'no_stream' });
      // The fourth event of the log, handled by the generation still live.
      await still?.waitFor(() => still.status().lastHandled === '4');
    } finally {
      await manager.stop();
      await store.close();
      await db.close();
    }
  });
});
