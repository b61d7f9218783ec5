import { Redis } from 'ioredis';
import type { Caller } from '@evp/auth';
import type { AppConfig } from '@evp/runtime';
import { TEST_REDIS_URL, dropPrefix, uniqueRedisPrefix } from '@evp/runtime/testing';
import { IdempotencyService, idempotencyScopeOf, type IdempotencyScope, type StoredResponse } from './idempotency';

const caller = (actorId: string): Caller => ({ actorId, roles: ['accounting'], municipalities: ['5035'], navOffice: null, landlordId: null, landlordPersonId: null });
const alice = caller('a_0123456789abcdef0123456789abcdef');
const bob = caller('a_fedcba9876543210fedcba9876543210');

const postings: IdempotencyScope = { method: 'POST', route: '/api/v1/postings' };
const tenancies: IdempotencyScope = { method: 'POST', route: '/api/v1/tenancies' };
const contacts: IdempotencyScope = { method: 'POST', route: '/api/v1/cases/:id/contacts' };

describe('IdempotencyService (real Redis)', () => {
  const redis = new Redis(TEST_REDIS_URL);
  const prefix = uniqueRedisPrefix('idem');
  const service = new IdempotencyService(redis, { REDIS_PREFIX: prefix } as AppConfig);
  let runs: string[];
  const answer = (name: string) => async (): Promise<StoredResponse> => {
    runs.push(name);
    return { status: 201, body: { answeredBy: name } };
  };

  beforeEach(() => {
    runs = [];
  });

  afterAll(async () => {
    await dropPrefix(redis, prefix);
    redis.disconnect();
  });

  it('replays the stored answer for the same caller, method, route, key and request', async () => {
    const first = await service.run(alice, postings, 'key-replay-1', 'body', answer('postings'));
    const again = await service.run(alice, postings, 'key-replay-1', 'body', answer('postings'));
    expect(first).toEqual({ status: 201, body: { answeredBy: 'postings' }, replayed: false });
    expect(again).toEqual({ status: 201, body: { answeredBy: 'postings' }, replayed: true });
    expect(runs).toEqual(['postings']);
  });

  it('never answers one endpoint with another endpoint’s stored response for the same key', async () => {
    await service.run(alice, postings, 'key-scope-1', 'body', answer('postings'));
    const other = await service.run(alice, tenancies, 'key-scope-1', 'body', answer('tenancies'));
    expect(other).toEqual({ status: 201, body: { answeredBy: 'tenancies' }, replayed: false });
    // Each endpoint keeps replaying its own answer.
    expect((await service.run(alice, tenancies, 'key-scope-1', 'body', answer('tenancies'))).body).toEqual({ answeredBy: 'tenancies' });
    expect((await service.run(alice, postings, 'key-scope-1', 'body', answer('postings'))).body).toEqual({ answeredBy: 'postings' });
    expect(runs).toEqual(['postings', 'tenancies']);
  });

  it('scopes by method and by caller too', async () => {
    await service.run(alice, postings, 'key-scope-2', 'body', answer('post'));
    expect((await service.run(alice, { ...postings, method: 'PUT' }, 'key-scope-2', 'body', answer('put'))).replayed).toBe(false);
    expect((await service.run(bob, postings, 'key-scope-2', 'body', answer('bob'))).replayed).toBe(false);
    // The method's case does not make another scope.
    expect((await service.run(alice, { ...postings, method: 'post' }, 'key-scope-2', 'body', answer('post'))).replayed).toBe(true);
    expect(runs).toEqual(['post', 'put', 'bob']);
  });

  it('refuses the same key on the same route with another request (another case id is another request) as idempotency-key-reused', async () => {
    await service.run(alice, contacts, 'key-reuse-1', JSON.stringify({ id: '5035-100234-1', body: {} }), answer('case 1'));
    await expect(service.run(alice, contacts, 'key-reuse-1', JSON.stringify({ id: '5035-100234-2', body: {} }), answer('case 2'))).rejects.toMatchObject({ problem: { kind: 'idempotency-key-reused' } });
    expect(runs).toEqual(['case 1']);
  });

  it('answers 409 (in-progress) while the first request with the key is still running', async () => {
    let release: () => void = () => undefined;
    const slow = service.run(alice, postings, 'key-pending-1', 'body', () => new Promise<StoredResponse>((done) => (release = () => done({ status: 200, body: {} }))));
    await new Promise((r) => setTimeout(r, 20));
    await expect(service.run(alice, postings, 'key-pending-1', 'body', answer('second'))).rejects.toMatchObject({ problem: { kind: 'in-progress' } });
    release();
    await expect(slow).resolves.toMatchObject({ replayed: false });
  });

  it('forgets a refused request, so a corrected retry with the same key runs', async () => {
    await expect(service.run(alice, postings, 'key-refused-1', 'bad', () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    expect((await service.run(alice, postings, 'key-refused-1', 'good', answer('good'))).replayed).toBe(false);
  });

  it('keeps only opaque parts in the Redis key: prefix, actor id and a hash', async () => {
    await service.run(alice, contacts, 'client-chosen-key-1', 'body', answer('x'));
    const keys = await redis.keys(`${prefix}:*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key).toMatch(new RegExp(`^${prefix}:idem:a_[0-9a-f]{32}:[0-9a-f]{64}$`));
    expect(keys.join(' ')).not.toContain('client-chosen-key-1');
  });

  it('takes the scope from the matched route pattern, not the URL', () => {
    expect(idempotencyScopeOf({ method: 'POST', routeOptions: { url: '/api/v1/cases/:id/contacts' } } as never)).toEqual(contacts);
    expect(() => idempotencyScopeOf({ method: 'POST', routeOptions: { url: undefined } } as never)).toThrow('Idempotency-Key outside a matched route');
  });
});
