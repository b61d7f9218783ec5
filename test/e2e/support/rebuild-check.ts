import { waitFor, type TestSystem } from './system';

/**
 * Every projection's tables now, then rebuilt from the log into new tables: they must be equal
 * (invariant 3). Every projection the worker runs, not a chosen few; the periodic read-model work
 * (the ledger's daily roll) runs before each dump, so both sides are as of today. With a split
 * worker, the projections process (TestSystem's `workerPort`) owns the rebuilds and the roll.
 */
export async function expectEqualToFreshRebuild(system: TestSystem, timeoutMs = 120_000): Promise<void> {
  await system.caughtUp(timeoutMs);
  expect((await system.worker_('POST', '/operator/periodic/run')).status).toBe(200);
  const { body: listed } = await system.worker_<Array<{ name: string }>>('GET', '/operator/projections');
  const projections = listed.map((p) => p.name);
  expect(projections.length).toBeGreaterThanOrEqual(10);
  const before = Object.fromEntries(projections.map((p) => [p, system.dumpProjection(p)]));
  // All started at once, then each awaited: ten one after the other took most of a test's time limit.
  for (const projection of projections) expect((await system.worker_('POST', `/operator/projections/${projection}/rebuild`)).status).toBe(202);
  for (const projection of projections) {
    await waitFor(async () => (await system.worker_<{ state: string }>('GET', `/operator/projections/${projection}/rebuild`)).body.state === 'switched' || undefined, `${projection} to be rebuilt`, timeoutMs);
  }
  expect((await system.worker_('POST', '/operator/periodic/run')).status).toBe(200);
  const after = Object.fromEntries(projections.map((p) => [p, system.dumpProjection(p)]));
  expect(after).toEqual(before);
}
