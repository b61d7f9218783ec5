import { Global, Inject, Injectable, Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Migration } from 'kysely';
import type { Clock } from '@evp/shared-kernel';
import { EventTypeMap, completePendingImports, type EventStore } from '@evp/event-store';
import { deleteCheckpoint, type ReadModelDb, type SqlProjection } from '@evp/read-models';
import { LagScanner, healthProblems, type SubscriptionLag } from '../lag';
import { workerRuns, type AppConfig } from '../config';
import { SqlCheckpointStore } from '../projections/projection-host';
import { ProjectionManager, type StalledRebuild } from '../projections/projection-manager';
import { createBullConnection } from '../redis';
import { SubscriptionRunner, type EventProcessor, type RunnerLogger } from '../subscription-runner';
import { TimerService } from '../timers';
import { describeError } from '../transient';
import { DeadlineService, PeriodicWorkLoop, type PeriodicRound, type PeriodicWork } from '../workflow/deadline-service';
import { workflowMigrations } from '../workflow/deadline-table';
import { WorkflowRunner, type WorkflowDefinition } from '../workflow/workflow-runner';
import { APP_CONFIG, CLOCK, EVENT_STORE, HEALTH_PROBLEMS, READ_MODEL_DB, READ_MODEL_READER, REDIS, type HealthProblems } from './tokens';
import type { ReadModelReader } from '../projections/read-model-reader';

/**
 * Where context modules register what the worker runs: SQL projections, workflows, the stored
 * event types (every event is decoded through this one map, so upcasters apply everywhere), and
 * the migrations of any tables of their own.
 */
@Injectable()
export class ProcessorRegistry {
  readonly projections: SqlProjection[] = [];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly workflows: Array<WorkflowDefinition<any, any>> = [];
  readonly processors: EventProcessor[] = [];
  readonly types = new EventTypeMap();
  readonly migrations: Record<string, Migration> = {};
  readonly periodic: PeriodicWork[] = [];

  registerProjection(projection: SqlProjection): void {
    this.projections.push(projection);
  }

  registerWorkflow<S, C>(workflow: WorkflowDefinition<S, C>): void {
    if (this.workflows.some((w) => w.name === workflow.name)) throw new Error(`Workflow ${workflow.name} registered twice`);
    this.workflows.push(workflow);
  }

  /** A processor that is neither a projection nor a workflow (e.g. the in-process event bus bridge). */
  register(processor: EventProcessor): void {
    this.processors.push(processor);
  }

  /**
   * Time-driven upkeep of a read model: run at every deadline sweep where one process runs
   * everything, on a timer of its own in the projections process of a split worker (WORKER_ROLE).
   */
  registerPeriodicWork(work: PeriodicWork): void {
    this.periodic.push(work);
  }

  registerMigrations(migrations: Record<string, Migration>): void {
    Object.assign(this.migrations, migrations);
  }
}

export const nestRunnerLogger = (logger: Logger): RunnerLogger => ({
  info: (obj, msg) => logger.log({ ...obj, msg }),
  warn: (obj, msg) => logger.warn({ ...obj, msg }),
  error: (obj, msg) => logger.error({ ...obj, msg }),
});

/**
 * Starts the projections, the workflows and their deadlines; stops them on shutdown; says how far
 * each has got. A worker split by WORKER_ROLE runs only its part: the projections (with their
 * rebuilds and the periodic read-model work that keeps their tables), or the workflows with their
 * deadlines (BullMQ's timers, the sweeps) and the other processors. Each process reports only
 * what it runs; the api's operator proxy gathers both.
 */
@Injectable()
export class ProcessingService implements OnApplicationBootstrap, OnApplicationShutdown, HealthProblems {
  private readonly logger = new Logger('Processing');
  /** What this process runs (WORKER_ROLE). */
  readonly runs: { readonly projections: boolean; readonly workflows: boolean };
  /** Empty in a process that runs only the workflows. */
  projections!: ProjectionManager;
  readonly workflows = new Map<string, WorkflowRunner>();
  private readonly runners = new Map<string, SubscriptionRunner>();
  /** Undefined in a process that runs only the projections. */
  timers: TimerService | undefined;
  /** Undefined in a process that runs only the projections. */
  deadlines: DeadlineService | undefined;
  /** The periodic read-model work, in a process that runs the projections but not the sweeps. */
  private periodicLoop: PeriodicWorkLoop | undefined;
  private bullQueueConnection: Redis | undefined;
  private bullWorkerConnection: Redis | undefined;

