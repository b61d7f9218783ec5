import {
  BadRequestException,
  Controller,
  Get,
  Inject,
  Injectable,
  Logger,
  Module,
  NotFoundException,
  Param,
  Post,
  Query,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Redis } from 'ioredis';
import type { Clock } from '@evp/shared-kernel';
import type { EventStore } from '@evp/event-store';
import type { AppConfig } from '../config';
import { EventStoreCheckpointStore, RedisCheckpointStore, type CheckpointStore } from '../checkpoint-store';
import { createBullConnection } from '../redis';
import { SubscriptionRunner, type EventProcessor, type RunnerLogger } from '../subscription-runner';
import { DeadlineSweeper, TimerService, type Deadline, type DeadlineSource } from '../timers';
import { APP_CONFIG, CLOCK, EVENT_STORE, REDIS } from './tokens';

export type TimerHandler = (deadline: Deadline) => Promise<void>;

/**
 * Where context modules register what the worker runs. `checkpoint: 'read-model'` keeps the
 * checkpoint in Redis beside the read model (a flushed Redis rebuilds it); `'durable'` keeps it in
 * the event store (sagas).
 */
@Injectable()
export class ProcessorRegistry {
  readonly processors: Array<{ processor: EventProcessor; checkpoint: 'read-model' | 'durable' }> = [];
  readonly deadlineSources: DeadlineSource[] = [];
  readonly timerHandlers = new Map<string, TimerHandler>();

  register(processor: EventProcessor, checkpoint: 'read-model' | 'durable'): void {
    if (this.processors.some((p) => p.processor.name === processor.name)) throw new Error(`Processor ${processor.name} registered twice`);
    this.processors.push({ processor, checkpoint });
  }

  registerDeadlineSource(source: DeadlineSource): void {
    this.deadlineSources.push(source);
  }

  registerTimerHandler(commandType: string, handler: TimerHandler): void {
    if (this.timerHandlers.has(commandType)) throw new Error(`Timer command ${commandType} has two handlers`);
    this.timerHandlers.set(commandType, handler);
  }
}

const nestRunnerLogger = (logger: Logger): RunnerLogger => ({
  info: (obj, msg) => logger.log({ ...obj, msg }),
  warn: (obj, msg) => logger.warn({ ...obj, msg }),
  error: (obj, msg) => logger.error({ ...obj, msg }),
});

/** Starts every registered subscription, the deadline worker and the sweeper; stops them on shutdown. */
@Injectable()
export class ProcessingService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Processing');
  readonly runners = new Map<string, SubscriptionRunner>();
  timers!: TimerService;
  sweeper!: DeadlineSweeper;
  private bullQueueConnection: Redis | undefined;
  private bullWorkerConnection: Redis | undefined;

  constructor(
    private readonly registry: ProcessorRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const log = nestRunnerLogger(this.logger);
    const readModelCheckpoints = new RedisCheckpointStore(this.redis, this.config.REDIS_PREFIX);
    const durableCheckpoints = new EventStoreCheckpointStore(this.store);
    for (const { processor, checkpoint } of this.registry.processors) {
      const checkpoints: CheckpointStore = checkpoint === 'durable' ? durableCheckpoints : readModelCheckpoints;
      this.runners.set(
        processor.name,
        new SubscriptionRunner(processor, { store: this.store, checkpoints, clock: this.clock, logger: log, maxAttempts: this.config.SUBSCRIPTION_MAX_ATTEMPTS }),
      );
    }
    this.bullQueueConnection = createBullConnection(this.config.REDIS_URL);
    this.bullWorkerConnection = createBullConnection(this.config.REDIS_URL);
    this.timers = new TimerService(this.bullQueueConnection, this.config.REDIS_PREFIX, this.clock, log);
    this.sweeper = new DeadlineSweeper(this.timers, this.registry.deadlineSources, this.config.TIMER_SWEEP_INTERVAL_MS, this.clock, log);
    for (const runner of this.runners.values()) await runner.start();
    this.timers.startWorker(async (deadline) => {
      const handler = this.registry.timerHandlers.get(deadline.command.type);
      if (!handler) throw new Error(`No handler for deadline command ${deadline.command.type}`);
      await handler(deadline);
    }, this.bullWorkerConnection, { lockMs: this.config.TIMER_LOCK_MS });
    // Re-schedule every pending deadline found in the state, then keep sweeping as a backstop.
    void this.sweeper.sweep().catch((error) => this.logger.error({ err: String(error), msg: 'initial deadline sweep failed' }));
    this.sweeper.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.sweeper?.stop();
    for (const runner of this.runners.values()) await runner.stop();
    await this.timers?.close();
    this.bullQueueConnection?.disconnect();
    this.bullWorkerConnection?.disconnect();
  }

  /** Per subscription: is there no event in the log, within its filter, after what it has handled? */
  async lag(): Promise<Record<string, { caughtUp: boolean; parked: number }>> {
    const result: Record<string, { caughtUp: boolean; parked: number }> = {};
    for (const [name, runner] of this.runners) {
      const status = runner.status();
      const next = await this.store.readAll({ ...(status.lastHandled ? { after: status.lastHandled } : {}), filter: runner.processor.filter, maxCount: 1 });
      result[name] = { caughtUp: next.length === 0, parked: status.parked.length };
    }
    return result;
  }

  runner(name: string): SubscriptionRunner {
    const runner = this.runners.get(name);
    if (!runner) throw new NotFoundException(`No subscription named ${name}`);
    return runner;
  }
}

