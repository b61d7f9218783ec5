import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { APP_CONFIG, REDIS, type AppConfig } from '@evp/runtime';
import { ProblemException, type Caller } from '@evp/auth';

export interface StoredResponse {
  readonly status: number;
  readonly body: unknown;
}

/** What a key is scoped to besides the caller: the same key on another endpoint is another request. */
export interface IdempotencyScope {
  readonly method: string;
  /** The route pattern (`/api/v1/cases/:id/contacts`), not the URL: the ids are in the fingerprint. */
  readonly route: string;
}

/** The scope of the request being handled: its method and its route pattern. */
export function idempotencyScopeOf(request: Pick<FastifyRequest, 'method' | 'routeOptions'>): IdempotencyScope {
  const route = request.routeOptions.url;
  // Only an unmatched request (404) has no pattern, and it never reaches a handler; refuse rather than share a scope.
  if (!route) throw new Error('Idempotency-Key outside a matched route');
  return { method: request.method, route };
}

const KEY = /^[A-Za-z0-9_.:-]{8,200}$/;
const DONE_TTL_SECONDS = 24 * 3600;
const PENDING_TTL_SECONDS = 300;

/**
 * `Idempotency-Key` on every POST: the first response is stored (24 hours, per caller, method and
 * route) and a retry with the same key and the same request gets it again without running anything.
 * The same key on another endpoint is another request, never answered with that endpoint's stored
 * response; the same key on the same endpoint with a different request is refused. The commands
 * underneath are idempotent on their own (voucher references, deterministic event ids), so an
 * expired or lost key only costs a recomputation.
 */
@Injectable()
export class IdempotencyService {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async run(caller: Caller, scope: IdempotencyScope, key: string | undefined, request: Buffer | string, execute: () => Promise<StoredResponse>): Promise<StoredResponse & { replayed: boolean }> {
    if (key === undefined) return { ...(await execute()), replayed: false };
    if (!KEY.test(key)) throw new ProblemException({ kind: 'validation', detail: 'Ugyldig Idempotency-Key.', errors: [{ line: null, column: 'Idempotency-Key', reason: 'må være 8–200 tegn: bokstaver, siffer, _ . : -' }] });
    // Hashed: the key is the client's text; the Redis key stays short and holds only opaque parts.
    const scoped = createHash('sha256').update(JSON.stringify([scope.method.toUpperCase(), scope.route, key])).digest('hex');
    const redisKey = `${this.config.REDIS_PREFIX}:idem:${caller.actorId}:${scoped}`;
    const fingerprint = createHash('sha256').update(request).digest('hex');
    const claimed = await this.redis.set(redisKey, JSON.stringify({ state: 'pending', fingerprint }), 'EX', PENDING_TTL_SECONDS, 'NX');
    if (claimed !== 'OK') {
      const stored = JSON.parse((await this.redis.get(redisKey)) ?? '{}') as { state?: string; fingerprint?: string; response?: StoredResponse };
      if (stored.fingerprint !== fingerprint) {
        throw new ProblemException({ kind: 'idempotency-key-reused', errors: [{ line: null, column: 'Idempotency-Key', reason: 'brukt før med en annen forespørsel' }] });
      }
      if (stored.state !== 'done' || !stored.response) throw new ProblemException({ kind: 'in-progress' });
      return { ...stored.response, replayed: true };
    }
    try {
      const response = await execute();
      await this.redis.set(redisKey, JSON.stringify({ state: 'done', fingerprint, response }), 'EX', DONE_TTL_SECONDS);
      return { ...response, replayed: false };
    } catch (error) {
      // A refused request is not remembered: fixing the input and retrying with the same key must work.
      await this.redis.del(redisKey);
      throw error;
    }
  }
}
