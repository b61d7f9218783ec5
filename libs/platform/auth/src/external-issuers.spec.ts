import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, UnsecuredJWT, exportJWK, exportSPKI, generateKeyPair, type JWTPayload, type KeyLike } from 'jose';
import { FixedClock } from '@evp/shared-kernel';
import { opaquePersonId } from './actor-id';
import { authenticate } from './edge';
import { NoAccessError, type LandlordIssuerOptions, type StaffIssuerOptions } from './external-issuers';
import { ProblemException } from './problem';
import { VerifiedTokenCache } from './token-cache';
import { InvalidTokenError, TokenVerifier, mintDevToken, type TokenVerifierOptions } from './tokens';

// Synthetic identity numbers only (Tenor: month + 80).
const TENOR_LANDLORD = '15838512329';

const PERSON_ID_KEY = 'f3a1c9e07b5d42a8961e0c7d3b5f8a2e4c6d9b1f0e3a5c7d9f1b3e5a7c9d0b2f';
const T0 = new Date('2030-03-04T10:00:00Z');
const T0_SECONDS = Math.floor(T0.getTime() / 1000);

const ENTRA = 'https://login.microsoftonline.com/8f2c1a7e-0000-4000-8000-000000000001/v2.0';
const ENTRA_AUDIENCE = '3b9d2c41-0000-4000-8000-0000000000aa';
const IDPORTEN = 'https://idporten.example/';
const IDPORTEN_AUDIENCE = 'https://evp.example.kommune.no/api';
const GROUP_ACCOUNTING = '0a1b2c3d-1111-4000-8000-000000000001';
const GROUP_NAV_STJORDAL = '0a1b2c3d-2222-4000-8000-000000000002';
const GROUP_NAV_MERAKER = '0a1b2c3d-3333-4000-8000-000000000003';

/**
 * Given an Entra ID and an ID-porten lookalike, each with its own keys behind a real local JWKS
 * endpoint; when their access tokens (none of our claims) are verified; then they become Callers by
 * the configured mapping, and everything else is refused.
 */