  constructor(
    private readonly registry: ProcessorRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(READ_MODEL_DB) private readonly db: ReadModelDb,
    @Inject(READ_MODEL_READER) reader: ReadModelReader,
  ) {
    this.runs = workerRuns(config);
    // The checkpoints through the worker's reader, not the writer's connection: a batch waiting
    // for another process's lock holds that connection, and /health and /operator/lag would wait
    // with it instead of telling which subscription falls behind.
    this.lagScanner = new LagScanner(store, () => reader.database());
  }

  private readonly lagScanner: LagScanner;

  async onApplicationBootstrap(): Promise<void> {
    const log = nestRunnerLogger(this.logger);
    await this.db.migrate({ ...workflowMigrations, ...this.registry.migrations });
    const runnerOptions = {
      maxAttempts: this.config.SUBSCRIPTION_MAX_ATTEMPTS,
      probeDependencies: () => this.probeDependencies(),
    };
    this.projections = new ProjectionManager(this.db, this.store, this.clock, log, runnerOptions);
    if (this.runs.projections) for (const projection of this.registry.projections) this.projections.add(projection);
    if (this.runs.workflows) {
      const checkpoints = new SqlCheckpointStore(this.db);
      await this.startWorkflows(log, (processor) => new SubscriptionRunner(processor, { ...runnerOptions, store: this.store, checkpoints, clock: this.clock, logger: log }));
    } else {
      await this.projections.start();
      this.periodicLoop = new PeriodicWorkLoop(this.registry.periodic, this.clock, log, this.config.TIMER_SWEEP_INTERVAL_MS);
      this.periodicLoop.start();
    }
  }

  /** The workflows, the other processors, BullMQ's timers and the sweeps (with the projections first when this process runs both). */
  private async startWorkflows(log: RunnerLogger, subscribe: (processor: EventProcessor) => SubscriptionRunner): Promise<void> {
    for (const definition of this.registry.workflows) {
      const runner = new WorkflowRunner(definition, { db: this.db, types: this.registry.types, clock: this.clock, logger: log });
      this.workflows.set(definition.name, runner);
      this.runners.set(runner.name, subscribe(runner));
    }
    for (const processor of this.registry.processors) this.runners.set(processor.name, subscribe(processor));
    this.bullQueueConnection = createBullConnection(this.config.REDIS_URL);
    this.bullWorkerConnection = createBullConnection(this.config.REDIS_URL);
    this.timers = new TimerService(this.bullQueueConnection, this.config.REDIS_PREFIX, this.clock, log);
    // Periodic work keeps projections' tables: it runs with the sweeps only where the projections run too.
    const periodic = this.runs.projections ? [...this.registry.periodic] : [];
    if (this.store.backend === 'eventstoredb') {
      // An import a crash interrupted between its import stream and its fan-out is completed here,
      // never half-applied (ARCHITECTURE.md, «Atomicity across streams»). SQLite imports are atomic.
      let after: string | undefined;
      periodic.push({
        name: 'complete-pending-imports',
        run: async () => {
          const result = await completePendingImports(this.store, after ? { after } : {});
          after = result.checkpoint ?? after;
          for (const failed of result.failed) log.warn({ importId: failed.importId, err: describeError(failed.error) }, 'import not completed; retried at the next sweep');
          return result.completed.length;
        },
      });
    }
    const deadlines = new DeadlineService(this.db, this.timers, this.workflows, this.clock, log, this.config.TIMER_SWEEP_INTERVAL_MS, periodic);
    this.deadlines = deadlines;
    for (const runner of this.workflows.values()) runner.delivery = deadlines;
    await this.projections.start();
    for (const runner of this.runners.values()) await runner.start();
    this.timers.startWorker((deadline) => deadlines.fire(deadline.id, String(deadline.command.payload['workflow'])), this.bullWorkerConnection, { lockMs: this.config.TIMER_LOCK_MS });
    // Hold BullMQ against the pending-deadline table now, then keep sweeping as the backstop.
    void deadlines.sweep().catch((error) => this.logger.error({ err: describeError(error), msg: 'initial deadline sweep failed' }));
    deadlines.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.deadlines?.stop();
    await this.periodicLoop?.stop();
    await this.projections?.stop();
    for (const runner of this.runners.values()) await runner.stop();
    for (const workflow of this.workflows.values()) await workflow.delivered();
    await this.timers?.close();
    this.bullQueueConnection?.disconnect();
    this.bullWorkerConnection?.disconnect();
  }

