import { FixedClock } from '@evp/shared-kernel';
import type { RunnerLogger } from '../subscription-runner';
import { PeriodicWorkLoop, runPeriodicWork, type PeriodicWork } from './deadline-service';

function recordingLogger(): RunnerLogger & { errors: object[]; infos: object[] } {
  const errors: object[] = [];
  const infos: object[] = [];
  return { errors, infos, info: (obj) => infos.push(obj), warn: () => undefined, error: (obj) => errors.push(obj) };
}

const clock = new FixedClock(new Date('2026-12-01T06:00:00Z'));

describe('periodic read-model work', () => {
  it('runs every piece with the clock\'s now; a failing one is logged and counted, and the others still run', async () => {
    const seen: Date[] = [];
    const logger = recordingLogger();
    const works: PeriodicWork[] = [
      { name: 'roll', run: async (now) => (seen.push(now), 3) },
      { name: 'broken', run: async () => Promise.reject(new Error('no such table: rm_accounts_g1')) },
      { name: 'after', run: async () => 0 },
    ];
    expect(await runPeriodicWork(works, clock, logger)).toEqual({ periodic: { roll: 3, after: 0 }, errors: 1 });
    expect(seen).toEqual([clock.now()]);
    expect(logger.errors).toEqual([expect.objectContaining({ work: 'broken' })]);
  });

  it('a loop runs at start and then every interval until stopped', async () => {
    let runs = 0;
    const loop = new PeriodicWorkLoop([{ name: 'roll', run: async () => ++runs }], clock, recordingLogger(), 20);
    loop.start();
    loop.start(); // a second start changes nothing
    await new Promise((r) => setTimeout(r, 110));
    await loop.stop();
    const stoppedAt = runs;
    // At start, then about every 20 ms: at least a few rounds (generous: the machine may be busy).
    expect(stoppedAt).toBeGreaterThanOrEqual(2);
    expect(loop.last).toEqual({ at: clock.now().toISOString(), periodic: { roll: stoppedAt }, errors: 0 });
    await new Promise((r) => setTimeout(r, 60));
    expect(runs).toBe(stoppedAt);
  });

  it('stop waits for the round in flight, and a call during a round shares it', async () => {
    let release!: () => void;
    let runs = 0;
    let finished = false;
    const work: PeriodicWork = {
      name: 'slow',
      run: async () => {
        runs += 1;
        await new Promise<void>((r) => (release = r));
        finished = true;
        return 1;
      },
    };
    const loop = new PeriodicWorkLoop([work], clock, recordingLogger(), 60_000);
    loop.start();
    const shared = loop.runOnce();
    expect(runs).toBe(1);
    const stopped = loop.stop().then(() => finished);
    await new Promise((r) => setTimeout(r, 10));
    release();
    expect(await stopped).toBe(true);
    await shared;
    expect(runs).toBe(1);
  });

  it('a loop with nothing to do starts no timer', async () => {
    const loop = new PeriodicWorkLoop([], clock, recordingLogger(), 1);
    loop.start();
    await loop.stop();
    expect(loop.last).toBeUndefined();
  });
});
