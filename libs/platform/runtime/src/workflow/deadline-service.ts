import type { Kysely } from 'kysely';
import type { Clock } from '@evp/shared-kernel';
import type { ReadModelDb } from '@evp/read-models';
import type { RunnerLogger } from '../subscription-runner';
import type { ScheduleOutcome, TimerService } from '../timers';
import { describeError } from '../transient';
import type { DeadlineRow, WorkflowTables } from './deadline-table';
import { mapLimit, type TimerDelivery, type WorkflowRunner } from './workflow-runner';

export interface SweepResult {
  readonly at: string;
  /** `timer` deadlines held against BullMQ: how many were missing, moved, due now, or already there. */
  readonly timers: Record<ScheduleOutcome, number>;
  /** BullMQ jobs with no pending row behind them (cancelled while Redis was away): removed. */
  readonly orphansRemoved: number;
  /** `sheet` deadlines that were due and fired in this sweep. */
  readonly sheetFired: number;
  /** Rows each piece of periodic read-model work changed (e.g. the ledger's daily roll). */
  readonly periodic: Record<string, number>;
  readonly errors: number;
}

/**
 * Time-driven upkeep of a read model that events alone cannot do (amounts that fall due with the
 * calendar), run at every sweep, or on a `PeriodicWorkLoop` of its own in a process that runs the
 * projections but not the sweeps. Idempotent: it only moves rows forward to the current day.
 */
export interface PeriodicWork {
  readonly name: string;
  run(now: Date): Promise<number>;
}

/** Runs each piece of periodic work once; a failure is logged and counted, and the others still run. */
export async function runPeriodicWork(works: readonly PeriodicWork[], clock: Clock, logger: RunnerLogger): Promise<{ periodic: Record<string, number>; errors: number }> {
  const periodic: Record<string, number> = {};
  let errors = 0;
  for (const work of works) {
    try {
      periodic[work.name] = await work.run(clock.now());
    } catch (error) {
      errors += 1;
      logger.error({ work: work.name, err: describeError(error) }, 'periodic read-model work failed; it runs again at the next round');
    }
  }
  return { periodic, errors };
}

/** One round of the periodic read-model work: when, rows each piece changed, how many failed. */
export interface PeriodicRound {
  readonly at: string;
  readonly periodic: Record<string, number>;
  readonly errors: number;
}

/**
 * Periodic read-model work on a timer of its own, at start and every interval: in a worker process
 * that runs the projections whose tables the work keeps but not the deadline sweeps
 * (WORKER_ROLE=projections). Where both run in one process, the sweep runs it instead.
 */
export class PeriodicWorkLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** What the last round changed, per piece of work. */
  last: PeriodicRound | undefined;

  constructor(
    private readonly works: readonly PeriodicWork[],
    private readonly clock: Clock,
    private readonly logger: RunnerLogger,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    if (this.timer || this.works.length === 0) return;
    void this.runOnce();
    this.timer = setInterval(() => void this.runOnce(), this.intervalMs);
  }

  /** Stops the timer and waits for a round in flight. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One round; a call while one is in flight shares it. */
  runOnce(): Promise<void> {
    this.running ??= (async () => {
      const { periodic, errors } = await runPeriodicWork(this.works, this.clock, this.logger);
      this.last = { at: this.clock.now().toISOString(), periodic, errors };
      if (Object.values(periodic).some((rows) => rows > 0)) this.logger.info(this.last, 'periodic read-model work');
    })().finally(() => (this.running = undefined));
    return this.running;
  }
}

const PAGE = 1000;

/**
 * Delivers the workflows' deadlines. `timer` deadlines are BullMQ delayed jobs with the row's id as
 * job id; `sheet` deadlines are read from the table when due. The sweep, at start and every
 * interval, holds BullMQ against the table (ModularMonolith's scheduled sweep; invariant 4).
 */
export class DeadlineService implements TimerDelivery {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<SweepResult> | undefined;
  lastSweep: SweepResult | undefined;

  constructor(
    private readonly db: ReadModelDb,
    private readonly timers: TimerService,
    private readonly runners: ReadonlyMap<string, WorkflowRunner>,
    private readonly clock: Clock,
    private readonly logger: RunnerLogger,
    private readonly intervalMs: number,
    private readonly periodicWork: readonly PeriodicWork[] = [],
  ) {}

  private get tables(): Kysely<WorkflowTables> {
    return this.db.kysely as Kysely<WorkflowTables>;
  }

  schedule(deadline: { id: string; dueAt: Date; workflow: string; kind: string }): Promise<ScheduleOutcome> {
    return this.timers.schedule({ id: deadline.id, dueAt: deadline.dueAt, command: { type: `deadline.${deadline.kind}`, payload: { workflow: deadline.workflow } } });
  }

  cancel(id: string): Promise<boolean> {
    return this.timers.cancel(id);
  }

