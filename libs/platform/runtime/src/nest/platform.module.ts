import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import type { Redis } from 'ioredis';
import type { EventStore } from '@evp/event-store';
import type { AppConfig } from '../config';
import { FileOffsetClock, SystemClock } from '../clock';
import { createEventStore } from '../event-store-factory';
import { RedisReadModelStore } from '../read-model-store';
import { createRedis } from '../redis';
import { HealthController } from './health.controller';
import { APP_CONFIG, CLOCK, EVENT_STORE, READ_MODELS, REDIS } from './tokens';

/** Config, clock, event store, Redis and read models for both apps, plus `/health`. */
@Global()
@Module({})
export class PlatformModule implements OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: PlatformModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: CLOCK, useFactory: () => (config.TEST_CLOCK_FILE ? new FileOffsetClock(config.TEST_CLOCK_FILE) : new SystemClock()) },
        { provide: EVENT_STORE, useFactory: () => createEventStore(config) },
        { provide: REDIS, useFactory: () => createRedis(config.REDIS_URL) },
        { provide: READ_MODELS, inject: [REDIS], useFactory: (redis: Redis) => new RedisReadModelStore(redis, config.REDIS_PREFIX) },
      ],
      exports: [APP_CONFIG, CLOCK, EVENT_STORE, REDIS, READ_MODELS],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
    this.redis.disconnect();
  }
}
