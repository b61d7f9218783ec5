import type { Redis } from 'ioredis';
import { RedisCheckpointStore } from './checkpoint-store';
import { RedisReadModelStore } from './read-model-store';
import { assertNoEviction, createRedis } from './redis';
import { TEST_REDIS_URL, dropPrefix, uniqueRedisPrefix } from './testing';

describe('Redis read model store (real Redis)', () => {
  let redis: Redis;
  let prefix: string;
  let store: RedisReadModelStore;
  beforeEach(() => {
    redis = createRedis(TEST_REDIS_URL);
    prefix = uniqueRedisPrefix('rm');
    store = new RedisReadModelStore(redis, prefix);
  });
  afterEach(async () => {
    await dropPrefix(redis, prefix);
    redis.disconnect();
  });

  it('stores documents and sorted indexes atomically, lists them and clears a collection', async () => {
    await store.apply([
      { kind: 'put', collection: 'tenancies', id: 't1', doc: { balanceOre: 928200 } },
      { kind: 'put', collection: 'tenancies', id: 't2', doc: { balanceOre: 1199700 } },
      { kind: 'index', collection: 'tenancies', index: 'by-arrears', id: 't1', score: 928200 },
      { kind: 'index', collection: 'tenancies', index: 'by-arrears', id: 't2', score: 1199700 },
    ]);
    expect(await store.get('tenancies', 't1')).toEqual({ balanceOre: 928200 });
    expect(await store.getMany('tenancies', ['t2', 'nope'])).toEqual([{ balanceOre: 1199700 }, undefined]);
    expect(await store.list('tenancies', 'by-arrears', { order: 'desc' })).toEqual({ ids: ['t2', 't1'], total: 2 });
    expect(await store.list('tenancies', 'by-arrears', { maxScore: 1000000 })).toEqual({ ids: ['t1'], total: 1 });
    await store.apply([{ kind: 'index', collection: 'tenancies', index: 'by-arrears', id: 't2', score: null }, { kind: 'delete', collection: 'tenancies', id: 't2' }]);
    expect(await store.list('tenancies', 'by-arrears')).toEqual({ ids: ['t1'], total: 1 });
    await store.clear('tenancies');
    expect(await store.get('tenancies', 't1')).toBeUndefined();
    expect((await store.list('tenancies', 'by-arrears')).total).toBe(0);
  });

  it('keeps projection checkpoints beside the read models', async () => {
    const checkpoints = new RedisCheckpointStore(redis, prefix);
    expect(await checkpoints.load('cases')).toBeUndefined();
    await checkpoints.store('cases', '42');
    expect(await checkpoints.load('cases')).toBe('42');
    await checkpoints.reset('cases');
    expect(await checkpoints.load('cases')).toBeUndefined();
  });

  it('accepts this machine\'s Redis, which runs with maxmemory-policy noeviction', async () => {
    await expect(assertNoEviction(redis)).resolves.toBeUndefined();
  });
});
