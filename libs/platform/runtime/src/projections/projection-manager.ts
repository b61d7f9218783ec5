import type { Clock } from '@evp/shared-kernel';
import type { EventStore } from '@evp/event-store';
import { ProjectionGenerations, createGenerationIndexes, type ReadModelDb, type SqlProjection } from '@evp/read-models';
import { SubscriptionRunner, type RunnerLogger, type SubscriptionRunnerOptions } from '../subscription-runner';
import { SystemClock } from '../clock';
import { describeError } from '../transient';
import { ProjectionHost, SqlCheckpointStore } from './projection-host';

export interface RebuildProgress {
  readonly projection: string;
  readonly generation: number;
  readonly startedAt: string;
  readonly handled: number;
  readonly state: 'building' | 'switched' | 'failed';
  readonly finishedAt: string | null;
  readonly error: string | null;
  /**
   * When the rebuild was last seen to move on through the log (its start until it first does). Sampled
   * when progress or health is asked for, so it may be later than the move itself by the time
   * between two such questions, never earlier.
   */
  readonly lastProgressAt: string;
}

/** A rebuild that failed and was not started again. */
export interface FailedRebuild {
  readonly projection: string;
  readonly generation: number;
  readonly error: string | null;
}

/** A rebuild that has made no progress for longer than the limit, while it still had events to handle. */
export interface StalledRebuild {
  readonly projection: string;
  readonly generation: number;
  readonly sinceMs: number;
}

interface Rebuild {
  readonly runner: SubscriptionRunner;
  /** What `progress` answers, but `lastProgressAt`: that is `seen.since`, sampled when asked. */
  progress: Omit<RebuildProgress, 'lastProgressAt'>;
  done: Promise<void>;
  /** Where its runner had got to when last sampled, and when it was first seen there. */
  seen: { readonly handled: number; readonly lastHandled: string | null; readonly since: Date };
  /** Whether the last look at the log (`switchWhenCaughtUp`) found nothing after what its runner handled. */
  atHead: boolean;
}

interface Managed {
  readonly projection: SqlProjection;
  live: SubscriptionRunner | undefined;
  rebuild: Rebuild | undefined;
}

type RunnerOptions = Omit<SubscriptionRunnerOptions, 'checkpoints' | 'store' | 'clock' | 'logger'> & {
  /**
   * Most events a rebuild applies in one transaction (default 5 000): its generation serves no
   * query while it builds, so it can take larger batches than a live runner — fewer transactions
   * and checkpoint writes, and a row touched by several events of a batch is written once.
   */
  readonly rebuildBatchSize?: number;
  /**
   * Wall time for the stall alarm (`stalledRebuilds`, `lastProgressAt`); default the system
   * clock. Not the business clock: in the e2e tests that one jumps days ahead, and a stall is an
   * operational fact, measured like lag.
   */
  readonly operationalClock?: Clock;
};

const DEFAULT_REBUILD_BATCH_SIZE = 5_000;
/**
 * Most events a live projection applies in one transaction unless `batchSize` says otherwise. A
 * trickle is applied an event at a time whatever this is; a file import comes in pages this size.
 * 2 000 rather than the runners' 500: fewer transactions, checkpoint writes and look-ups of the
 * rows a batch touches. A 100 000-line file, the worker split in two, 500 and 2 000 in turn six
 * times: the projections process's CPU 6.2-7.7 s -> 5.3-6.0 s, fully projected 16.0-19.2 s ->
 * 15.3-17.0 s; its event loop's longest pause meanwhile 140-280 -> 190-510 ms. (The workflows
 * gained nothing from larger batches, and keep the runners' 500.)
 */
const DEFAULT_LIVE_BATCH_SIZE = 2_000;

/**
 * Hosts the SQL projections with blue/green generations: a projection is rebuilt into new tables
 * while the old ones keep serving, then switched in one transaction — no downtime, and a rebuild
 * of the same events gives identical tables. A projection whose `version` changed in code is
 * rebuilt this way at start; the api serves it only once a generation of its version is active.
 */
export class ProjectionManager {
  private readonly managed = new Map<string, Managed>();
  private readonly generations: ProjectionGenerations;
  private readonly checkpoints: SqlCheckpointStore;
  private readonly wallClock: Clock;

  constructor(
    private readonly db: ReadModelDb,
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly logger: RunnerLogger,
    private readonly runnerOptions: RunnerOptions = {},
  ) {
    this.generations = new ProjectionGenerations(db);
    this.checkpoints = new SqlCheckpointStore(db);
    this.wallClock = runnerOptions.operationalClock ?? new SystemClock();
  }

  add(projection: SqlProjection): void {
    if (this.managed.has(projection.name)) throw new Error(`Projection ${projection.name} registered twice`);
    this.managed.set(projection.name, { projection, live: undefined, rebuild: undefined });
  }

