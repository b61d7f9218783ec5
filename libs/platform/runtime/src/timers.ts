import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Clock } from '@evp/shared-kernel';
import type { JsonObject } from '@evp/event-store';
import type { RunnerLogger } from './subscription-runner';

/**
 * A business deadline (a first-contact limit, an instalment's due date, a warning's 14 days).
 * When it fires, `command` is sent; the command's decision re-checks the state, so an early, late
 * or doubled firing is harmless (invariant 4).
 */
export interface Deadline {
  /** Deterministic: the same deadline always has the same id, e.g. `case-<uuid>.first-contact`. Opaque ids only. */
  readonly id: string;
  readonly dueAt: Date;
  readonly command: { readonly type: string; readonly payload: JsonObject };
}

export type ScheduleOutcome = 'scheduled' | 'unchanged' | 'rescheduled' | 'fired-now';

interface JobData {
  readonly dueAt: string;
  readonly command: { readonly type: string; readonly payload: JsonObject };
}

/**
 * BullMQ refuses custom job ids that are integers or contain ':'. We also keep them readable and
 * free of personal data: letters, digits, `_ . -`, starting with a letter.
 */
const DEADLINE_ID = /^[A-Za-z][A-Za-z0-9_.-]{0,199}$/;

export class InvalidDeadlineError extends Error {}

/** Durable timers on BullMQ delayed jobs with deterministic job ids. */
export class TimerService {
  readonly queue: Queue<JobData>;
  private worker: Worker<JobData> | undefined;

  constructor(
    connection: Redis,
    private readonly prefix: string,
    private readonly clock: Clock,
    private readonly logger: RunnerLogger,
    readonly queueName = 'deadlines',
  ) {
    this.queue = new Queue<JobData>(queueName, { connection, prefix: `${prefix}:bull` });
  }

  /**
   * Idempotent: scheduling the same deadline twice leaves one job. A deadline that fired earlier
   * (completed or failed job) is scheduled anew — BullMQ would otherwise silently ignore an add
   * whose job id still exists. Business time comes from the injected clock, so a deadline already
   * due by that clock is promoted to run now.
   */
  async schedule(deadline: Deadline): Promise<ScheduleOutcome> {
    if (!DEADLINE_ID.test(deadline.id)) throw new InvalidDeadlineError(`Invalid deadline id ${JSON.stringify(deadline.id)}: letters, digits, _ . - only, starting with a letter`);
    if (Number.isNaN(deadline.dueAt.getTime())) throw new InvalidDeadlineError(`Deadline ${deadline.id} has an invalid due date`);
    const delay = Math.max(0, deadline.dueAt.getTime() - this.clock.now().getTime());
    const data: JobData = { dueAt: deadline.dueAt.toISOString(), command: deadline.command };
    const existing = await this.queue.getJob(deadline.id);
    let rescheduled = false;
    if (existing) {
      const state = await existing.getState();
      if (state === 'delayed') {
        if (existing.data.dueAt !== data.dueAt) await existing.updateData(data);
        if (delay === 0) {
          await existing.promote();
          return 'fired-now';
        }
        const firesAt = existing.timestamp + (existing.delay ?? 0);
        if (existing.data.dueAt !== data.dueAt || Math.abs(firesAt - (Date.now() + delay)) > 1000) {
          await existing.changeDelay(delay);
          return 'rescheduled';
        }
        return 'unchanged';
      }
      if (state === 'waiting' || state === 'active' || state === 'prioritized' || state === 'waiting-children') return 'unchanged';
      // completed, failed or unknown: the old job must go, or the add below is ignored.
      await existing.remove().catch(() => undefined);
      rescheduled = true;
    }
    await this.queue.add(deadline.command.type, data, {
      jobId: deadline.id,
      delay,
      attempts: 5,
      backoff: { type: 'exponential', delay: 1000 },
      // Fired deadlines stay visible for a week ("what fired"); schedule() replaces a finished job.
      removeOnComplete: { age: 7 * 24 * 3600 },
      removeOnFail: { age: 14 * 24 * 3600 },
    });
    return rescheduled ? 'rescheduled' : delay === 0 ? 'fired-now' : 'scheduled';
  }

  /**
   * Schedules many deadlines (the sweeper's case): one bulk read of the pending jobs, then a
   * round trip only for deadlines that are missing, moved or due by the injected clock.
   */
  async scheduleMany(deadlines: readonly Deadline[]): Promise<Record<ScheduleOutcome, number>> {
    const counts: Record<ScheduleOutcome, number> = { scheduled: 0, unchanged: 0, rescheduled: 0, 'fired-now': 0 };
    const jobs = await this.queue.getJobs(['delayed', 'waiting', 'active', 'prioritized', 'waiting-children']);
    const pending = new Map(jobs.filter((j) => j?.id).map((j) => [j.id as string, j]));
    const now = this.clock.now().getTime();
    for (const deadline of deadlines) {
      const job = pending.get(deadline.id);
      const delayed = job && job.delay > 0 && job.processedOn === undefined;
      if (job && job.data.dueAt === deadline.dueAt.toISOString() && (!delayed || deadline.dueAt.getTime() > now)) {
        counts.unchanged += 1;
        continue;
      }
      counts[await this.schedule(deadline)] += 1;
    }
    return counts;
  }

  /**
   * Removes a pending deadline. A deadline that is running right now finishes (its command
   * re-checks the state); one that already fired stays as history of what fired.
   */
  async cancel(id: string): Promise<boolean> {
    const job = await this.queue.getJob(id);
    if (!job || (await job.getState()) === 'completed') return false;
    try {
      await job.remove();
      return true;
    } catch {
      return false;
    }
  }

  /** How many deadlines are in each state. */
  async counts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('delayed', 'waiting', 'active', 'failed', 'prioritized');
  }

  /** Ids of the jobs still to fire (delayed, waiting, active): what the sweeper compares with the pending-deadline table. */
  async pendingJobIds(): Promise<string[]> {
    const jobs = await this.queue.getJobs(['delayed', 'waiting', 'prioritized', 'waiting-children']);
    return jobs.filter((j): j is Job<JobData> => Boolean(j?.id)).map((j) => j.id as string);
  }

  /** Starts firing deadlines: `fire` sends the deadline's command. A throw retries the job with back-off. */
  startWorker(fire: (deadline: Deadline) => Promise<void>, connection: Redis, options: { concurrency?: number; lockMs?: number } = {}): void {
    if (this.worker) return;
    this.worker = new Worker<JobData>(
      this.queueName,
      async (job) => {
        await fire({ id: job.id as string, dueAt: new Date(job.data.dueAt), command: job.data.command });
      },
      { connection, prefix: `${this.prefix}:bull`, concurrency: options.concurrency ?? 4, lockDuration: options.lockMs ?? 30_000, stalledInterval: options.lockMs ?? 30_000 },
    );
    this.worker.on('failed', (job, error) => this.logger.warn({ deadline: job?.id, err: `${error.name}: ${error.message}` }, 'deadline command failed'));
    this.worker.on('error', (error) => this.logger.error({ err: `${error.name}: ${error.message}` }, 'deadline worker error'));
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
  }
}
