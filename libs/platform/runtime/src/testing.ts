import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RunnerLogger } from './subscription-runner';

/** A Redis key prefix no other test run uses; `dropPrefix` removes everything under it. */
export const uniqueRedisPrefix = (label: string) => `t-${label}-${randomUUID().slice(0, 8)}`;

export async function dropPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.unlink(...keys);
  } while (cursor !== '0');
}

export const silentLogger: RunnerLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export const TEST_REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