  names(): string[] {
    return [...this.managed.keys()];
  }

  /** Whether `runner` builds a new generation (a rebuild in progress), rather than keeping a live one up to date. */
  isBuilding(runner: SubscriptionRunner): boolean {
    for (const m of this.managed.values()) if (m.rebuild?.runner === runner && m.rebuild.progress.state === 'building') return true;
    return false;
  }

  /** Rebuilds that failed and were not started again: the worker's health names them. */
  failedRebuilds(): FailedRebuild[] {
    return [...this.managed.values()].flatMap((m) => (m.rebuild?.progress.state === 'failed' ? [{ projection: m.projection.name, generation: m.rebuild.progress.generation, error: m.rebuild.progress.error }] : []));
  }

  /**
   * Rebuilds in progress that have not moved on through the log for longer than `limitMs` while
   * there was something left to handle: a handler retried forever, one that never returns, or a
   * runner that never gets to the head. The worker's health and metrics name them; a rebuild's
   * lag does not, since its generation is behind by design.
   *
   * Progress is the runner's handled count or its last handled position (a parked or held event
   * moves the position, not the count), sampled here and in `progress`: a value is dated when
   * first seen, so no one needs to ask at any particular rhythm, and a stall is never reported
   * early — at worst one question late.
   *
   * A rebuild that has caught up is not stalled because nothing arrives: between its first
   * "caught up" and the switch it writes what it kept in memory and creates its indexes (minutes on
   * a large projection), during which its count stands still by design. It is told apart by the
   * answer of the last look at the log in `switchWhenCaughtUp` (`atHead`), not by guessing from
   * the count; when a later look finds it behind again, its stall is timed from that look, not
   * from its last event before the wait. A step after "caught up" that never returns (index
   * creation, stopping the old generation) is not detected here.
   */
  stalledRebuilds(now: Date, limitMs: number): StalledRebuild[] {
    return [...this.managed.values()].flatMap((m) => {
      const rebuild = m.rebuild;
      if (rebuild?.progress.state !== 'building') return [];
      const seen = this.sample(rebuild, now);
      const sinceMs = now.getTime() - seen.since.getTime();
      return !rebuild.atHead && sinceMs > limitMs ? [{ projection: m.projection.name, generation: rebuild.progress.generation, sinceMs }] : [];
    });
  }

  /** The live runners and any rebuild in progress, for status, health and lag. */
  runners(): SubscriptionRunner[] {
    return [...this.managed.values()].flatMap((m) => [m.live, m.rebuild?.progress.state === 'building' ? m.rebuild.runner : undefined]).filter((r): r is SubscriptionRunner => r !== undefined);
  }

  async start(): Promise<void> {
    for (const m of this.managed.values()) {
      const active = await this.generations.active(m.projection.name);
      if (active && active.version === m.projection.version) {
        m.live = this.runnerFor(new ProjectionHost(m.projection, active, this.db), this.runnerOptions.batchSize ?? DEFAULT_LIVE_BATCH_SIZE);
        await m.live.start();
      } else if (!active) {
        // Nothing to serve yet: the first generation goes live at once and fills up as it catches up.
        const target = await this.generations.beginWithTables(m.projection);
        await this.generations.switchTo(m.projection.name, target.generation);
        m.live = this.runnerFor(new ProjectionHost(m.projection, target, this.db), this.runnerOptions.batchSize ?? DEFAULT_LIVE_BATCH_SIZE);
        await m.live.start();
      } else {
        this.logger.info({ projection: m.projection.name, active: active.version, code: m.projection.version }, 'projection version changed; rebuilding into a new generation');
        await this.rebuild(m.projection.name);
      }
    }
  }

  async stop(): Promise<void> {
    for (const m of this.managed.values()) {
      await m.rebuild?.runner.stop();
      await m.live?.stop();
    }
  }

