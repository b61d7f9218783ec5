import type { Clock } from '@evp/shared-kernel';
import type { EventFilter, EventStore, GlobalPosition, RecordedEvent, Subscription } from '@evp/event-store';
import type { CheckpointStore } from './checkpoint-store';
import { ParkingLot, type ParkedEntry, type ParkedState } from './parking-lot';
import { describeError, isTransientError } from './transient';

/** A projection or a workflow: something that consumes the log in order. */
export interface EventProcessor {
  /** Stable name: the checkpoint and the parking lot are keyed by it. */
  readonly name: string;
  readonly filter: EventFilter;
  /**
   * True when `handle`/`handleBatch` commit the checkpoint (`upTo`) themselves, in the same
   * transaction as their writes (SQL projections and workflows, invariant 3). The runner then
   * stores a checkpoint only to move past events it parked or held.
   */
  readonly commitsCheckpoint?: boolean;
  /**
   * Milliseconds this processor lets new events gather after it was idle, before it handles them
   * (default 0: at once). For read models nobody waits on by the millisecond (the dashboard's
   * month figures): their work then comes after the work a person does wait on (a posting → the
   * case it opens → its deadlines), which shares the process's one thread with it, and a trickle
   * of events is handled in fewer, larger batches. Only when it had nothing left to handle: a
   * subscription working through a backlog goes on at once (a pause of the store's reads
   * mid-backlog may cost it one gather).
   */
  readonly gatherMs?: number;
  /** Must be idempotent: after a crash the events since the last checkpoint are delivered again. */
  handle(event: RecordedEvent, upTo: GlobalPosition): Promise<void>;
  /**
   * Optional: several events at once (in log order) with the same effect as one by one. If it
   * throws a non-transient error, the runner falls back to `handle` event by event, so a poison
   * event is still found and parked on its own.
   */
  handleBatch?(events: readonly RecordedEvent[], upTo: GlobalPosition): Promise<void>;
}

export interface RunnerLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface SubscriptionRunnerOptions {
  readonly store: EventStore;
  readonly checkpoints: CheckpointStore;
  readonly clock: Clock;
  readonly logger: RunnerLogger;
  /** Attempts on one event, with its dependencies healthy, before it is parked. */
  readonly maxAttempts?: number;
  readonly retryDelayMs?: number;
  /** Longest wait between retries of a transient failure or restarts of the subscription. */
  readonly maxBackoffMs?: number;
  /** Store the checkpoint after this many events, and at least every `checkpointIntervalMs` when behind. */
  readonly checkpointEvery?: number;
  readonly checkpointIntervalMs?: number;
  /** Most events handed to `handleBatch` at once. */
  readonly batchSize?: number;
  /** Extra test of an error: true when it is an infrastructure failure (retried, never parked). */
  readonly isTransient?: (error: unknown) => boolean;
  /**
   * Asked before an event is parked: a reason when a dependency (Redis, SQL, the event store) is
   * down. An error while a dependency is down is never the event's fault, so it is not parked.
   */
  readonly probeDependencies?: () => Promise<string | null>;
}

export type RunnerState = 'running' | 'retrying' | 'restarting' | 'stopped';

export interface SubscriptionStatus {
  readonly name: string;
  readonly state: RunnerState;
  readonly running: boolean;
  readonly checkpoint: GlobalPosition | null;
  readonly lastHandled: GlobalPosition | null;
  readonly handled: number;
  /** The last failure while retrying or restarting; cleared when work succeeds again. */
  readonly lastError: string | null;
  readonly failingSince: string | null;
  readonly restarts: number;
  readonly parked: ParkedEntry[];
}

/** Serialises the main loop, operator retries and checkpoint writes. */
class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** Longest stretch of catch-up work before the loop lets other work in. */
const YIELD_AFTER_MS = 20;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Runs one processor over a catch-up subscription (ARCHITECTURE.md, invariants 3, 8 and 9).
 * - The checkpoint is stored only after the handler finished every event up to it.
 * - An infrastructure error (Redis, SQL or the event store unavailable) is retried with back-off
 *   for as long as it lasts, never parked; the status says `retrying` and health turns red.
 * - An error the handler raises deterministically for one event parks it with the error; later
 *   events of the same stream are held behind it, other streams flow on.
 * - If the subscription itself fails, it is restarted from the last handled position with
 *   back-off: only `stop()` ends it.
 */