  allRunners(): SubscriptionRunner[] {
    return [...(this.projections?.runners() ?? []), ...this.runners.values()];
  }

  /**
   * Replays the whole log through a workflow (its checkpoint back to the start). Every command it
   * sends again is decided on the current state and every event id derives from its cause, so a
   * replay appends nothing new (invariant 2); the deadline table converges to the same rows.
   */
  async replayWorkflow(name: string): Promise<boolean> {
    const runner = this.runners.get(`workflow-${name}`);
    if (!runner) return false;
    await runner.stop();
    await deleteCheckpoint(this.db.kysely, runner.processor.name);
    await runner.start();
    return true;
  }

  runner(name: string): SubscriptionRunner | undefined {
    return this.allRunners().find((r) => r.processor.name === name);
  }

  /**
   * The periodic read-model work's last round where this process runs it (undefined where it does
   * not: the workflows process of a split worker). One process runs it with the sweeps; the
   * projections process of a split worker on a timer of its own.
   */
  periodicWork(): { readonly runsHere: boolean; readonly last: PeriodicRound | undefined } {
    if (this.periodicLoop) return { runsHere: true, last: this.periodicLoop.last };
    if (!this.runs.projections) return { runsHere: false, last: undefined };
    const sweep = this.deadlines?.lastSweep;
    return { runsHere: true, last: sweep ? { at: sweep.at, periodic: sweep.periodic, errors: sweep.errors } : undefined };
  }

  /** Runs the periodic read-model work now where this process runs it (a sweep, where it runs with the sweeps). */
  async runPeriodicWork(): Promise<PeriodicRound | undefined> {
    if (this.periodicLoop) {
      await this.periodicLoop.runOnce();
      return this.periodicLoop.last;
    }
    if (!this.runs.projections || !this.deadlines) return undefined;
    const sweep = await this.deadlines.sweep({ fresh: true });
    return { at: sweep.at, periodic: sweep.periodic, errors: sweep.errors };
  }

  /** Per subscription, from its durable checkpoint: how far it is behind (see `LagScanner`). */
  async lag(): Promise<SubscriptionLag[]> {
    const runners = this.allRunners();
    this.lagScanner.keepOnly(new Set(runners.map((r) => r.processor.name)));
    return Promise.all(runners.map((runner) => this.lagScanner.of(runner.status(), runner.processor.filter, this.projections?.isBuilding(runner) ?? false)));
  }

  /** Why the worker is not healthy, subscription by subscription; empty when it is. */
  async problems(): Promise<string[]> {
    return healthProblems(await this.lag(), Date.now(), this.config.SUBSCRIPTION_MAX_LAG_MS, this.projections?.failedRebuilds() ?? [], this.stalledRebuilds());
  }

  /** Rebuilds that have made no progress for longer than REBUILD_STALL_MS, for health and metrics: wall time, like lag. */
  stalledRebuilds(): StalledRebuild[] {
    return this.projections?.stalledRebuilds(new Date(), this.config.REBUILD_STALL_MS) ?? [];
  }

  /** A reason when Redis, SQL or the event store does not answer: a handler error then is not the event's fault. */
  private async probeDependencies(): Promise<string | null> {
    const within = <T>(p: Promise<T>, what: string) =>
      Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer within 1 s`)), 1_000).unref())]);
    const checks: Array<[string, () => Promise<unknown>]> = [
      ['redis', () => this.redis.ping()],
      ['read models', () => this.db.ping()],
      ['event store', () => this.store.ping()],
    ];
    for (const [what, check] of checks) {
      try {
        await within(check(), what);
      } catch (error) {
        return `${what}: ${describeError(error)}`;
      }
    }
    return null;
  }
}

@Global()
@Module({
  providers: [ProcessorRegistry, ProcessingService, { provide: HEALTH_PROBLEMS, useExisting: ProcessingService }],
  exports: [ProcessorRegistry, ProcessingService, HEALTH_PROBLEMS],
})
export class ProcessingModule {}