  /** Starts a rebuild into a new generation (or returns the one in progress). */
  async rebuild(name: string): Promise<RebuildProgress> {
    const m = this.managed.get(name);
    if (!m) throw new UnknownProjectionError(name);
    if (m.rebuild?.progress.state === 'building') return this.progress(name) as RebuildProgress;
    // Tables retired by the previous switch are dropped only now: the api may have read them a moment after it.
    await this.generations.dropRetired(name);
    // Its secondary indexes are created after the bulk load, before the switch (switchWhenCaughtUp).
    const target = await this.generations.beginWithTables(m.projection, { deferIndexes: true });
    const host = new ProjectionHost(m.projection, target, this.db, { building: true });
    const runner = this.runnerFor(host, this.runnerOptions.rebuildBatchSize ?? DEFAULT_REBUILD_BATCH_SIZE);
    const startedAt = this.clock.now();
    const progress: Rebuild['progress'] = { projection: name, generation: target.generation, startedAt: startedAt.toISOString(), handled: 0, state: 'building', finishedAt: null, error: null };
    const rebuild: Rebuild = { runner, progress, done: Promise.resolve(), seen: { handled: 0, lastHandled: null, since: this.wallClock.now() }, atHead: false };
    m.rebuild = rebuild;
    await runner.start();
    rebuild.done = this.switchWhenCaughtUp(m, rebuild, host, target).catch(async (error) => {
      this.logger.error({ projection: name, generation: target.generation, err: describeError(error) }, 'rebuild failed');
      rebuild.progress = { ...rebuild.progress, state: 'failed', handled: runner.status().handled, error: describeError(error), finishedAt: this.clock.now().toISOString() };
      // Nothing more goes into the abandoned generation, and the old one, if the switch had
      // already stopped it, is written again: it serves until a rebuild succeeds.
      await runner.stop().catch(() => undefined);
      if (m.live && m.live !== runner && !m.live.running) await m.live.start().catch((e: unknown) => this.logger.error({ projection: name, err: describeError(e) }, 'live generation not restarted'));
    });
    return this.progress(name) as RebuildProgress;
  }

  /** Resolves when the rebuild in progress (if any) has switched or failed. */
  async rebuildDone(name: string): Promise<void> {
    await this.managed.get(name)?.rebuild?.done;
  }

  progress(name: string): RebuildProgress | null {
    const m = this.managed.get(name);
    if (!m) throw new UnknownProjectionError(name);
    const rebuild = m.rebuild;
    if (!rebuild) return null;
    // Read from its runner only while it builds: once switched, that runner is the live one and
    // moves on as such, and the figures stay what the rebuild did (kept at the switch or failure).
    if (rebuild.progress.state !== 'building') return { ...rebuild.progress, lastProgressAt: rebuild.seen.since.toISOString() };
    const seen = this.sample(rebuild, this.wallClock.now());
    return { ...rebuild.progress, handled: rebuild.runner.status().handled, lastProgressAt: seen.since.toISOString() };
  }

  /** The rebuild's runner's progress, dated `now` if it moved since the last sample (or always, with `restart`). */
  private sample(rebuild: Rebuild, now: Date, restart = false): Rebuild['seen'] {
    const { handled, lastHandled } = rebuild.runner.status();
    if (restart || handled !== rebuild.seen.handled || lastHandled !== rebuild.seen.lastHandled) rebuild.seen = { handled, lastHandled, since: now };
    return rebuild.seen;
  }

  private async switchWhenCaughtUp(m: Managed, rebuild: Rebuild, host: ProjectionHost, target: { generation: number; tables: Record<string, string> }): Promise<void> {
    const { generation } = target;
    const { runner } = rebuild;
    const caughtUp = async () => {
      const last = runner.status().lastHandled;
      const next = await this.store.readAll({ ...(last ? { after: last } : {}), filter: m.projection.filter, maxCount: 1 });
      const atHead = next.length === 0;
      // Behind again after waiting at the head (events arrived while its indexes were created): its
      // stall is timed from here, not from the last event it handled before the wait.
      if (rebuild.atHead && !atHead) this.sample(rebuild, this.wallClock.now(), true);
      rebuild.atHead = atHead;
      return atHead;
    };
    while (!(await caughtUp())) await new Promise((r) => setTimeout(r, 20));
    // The bulk load is done: write what the build kept in memory, then index the tables, while the
    // live generation still serves and is still written.
    await host.finishBuilding(() => createGenerationIndexes(this.db, m.projection, target));
    // Stop writing the old generation, let the new one take whatever arrived meanwhile, then switch.
    await m.live?.stop();
    while (!(await caughtUp())) await new Promise((r) => setTimeout(r, 20));
    await this.generations.switchTo(m.projection.name, generation);
    m.live = runner;
    // Its last moves as a rebuild are dated before its runner goes on as the live one.
    this.sample(rebuild, this.wallClock.now());
    rebuild.progress = { ...rebuild.progress, state: 'switched', handled: runner.status().handled, finishedAt: this.clock.now().toISOString() };
    this.logger.info({ projection: m.projection.name, generation }, 'projection switched to its rebuilt generation');
  }

  private runnerFor(host: ProjectionHost, batchSize?: number): SubscriptionRunner {
    const { rebuildBatchSize: _, operationalClock: __, ...options } = this.runnerOptions;
    return new SubscriptionRunner(host, {
      ...options,
      ...(batchSize === undefined ? {} : { batchSize }),
      store: this.store,
      checkpoints: this.checkpoints,
      clock: this.clock,
      logger: this.logger,
    });
  }
}

export class UnknownProjectionError extends Error {
  constructor(name: string) {
    super(`No projection named ${name}`);
  }
}