/**
 * What an operator needs to see and do (DOMAIN.md: every deadline must be observable).
 * Bound to the worker's own port, which listens on 127.0.0.1 unless configured otherwise.
 */
@ApiTags('operator')
@Controller('operator')
export class OperatorController {
  constructor(private readonly processing: ProcessingService) {}

  @Get('subscriptions')
  @ApiOperation({ summary: 'Every subscription: checkpoint, last handled position, parked and held events with their errors.' })
  subscriptions() {
    return [...this.processing.runners.values()].map((r) => r.status());
  }

  @Get('lag')
  @ApiOperation({ summary: 'Whether every subscription has handled every event of its streams (for operators, tests and benchmarks).' })
  async lag() {
    const subscriptions = await this.processing.lag();
    return { caughtUp: Object.values(subscriptions).every((s) => s.caughtUp), subscriptions };
  }

  @Post('subscriptions/:name/rebuild')
  @ApiOperation({ summary: 'Rebuild a projection from the start of the log.' })
  async rebuild(@Param('name') name: string) {
    await this.processing.runner(name).rebuild();
    return this.processing.runner(name).status();
  }

  @Post('subscriptions/:name/parked/retry')
  @ApiOperation({ summary: 'Hand the parked events of one stream to the handler again, in order.' })
  async retry(@Param('name') name: string, @Query('stream') stream: string | undefined) {
    if (!stream) throw new BadRequestException({ field: 'stream', reason: 'query parameter stream is required' });
    return this.processing.runner(name).retryParked(stream);
  }

  @Get('deadlines')
  @ApiOperation({ summary: 'Deadlines: how many in each state, the pending ones (what is due, what is overdue), what fired recently, and the last sweep.' })
  async deadlines(@Query('limit') limit?: string) {
    const max = Math.min(Math.max(Number(limit ?? 1000) || 1000, 1), 100_000);
    const timers = this.processing.timers;
    return { counts: await timers.counts(), pending: await timers.pending(max), recentlyFired: await timers.fired(100), lastSweep: this.processing.sweeper.lastSweep ?? null };
  }

  @Post('deadlines/sweep')
  @ApiOperation({ summary: 'Re-derive every pending deadline from the state now.' })
  sweep() {
    return this.processing.sweeper.sweep();
  }
}

@Module({
  providers: [ProcessorRegistry, ProcessingService],
  controllers: [OperatorController],
  exports: [ProcessorRegistry, ProcessingService],
})
export class ProcessingModule {}
