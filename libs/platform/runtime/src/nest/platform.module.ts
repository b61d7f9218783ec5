import { Global, Inject, Module, Optional, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import type { Redis } from 'ioredis';
import type { EventStore } from '@evp/event-store';
import { ReadModelDb } from '@evp/read-models';
import { readModelBackend, type AppConfig } from '../config';
import { FileOffsetClock, SystemClock } from '../clock';
import { createEventStore } from '../event-store-factory';
import { ReadModelReader } from '../projections/read-model-reader';
import { createRedis } from '../redis';
import { HealthController } from './health.controller';
import { APP_CONFIG, CLOCK, EVENT_STORE, READ_MODEL_DB, READ_MODEL_READER, REDIS } from './tokens';

/**
 * Config, clock, event store, Redis and the read models for both apps, plus `/health`. The worker
 * gets the read-model database as its only writer; the api a read-only reader.
 */
@Global()
@Module({})
export class PlatformModule implements OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(READ_MODEL_READER) private readonly reader: ReadModelReader,
    @Optional() @Inject(READ_MODEL_DB) private readonly db?: ReadModelDb,
  ) {}

  static forRoot(config: AppConfig, role: 'api' | 'worker'): DynamicModule {
    const dbProvider = { provide: READ_MODEL_DB, useFactory: () => ReadModelDb.open(readModelBackend(config, 'writer')) };
    return {
      module: PlatformModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: CLOCK, useFactory: () => (config.TEST_CLOCK_FILE ? new FileOffsetClock(config.TEST_CLOCK_FILE) : new SystemClock()) },
        { provide: EVENT_STORE, useFactory: () => createEventStore(config) },
        { provide: REDIS, useFactory: () => createRedis(config.REDIS_URL) },
        ...(role === 'worker'
          ? [
              dbProvider,
              // The worker reads through a connection of its own on SQLite (see readModelBackend's
              // 'observer'); on PostgreSQL through the writer's pool, which queues nobody.
              { provide: READ_MODEL_READER, inject: [READ_MODEL_DB], useFactory: (db: ReadModelDb) => new ReadModelReader(config.READ_MODEL_STORE === 'postgres' ? db : readModelBackend(config, 'observer')) },
            ]
          : [{ provide: READ_MODEL_READER, useFactory: () => new ReadModelReader(readModelBackend(config, 'reader')) }]),
      ],
      exports: [APP_CONFIG, CLOCK, EVENT_STORE, REDIS, READ_MODEL_READER, ...(role === 'worker' ? [READ_MODEL_DB] : [])],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
    await this.reader.close();
    await this.db?.close();
    this.redis.disconnect();
  }
}
