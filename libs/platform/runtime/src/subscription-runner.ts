import type { Clock } from '@evp/shared-kernel';
import type { EventFilter, EventStore, GlobalPosition, RecordedEvent, Subscription } from '@evp/event-store';
import type { CheckpointStore } from './checkpoint-store';
import { ParkingLot, type ParkedEntry, type ParkedState } from './parking-lot';

/** A projection or a saga: something that consumes the log in order, one event at a time. */
export interface EventProcessor {
  /** Stable name: the checkpoint and the parking lot are keyed by it. */
  readonly name: string;
  readonly filter: EventFilter;
  /** Must be idempotent: after a crash the events since the last checkpoint are delivered again. */
  handle(event: RecordedEvent): Promise<void>;
  /**
   * Optional: handle several events at once (in log order) with the same effect as handling them
   * one by one — e.g. one Redis round trip for a page of events. If it throws, the runner falls
   * back to `handle` event by event, so a poison event is still found and parked on its own.
   */
  handleBatch?(events: readonly RecordedEvent[]): Promise<void>;
  /** Projections: drop the read model, so a rebuild starts from nothing. */
  reset?(): Promise<void>;
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
  /** Attempts on one event before it is parked. */
  readonly maxAttempts?: number;
  readonly retryDelayMs?: number;
  /** Store the checkpoint after this many events, and at least every `checkpointIntervalMs` when behind. */
  readonly checkpointEvery?: number;
  readonly checkpointIntervalMs?: number;
  /** Most events handed to `handleBatch` at once. */
  readonly batchSize?: number;
}

export interface SubscriptionStatus {
  readonly name: string;
  readonly running: boolean;
  readonly checkpoint: GlobalPosition | null;
  readonly lastHandled: GlobalPosition | null;
  readonly handled: number;
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

/**
 * Runs one processor over a catch-up subscription (ARCHITECTURE.md, invariants 3 and 8).
 * - The checkpoint is stored only after the handler finished every event up to it.
 * - A handler that keeps failing on an event parks it with the error; later events of the same
 *   stream are held behind it (their order matters), other streams flow on.
 * - Parked events survive restarts and can be retried by an operator.
 */
export class SubscriptionRunner {
  private readonly parking: ParkingLot;
  private readonly lock = new Mutex();
  private parked: ParkedState = new Map();
  private subscription: Subscription | undefined;
  private loop: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastHandled: GlobalPosition | undefined;
  private lastStored: GlobalPosition | undefined;
  private sinceCheckpoint = 0;
  private handledCount = 0;
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;
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
    this.checkpointEvery = options.checkpointEvery ?? 500;
    this.checkpointIntervalMs = options.checkpointIntervalMs ?? 250;
    this.batchSize = options.batchSize ?? 500;
  }

  get running(): boolean {
    return this.loop !== undefined;
  }

  async start(): Promise<void> {
    if (this.loop) return;
    this.parked = await this.parking.load();
    this.lastStored = await this.options.checkpoints.load(this.processor.name);
    this.lastHandled = this.lastStored;
    this.options.logger.info({ subscription: this.processor.name, checkpoint: this.lastStored ?? 'start', parkedStreams: this.parked.size }, 'subscription starting');
    const subscription = this.options.store.subscribeToAll({ ...(this.lastStored ? { after: this.lastStored } : {}), filter: this.processor.filter });
    this.subscription = subscription;
    this.timer = setInterval(() => void this.flushCheckpoint().catch((error) => this.logFlushError(error)), this.checkpointIntervalMs);
    this.loop = this.consume(subscription).catch((error) => {
      this.options.logger.error({ subscription: this.processor.name, err: describe(error) }, 'subscription stopped by an error');
    });
  }

  async stop(): Promise<void> {
    if (!this.loop) return;
    clearInterval(this.timer);
    await this.subscription?.stop();
    await this.loop;
    this.loop = undefined;
    this.subscription = undefined;
    await this.flushCheckpoint();
  }

  /** Rebuilds from the start of the log: the processor drops its state, then sees every event again. */
  async rebuild(): Promise<void> {
    await this.stop();
    await this.processor.reset?.();
    await this.options.checkpoints.reset(this.processor.name);
    this.lastStored = undefined;
    this.lastHandled = undefined;
    await this.start();
  }