export class SubscriptionRunner {
  private readonly parking: ParkingLot;
  private readonly lock = new Mutex();
  private parked: ParkedState = new Map();
  private subscription: Subscription | undefined;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private timer: NodeJS.Timeout | undefined;
  private lastHandled: GlobalPosition | undefined;
  private lastStored: GlobalPosition | undefined;
  private sinceCheckpoint = 0;
  private handledCount = 0;
  private restarts = 0;
  private state: RunnerState = 'stopped';
  private lastError: string | null = null;
  private failingSince: Date | null = null;
  private wakeSleeper: (() => void) | undefined;
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;
  private readonly maxBackoffMs: number;
  private readonly checkpointEvery: number;
  private readonly checkpointIntervalMs: number;
  private readonly batchSize: number;

  constructor(
    readonly processor: EventProcessor,
    private readonly options: SubscriptionRunnerOptions,
  ) {
    this.parking = new ParkingLot(options.store, processor.name);
    this.maxAttempts = options.maxAttempts ?? 5;
    this.retryDelayMs = options.retryDelayMs ?? 200;
    this.maxBackoffMs = options.maxBackoffMs ?? 5_000;
    this.checkpointEvery = options.checkpointEvery ?? 500;
    this.checkpointIntervalMs = options.checkpointIntervalMs ?? 250;
    this.batchSize = options.batchSize ?? 500;
  }

  get running(): boolean {
    return this.loop !== undefined;
  }

  async start(): Promise<void> {
    if (this.loop) return;
    this.stopping = false;
    this.parked = await this.parking.load();
    this.lastStored = await this.options.checkpoints.load(this.processor.name);
    this.lastHandled = this.lastStored;
    this.options.logger.info({ subscription: this.processor.name, checkpoint: this.lastStored ?? 'start', parkedStreams: this.parked.size }, 'subscription starting');
    this.timer = setInterval(() => void this.flushCheckpoint().catch((error) => this.logFlushError(error)), this.checkpointIntervalMs);
    this.state = 'running';
    this.loop = this.superviseLoop();
  }

  async stop(): Promise<void> {
    if (!this.loop) return;
    this.stopping = true;
    clearInterval(this.timer);
    this.wakeSleeper?.();
    await this.subscription?.stop();
    await this.loop;
    this.loop = undefined;
    this.subscription = undefined;
    this.state = 'stopped';
    await this.flushCheckpoint().catch((error) => this.logFlushError(error));
  }

  status(): SubscriptionStatus {
    return {
      name: this.processor.name,
      state: this.state,
      running: this.running,
      checkpoint: this.lastStored ?? null,
      lastHandled: this.lastHandled ?? null,
      handled: this.handledCount,
      lastError: this.lastError,
      failingSince: this.failingSince?.toISOString() ?? null,
      restarts: this.restarts,
      parked: [...this.parked.values()].flat(),
    };
  }

