import { Redis, type RedisOptions } from 'ioredis';

export function createRedis(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, {
    // Fail fast instead of queueing commands forever while Redis is down: the caller sees an error.
    enableOfflineQueue: true,
    maxRetriesPerRequest: 3,
    lazyConnect: false,
    ...options,
  });
}

/** BullMQ requires `maxRetriesPerRequest: null` on the connections its workers block on. */
export function createBullConnection(url: string): Redis {
  return createRedis(url, { maxRetriesPerRequest: null });
}

export class RedisPolicyError extends Error {}

/**
 * Invariant 10: Redis must never drop keys to make room, or timers and read models vanish silently.
 * Readiness fails unless the server runs with `maxmemory-policy noeviction`.
 */
export async function assertNoEviction(redis: Redis): Promise<void> {
  const reply = (await redis.config('GET', 'maxmemory-policy')) as string[];
  const policy = reply[1];
  if (policy !== 'noeviction') {
    throw new RedisPolicyError(`Redis maxmemory-policy is ${policy ?? 'unknown'}; it must be noeviction so that no timer or read model is dropped silently`);
  }
}