  /** BullMQ fired job `id`: the workflow that owns the row decides. A throw retries the job with back-off. */
  async fire(id: string, workflow: string): Promise<void> {
    const runner = this.runners.get(workflow);
    if (!runner) throw new Error(`No workflow named ${workflow} for deadline ${id}`);
    await runner.fire(id);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.sweep().catch(() => undefined), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * One sweep; concurrent calls share the sweep in flight. `fresh` waits for the one in flight and
   * then sweeps again, for a caller (an operator) who needs a sweep that saw everything up to now.
   */
  async sweep(options: { fresh?: boolean } = {}): Promise<SweepResult> {
    if (options.fresh && this.running) await this.running.catch(() => undefined);
    this.running ??= this.sweepOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweepOnce(): Promise<SweepResult> {
    const timers: Record<ScheduleOutcome, number> = { scheduled: 0, unchanged: 0, rescheduled: 0, 'fired-now': 0 };
    let errors = 0;
    let orphansRemoved = 0;
    let sheetFired = 0;
    try {
      const pending = await this.pendingRows('timer');
      const outcome = await this.timers.scheduleMany(
        pending.map((r) => ({ id: r.id, dueAt: new Date(r.due_at), command: { type: `deadline.${r.kind}`, payload: { workflow: r.workflow } } })),
      );
      for (const key of Object.keys(timers) as ScheduleOutcome[]) timers[key] += outcome[key];
      const wanted = new Set(pending.map((r) => r.id));
      for (const id of await this.timers.pendingJobIds()) {
        if (!wanted.has(id) && (await this.timers.cancel(id))) orphansRemoved += 1;
      }
    } catch (error) {
      errors += 1;
      this.logger.error({ err: describeError(error) }, 'timer deadlines not held against BullMQ');
    }
    try {
      sheetFired = await this.fireDueSheet();
    } catch (error) {
      errors += 1;
      this.logger.error({ err: describeError(error) }, 'daily sheet not fired');
    }
    const ran = await runPeriodicWork(this.periodicWork, this.clock, this.logger);
    const periodic = ran.periodic;
    errors += ran.errors;
    const result: SweepResult = { at: this.clock.now().toISOString(), timers, orphansRemoved, sheetFired, periodic, errors };
    const changedRows = Object.values(periodic).reduce((a, b) => a + b, 0);
    if (timers.scheduled + timers.rescheduled + timers['fired-now'] + orphansRemoved + sheetFired + changedRows > 0 || errors > 0) this.logger.info(result, 'deadline sweep');
    this.lastSweep = result;
    return result;
  }

  /** Fires every `sheet` deadline that is due, page by page, a few at a time. */
  private async fireDueSheet(): Promise<number> {
    let fired = 0;
    const seen = new Set<string>();
    for (;;) {
      const now = this.clock.now().toISOString();
      const due = await this.tables
        .selectFrom('wf_deadlines')
        .select(['id', 'workflow'])
        .where('status', '=', 'pending')
        .where('delivery', '=', 'sheet')
        .where('due_at', '<=', now)
        .orderBy('due_at')
        .orderBy('id')
        .limit(PAGE)
        .execute();
      const fresh = due.filter((d) => !seen.has(d.id));
      if (fresh.length === 0) return fired;
      fresh.forEach((d) => seen.add(d.id));
      const outcomes = await mapLimit(fresh, 8, async (d) => {
        try {
          return (await this.runners.get(d.workflow)?.fire(d.id)) === 'fired' ? 1 : 0;
        } catch (error) {
          this.logger.warn({ deadline: d.id, err: describeError(error) }, 'sheet deadline failed; it stays pending for the next sweep');
          return 0;
        }
      });
      fired += outcomes.reduce<number>((a, b) => a + b, 0);
    }
  }

  private async pendingRows(delivery: 'timer' | 'sheet'): Promise<DeadlineRow[]> {
    const rows: DeadlineRow[] = [];
    let after = '';
    for (;;) {
      const page = await this.tables.selectFrom('wf_deadlines').selectAll().where('status', '=', 'pending').where('delivery', '=', delivery).where('id', '>', after).orderBy('id').limit(PAGE).execute();
      rows.push(...page);
      if (page.length < PAGE) return rows;
      after = (page[page.length - 1] as DeadlineRow).id;
    }
  }

  /** For operators: what is pending (and which of it is overdue), what fired or was cancelled lately, and why workflows ignored inputs. */
  async overview(limit: number) {
    const now = this.clock.now().toISOString();
    const counts = await this.tables.selectFrom('wf_deadlines').select(['status', 'delivery']).select((eb) => eb.fn.countAll<number>().as('n')).groupBy(['status', 'delivery']).execute();
    const overdue = await this.tables
      .selectFrom('wf_deadlines')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'pending')
      .where('due_at', '<', now)
      .executeTakeFirst();
    const pending = await this.tables.selectFrom('wf_deadlines').selectAll().where('status', '=', 'pending').orderBy('due_at').orderBy('id').limit(limit).execute();
    const recent = await this.tables.selectFrom('wf_deadlines').selectAll().where('status', 'in', ['fired', 'cancelled']).orderBy('changed_at', 'desc').orderBy('id').limit(100).execute();
    const ignored = await this.tables.selectFrom('wf_ignored').selectAll().orderBy('workflow').orderBy('count', 'desc').execute();
    const jobs = await this.timers.counts();
    const view = (r: DeadlineRow) => ({ id: r.id, workflow: r.workflow, kind: r.kind, delivery: r.delivery, dueOn: r.due_on, dueAt: r.due_at, status: r.status, overdue: r.status === 'pending' && r.due_at < now, changedAt: r.changed_at });
    return {
      counts: counts.map((c) => ({ status: c.status, delivery: c.delivery, count: Number(c.n) })),
      overdue: Number(overdue?.n ?? 0),
      pending: pending.map(view),
      recent: recent.map(view),
      ignored: ignored.map((i) => ({ workflow: i.workflow, reason: i.reason, count: Number(i.count), lastInputType: i.last_input_type, lastAt: i.last_at })),
      bullmq: jobs,
      lastSweep: this.lastSweep ?? null,
    };
  }
}
