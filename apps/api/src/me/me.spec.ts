import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import { SignJWT, exportJWK, generateKeyPair, type JWTPayload, type KeyLike } from 'jose';
import { loadConfig } from '@evp/runtime';
import { TEST_REDIS_URL, dropPrefix, uniqueRedisPrefix } from '@evp/runtime/testing';
import { createApi } from '../bootstrap';

const ENTRA = 'https://login.microsoftonline.com/8f2c1a7e-0000-4000-8000-000000000001/v2.0';
const AUDIENCE = '3b9d2c41-0000-4000-8000-0000000000aa';
const GROUP = '0a1b2c3d-2222-4000-8000-000000000002';

/**
 * The whole api (createApi, as main.ts starts it) configured for Entra ID only — the internal
 * issuer off — with a local JWKS endpoint standing in for Microsoft's: an Entra ID access token
 * (app roles and groups, none of our claims) reaches an endpoint and `GET /api/v1/me` shows the
 * mapped caller; a genuine token without a role we know is 403, another issuer's token 401.
 */
describe('the api with Entra ID as its only issuer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'evp-api-oidc-'));
  const prefix = uniqueRedisPrefix('oidc');
  const redis = new Redis(TEST_REDIS_URL);
  let jwks: Server;
  let app: NestFastifyApplication;
  let base: string;
  let key: { publicKey: KeyLike; privateKey: KeyLike };

  const entraToken = (payload: JWTPayload) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ ver: '2.0', ...payload }).setProtectedHeader({ alg: 'RS256', kid: 'entra-1', typ: 'JWT' }).setIssuer(ENTRA).setAudience(AUDIENCE).setSubject('pairwise-staff-1').setIssuedAt(now).setExpirationTime(now + 3600).sign(key.privateKey);
  };
  const get = async (path: string, token?: string) => {
    const response = await fetch(`${base}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    key = await generateKeyPair('RS256');
    const set = JSON.stringify({ keys: [{ ...(await exportJWK(key.publicKey)), kid: 'entra-1', use: 'sig' }] });
    jwks = createServer((_, response) => void response.writeHead(200, { 'content-type': 'application/json' }).end(set));
    await new Promise<void>((done) => jwks.listen(0, '127.0.0.1', done));
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      SQLITE_FILE: join(dir, 'events.sqlite'),
      READ_MODEL_SQLITE_FILE: join(dir, 'read-models.sqlite'),
      PERSON_KEYS_SQLITE_FILE: join(dir, 'person-keys.sqlite'),
      WEB_DIST_DIR: join(dir, 'no-web'),
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: prefix,
      AUTH_INTERNAL_ENABLED: 'false',
      AUTH_STAFF_ISSUER: ENTRA,
      AUTH_STAFF_AUDIENCE: AUDIENCE,
      AUTH_STAFF_JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/discovery/v2.0/keys`,
      AUTH_STAFF_GROUPS: JSON.stringify({ [GROUP]: { municipalities: ['5035'], navOffice: 'nav-stjordal' } }),
    });
    app = await createApi(config);
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = await app.getUrl();
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await new Promise<void>((done) => jwks.close(() => done()));
    await dropPrefix(redis, prefix);
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets an Entra ID token reach an endpoint as the mapped caller', async () => {
    const token = await entraToken({ roles: ['evp.nav-adviser', 'evp.nav-lead'], groups: [GROUP, 'ffffffff-unmapped'] });
    const me = await get('/api/v1/me', token);
    expect(me).toEqual({ status: 200, type: expect.stringContaining('application/json'), body: { roles: ['nav-adviser', 'nav-lead'], municipalities: ['5035'], navOffice: 'nav-stjordal', landlordId: null } });
    // An endpoint of the product, not only `me`: the role guard takes the mapped roles.
    const accounting = await entraToken({ roles: ['evp.accounting'], groups: [GROUP] });
    expect(await get('/api/v1/people/p00000000000000000000000000000000', accounting)).toMatchObject({ status: 404, body: { type: 'https://evp.no/problems/not-found' } });
    // A NAV office lead may not read the arrears list.
    expect((await get('/api/v1/ledger/arrears?municipality=5035', await entraToken({ roles: ['evp.nav-lead'], groups: [GROUP] }))).status).toBe(403);
  });

  it('answers a genuine token without a role we know 403, and one from elsewhere 401, as problem details in bokmål', async () => {
    const noRole = await get('/api/v1/me', await entraToken({ roles: ['Directory.Reader'], groups: [GROUP] }));
    expect(noRole).toMatchObject({ status: 403, type: expect.stringMatching(/^application\/problem\+json/), body: { type: 'https://evp.no/problems/forbidden', detail: expect.stringContaining('ingen rolle i denne tjenesten') } });
    const forged = await new SignJWT({ roles: ['evp.admin'], groups: [GROUP] }).setProtectedHeader({ alg: 'RS256', kid: 'entra-1' }).setIssuer('https://login.microsoftonline.com/another-tenant/v2.0').setAudience(AUDIENCE).setSubject('x').setIssuedAt().setExpirationTime('10m').sign(key.privateKey);
    expect(await get('/api/v1/me', forged)).toMatchObject({ status: 401, type: expect.stringMatching(/^application\/problem\+json/), body: { type: 'https://evp.no/problems/unauthorized' } });
    expect((await get('/api/v1/me')).status).toBe(401);
    // The development token endpoint does not exist with the internal issuer off.
    expect((await fetch(`${base}/api/dev/token`, { method: 'POST' })).status).not.toBe(200);
  });
});
