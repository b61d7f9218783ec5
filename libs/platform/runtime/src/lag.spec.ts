import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@evp/event-store';
import { testEvent } from '@evp/event-store/testing';
import { ReadModelDb, deleteCheckpoint, writeCheckpoint } from '@evp/read-models';
import { LagScanner, healthProblems, type SubscriptionLag } from './lag';
import type { SubscriptionStatus } from './subscription-runner';

const dir = mkdtempSync(join(tmpdir(), 'evp-lag-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const status = (name: string, state: SubscriptionStatus['state'] = 'running'): SubscriptionStatus => ({
  name,
  state,
  running: state !== 'stopped',
  checkpoint: null,
  lastHandled: null,
  handled: 0,
  lastError: null,
  failingSince: null,
  restarts: 0,
  parked: [],
});

describe('LagScanner', () => {
  it('scans after the durable checkpoint once per checkpoint: the first event found is remembered by its time, none found goes on from the head', async () => {
    const store = new SqliteEventStore({ file: join(dir, 'events.sqlite') });
    const db = await ReadModelDb.open({ kind: 'sqlite', file: join(dir, 'read-models.sqlite') });
    await db.migrate();
    try {
      const scanner = new LagScanner(store, async () => db);
      const reads = jest.spyOn(store, 'readAll');
      // Narrowed to one type: a busy category of other types in between must be scanned past.
      const filter = { streamPrefixes: ['lag-'], onlyTypes: { 'lag-': ['test.Wanted'] } };
      const me = status('lagging');

      expect(await scanner.of(me, filter, false)).toMatchObject({ caughtUp: true, behindSince: null, checkpoint: null });
      await store.appendToStream('lag-1', [testEvent('test.Other'), testEvent('test.Other')], { expectedRevision: 'no_stream' });
      // Nothing of its own since: the next scan starts at the head the last one saw.
      expect(await scanner.of(me, filter, false)).toMatchObject({ caughtUp: true });
      await store.appendToStream('lag-2', [testEvent('test.Wanted')], { expectedRevision: 'no_stream' });
      const [wanted] = await store.readStream('lag-2');
      const behind = await scanner.of(me, filter, false);
      expect(behind).toMatchObject({ caughtUp: false, behindSince: wanted?.recordedAt });
      // From the start while the log was empty, then from the head the second scan saw (the two others' events).
      expect(reads.mock.calls.map(([options]) => options?.after)).toEqual([undefined, undefined, '2']);

      // The same checkpoint: the answer without reading the log again.
      reads.mockClear();
      expect(await scanner.of(me, filter, false)).toEqual(behind);
      expect(reads).not.toHaveBeenCalled();

      // The checkpoint moves past it: caught up again, found by a new scan.
      await writeCheckpoint(db.kysely, 'lagging', wanted?.position as string);
      expect(await scanner.of(me, filter, false)).toMatchObject({ caughtUp: true, checkpoint: wanted?.position });
      expect(reads).toHaveBeenCalledTimes(1);

      // Deleted (a replay from the start): behind since the first event again.
      await deleteCheckpoint(db.kysely, 'lagging');
      expect(await scanner.of(me, filter, false)).toMatchObject({ caughtUp: false, checkpoint: null, behindSince: wanted?.recordedAt });

      // Forgotten once it is no longer among the subscriptions: the next call reads again.
      reads.mockClear();
      scanner.keepOnly(new Set(['someone-else']));
      await scanner.of(me, filter, false);
      expect(reads).toHaveBeenCalledTimes(1);

      // A store that cannot answer (and nothing remembered) is reported, not thrown.
      await store.close();
      scanner.keepOnly(new Set());
      expect(await scanner.of(me, filter, false)).toMatchObject({ caughtUp: false, error: expect.stringContaining('closed') });
    } finally {
      await store.close();
      await db.close();
    }
  });
});

describe('healthProblems', () => {
  const lag = (over: Partial<SubscriptionLag>): SubscriptionLag => ({ name: 'cases@g1', state: 'running', checkpoint: '1', caughtUp: false, behindSince: null, parked: 0, lastError: null, building: false, ...over });
  const now = Date.parse('2026-11-26T10:00:00.000Z');
  const longAgo = '2026-11-26T09:58:00.000Z';

  it('names a subscription that is not running, cannot be read, or is behind past the limit', () => {
    expect(
      healthProblems(
        [
          lag({ name: 'a', state: 'retrying', lastError: 'Redis: connect ECONNREFUSED' }),
          lag({ name: 'b', error: 'read models are down' }),
          lag({ name: 'c', behindSince: longAgo }),
          lag({ name: 'd', behindSince: '2026-11-26T09:59:30.000Z' }),
          lag({ name: 'e', caughtUp: true }),
        ],
        now,
        60_000,
      ),
    ).toEqual(['a: retrying (Redis: connect ECONNREFUSED)', 'b: read models are down', `c: behind since ${longAgo}, more than 60000 ms`]);
  });

  it("does not count a rebuild's generation behind by design, but does count one that fails", () => {
    expect(healthProblems([lag({ name: 'cases@g2', building: true, behindSince: longAgo })], now, 60_000)).toEqual([]);
    expect(healthProblems([lag({ name: 'cases@g2', building: true, behindSince: longAgo, state: 'restarting', lastError: 'disk I/O error' })], now, 60_000)).toEqual([
      'cases@g2: restarting (disk I/O error)',
    ]);
    expect(healthProblems([lag({ name: 'cases@g1', caughtUp: true })], now, 60_000, [{ projection: 'cases', generation: 2, error: 'SqliteError: disk I/O error' }])).toEqual([
      'cases: rebuild into generation 2 failed (SqliteError: disk I/O error)',
    ]);
  });

  it('names a rebuild that has made no progress, though its lag is by design', () => {
    const building = lag({ name: 'cases@g3', building: true, behindSince: longAgo });
    expect(healthProblems([building], now, 60_000, [], [{ projection: 'cases', generation: 3, sinceMs: 754_321 }])).toEqual(['cases: rebuild into generation 3 has made no progress for 754 s']);
  });
});