describe('external issuers (Entra ID for staff, ID-porten for landlords)', () => {
  let clock: FixedClock;
  let server: Server;
  let base: string;
  let entraKey: { publicKey: KeyLike; privateKey: KeyLike };
  let idportenKey: { publicKey: KeyLike; privateKey: KeyLike };
  let stranger: { publicKey: KeyLike; privateKey: KeyLike };
  const fetches = { entra: 0, idporten: 0 };

  const staff = (extra: Partial<StaffIssuerOptions> = {}): StaffIssuerOptions => ({
    kind: 'staff',
    issuer: ENTRA,
    audience: ENTRA_AUDIENCE,
    jwksUrl: `${base}/entra/keys`,
    groups: {
      [GROUP_ACCOUNTING]: { municipalities: ['5035'] },
      [GROUP_NAV_STJORDAL]: { municipalities: ['5035', '5034'], navOffice: 'nav-stjordal' },
      [GROUP_NAV_MERAKER]: { municipalities: ['5034'], navOffice: 'nav-meraker' },
    },
    maxTokenLifetimeSeconds: 5400,
    ...extra,
  });
  const landlord = (extra: Partial<LandlordIssuerOptions> = {}): LandlordIssuerOptions => ({
    kind: 'landlord',
    issuer: IDPORTEN,
    audience: IDPORTEN_AUDIENCE,
    jwksUrl: `${base}/idporten/jwks.json`,
    tokenType: 'at+jwt',
    municipalities: ['5035'],
    ...extra,
  });
  const verifier = (extra: Partial<TokenVerifierOptions> = {}) =>
    new TokenVerifier({
      issuer: 'evp-dev',
      audience: 'evp-api',
      devKey: true,
      environment: 'test',
      personIdKey: PERSON_ID_KEY,
      clock,
      external: [staff(), landlord()],
      jwksCooldownMs: 0,
      ...extra,
    });

  interface MintOptions {
    key?: KeyLike | Uint8Array;
    alg?: string;
    kid?: string;
    typ?: string;
    iss?: string;
    aud?: string;
    iat?: number;
    exp?: number;
  }
  function sign(payload: JWTPayload, defaults: Required<Pick<MintOptions, 'key' | 'kid' | 'iss' | 'aud'>> & { typ?: string }, options: MintOptions): Promise<string> {
    const typ = 'typ' in options ? options.typ : defaults.typ;
    const iat = options.iat ?? T0_SECONDS;
    return new SignJWT(payload)
      .setProtectedHeader({ alg: options.alg ?? 'RS256', kid: options.kid ?? defaults.kid, ...(typ ? { typ } : {}) })
      .setIssuer(options.iss ?? defaults.iss)
      .setAudience(options.aud ?? defaults.aud)
      .setSubject((payload.sub as string | undefined) ?? 'pairwise-subject-1')
      .setIssuedAt(iat)
      .setExpirationTime(options.exp ?? iat + 3600)
      .sign(options.key ?? defaults.key);
  }
  /** An Entra ID v2 access token: app roles in `roles`, group object ids in `groups`, `typ` JWT. */
  const entraToken = (payload: JWTPayload = {}, options: MintOptions = {}) =>
    sign({ roles: ['evp.accounting'], groups: [GROUP_ACCOUNTING], tid: '8f2c1a7e-0000-4000-8000-000000000001', ver: '2.0', ...payload }, { key: entraKey.privateKey, kid: 'entra-1', iss: ENTRA, aud: ENTRA_AUDIENCE, typ: 'JWT' }, options);
  /** An ID-porten access token: `pid`, `acr`, pairwise `sub`, `typ` at+jwt. */
  const idportenToken = (payload: JWTPayload = {}, options: MintOptions = {}) =>
    sign({ pid: TENOR_LANDLORD, acr: 'idporten-loa-substantial', client_id: 'evp-web', scope: 'openid', ...payload }, { key: idportenKey.privateKey, kid: 'idp-1', iss: IDPORTEN, aud: IDPORTEN_AUDIENCE, typ: 'at+jwt' }, options);

  beforeAll(async () => {
    entraKey = await generateKeyPair('RS256');
    idportenKey = await generateKeyPair('RS256');
    stranger = await generateKeyPair('RS256');
    const sets = {
      '/entra/keys': { keys: [{ ...(await exportJWK(entraKey.publicKey)), kid: 'entra-1', use: 'sig' }] },
      '/idporten/jwks.json': { keys: [{ ...(await exportJWK(idportenKey.publicKey)), kid: 'idp-1', alg: 'RS256', use: 'sig' }] },
    };
    server = createServer((request, response) => {
      const set = sets[request.url as keyof typeof sets];
      if (!set) return void response.writeHead(404).end();
      if (request.url === '/entra/keys') fetches.entra += 1;
      else fetches.idporten += 1;
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(set));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  beforeEach(() => {
    clock = new FixedClock(T0);
    fetches.entra = 0;
    fetches.idporten = 0;
  });

  describe('staff from Entra ID', () => {
    it('takes the roles from the app roles and the municipalities and NAV office from the group mapping', async () => {
      const v = verifier();
      const caller = await v.verify(await entraToken({ roles: ['evp.nav-adviser', 'evp.nav-lead', 'Directory.Reader'], groups: [GROUP_NAV_STJORDAL, 'ffffffff-unmapped'] }));
      expect(caller).toEqual({ actorId: expect.stringMatching(/^a_[0-9a-f]{32}$/), roles: ['nav-adviser', 'nav-lead'], municipalities: ['5035', '5034'], navOffice: 'nav-stjordal', landlordId: null, landlordPersonId: null });
      const accounting = await v.verify(await entraToken());
      expect(accounting).toMatchObject({ roles: ['accounting'], municipalities: ['5035'], navOffice: null });
      // Only this JWKS was asked; ID-porten's was not touched.
      expect(fetches).toEqual({ entra: 1, idporten: 0 });
    });

    it('joins the municipalities of several groups', async () => {
      const caller = await verifier().verify(await entraToken({ roles: ['evp.arrears-team'], groups: [GROUP_ACCOUNTING, GROUP_NAV_MERAKER] }));
      expect(caller).toMatchObject({ roles: ['arrears-team'], municipalities: ['5035', '5034'], navOffice: 'nav-meraker' });
    });

    it('gives no access (403) without a role we know, without a mapped group, or with two NAV offices', async () => {
      const refused = async (payload: JWTPayload) => (await verifier().verify(await entraToken(payload)).catch((e: unknown) => e)) as NoAccessError;
      for (const [payload, reason] of [
        [{ roles: undefined }, 'no-role'],
        [{ roles: [] }, 'no-role'],
        [{ roles: ['Directory.Reader', 'accounting', 'evp.superuser'] }, 'no-role'],
        // `landlord` only ever comes from ID-porten.
        [{ roles: ['evp.landlord'] }, 'no-role'],
        [{ groups: ['ffffffff-unmapped'] }, 'no-municipality'],
        [{ groups: undefined }, 'no-municipality'],
        [{ groups: undefined, _claim_names: { groups: 'src1' } }, 'group-overage'],
        [{ roles: ['evp.nav-adviser'], groups: [GROUP_NAV_STJORDAL, GROUP_NAV_MERAKER] }, 'ambiguous-nav-office'],
        [{ roles: ['evp.nav-adviser'], groups: [GROUP_ACCOUNTING] }, 'no-nav-office'],
      ] as const) {
        const error = await refused(payload as JWTPayload);
        expect([payload, error]).toEqual([payload, expect.any(NoAccessError)]);
        expect([payload, error.reason]).toEqual([payload, reason]);
      }
    });

    it('honours a custom role prefix', async () => {
      const custom = verifier({ external: [staff({ rolePrefix: 'Forebygging.' })] });
      await expect(custom.verify(await entraToken({ roles: ['Forebygging.admin'] }))).resolves.toMatchObject({ roles: ['admin'] });
      await expect(custom.verify(await entraToken({ roles: ['evp.admin'] }))).rejects.toBeInstanceOf(NoAccessError);
    });

    it('accepts the longer Entra ID lifetime it is configured with (up to 90 minutes), not more', async () => {
      await expect(verifier().verify(await entraToken({}, { exp: T0_SECONDS + 5400 }))).resolves.toMatchObject({ roles: ['accounting'] });
      await expect(verifier().verify(await entraToken({}, { exp: T0_SECONDS + 5401 }))).rejects.toThrow('token rejected: lifetime longer than 5400 seconds');
    });
  });

  describe('landlords from ID-porten', () => {
    it('is a landlord whose id is the opaque person id of the pid; the number is nowhere in the Caller', async () => {
      const caller = await verifier().verify(await idportenToken());
      const person = opaquePersonId(PERSON_ID_KEY, TENOR_LANDLORD);
      expect(caller).toEqual({ actorId: expect.stringMatching(/^a_[0-9a-f]{32}$/), roles: ['landlord'], municipalities: ['5035'], navOffice: null, landlordId: person, landlordPersonId: person });
      expect(JSON.stringify(caller)).not.toContain(TENOR_LANDLORD);
      // The same person through another pairwise sub is the same landlord (not the same actor).
      const again = await verifier().verify(await idportenToken({ sub: 'pairwise-subject-2' }));
      expect(again.landlordId).toBe(person);
      expect(again.actorId).not.toBe(caller.actorId);
    });

    it('accepts only the configured assurance levels', async () => {
      await expect(verifier().verify(await idportenToken({ acr: 'idporten-loa-high' }))).resolves.toMatchObject({ roles: ['landlord'] });
      for (const acr of ['idporten-loa-low', 'Level3', undefined]) {
        const error = await verifier().verify(await idportenToken({ acr })).catch((e: unknown) => e);
        expect([acr, error]).toEqual([acr, expect.objectContaining({ reason: 'assurance-level' })]);
      }
      const highOnly = verifier({ external: [landlord({ acr: ['idporten-loa-high'] })] });
      await expect(highOnly.verify(await idportenToken({ acr: 'idporten-loa-substantial' }))).rejects.toBeInstanceOf(NoAccessError);
      await expect(highOnly.verify(await idportenToken({ acr: 'idporten-loa-high' }))).resolves.toMatchObject({ roles: ['landlord'] });
    });

    it('checks the header typ it is configured with: an ID token (typ JWT) or none is not an access token', async () => {
      await expect(verifier().verify(await idportenToken({}, { typ: 'JWT' }))).rejects.toThrow('token rejected: ERR_JWT_CLAIM_VALIDATION_FAILED');
      await expect(verifier().verify(await idportenToken({}, { typ: undefined }))).rejects.toThrow('token rejected: ERR_JWT_CLAIM_VALIDATION_FAILED');
      await expect(verifier().verify(await idportenToken({}, { typ: 'application/at+jwt' }))).resolves.toMatchObject({ roles: ['landlord'] });
    });
  });

  describe('refusals (401)', () => {
    it('refuses an unknown issuer before fetching any key', async () => {
      await expect(verifier().verify(await entraToken({}, { iss: 'https://login.microsoftonline.com/another-tenant/v2.0' }))).rejects.toThrow('token rejected: unknown issuer');
      await expect(verifier().verify(await entraToken({}, { iss: '' }))).rejects.toThrow('token rejected: no issuer');
      expect(fetches).toEqual({ entra: 0, idporten: 0 });
    });

    it('refuses the wrong audience: an ID-porten ID token for the web client is not for the api', async () => {
      await expect(verifier().verify(await idportenToken({}, { aud: 'evp-web' }))).rejects.toThrow('token rejected: ERR_JWT_CLAIM_VALIDATION_FAILED');
      await expect(verifier().verify(await entraToken({}, { aud: '00000003-0000-0000-c000-000000000000' }))).rejects.toThrow('token rejected: ERR_JWT_CLAIM_VALIDATION_FAILED');
    });

    it("verifies with the token's own issuer's keys only: another issuer's key or an unknown kid is refused", async () => {
      // Signed by ID-porten's key, claiming Entra ID: Entra ID's set has no such key.
      await expect(verifier().verify(await entraToken({}, { key: idportenKey.privateKey, kid: 'idp-1' }))).rejects.toThrow('token rejected: ERR_JWKS_NO_MATCHING_KEY');
      await expect(verifier().verify(await entraToken({}, { key: stranger.privateKey, kid: 'entra-2' }))).rejects.toThrow('token rejected: ERR_JWKS_NO_MATCHING_KEY');
      // The right kid, the wrong key.
      await expect(verifier().verify(await entraToken({}, { key: stranger.privateKey }))).rejects.toThrow('token rejected: ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
    });

    it('refuses alg none and HS256 signed with the public key', async () => {
      const unsecured = new UnsecuredJWT({ roles: ['evp.admin'], groups: [GROUP_ACCOUNTING] }).setIssuer(ENTRA).setAudience(ENTRA_AUDIENCE).setSubject('x').setIssuedAt(T0_SECONDS).setExpirationTime(T0_SECONDS + 600).encode();
      await expect(verifier().verify(unsecured)).rejects.toThrow('token rejected: ERR_JOSE_ALG_NOT_ALLOWED');
      const pem = new TextEncoder().encode(await exportSPKI(entraKey.publicKey));
      await expect(verifier().verify(await entraToken({ roles: ['evp.admin'] }, { alg: 'HS256', key: pem }))).rejects.toThrow('token rejected: ERR_JOSE_ALG_NOT_ALLOWED');
      expect(fetches).toEqual({ entra: 0, idporten: 0 });
    });

    it('refuses an expired token, one not yet valid, and garbage', async () => {
      await expect(verifier().verify(await idportenToken({}, { iat: T0_SECONDS - 7200, exp: T0_SECONDS - 3600 }))).rejects.toThrow('token rejected: ERR_JWT_EXPIRED');
      await expect(verifier().verify(await idportenToken({}, { iat: T0_SECONDS + 120, exp: T0_SECONDS + 600 }))).rejects.toThrow('token rejected: issued in the future');
      await expect(verifier().verify('not.a.token')).rejects.toBeInstanceOf(InvalidTokenError);
      await expect(verifier().verify('')).rejects.toBeInstanceOf(InvalidTokenError);
    });

    it('keeps the internal issuer beside the external ones, and can switch it off', async () => {
      const dev = await mintDevToken({ issuer: 'evp-dev', audience: 'evp-api', sub: 'x', roles: ['admin'], municipalities: ['5035'], now: T0 });
      await expect(verifier().verify(dev)).resolves.toMatchObject({ roles: ['admin'] });
      const externalOnly = verifier({ internal: false, devKey: false });
      await expect(externalOnly.verify(dev)).rejects.toThrow('token rejected: unknown issuer');
      await expect(externalOnly.verify(await entraToken())).resolves.toMatchObject({ roles: ['accounting'] });
      expect(externalOnly.configuredIssuers()).toEqual([{ kind: 'staff', issuer: ENTRA }, { kind: 'landlord', issuer: IDPORTEN }]);
      expect(() => verifier({ internal: false, external: [] })).toThrow('No token issuer configured');
      expect(() => verifier({ external: [staff({ issuer: 'evp-dev' })] })).toThrow('Two token issuers share the issuer evp-dev');
      expect(() => verifier({ external: [staff({ groups: {} })] })).toThrow(/group mapping/);
      expect(() => verifier({ external: [landlord({ municipalities: [] })] })).toThrow(/municipalities/);
      expect(() => verifier({ environment: 'production', devKey: false, internal: false, external: [staff()] })).toThrow('The JWKS URL must use https in production');
    });

    it('answers at the edge: 401 for a refused token, 403 in bokmål for a genuine one without access', async () => {
      const answer = async (token: string) => (await authenticate(verifier(), `Bearer ${token}`).catch((e: unknown) => e)) as ProblemException;
      const wrongAudience = await answer(await entraToken({}, { aud: 'other' }));
      expect(wrongAudience.problem).toMatchObject({ kind: 'unauthorized' });
      const noRole = await answer(await entraToken({ roles: ['Directory.Reader'] }));
      expect(noRole).toBeInstanceOf(ProblemException);
      expect(noRole.problem).toEqual({ kind: 'forbidden', detail: 'Du er logget inn, men brukeren din har ingen rolle i denne tjenesten. Kontakt den som gir tilganger.' });
      const lowLevel = await answer(await idportenToken({ acr: 'idporten-loa-low' }));
      expect(lowLevel.problem).toMatchObject({ kind: 'forbidden', detail: expect.stringContaining('sikkerhetsnivå') });
    });
  });

  describe('the verified-token cache', () => {
    it('returns the same Caller without verifying again, until the maximum age', async () => {
      const v = verifier({ cache: { maxEntries: 100, maxAgeSeconds: 300 } });
      const token = await entraToken();
      const first = await v.verify(token);
      expect(Object.isFrozen(first) && Object.isFrozen(first.roles)).toBe(true);
      clock.advance(299_000);
      expect(await v.verify(token)).toBe(first); // the very object: not verified again
      clock.advance(1_000);
      const second = await v.verify(token); // at the maximum age: verified again
      expect(second).not.toBe(first);
      expect(second).toEqual(first);
    });

    it('never serves an entry past the token’s exp', async () => {
      const v = verifier({ cache: { maxAgeSeconds: 600 } });
      const token = await idportenToken({}, { exp: T0_SECONDS + 120 });
      const first = await v.verify(token);
      clock.advance(119_000);
      expect(await v.verify(token)).toBe(first);
      clock.advance(1_000); // at exp: verified again, still inside the 30 s skew
      expect(await v.verify(token)).not.toBe(first);
      clock.advance(30_000); // exp + skew: expired
      await expect(v.verify(token)).rejects.toThrow('token rejected: ERR_JWT_EXPIRED');
    });

    it('outlives a key taken out of rotation for no longer than its entry, and is bounded (least recently used goes)', async () => {
      const v = verifier({ cache: { maxEntries: 2, maxAgeSeconds: 300 } });
      const [a, b, c] = await Promise.all([entraToken({ sub: 'a' }), entraToken({ sub: 'b' }), entraToken({ sub: 'c' })]);
      const callerA = await v.verify(a);
      await v.verify(b);
      expect(await v.verify(a)).toBe(callerA); // a is now the most recently used
      await v.verify(c); // evicts b
      expect(await v.verify(a)).toBe(callerA);
      const callerB = await v.verify(b);
      expect(callerB).toMatchObject({ roles: ['accounting'] });
      expect(await v.verify(b)).toBe(callerB);
    });

    it('keeps nothing with cache: false, and keys entries by a hash of the token, never the token', async () => {
      const v = verifier({ cache: false });
      const token = await entraToken();
      expect(await v.verify(token)).not.toBe(await v.verify(token));
      const key = VerifiedTokenCache.keyOf(token);
      expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(token).not.toContain(key);
    });

    it('does not remember refusals or tokens that give no access', async () => {
      const v = verifier();
      const noRole = await entraToken({ roles: [] });
      await expect(v.verify(noRole)).rejects.toBeInstanceOf(NoAccessError);
      await expect(v.verify(noRole)).rejects.toBeInstanceOf(NoAccessError);
    });
  });
});
