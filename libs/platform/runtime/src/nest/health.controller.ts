import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { Redis } from 'ioredis';
import type { EventStore } from '@evp/event-store';
import { Public } from '@evp/auth';
import { assertNoEviction } from '../redis';
import { EVENT_STORE, REDIS } from './tokens';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers.' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get()
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: the event store and Redis answer, and Redis runs with maxmemory-policy noeviction.' })
  @ApiResponse({ status: 503, description: 'A dependency is down or misconfigured; the body says which.' })
  ready() {
    return this.health.check([
      async () => {
        const check = this.indicators.check('eventStore');
        try {
          await this.store.ping();
          return check.up({ backend: this.store.backend });
        } catch (error) {
          return check.down({ backend: this.store.backend, reason: (error as Error).message });
        }
      },
      async () => {
        const check = this.indicators.check('redis');
        try {
          await this.redis.ping();
          await assertNoEviction(this.redis);
          return check.up({ maxmemoryPolicy: 'noeviction' });
        } catch (error) {
          return check.down({ reason: (error as Error).message });
        }
      },
    ]);
  }
}
