import 'reflect-metadata';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import { FixedClock } from '@evp/shared-kernel';
import { TokenVerifier, mintDevToken } from '@evp/auth';
import { CLOCK, loadConfig, personIdKey, tokenVerifierOptionsFrom, type AppConfig } from '@evp/runtime';
import { TEST_REDIS_URL, dropPrefix, uniqueRedisPrefix } from '@evp/runtime/testing';
import { registerApiMetrics } from '../metrics/register-api-metrics';
import { registerQueuesBoard } from '../operator-proxy/register-queues-board';
import { QUEUES_SESSION_SECONDS, queuesSessionKey, signQueuesSession, verifyQueuesSession } from '../operator-proxy/queues-session';
import { contentSecurityPolicy, registerWeb } from './register-web';

@Controller('api/v1/ping')
class PingController {
  @Get()
  ping() {
    return { pong: true };
  }
}

const NOW = new Date('2026-11-20T10:00:00Z');

const clock = new FixedClock(NOW);

@Module({ controllers: [PingController], providers: [{ provide: CLOCK, useValue: clock }, { provide: TokenVerifier, useFactory: () => new TokenVerifier({ ...tokenVerifierOptionsFrom(loadConfig({ NODE_ENV: 'test' })), clock }) }] })
class TinyModule {}