  status(): SubscriptionStatus {
    return {
      name: this.processor.name,
      running: this.running,
      checkpoint: this.lastStored ?? null,
      lastHandled: this.lastHandled ?? null,
      handled: this.handledCount,
      parked: [...this.parked.values()].flat(),
    };
  }

  /** Resolves once every event up to `position` has been handled (or held). For tests and import status. */
  async waitFor(predicate: () => boolean, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`Subscription ${this.processor.name} did not catch up within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
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
        const failure = await this.handleWithRetries(event);
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

  /**
   * A pump reads the subscription into a bounded buffer while the loop below hands whatever has
   * arrived (up to `batchSize`) to the processor: one event at a time when the log trickles, pages
   * of events when it floods (a file import).
   */
  private async consume(subscription: Subscription): Promise<void> {
    const buffer: RecordedEvent[] = [];
    let done = false;
    let failure: unknown;
    let wakeConsumer: (() => void) | undefined;
    let wakePump: (() => void) | undefined;
    const pump = (async () => {
      try {
        for await (const event of subscription) {
          buffer.push(event);
          wakeConsumer?.();
          while (buffer.length >= this.batchSize * 2) await new Promise<void>((r) => (wakePump = r));
        }
      } catch (error) {
        failure = error;
      } finally {
        done = true;
        wakeConsumer?.();
      }
    })();
    for (;;) {
      if (buffer.length === 0) {
        if (done) break;
        await new Promise<void>((r) => (wakeConsumer = r));
        wakeConsumer = undefined;
        continue;
      }
      const batch = buffer.splice(0, this.batchSize);
      wakePump?.();
      await this.lock.run(() => this.processBatch(batch));
      if (this.sinceCheckpoint >= this.checkpointEvery) await this.flushCheckpoint();
    }
    await pump;
    if (failure) throw failure;
  }

  private async processBatch(batch: RecordedEvent[]): Promise<void> {
    const handleBatch = this.processor.handleBatch?.bind(this.processor);
    const free = batch.filter((e) => !this.parked.has(e.streamName));
    if (handleBatch && free.length > 1 && free.length === batch.length) {
      try {
        await handleBatch(batch);
        this.handledCount += batch.length;
        this.lastHandled = (batch[batch.length - 1] as RecordedEvent).position;
        this.sinceCheckpoint += batch.length;
        return;
      } catch (error) {
        this.options.logger.warn({ subscription: this.processor.name, events: batch.length, err: describe(error) }, 'batch failed; handling its events one by one');
      }
    }
    for (const event of batch) await this.process(event);
  }

  private async process(event: RecordedEvent): Promise<void> {
    const blocked = this.parked.get(event.streamName);
    if (blocked) {
      if (!blocked.some((e) => e.eventId === event.id)) {
        blocked.push(await this.parking.park(event, null, 0, 'held', this.options.clock.now()));
        this.options.logger.warn({ subscription: this.processor.name, stream: event.streamName, revision: event.revision }, 'event held behind a parked event of its stream');
      }
    } else {
      const failure = await this.handleWithRetries(event);
      if (failure) {
        const entry = await this.parking.park(event, failure.error, failure.attempts, 'parked', this.options.clock.now());
        this.parked.set(event.streamName, [entry]);
        this.options.logger.error(
          { subscription: this.processor.name, stream: event.streamName, revision: event.revision, type: event.type, attempts: failure.attempts, err: describe(failure.error) },
          'event parked after repeated failures',
        );
      } else {
        this.handledCount += 1;
      }
    }
    this.lastHandled = event.position;
    this.sinceCheckpoint += 1;
  }

  private async handleWithRetries(event: RecordedEvent): Promise<{ error: unknown; attempts: number } | undefined> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      try {
        await this.processor.handle(event);
        return undefined;
      } catch (error) {
        lastError = error;
        this.options.logger.warn({ subscription: this.processor.name, stream: event.streamName, revision: event.revision, attempt, err: describe(error) }, 'handler failed');
        if (attempt < this.maxAttempts) await new Promise((r) => setTimeout(r, Math.min(this.retryDelayMs * 2 ** (attempt - 1), 5_000)));
      }
    }
    return { error: lastError, attempts: this.maxAttempts };
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
    this.options.logger.warn({ subscription: this.processor.name, err: describe(error) }, 'checkpoint not stored; will retry');
  }
}

/** Error text for logs: the class and message only — handlers must not put personal data in messages. */
function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
