import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, UnsecuredJWT, exportJWK, exportSPKI, generateKeyPair, type JWTPayload, type KeyLike } from 'jose';
import { FixedClock } from '@evp/shared-kernel';
import { opaquePersonId } from './actor-id';
import { InvalidTokenError, KeySourceUnavailableError, TokenVerifier, mintDevToken, type TokenVerifierOptions } from './tokens';

// Synthetic identity numbers only (Tenor: month + 80), never ordinary-format ones.
const TENOR_A = '15838512329';
const TENOR_B = '01839011128';

const PERSON_ID_KEY = 'f3a1c9e07b5d42a8961e0c7d3b5f8a2e4c6d9b1f0e3a5c7d9f1b3e5a7c9d0b2f';
const T0 = new Date('2030-03-04T10:00:00Z');
const T0_SECONDS = Math.floor(T0.getTime() / 1000);

const base = { issuer: 'evp-dev', audience: 'evp-api', sub: 'person-1', municipalities: ['5035'] };
const claims = { roles: ['admin'], municipalities: ['5035'] };

describe('bearer tokens', () => {
  let clock: FixedClock;
  let dir: string;
  let rsa: { publicKey: KeyLike; privateKey: KeyLike };
  let ec: { publicKey: KeyLike; privateKey: KeyLike };
  let rsaPublicPem: string;
  let rsaPublicKeyFile: string;
  let ecPublicKeyFile: string;

  const devVerifier = (extra: Partial<TokenVerifierOptions> = {}) =>
    new TokenVerifier({ issuer: 'evp-dev', audience: 'evp-api', devKey: true, environment: 'test', personIdKey: PERSON_ID_KEY, clock, ...extra });
  const rsaVerifier = (extra: Partial<TokenVerifierOptions> = {}) =>
    new TokenVerifier({ issuer: 'https://idp.example', audience: 'evp-api', publicKeyFile: rsaPublicKeyFile, devKey: false, environment: 'production', personIdKey: PERSON_ID_KEY, clock, ...extra });

  /** An RS256 token from the test identity provider, `iat` now and one hour of life unless told otherwise. */
  function idpToken(payload: JWTPayload = {}, options: { alg?: string; key?: KeyLike | Uint8Array; kid?: string; iat?: number | null; exp?: number | null; nbf?: number; iss?: string; aud?: string } = {}) {
    const iat = options.iat === undefined ? T0_SECONDS : options.iat;
    const exp = options.exp === undefined ? T0_SECONDS + 3600 : options.exp;
    const jwt = new SignJWT({ ...claims, ...payload })
      .setProtectedHeader({ alg: options.alg ?? 'RS256', ...(options.kid ? { kid: options.kid } : {}) })
      .setIssuer(options.iss ?? 'https://idp.example')
      .setAudience(options.aud ?? 'evp-api')
      .setSubject((payload.sub as string | undefined) ?? 'idp-subject-1');
    if (iat !== null) jwt.setIssuedAt(iat);
    if (exp !== null) jwt.setExpirationTime(exp);
    if (options.nbf !== undefined) jwt.setNotBefore(options.nbf);
    return jwt.sign(options.key ?? rsa.privateKey);
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'evp-auth-'));
    rsa = await generateKeyPair('RS256');
    ec = await generateKeyPair('ES256');
    rsaPublicPem = await exportSPKI(rsa.publicKey);
    rsaPublicKeyFile = join(dir, 'rsa.pem');
    writeFileSync(rsaPublicKeyFile, rsaPublicPem);
    ecPublicKeyFile = join(dir, 'ec.pem');
    writeFileSync(ecPublicKeyFile, await exportSPKI(ec.publicKey));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeEach(() => {
    clock = new FixedClock(T0);
  });

  describe('the development key (development and test only)', () => {
    it('turns a valid token into a caller with an opaque actor id, roles, municipalities and NAV office', async () => {
      const token = await mintDevToken({ ...base, roles: ['nav-adviser'], navOffice: 'nav-stjordal', now: T0 });
      const caller = await devVerifier().verify(token);
      expect(caller).toEqual({ actorId: expect.stringMatching(/^a_[0-9a-f]{32}$/), roles: ['nav-adviser'], municipalities: ['5035'], navOffice: 'nav-stjordal', landlordId: null, landlordPersonId: null });
      expect(JSON.stringify(caller)).not.toContain('person-1');
    });

    it('refuses another issuer or audience, an expired token and a token signed with another key', async () => {
      const verifier = devVerifier();
      // Chosen by `iss` before any key is tried: an issuer nobody configured is refused outright.
      await expect(verifier.verify(await mintDevToken({ ...base, issuer: 'someone-else', roles: ['admin'], now: T0 }))).rejects.toThrow('token rejected: unknown issuer');
      await expect(verifier.verify(await mintDevToken({ ...base, audience: 'other', roles: ['admin'], now: T0 }))).rejects.toThrow('token rejected: ERR_JWT_CLAIM_VALIDATION_FAILED');
      await expect(verifier.verify(await mintDevToken({ ...base, roles: ['admin'], now: T0, lifetimeSeconds: -60 }))).rejects.toThrow('token rejected: ERR_JWT_EXPIRED');
      const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuer('evp-dev').setAudience('evp-api').setSubject('x').setIssuedAt(T0_SECONDS).setExpirationTime(T0_SECONDS + 600).sign(new TextEncoder().encode('not-the-key-not-the-key-not-the-key'));
      await expect(verifier.verify(forged)).rejects.toThrow('token rejected: ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
    });

    it('refuses unknown roles, bad municipalities, and a NAV adviser or landlord without their office or id', async () => {
      const verifier = devVerifier();
      await expect(verifier.verify(await mintDevToken({ ...base, roles: ['superuser' as never], now: T0 }))).rejects.toThrow(/roles/);
      await expect(verifier.verify(await mintDevToken({ ...base, municipalities: ['Stjørdal'], roles: ['admin'], now: T0 }))).rejects.toThrow(/municipalities/);
      await expect(verifier.verify(await mintDevToken({ ...base, roles: ['nav-adviser'], now: T0 }))).rejects.toThrow(/navOffice/);
      await expect(verifier.verify(await mintDevToken({ ...base, roles: ['landlord'], now: T0 }))).rejects.toThrow(/landlordId/);
    });

    it('has no key at all unless one is configured', () => {
      expect(() => devVerifier({ devKey: false })).toThrow('No token verification key configured');
    });

    it('is refused by a verifier whose dev key is off, and cannot be switched on in production', async () => {
      const token = await mintDevToken({ ...base, issuer: 'https://idp.example', roles: ['admin'], now: T0 });
      // A real key source and no dev key: an HS256 token is refused before any key is tried.
      await expect(rsaVerifier({ devKey: false }).verify(token)).rejects.toThrow('token rejected: ERR_JOSE_ALG_NOT_ALLOWED');
      expect(() => devVerifier({ environment: 'production' })).toThrow(/development token key is refused outside NODE_ENV=development or test/);
    });

    it('reads time from the injected clock, not the wall clock', async () => {
      const token = await mintDevToken({ ...base, roles: ['admin'], now: T0, lifetimeSeconds: 600 });
      const verifier = devVerifier();
      await expect(verifier.verify(token)).resolves.toMatchObject({ roles: ['admin'] });
      clock.advance((600 + 30) * 1000); // at exp + skew: expired
      await expect(verifier.verify(token)).rejects.toThrow('token rejected: ERR_JWT_EXPIRED');
    });
  });

  describe('lifetime and time claims', () => {
    it('requires exp', async () => {
      await expect(rsaVerifier().verify(await idpToken({}, { exp: null }))).rejects.toThrow('token rejected: ERR_JWT_CLAIM_VALIDATION_FAILED');
      await expect(rsaVerifier().verify(await idpToken({}, { exp: null, iat: null }))).rejects.toThrow('token rejected: ERR_JWT_CLAIM_VALIDATION_FAILED');
    });

    it('accepts up to the maximum lifetime (default 3600 s) and refuses longer-lived tokens', async () => {
      await expect(rsaVerifier().verify(await idpToken({}, { exp: T0_SECONDS + 3600 }))).resolves.toMatchObject({ roles: ['admin'] });
      await expect(rsaVerifier().verify(await idpToken({}, { exp: T0_SECONDS + 3601 }))).rejects.toThrow('token rejected: lifetime longer than 3600 seconds');
      // The guard answers 401 for InvalidTokenError only: the lifetime refusals must be that class too.
      await expect(rsaVerifier().verify(await idpToken({}, { exp: T0_SECONDS + 3601 }))).rejects.toBeInstanceOf(InvalidTokenError);
      await expect(rsaVerifier().verify(await idpToken({}, { exp: T0_SECONDS + 100 * 365 * 86400 }))).rejects.toThrow('token rejected: lifetime longer than 3600 seconds');
      // An issued-long-ago token whose exp - iat is too long is refused even when little life is left.
      clock.advance(3500 * 1000);
      await expect(rsaVerifier().verify(await idpToken({}, { exp: T0_SECONDS + 3700 }))).rejects.toThrow('token rejected: lifetime longer than 3600 seconds');
    });

    it('measures exp against now when iat is missing', async () => {
      await expect(rsaVerifier().verify(await idpToken({}, { iat: null, exp: T0_SECONDS + 1800 }))).resolves.toMatchObject({ roles: ['admin'] });
      await expect(rsaVerifier().verify(await idpToken({}, { iat: null, exp: T0_SECONDS + 3600 + 30 }))).resolves.toMatchObject({ roles: ['admin'] });
      await expect(rsaVerifier().verify(await idpToken({}, { iat: null, exp: T0_SECONDS + 3600 + 31 }))).rejects.toThrow('token rejected: expires more than 3600 seconds ahead');
      await expect(rsaVerifier().verify(await idpToken({}, { iat: null, exp: T0_SECONDS + 100 * 365 * 86400 }))).rejects.toThrow('token rejected: expires more than 3600 seconds ahead');
    });

    it('takes the maximum lifetime from its options', async () => {
      const verifier = rsaVerifier({ maxTokenLifetimeSeconds: 300 });
      await expect(verifier.verify(await idpToken({}, { exp: T0_SECONDS + 300 }))).resolves.toMatchObject({ roles: ['admin'] });
      await expect(verifier.verify(await idpToken({}, { exp: T0_SECONDS + 301 }))).rejects.toThrow('token rejected: lifetime longer than 300 seconds');
    });

    it('refuses a token issued in the future beyond the clock skew', async () => {
      await expect(rsaVerifier().verify(await idpToken({}, { iat: T0_SECONDS + 30, exp: T0_SECONDS + 3600 }))).resolves.toMatchObject({ roles: ['admin'] });
      await expect(rsaVerifier().verify(await idpToken({}, { iat: T0_SECONDS + 31, exp: T0_SECONDS + 3600 }))).rejects.toThrow('token rejected: issued in the future');
    });

    it('honours nbf with the clock skew (default 30 s)', async () => {
      const within = await idpToken({}, { nbf: T0_SECONDS + 30 });
      const beyond = await idpToken({}, { nbf: T0_SECONDS + 31 });
      await expect(rsaVerifier().verify(within)).resolves.toMatchObject({ roles: ['admin'] });
      await expect(rsaVerifier().verify(beyond)).rejects.toThrow('token rejected: ERR_JWT_CLAIM_VALIDATION_FAILED');
      clock.advance(1000);
      await expect(rsaVerifier().verify(beyond)).resolves.toMatchObject({ roles: ['admin'] });
      await expect(rsaVerifier({ clockSkewSeconds: 0 }).verify(within)).rejects.toThrow('token rejected: ERR_JWT_CLAIM_VALIDATION_FAILED');
    });

    it('tolerates the skew on exp, not more', async () => {
      const token = await idpToken({}, { exp: T0_SECONDS + 600 });
      clock.advance((600 + 29) * 1000);
      await expect(rsaVerifier().verify(token)).resolves.toMatchObject({ roles: ['admin'] });
      clock.advance(1000);
      await expect(rsaVerifier().verify(token)).rejects.toThrow('token rejected: ERR_JWT_EXPIRED');
    });
  });

  describe('algorithms and key sources', () => {
    it('accepts RS256 and ES256 by default', async () => {
      await expect(rsaVerifier().verify(await idpToken())).resolves.toMatchObject({ roles: ['admin'] });
      await expect(rsaVerifier({ publicKeyFile: ecPublicKeyFile }).verify(await idpToken({}, { alg: 'ES256', key: ec.privateKey }))).resolves.toMatchObject({ roles: ['admin'] });
    });

    it('refuses PS512, and PS256 unless configured', async () => {
      await expect(rsaVerifier().verify(await idpToken({}, { alg: 'PS512' }))).rejects.toThrow('token rejected: ERR_JOSE_ALG_NOT_ALLOWED');
      const ps256 = await idpToken({}, { alg: 'PS256' });
      await expect(rsaVerifier().verify(ps256)).rejects.toThrow('token rejected: ERR_JOSE_ALG_NOT_ALLOWED');
      await expect(rsaVerifier({ algorithms: ['PS256'] }).verify(ps256)).resolves.toMatchObject({ roles: ['admin'] });
      await expect(rsaVerifier({ algorithms: ['RS256'] }).verify(await idpToken({}, { alg: 'ES256', key: ec.privateKey }))).rejects.toThrow('token rejected: ERR_JOSE_ALG_NOT_ALLOWED');
    });

    it('refuses to be configured with an algorithm outside the allow-list', () => {
      for (const algorithms of [['PS512'], ['HS256'], ['none'], ['RS256', 'HS512'], []]) {
        expect(() => rsaVerifier({ algorithms })).toThrow('Token algorithms must be some of RS256, ES256, PS256');
      }
    });

    it('refuses alg none', async () => {
      const unsecured = new UnsecuredJWT(claims).setIssuer('https://idp.example').setAudience('evp-api').setSubject('x').setIssuedAt(T0_SECONDS).setExpirationTime(T0_SECONDS + 600).encode();
      await expect(rsaVerifier().verify(unsecured)).rejects.toThrow('token rejected: ERR_JOSE_ALG_NOT_ALLOWED');
      const devUnsecured = new UnsecuredJWT(claims).setIssuer('evp-dev').setAudience('evp-api').setSubject('x').setIssuedAt(T0_SECONDS).setExpirationTime(T0_SECONDS + 600).encode();
      await expect(devVerifier().verify(devUnsecured)).rejects.toThrow('token rejected: ERR_JOSE_ALG_NOT_ALLOWED');
    });

    it('refuses HS256 signed with the public key as the secret', async () => {
      const forged = await idpToken({}, { alg: 'HS256', key: new TextEncoder().encode(rsaPublicPem) });
      await expect(rsaVerifier().verify(forged)).rejects.toThrow('token rejected: ERR_JOSE_ALG_NOT_ALLOWED');
    });

    it('refuses another issuer or audience on the public-key path', async () => {
      await expect(rsaVerifier().verify(await idpToken({}, { iss: 'https://other-idp.example' }))).rejects.toThrow('token rejected: unknown issuer');
      await expect(rsaVerifier().verify(await idpToken({}, { aud: 'another-api' }))).rejects.toThrow('token rejected: ERR_JWT_CLAIM_VALIDATION_FAILED');
    });
  });

  describe('JWKS', () => {
    let server: Server;
    let keys: object[];
    let fetches: number;
    let url: string;

    beforeAll(async () => {
      server = createServer((_, response) => {
        fetches += 1;
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
      });
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
    });

    afterAll(() => new Promise<void>((done) => server.close(() => done())));

    beforeEach(() => {
      fetches = 0;
    });

    const jwksVerifier = (extra: Partial<TokenVerifierOptions> = {}) =>
      new TokenVerifier({ issuer: 'https://idp.example', audience: 'evp-api', jwksUrl: url, devKey: false, environment: 'test', personIdKey: PERSON_ID_KEY, clock, ...extra });

    it('picks up a rotated key with a new kid by fetching the set again', async () => {
      const next = await generateKeyPair('ES256');
      keys = [{ ...(await exportJWK(rsa.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }];
      // Without the verified-token cache: the same token again must meet the key set again.
      const verifier = jwksVerifier({ jwksCooldownMs: 0, cache: false });
      await expect(verifier.verify(await idpToken({}, { kid: 'k1' }))).resolves.toMatchObject({ roles: ['admin'] });
      await expect(verifier.verify(await idpToken({ sub: 'another' }, { kid: 'k1' }))).resolves.toMatchObject({ roles: ['admin'] });
      expect(fetches).toBe(1); // cached

      keys = [{ ...(await exportJWK(next.publicKey)), kid: 'k2', alg: 'ES256', use: 'sig' }];
      await expect(verifier.verify(await idpToken({}, { kid: 'k2', alg: 'ES256', key: next.privateKey }))).resolves.toMatchObject({ roles: ['admin'] });
      expect(fetches).toBe(2);
      // The retired key is gone from the set: its tokens are refused.
      await expect(verifier.verify(await idpToken({}, { kid: 'k1' }))).rejects.toThrow('token rejected: ERR_JWKS_NO_MATCHING_KEY');
    });

    it('does not refetch on every unknown kid: the cooldown holds', async () => {
      keys = [{ ...(await exportJWK(rsa.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }];
      const verifier = jwksVerifier();
      await expect(verifier.verify(await idpToken({}, { kid: 'k1' }))).resolves.toMatchObject({ roles: ['admin'] });
      for (let i = 0; i < 5; i += 1) {
        await expect(verifier.verify(await idpToken({}, { kid: `forged-${i}` }))).rejects.toThrow('token rejected: ERR_JWKS_NO_MATCHING_KEY');
      }
      expect(fetches).toBe(1);
    });

    it('an unreachable key source is an outage (KeySourceUnavailableError → 503), never a refused token', async () => {
      const down = jwksVerifier({ jwksUrl: 'http://127.0.0.1:9/jwks' });
      const failure = await down.verify(await idpToken({}, { kid: 'k1' })).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(KeySourceUnavailableError);
      expect(failure).not.toBeInstanceOf(InvalidTokenError);
    });

    it('refuses a PS512 token even when the key set holds a matching RSA key', async () => {
      keys = [{ ...(await exportJWK(rsa.publicKey)), kid: 'k1', use: 'sig' }];
      await expect(jwksVerifier({ jwksCooldownMs: 0 }).verify(await idpToken({}, { kid: 'k1', alg: 'PS512' }))).rejects.toThrow('token rejected: ERR_JOSE_ALG_NOT_ALLOWED');
      expect(fetches).toBe(0); // refused before any key was fetched
    });

    it('refuses an http:// key set in production', () => {
      expect(() => jwksVerifier({ environment: 'production' })).toThrow('The JWKS URL must use https in production');
      expect(() => jwksVerifier({ environment: 'production', jwksUrl: 'https://idp.example/jwks' })).not.toThrow();
    });
  });

  describe('actor ids', () => {
    it('never carries the sub: a fødselsnummer as sub gives a stable opaque id that differs per issuer and per key', async () => {
      const token = await idpToken({ sub: TENOR_A });
      const caller = await rsaVerifier().verify(token);
      expect(caller.actorId).toMatch(/^a_[0-9a-f]{32}$/);
      expect(JSON.stringify(caller)).not.toContain(TENOR_A);
      // Stable: the same token, a new verifier with the same key, a later token for the same person.
      expect((await rsaVerifier().verify(token)).actorId).toBe(caller.actorId);
      expect((await rsaVerifier().verify(await idpToken({ sub: TENOR_A }, { iat: T0_SECONDS + 10, exp: T0_SECONDS + 1000 }))).actorId).toBe(caller.actorId);
      // Another person, another issuer, another key: another id.
      expect((await rsaVerifier().verify(await idpToken({ sub: TENOR_B }))).actorId).not.toBe(caller.actorId);
      const otherIssuer = await rsaVerifier({ issuer: 'https://other-idp.example' }).verify(await idpToken({ sub: TENOR_A }, { iss: 'https://other-idp.example' }));
      expect(otherIssuer.actorId).not.toBe(caller.actorId);
      const otherKey = await rsaVerifier({ personIdKey: 'b'.repeat(8) + PERSON_ID_KEY.slice(8) }).verify(token);
      expect(otherKey.actorId).not.toBe(caller.actorId);
      // Not the people streams' id for the same number either: the actor key is derived, not shared.
      expect(caller.actorId.slice(2)).not.toBe(opaquePersonId(PERSON_ID_KEY, TENOR_A).slice(1));
    });

    it('reads pid only for a landlord, and only as the opaque person id', async () => {
      const landlord = await rsaVerifier().verify(await idpToken({ sub: 'pairwise-123', pid: TENOR_A, roles: ['landlord'], landlordId: 'enhet-bygg' }));
      expect(landlord.landlordPersonId).toBe(opaquePersonId(PERSON_ID_KEY, TENOR_A));
      expect(landlord.landlordPersonId).toMatch(/^p[0-9a-f]{32}$/);
      expect(JSON.stringify(landlord)).not.toContain(TENOR_A);

      const adviser = await rsaVerifier().verify(await idpToken({ sub: 'pairwise-456', pid: TENOR_A, roles: ['nav-adviser'], navOffice: 'nav-stjordal' }));
      expect(adviser.landlordPersonId).toBeNull();
      expect(JSON.stringify(adviser)).not.toContain(TENOR_A);

      await expect(rsaVerifier().verify(await idpToken({ pid: 'not-a-number', roles: ['landlord'], landlordId: 'enhet-bygg' }))).rejects.toThrow('token pid must be an 11-digit identity number');
    });

    it('refuses an identity number as landlordId or navOffice, without repeating it', async () => {
      for (const payload of [
        { roles: ['landlord'], landlordId: TENOR_A },
        { roles: ['nav-adviser'], navOffice: TENOR_A },
      ]) {
        const refusal = rsaVerifier().verify(await idpToken(payload));
        await expect(refusal).rejects.toThrow(/must not be an identity number/);
        await expect(refusal).rejects.not.toThrow(TENOR_A);
      }
    });
  });
});