/** The api's Fastify registrations, called as the bootstrap calls them, on a tiny Nest app. */
describe('the web app, /metrics and the queue board on the api', () => {
  const dist = mkdtempSync(join(tmpdir(), 'evp-web-'));
  const prefix = uniqueRedisPrefix('web');
  const redis = new Redis(TEST_REDIS_URL);
  let app: NestFastifyApplication;
  let base: string;
  let config: AppConfig;

  beforeAll(async () => {
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><html lang="nb"><title>Forebygging</title></html>');
    writeFileSync(join(dist, 'assets', 'index-4f3a2b1c.js'), 'console.log("app")');
    writeFileSync(join(dist, 'favicon.svg'), '<svg/>');
    writeFileSync(join(dist, '.secret'), 'no');
    config = loadConfig({ NODE_ENV: 'test', WEB_DIST_DIR: dist, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, OIDC_ISSUER: 'https://login.microsoftonline.com/tenant/v2.0', OIDC_CLIENT_ID: 'evp-web' });
    app = await NestFactory.create<NestFastifyApplication>(TinyModule, new FastifyAdapter(), { logger: false });
    registerApiMetrics(app, config);
    await registerQueuesBoard(app, config);
    expect(await registerWeb(app, config)).toBe(true);
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = await app.getUrl();
  });
  afterAll(async () => {
    await app.close();
    await dropPrefix(redis, prefix);
    redis.disconnect();
    rmSync(dist, { recursive: true, force: true });
  });

  // Every body is read: an unread body keeps the socket busy and close() waits for it.
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${base}${path}`, { headers });
    return { status: response.status, headers: response.headers, text: await response.text() };
  };

  it('serves index.html for the app’s own paths (deep links), with a self-only policy and no caching', async () => {
    for (const path of ['/', '/saker/5035-100234-1', '/dashbord?fra=2026-01']) {
      const page = await get(path);
      expect([path, page.status, page.text]).toEqual([path, 200, expect.stringContaining('<title>Forebygging</title>')]);
      expect(page.headers.get('content-security-policy')).toBe(contentSecurityPolicy(config));
      expect(page.headers.get('cache-control')).toBe('no-cache');
    }
    expect(contentSecurityPolicy(config)).toContain("connect-src 'self' https://login.microsoftonline.com;");
    expect(contentSecurityPolicy(config)).toContain("script-src 'self';");
  });

  it('caches content-hashed assets for a year and revalidates the rest', async () => {
    const asset = await get('/assets/index-4f3a2b1c.js');
    expect([asset.status, asset.text, asset.headers.get('cache-control')]).toEqual([200, 'console.log("app")', 'public, max-age=31536000, immutable']);
    expect((await get('/favicon.svg')).headers.get('cache-control')).toBe('no-cache');
  });

  it('never leaves the build folder or serves hidden files', async () => {
    for (const path of ['/.secret', '/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2f..%2fetc%2fpasswd']) {
      const page = await get(path);
      expect([path, page.status, page.text]).toEqual([path, 200, expect.stringContaining('<title>Forebygging</title>')]);
    }
  });

  it('leaves the api’s own paths to the api: its routes answer, an unknown one is 401 without a token and 404 with one', async () => {
    expect(await get('/api/v1/ping')).toMatchObject({ status: 200, text: '{"pong":true}' });
    const anonymous = await get('/api/v1/nothing-here');
    expect([anonymous.status, anonymous.headers.get('content-type')]).toEqual([401, 'application/problem+json; charset=utf-8']);
    const token = await mintDevToken({ issuer: 'evp-dev', audience: 'evp-api', sub: 'web-test', roles: ['accounting'], municipalities: ['5035'], now: NOW, lifetimeSeconds: 600 });
    const unknown = await get('/api/v1/nothing-here', { authorization: `Bearer ${token}` });
    expect(unknown.status).toBe(404);
    expect(unknown.text).not.toContain('Forebygging');
  });

  it('/metrics wants the scrape token, and counts requests by route pattern, never by URL', async () => {
    expect((await get('/metrics')).status).toBe(401);
    expect((await get('/metrics', { authorization: 'Bearer wrong-token-wrong-token' })).status).toBe(401);
    await get('/api/v1/ping');
    const metrics = await get('/metrics', { authorization: 'Bearer evp-development-metrics-token-not-secret' });
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/evp_http_request_duration_seconds_count\{service="api",method="GET",route="\/api\/v1\/ping",status="200"\} \d+/);
    expect(metrics.text).not.toContain('5035-100234-1');
    expect(metrics.text).toContain('process_cpu_seconds_total');
  });

  it('the queue board answers only with a valid, unexpired session cookie', async () => {
    const key = queuesSessionKey(personIdKey(config));
    const exp = Math.floor(NOW.getTime() / 1000) + QUEUES_SESSION_SECONDS;
    const cookie = `evp_queues=${signQueuesSession(key, { actorId: 'a_admin', exp })}`;
    expect((await get('/admin/queues/')).status).toBe(401);
    expect((await get('/admin/queues/', { cookie: `evp_queues=${signQueuesSession(queuesSessionKey('another-key'), { actorId: 'a_admin', exp })}` })).status).toBe(401);
    expect((await get('/admin/queues/', { cookie: `evp_queues=${signQueuesSession(key, { actorId: 'a_admin', exp: Math.floor(NOW.getTime() / 1000) })}` })).status).toBe(401);
    const page = await get('/admin/queues/', { cookie: `other=1; ${cookie}` });
    expect(page.status).toBe(200);
    expect(page.text).toContain('<html');
    const queues = await get('/admin/queues/api/queues', { cookie });
    expect(queues.status).toBe(200);
    expect((JSON.parse(queues.text) as { queues: Array<{ name: string; readOnlyMode: boolean }> }).queues.map((q) => [q.name, q.readOnlyMode])).toEqual([['deadlines', true]]);
  });

  it('a session token is ours only: tampering breaks it', () => {
    const key = queuesSessionKey(personIdKey(config));
    const token = signQueuesSession(key, { actorId: 'a_admin', exp: 2_000_000_000 });
    expect(verifyQueuesSession(key, `evp_queues=${token}`, 1_900_000_000)).toEqual({ actorId: 'a_admin', exp: 2_000_000_000 });
    const [v, payload, signature] = token.split('.') as [string, string, string];
    const forged = Buffer.from(JSON.stringify({ a: 'a_admin', e: 2_100_000_000 })).toString('base64url');
    expect(verifyQueuesSession(key, `evp_queues=${v}.${forged}.${signature}`, 1_900_000_000)).toBeUndefined();
    expect(verifyQueuesSession(key, `evp_queues=${v}.${payload}.`, 1_900_000_000)).toBeUndefined();
  });
});

describe('in production', () => {
  const production = { NODE_ENV: 'production', AUTH_ISSUER: 'https://login.example.no', AUTH_AUDIENCE: 'evp', AUTH_JWKS_URL: 'https://login.example.no/jwks', PERSON_ID_KEY: 'f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff01', PERSON_KEYS_MASTER_KEY: '0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0' };

  it('/metrics does not exist without METRICS_TOKEN, and needs a long one', async () => {
    const app = await NestFactory.create<NestFastifyApplication>(TinyModule, new FastifyAdapter(), { logger: false });
    expect(registerApiMetrics(app, loadConfig(production))).toBeUndefined();
    await app.close();
    expect(() => loadConfig({ ...production, METRICS_TOKEN: 'short-but-16-chars' })).toThrow(/METRICS_TOKEN must be at least 32 characters in production/);
  });

  it('refuses demo data, an http identity provider, and half a provider', () => {
    expect(() => loadConfig({ ...production, DEMO_DATA: 'true' })).toThrow(/DEMO_DATA must not be true in production/);
    expect(() => loadConfig({ ...production, OIDC_ISSUER: 'http://idp.example.no', OIDC_CLIENT_ID: 'x' })).toThrow(/OIDC_ISSUER must use https in production/);
    expect(() => loadConfig({ NODE_ENV: 'test', OIDC_LANDLORD_ISSUER: 'https://idporten.no' })).toThrow(/OIDC_LANDLORD_CLIENT_ID must be set together with OIDC_LANDLORD_ISSUER/);
  });
});