  /** Resolves once `predicate` holds. For tests and benchmarks. */
  async waitFor(predicate: () => boolean, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`Subscription ${this.processor.name} did not catch up within ${timeoutMs} ms`);
      await sleep(20);
    }
  }

  /**
   * Operator action: hand the parked event of `streamName` and the events held behind it to the
   * handler again, in order. Whatever succeeds is released; a new failure parks again from there.
   */
  async retryParked(streamName: string): Promise<{ released: boolean; parked: ParkedEntry[] }> {
    return this.lock.run(async () => {
      const entries = this.parked.get(streamName);
      if (!entries) return { released: true, parked: [] };
      for (let i = 0; i < entries.length; i++) {
        const entry = entries[i] as ParkedEntry;
        const [event] = await this.options.store.readStream(streamName, { fromRevision: entry.revision, maxCount: 1 });
        if (!event || event.id !== entry.eventId) throw new Error(`Parked event ${entry.eventId} is no longer at ${streamName}@${entry.revision}`);
        const failure = await this.handleWithRetries(event, false);
        if (failure) {
          const now = this.options.clock.now();
          await this.parking.release(streamName, now);
          const reparked = [await this.parking.park(event, failure.error, entry.attempts + failure.attempts, 'parked', now)];
          for (const rest of entries.slice(i + 1)) {
            const [held] = await this.options.store.readStream(streamName, { fromRevision: rest.revision, maxCount: 1 });
            if (held) reparked.push(await this.parking.park(held, null, 0, 'held', now));
          }
          this.parked.set(streamName, reparked);
          return { released: false, parked: reparked };
        }
      }
      await this.parking.release(streamName, this.options.clock.now());
      this.parked.delete(streamName);
      this.options.logger.info({ subscription: this.processor.name, stream: streamName, events: entries.length }, 'parked stream released');
      return { released: true, parked: [] };
    });
  }

  /** Keeps a subscription open until `stop()`: a failing subscription is reopened from where handling got to. */
  private async superviseLoop(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      const subscription = this.options.store.subscribeToAll({ ...(this.lastHandled ? { after: this.lastHandled } : {}), filter: this.processor.filter });
      this.subscription = subscription;
      try {
        await this.consume(subscription, () => (failures = 0));
        if (this.stopping) break;
        throw new Error('subscription ended without being stopped');
      } catch (error) {
        if (this.stopping) break;
        failures += 1;
        this.restarts += 1;
        this.fail('restarting', error);
        this.options.logger.error({ subscription: this.processor.name, err: describeError(error), restarts: this.restarts }, 'subscription failed; restarting');
        await subscription.stop().catch(() => undefined);
        await this.sleepUnlessStopping(this.backoff(failures));
      }
    }
  }

  /**
   * A pump reads the subscription into a bounded buffer while the loop below hands whatever has
   * arrived (up to `batchSize`) to the processor: one event at a time when the log trickles, pages
   * of events when it floods (a file import).
   */
  private async consume(subscription: Subscription, onProgress: () => void): Promise<void> {
    const buffer: RecordedEvent[] = [];
    let done = false;
    let failure: unknown;
    let wakeConsumer: (() => void) | undefined;
    let wakePump: (() => void) | undefined;
    let lastYield = performance.now();
    const pump = (async () => {
      try {
        for await (const event of subscription) {
          buffer.push(event);
          wakeConsumer?.();
          while (buffer.length >= this.batchSize * 2 && !this.stopping) await new Promise<void>((r) => (wakePump = r));
        }
      } catch (error) {
        failure = error;
      } finally {
        done = true;
        wakeConsumer?.();
      }
    })();
    try {
      for (;;) {
        if (buffer.length === 0) {
          if (done) break;
          await new Promise<void>((r) => (wakeConsumer = r));
          wakeConsumer = undefined;
          // Idle until now: a processor that may wait lets what else arrives gather first.
          const gatherMs = this.processor.gatherMs ?? 0;
          if (gatherMs > 0) await this.sleepUnlessStopping(gatherMs);
          continue;
        }
        const batch = buffer.splice(0, this.batchSize);
        wakePump?.();
        await this.lock.run(() => this.processBatch(batch));
        onProgress();
        // SQLite answers synchronously, so a catch-up of thousands of batches would resolve only
        // microtasks and starve the event loop: /health, timers and other subscriptions would wait.
        // Yield to it whenever this loop has worked for a while without a pause.
        if (performance.now() - lastYield > YIELD_AFTER_MS) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          lastYield = performance.now();
        }
        if (this.sinceCheckpoint >= this.checkpointEvery) await this.flushCheckpoint();
      }
    } finally {
      // Leave the pump nothing to wait for, whether we finished or failed.
      buffer.length = 0;
      wakePump?.();
    }
    await pump;
    if (failure) throw failure;
  }

  private async processBatch(batch: RecordedEvent[]): Promise<void> {
    const handleBatch = this.processor.handleBatch?.bind(this.processor);
    const free = batch.filter((e) => !this.parked.has(e.streamName));
    if (handleBatch && free.length > 1 && free.length === batch.length) {
      const upTo = (batch[batch.length - 1] as RecordedEvent).position;
      for (let attempt = 1; !this.stopping; attempt++) {
        try {
          await handleBatch(batch, upTo);
          this.recovered();
          this.handledCount += batch.length;
          this.markHandled(upTo, batch.length);
          return;
        } catch (error) {
          if (await this.isInfrastructureFailure(error)) {
            this.fail('retrying', error);
            this.options.logger.warn({ subscription: this.processor.name, events: batch.length, attempt, err: describeError(error) }, 'batch failed on an infrastructure error; retrying');
            await this.sleepUnlessStopping(this.backoff(attempt));
            continue;
          }
          this.options.logger.warn({ subscription: this.processor.name, events: batch.length, err: describeError(error) }, 'batch failed; handling its events one by one');
          break;
        }
      }
    }
    for (const event of batch) {
      if (this.stopping) return;
      await this.process(event);
    }
  }

  private async process(event: RecordedEvent): Promise<void> {
    const blocked = this.parked.get(event.streamName);
    if (blocked) {
      if (!blocked.some((e) => e.eventId === event.id)) {
        blocked.push(await this.parking.park(event, null, 0, 'held', this.options.clock.now()));
        this.options.logger.warn({ subscription: this.processor.name, stream: event.streamName, revision: event.revision }, 'event held behind a parked event of its stream');
      }
      this.lastHandled = event.position;
      this.sinceCheckpoint += 1;
      return;
    }
    const failure = await this.handleWithRetries(event, true);
    if (this.stopping && failure) return;
    if (failure) {
      const entry = await this.parking.park(event, failure.error, failure.attempts, 'parked', this.options.clock.now());
      this.parked.set(event.streamName, [entry]);
      this.options.logger.error(
        { subscription: this.processor.name, stream: event.streamName, revision: event.revision, type: event.type, attempts: failure.attempts, err: describeError(failure.error) },
        'event parked after repeated failures',
      );
      this.lastHandled = event.position;
      this.sinceCheckpoint += 1;
    } else {
      this.handledCount += 1;
      this.markHandled(event.position, 1);
    }
  }

  /**
   * Retries one event: transient failures for as long as they last (when `waitOutOutages`), other
   * failures up to `maxAttempts`, and only those while every dependency answers can park it.
   */
  private async handleWithRetries(event: RecordedEvent, waitOutOutages: boolean): Promise<{ error: unknown; attempts: number } | undefined> {
    let attempts = 0;
    let lastError: unknown;
    for (let attempt = 1; !this.stopping; attempt++) {
      try {
        await this.processor.handle(event, event.position);
        this.recovered();
        return undefined;
      } catch (error) {
        lastError = error;
        if (await this.isInfrastructureFailure(error)) {
          this.fail('retrying', error);
          this.options.logger.warn({ subscription: this.processor.name, stream: event.streamName, revision: event.revision, attempt, err: describeError(error) }, 'handler failed on an infrastructure error; retrying');
          if (!waitOutOutages) return { error, attempts: attempts + 1 };
          await this.sleepUnlessStopping(this.backoff(attempt));
          continue;
        }
        attempts += 1;
        this.options.logger.warn({ subscription: this.processor.name, stream: event.streamName, revision: event.revision, attempt: attempts, err: describeError(error) }, 'handler failed');
        if (attempts >= this.maxAttempts) return { error, attempts };
        await this.sleepUnlessStopping(Math.min(this.retryDelayMs * 2 ** (attempts - 1), this.maxBackoffMs));
      }
    }
    return { error: lastError, attempts };
  }

  private async isInfrastructureFailure(error: unknown): Promise<boolean> {
    if (isTransientError(error) || this.options.isTransient?.(error)) return true;
    const down = await this.options.probeDependencies?.().catch((probeError: unknown) => describeError(probeError));
    return Boolean(down);
  }

  private markHandled(position: GlobalPosition, count: number): void {
    this.lastHandled = position;
    if (this.processor.commitsCheckpoint) this.lastStored = position;
    else this.sinceCheckpoint += count;
  }

  private fail(state: 'retrying' | 'restarting', error: unknown): void {
    this.state = state;
    this.lastError = describeError(error);
    // Operational time (how long an outage lasts), not business time.
    this.failingSince ??= new Date();
  }

  private recovered(): void {
    if (this.state === 'running') return;
    this.options.logger.info({ subscription: this.processor.name, failingSince: this.failingSince?.toISOString() }, 'subscription recovered');
    this.state = 'running';
    this.lastError = null;
    this.failingSince = null;
  }

  private backoff(attempt: number): number {
    const base = Math.min(this.retryDelayMs * 2 ** Math.min(attempt - 1, 10), this.maxBackoffMs);
    return base / 2 + Math.random() * (base / 2);
  }

  private sleepUnlessStopping(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeSleeper = done;
    });
  }

  private flushCheckpoint(): Promise<void> {
    return this.lock.run(async () => {
      const position = this.lastHandled;
      if (position === undefined || position === this.lastStored) return;
      await this.options.checkpoints.store(this.processor.name, position);
      this.lastStored = position;
      this.sinceCheckpoint = 0;
    });
  }

  private logFlushError(error: unknown): void {
    this.options.logger.warn({ subscription: this.processor.name, err: describeError(error) }, 'checkpoint not stored; will retry');
  }
}
