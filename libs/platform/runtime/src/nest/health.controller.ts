import { Controller, Get, Inject, Optional } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { Redis } from 'ioredis';
import type { EventStore } from '@evp/event-store';
import { Public } from '@evp/auth';
import type { ReadModelReader } from '../projections/read-model-reader';
import { assertNoEviction } from '../redis';
import { describeError } from '../transient';
import { EVENT_STORE, HEALTH_PROBLEMS, READ_MODEL_READER, REDIS, type HealthProblems } from './tokens';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(READ_MODEL_READER) private readonly readModels: ReadModelReader,
    @Optional() @Inject(HEALTH_PROBLEMS) private readonly extra?: HealthProblems,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers.' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get()
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: the event store, the read models and Redis answer, Redis runs with maxmemory-policy noeviction, and (worker) every subscription runs and keeps up.' })
  @ApiResponse({ status: 503, description: 'A dependency is down or misconfigured, or a subscription is stopped or lagging; the body says which.' })
  ready() {
    return this.health.check([
      () => this.probe('eventStore', async () => {
        await this.store.ping();
        return { backend: this.store.backend };
      }),
      () => this.probe('readModels', async () => {
        await this.readModels.ping();
        return {};
      }),
      () => this.probe('redis', async () => {
        await this.redis.ping();
        await assertNoEviction(this.redis);
        return { maxmemoryPolicy: 'noeviction' };
      }),
      ...(this.extra
        ? [
            () => this.probe('subscriptions', async () => {
              const problems = await (this.extra as HealthProblems).problems();
              if (problems.length) throw new Error(problems.join('; '));
              return {};
            }),
          ]
        : []),
    ]);
  }

  private async probe(name: string, check: () => Promise<Record<string, unknown>>) {
    const indicator = this.indicators.check(name);
    try {
      return indicator.up(await withTimeout(check(), 2_000));
    } catch (error) {
      return indicator.down({ reason: describeError(error) });
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);
}
