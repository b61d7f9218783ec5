import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixedClock } from '@evp/shared-kernel';
import { SqliteEventStore } from '@evp/event-store';
import { testEvent } from '@evp/event-store/testing';
import { ReadModelDb, type SqlProjection } from '@evp/read-models';
import { silentLogger } from '../testing';
import type { SubscriptionRunner } from '../subscription-runner';
import { ProjectionManager } from './projection-manager';

const dir = mkdtempSync(join(tmpdir(), 'evp-projection-manager-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const clock = new FixedClock(new Date('2026-11-26T09:00:00Z'));

interface SeenTables {
  seen: { n: number };
}

type SeenProjection = SqlProjection<SeenTables> & {
  gate: Promise<void> | undefined;
  failIndexes: boolean;
  indexGate: Promise<void> | undefined;
  indexing: boolean;
  failWith: Error | undefined;
  calls: number;
};

/**
 * Records each event's number, counting its batches (`calls`); while `gate` is set, every batch waits for it; `failWith` fails every
 * batch with it; `failIndexes` fails a rebuild before its switch, `indexGate` holds it there (`indexing`).
 */
function seenProjection(): SeenProjection {
  return {
    name: 'seen',
    version: 1,
    filter: { streamPrefixes: ['seen-'] },
    tables: ['seen'],
    gate: undefined,
    failIndexes: false,
    indexGate: undefined,
    indexing: false,
    failWith: undefined,
    calls: 0,
    async createIndexes() {
      this.indexing = true;
      await this.indexGate;
      this.indexing = false;
      if (this.failIndexes) throw new Error('disk I/O error');
    },
    async createTables(db) {
      await db.schema.createTable('seen').addColumn('n', 'integer', (c) => c.primaryKey()).execute();
    },
    async apply(tx, events) {
      this.calls += 1;
      await this.gate;
      if (this.failWith) throw this.failWith;
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
      expect(manager.progress('seen')).toMatchObject({ state: 'switched', handled: 3 });
      const after = manager.runners();
      // The switched runner goes on as the live one; the rebuild's figure stays what the rebuild handled.
      await store.appendToStream('seen-3', [testEvent('test.Seen', { n: 3 })], { expectedRevision: 'no_stream' });
      await after[0]?.waitFor(() => after[0]?.status().handled === 4);
      expect(manager.progress('seen')).toMatchObject({ state: 'switched', handled: 3 });
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
      // The fifth event of the log, handled by the generation still live.
      await still?.waitFor(() => still.status().lastHandled === '5');
    } finally {
      await manager.stop();
      await store.close();
      await db.close();
    }
  });

  describe('a rebuild that stops making progress', () => {
    const LIMIT = 60_000;
    let n = 0;

    /** A store with three events, and a manager on a clock the test moves, its live generation caught up. */
    async function setup(options: { rebuildBatchSize?: number } = {}) {
      n += 1;
      const store = new SqliteEventStore({ file: join(dir, `stall-${n}-events.sqlite`), pollIntervalMs: 10 });
      const db = await ReadModelDb.open({ kind: 'sqlite', file: join(dir, `stall-${n}-read-models.sqlite`) });
      await db.migrate();
      const testClock = new FixedClock(new Date('2026-11-26T09:00:00Z'));
      const projection = seenProjection();
      const manager = new ProjectionManager(db, store, testClock, silentLogger, { retryDelayMs: 5, maxBackoffMs: 20, operationalClock: testClock, ...options });
      manager.add(projection);
      await manager.start();
      for (let i = 0; i < 3; i++) await store.appendToStream(`seen-${i}`, [testEvent('test.Seen', { n: i })], { expectedRevision: 'no_stream' });
      const [live] = manager.runners();
      await live?.waitFor(() => live.status().handled === 3);
      // Whatever a test holds is let go before the end, so a failing test fails rather than hangs.
      const held: Array<() => void> = [];
      const hold = () => {
        let open: () => void = () => undefined;
        const gate = new Promise<void>((resolve) => (open = resolve));
        held.push(open);
        return { gate, open };
      };
      const close = async () => {
        Object.assign(projection, { gate: undefined, indexGate: undefined, failWith: undefined });
        for (const open of held) open();
        await manager.stop();
        await store.close();
        await db.close();
      };
      return { store, manager, projection, testClock, live: live as SubscriptionRunner, hold, close };
    }

    const rebuildRunner = (manager: ProjectionManager) => manager.runners().find((r) => manager.isBuilding(r)) as SubscriptionRunner;
    const waitUntil = async (predicate: () => boolean) => {
      for (const deadline = Date.now() + 10_000; !predicate(); await new Promise((r) => setTimeout(r, 10))) {
        if (Date.now() > deadline) throw new Error('timed out');
      }
    };

    it('is named once its handler has been retried on an infrastructure error for longer than the limit, and no longer once it moves on', async () => {
      const { manager, projection, testClock, close } = await setup();
      try {
        const startedAt = testClock.now();
        projection.failWith = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
        const { generation } = await manager.rebuild('seen');
        const runner = rebuildRunner(manager);
        await runner.waitFor(() => runner.status().state === 'retrying');

        expect(manager.stalledRebuilds(testClock.now(), LIMIT)).toEqual([]);
        testClock.advance(LIMIT);
        expect(manager.stalledRebuilds(testClock.now(), LIMIT)).toEqual([]);
        testClock.advance(1);
        expect(manager.stalledRebuilds(testClock.now(), LIMIT)).toEqual([{ projection: 'seen', generation, sinceMs: LIMIT + 1 }]);
        expect(manager.progress('seen')).toMatchObject({ state: 'building', handled: 0, lastProgressAt: startedAt.toISOString() });

        // The outage ends: it catches up and switches, and is stalled no more.
        projection.failWith = undefined;
        await manager.rebuildDone('seen');
        expect(manager.progress('seen')).toMatchObject({ state: 'switched', handled: 3, lastProgressAt: testClock.now().toISOString() });
        testClock.advance(10 * LIMIT);
        expect(manager.stalledRebuilds(testClock.now(), LIMIT)).toEqual([]);
      } finally {
        await close();
      }
    });

    it('is not named while it moves on, however slowly; it is once a handler never returns', async () => {
      // One event per batch, each held until the test lets it through.
      const { manager, projection, testClock, hold, close } = await setup({ rebuildBatchSize: 1 });
      try {
        let { gate, open } = hold();
        projection.gate = gate;
        const { generation } = await manager.rebuild('seen');
        const runner = rebuildRunner(manager);
        expect(manager.stalledRebuilds(testClock.now(), LIMIT)).toEqual([]);

        // Nearly the limit between each event: never more than it without progress.
        const before = projection.calls;
        for (let handled = 1; handled <= 2; handled++) {
          await waitUntil(() => projection.calls === before + handled);
          testClock.advance(LIMIT - 1);
          const release = open;
          ({ gate, open } = hold());
          projection.gate = gate;
          release();
          await runner.waitFor(() => runner.status().handled === handled);
          expect(manager.stalledRebuilds(testClock.now(), LIMIT)).toEqual([]);
          expect(manager.progress('seen')).toMatchObject({ handled, lastProgressAt: testClock.now().toISOString() });
        }

        // The third event's handler hangs: its state says `running`, nothing else would tell.
        const lastMoved = testClock.now();
        testClock.advance(LIMIT + 1);
        expect(runner.status().state).toBe('running');
        expect(manager.stalledRebuilds(testClock.now(), LIMIT)).toEqual([{ projection: 'seen', generation, sinceMs: LIMIT + 1 }]);
        expect(manager.progress('seen')?.lastProgressAt).toBe(lastMoved.toISOString());

        projection.gate = undefined;
        open();
        await manager.rebuildDone('seen');
        expect(manager.progress('seen')?.state).toBe('switched');
      } finally {
        await close();
      }
    });

    it('is not named while it waits at the head for its switch, but is once it falls behind again and stays there', async () => {
      const { store, manager, projection, testClock, live, hold, close } = await setup();
      try {
        const indexes = hold();
        projection.indexGate = indexes.gate;
        const { generation } = await manager.rebuild('seen');
        // Caught up: it creates its indexes before the switch, handling nothing meanwhile.
        await waitUntil(() => projection.indexing);
        // Asked now (as health is every few seconds), its last event is dated now; then nothing moves.
        expect(manager.progress('seen')).toMatchObject({ state: 'building', handled: 3, lastProgressAt: testClock.now().toISOString() });
        testClock.advance(10 * LIMIT);
        expect(manager.stalledRebuilds(testClock.now(), LIMIT)).toEqual([]);

        // An event arrives that its handler will never finish; the old generation is stopped first so
        // that only the rebuild meets it (the switch would otherwise wait on the old one's handler).
        await live.stop();
        const { gate, open } = hold();
        projection.gate = gate;
        await store.appendToStream('seen-9', [testEvent('test.Seen', { n: 9 })], { expectedRevision: 'no_stream' });
        projection.indexGate = undefined;
        indexes.open();
        // Behind again, found by the look before the switch: timed from that look, not from its last
        // event before the wait (long past the limit), so named only a limit later.
        await waitUntil(() => manager.stalledRebuilds(new Date(testClock.now().getTime() + LIMIT + 1), LIMIT).length === 1);
        expect(manager.stalledRebuilds(testClock.now(), LIMIT)).toEqual([]);
        testClock.advance(LIMIT + 1);
        expect(manager.stalledRebuilds(testClock.now(), LIMIT)).toEqual([{ projection: 'seen', generation, sinceMs: LIMIT + 1 }]);

        projection.gate = undefined;
        open();
        await manager.rebuildDone('seen');
        expect(manager.progress('seen')).toMatchObject({ state: 'switched', handled: 4 });
      } finally {
        await close();
      }
    });
  });
});
