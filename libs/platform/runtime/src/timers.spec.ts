import type { Redis } from 'ioredis';
import { FixedClock } from '@evp/shared-kernel';
import { createBullConnection } from './redis';
import { TimerService, type Deadline } from './timers';
import { TEST_REDIS_URL, dropPrefix, silentLogger, uniqueRedisPrefix } from './testing';

describe('TimerService on BullMQ (real Redis)', () => {
  const clock = new FixedClock(new Date());
  let redis: Redis;
  let workerConnection: Redis;
  let prefix: string;
  let timers: TimerService;

  beforeEach(() => {
    clock.set(new Date());
    redis = createBullConnection(TEST_REDIS_URL);
    workerConnection = createBullConnection(TEST_REDIS_URL);
    prefix = uniqueRedisPrefix('timers');
    timers = new TimerService(redis, prefix, clock, silentLogger);
  });
  afterEach(async () => {
    await timers.close();
    await dropPrefix(redis, prefix);
    redis.disconnect();
    workerConnection.disconnect();
  });

  const deadline = (id: string, inMs: number): Deadline => ({
    id,
    dueAt: new Date(clock.now().getTime() + inMs),
    command: { type: 'cases.EscalateIfNoContact', payload: { caseId: id } },
  });

  it('schedules a deadline once however often it is scheduled', async () => {
    expect(await timers.schedule(deadline('case-1.first-contact', 60_000))).toBe('scheduled');
    expect(await timers.schedule(deadline('case-1.first-contact', 60_000))).toBe('unchanged');
    expect(await timers.queue.getJobCounts('delayed')).toEqual({ delayed: 1 });
  });

  it('moves a deadline whose due date changed', async () => {
    await timers.schedule(deadline('case-2.first-contact', 60_000));
    expect(await timers.schedule(deadline('case-2.first-contact', 120_000))).toBe('rescheduled');
    const job = await timers.queue.getJob('case-2.first-contact');
    expect(job?.data.dueAt).toBe(new Date(clock.now().getTime() + 120_000).toISOString());
  });

  it('cancels a deadline', async () => {
    await timers.schedule(deadline('case-3.first-contact', 60_000));
    expect(await timers.cancel('case-3.first-contact')).toBe(true);
    expect(await timers.pendingJobIds()).toEqual([]);
    expect(await timers.cancel('case-3.first-contact')).toBe(false);
  });

  it('refuses ids BullMQ would reject or that are not opaque', async () => {
    for (const id of ['123', 'case:1', '', 'case 1', '12345678901.first-contact']) {
      await expect(timers.schedule(deadline(id, 1000))).rejects.toThrow(/Invalid deadline id/);
    }
  });

  it('fires a due deadline, and the same deadline can be scheduled again after it fired', async () => {
    const fired: string[] = [];
    timers.startWorker(async (d) => void fired.push(d.id), workerConnection);
    await timers.schedule(deadline('case-4.first-contact', 0));
    await waitFor(() => fired.length === 1);
    await waitFor(async () => (await (await timers.queue.getJob('case-4.first-contact'))?.getState()) === 'completed');
    expect(await timers.pendingJobIds()).toEqual([]);
    expect(await timers.schedule(deadline('case-4.first-contact', 0))).toBe('rescheduled');
    await waitFor(() => fired.length === 2);
    expect(fired).toEqual(['case-4.first-contact', 'case-4.first-contact']);
  });

  it('a finished job kept by BullMQ does not block scheduling the same deadline again', async () => {
    // A job kept after completion (as an older deployment or an operator might leave it): BullMQ
    // itself silently ignores a second add with the same id…
    const job = { dueAt: new Date().toISOString(), command: { type: 'x', payload: {} } };
    await timers.queue.add('x', job, { jobId: 'case-5.first-contact', removeOnComplete: false });
    const { Worker } = await import('bullmq');
    const w = new Worker('deadlines', async () => 'ok', { connection: workerConnection, prefix: `${prefix}:bull` });
    await waitFor(async () => (await (await timers.queue.getJob('case-5.first-contact'))?.getState()) === 'completed');
    await w.close();
    await timers.queue.add('x', job, { jobId: 'case-5.first-contact', delay: 60_000 });
    expect(await (await timers.queue.getJob('case-5.first-contact'))?.getState()).toBe('completed');
    // …while schedule() removes the finished job and adds the deadline anew.
    expect(await timers.schedule(deadline('case-5.first-contact', 60_000))).toBe('rescheduled');
    expect(await (await timers.queue.getJob('case-5.first-contact'))?.getState()).toBe('delayed');
  });

  it('promotes a delayed deadline that the injected clock says is due now', async () => {
    const fired: string[] = [];
    timers.startWorker(async (d) => void fired.push(d.id), workerConnection);
    await timers.schedule(deadline('case-6.first-contact', 10 * 24 * 3600_000));
    clock.advance(11 * 24 * 3600_000);
    expect(await timers.schedule({ ...deadline('case-6.first-contact', 0), dueAt: new Date(clock.now().getTime() - 24 * 3600_000) })).toBe('fired-now');
    await waitFor(() => fired.length === 1);
  });
});

async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
