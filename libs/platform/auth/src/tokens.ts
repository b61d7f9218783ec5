import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SignJWT, createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import type { Clock } from '@evp/shared-kernel';
import { actorIdKey, deriveActorId, opaquePersonId } from './actor-id';
import { ROLES, type Caller, type Role } from './caller';
import { freezeCaller, landlordCaller, staffCaller, type ExternalIssuerOptions } from './external-issuers';
import { VerifiedTokenCache, type TokenCacheOptions } from './token-cache';

/**
 * The development signing key. It is public on purpose — anyone can mint tokens with it — so it is
 * only ever loaded under NODE_ENV=development or test (the configuration refuses AUTH_DEV_KEY=true
 * elsewhere, and the verifier refuses it again below).
 */
const DEV_SECRET = 'evp-development-signing-key-never-use-in-production-0123456789';
export const DEV_ALGORITHM = 'HS256';

/**
 * The only algorithms a real key source (JWKS or public-key file) may be configured to accept:
 * asymmetric, SHA-256. Never HS* (a public key used as an HMAC secret is the classic forgery) and
 * never `none`; the larger variants are left out until an identity provider needs one.
 */
export const TOKEN_ALGORITHMS = ['RS256', 'ES256', 'PS256'] as const;
export const DEFAULT_TOKEN_ALGORITHMS: readonly string[] = ['RS256', 'ES256'];
export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 3600;
export const DEFAULT_CLOCK_SKEW_SECONDS = 30;
/**
 * jose's remote key set: a fetched set is trusted for at most `cacheMaxAge`; a token with an unknown
 * `kid` triggers a refetch (so a rotated key is picked up at once) unless the last fetch is younger
 * than `cooldown`, which stops a flood of forged `kid`s from hammering the identity provider.
 */
export const DEFAULT_JWKS_CACHE_MAX_AGE_MS = 10 * 60_000;
export const DEFAULT_JWKS_COOLDOWN_MS = 30_000;
const JWKS_TIMEOUT_MS = 5_000;

export type Environment = 'development' | 'test' | 'production';

export interface TokenVerifierOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUrl?: string | undefined;
  readonly publicKeyFile?: string | undefined;
  /** Accept the public development key (HS256). Refused unless `environment` is development or test. */
  readonly devKey: boolean;
  readonly environment: Environment;
  /** For the JWKS / public-key path; each must be one of TOKEN_ALGORITHMS. Default RS256, ES256. */
  readonly algorithms?: readonly string[] | undefined;
  /** Longest accepted `exp - iat` (or `exp - now` without `iat`). Default 3600. */
  readonly maxTokenLifetimeSeconds?: number | undefined;
  /** Tolerance for `exp`, `nbf` and `iat` against the clock. Default 30. */
  readonly clockSkewSeconds?: number | undefined;
  /** PERSON_ID_KEY (or the development one): actor ids are keyed hashes derived from it. */
  readonly personIdKey: string;
  /** Time for `exp`/`nbf`/`iat`: injected so tests drive it. */
  readonly clock: Clock;
  readonly jwksCacheMaxAgeMs?: number | undefined;
  readonly jwksCooldownMs?: number | undefined;
  /**
   * Accept the internal issuer (`issuer`, `audience` and its key source above: tokens carrying our
   * own claims). Default true; false when only external issuers sign in.
   */
  readonly internal?: boolean | undefined;
  /** The organisations' identity providers: Entra ID (staff) and ID-porten (landlords). */
  readonly external?: readonly ExternalIssuerOptions[] | undefined;
  /** The verified-token cache; `false` verifies every request. Default 10 000 entries, 300 s. */
  readonly cache?: TokenCacheOptions | false | undefined;
}

export class InvalidTokenError extends Error {}

/**
 * The key source (the identity provider's JWKS endpoint) could not be reached: the token may well
 * be valid, so the caller gets 503 and retries — never a 401 that sends them to log in again.
 */
export class KeySourceUnavailableError extends Error {}

/** jose's code for a JWKS fetch that timed out, and the network errors its HTTP client passes on. */
const KEY_SOURCE_FAILURES = new Set(['ERR_JWKS_TIMEOUT', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** One accepted issuer, chosen by the token's `iss` before any key is tried. */
interface Issuer {
  readonly name: 'internal' | ExternalIssuerOptions['kind'];
  readonly issuer: string;
  readonly audience: string | string[];
  readonly key: KeyObject | JWTVerifyGetKey;
  readonly algorithms: readonly string[];
  readonly typ: string | undefined;
  readonly maxLifetime: number;
  readonly toCaller: (payload: JWTPayload) => Caller;
}

function checkedAlgorithms(algorithms: readonly string[]): readonly string[] {
  const refused = algorithms.filter((a) => !(TOKEN_ALGORITHMS as readonly string[]).includes(a));
  if (algorithms.length === 0 || refused.length > 0) throw new Error(`Token algorithms must be some of ${TOKEN_ALGORITHMS.join(', ')}`);
  return [...algorithms];
}

function checkedLifetime(seconds: number): number {
  if (!Number.isInteger(seconds) || seconds < 1) throw new Error('maxTokenLifetimeSeconds must be a positive integer');
  return seconds;
}

/**
 * Bearer tokens → Caller, from one or more issuers:
 *
 * - the internal issuer (AUTH_ISSUER with AUTH_JWKS_URL, AUTH_PUBLIC_KEY_FILE or, in development
 *   and test, the development key): tokens that carry our own claims (`callerFromClaims`);
 * - external issuers (`external`): Entra ID for staff and ID-porten for landlords, whose claims are
 *   mapped (external-issuers.ts).
 *
 * The issuer is picked by the token's (unverified) `iss`; the token is then verified against that
 * issuer's key set, audience, algorithms and `typ` only — never by trying each issuer's keys. A
 * verified token is remembered for a few minutes (VerifiedTokenCache), keyed by its hash.
 */
export class TokenVerifier {
  private readonly issuers = new Map<string, Issuer>();
  private readonly skew: number;
  private readonly actorKey: Buffer;
  private readonly cache: VerifiedTokenCache | null;

  constructor(private readonly options: TokenVerifierOptions) {
    if (options.devKey && options.environment !== 'development' && options.environment !== 'test') {
      throw new Error('The development token key is refused outside NODE_ENV=development or test');
    }
    if (options.personIdKey.length === 0) throw new Error('No person-id key configured for actor ids');
    const maxLifetime = checkedLifetime(options.maxTokenLifetimeSeconds ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS);
    this.skew = options.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS;
    if (!Number.isInteger(this.skew) || this.skew < 0) throw new Error('clockSkewSeconds must be a non-negative integer');
    this.actorKey = actorIdKey(options.personIdKey);
    const keys = { actorKey: this.actorKey, personIdKey: options.personIdKey };

    if (options.internal ?? true) {
      const realKeySource = Boolean(options.jwksUrl || options.publicKeyFile);
      // The development key is symmetric: it must never be accepted with another algorithm.
      const algorithms = realKeySource ? checkedAlgorithms(options.algorithms ?? DEFAULT_TOKEN_ALGORITHMS) : [DEV_ALGORITHM];
      let key: KeyObject | JWTVerifyGetKey;
      if (options.jwksUrl) key = this.remoteKeySet(options.jwksUrl);
      else if (options.publicKeyFile) key = createPublicKey(readFileSync(options.publicKeyFile));
      else if (options.devKey) key = createSecretKey(Buffer.from(DEV_SECRET));
      else throw new Error('No token verification key configured');
      this.add({ name: 'internal', issuer: options.issuer, audience: options.audience, key, algorithms, typ: undefined, maxLifetime, toCaller: (payload) => freezeCaller(callerFromClaims(payload, keys)) });
    }

    for (const external of options.external ?? []) {
      const audience = typeof external.audience === 'string' ? external.audience : [...external.audience];
      if (audience.length === 0) throw new Error(`The ${external.kind} issuer needs an audience`);
      if (external.kind === 'staff' && Object.keys(external.groups).length === 0) throw new Error('The staff issuer needs a group mapping (group object id → municipalities)');
      if (external.kind === 'landlord' && external.municipalities.length === 0) throw new Error('The landlord issuer needs the municipalities landlords may submit warnings in');
      this.add({
        name: external.kind,
        issuer: external.issuer,
        audience,
        key: this.remoteKeySet(external.jwksUrl),
        algorithms: checkedAlgorithms(external.algorithms ?? ['RS256']),
        typ: external.tokenType,
        maxLifetime: checkedLifetime(external.maxTokenLifetimeSeconds ?? maxLifetime),
        toCaller: external.kind === 'staff' ? (payload) => staffCaller(payload, external, keys) : (payload) => landlordCaller(payload, external, keys),
      });
    }
    if (this.issuers.size === 0) throw new Error('No token issuer configured: the internal one is off and no external one is set');

    this.cache = options.cache === false ? null : new VerifiedTokenCache(options.cache ?? {}, () => this.options.clock.now().getTime());
  }

  private add(issuer: Issuer): void {
    if (this.issuers.has(issuer.issuer)) throw new Error(`Two token issuers share the issuer ${issuer.issuer}: each needs its own`);
    this.issuers.set(issuer.issuer, issuer);
  }

  private remoteKeySet(jwksUrl: string): JWTVerifyGetKey {
    const url = new URL(jwksUrl);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && this.options.environment !== 'production')) {
      throw new Error('The JWKS URL must use https in production');
    }
    return createRemoteJWKSet(url, {
      cacheMaxAge: this.options.jwksCacheMaxAgeMs ?? DEFAULT_JWKS_CACHE_MAX_AGE_MS,
      cooldownDuration: this.options.jwksCooldownMs ?? DEFAULT_JWKS_COOLDOWN_MS,
      timeoutDuration: JWKS_TIMEOUT_MS,
    });
  }

  /** The configured issuers by kind, for the start-up log line (no secrets in them). */
  configuredIssuers(): Array<{ kind: Issuer['name']; issuer: string }> {
    return [...this.issuers.values()].map((i) => ({ kind: i.name, issuer: i.issuer }));
  }

  /**
   * The Caller of a token verified before and still within its cache entry's life (what `verify`
   * would answer without checking a signature), else undefined: `verify` it then. Synchronous, so
   * a known caller's request costs no promise.
   */
  verified(token: string): Caller | undefined {
    return this.cache?.get(token);
  }

  /**
   * The Caller of a token, or InvalidTokenError (401), NoAccessError (403: genuine, but gives no
   * access here) or KeySourceUnavailableError (503).
   */
  async verify(token: string): Promise<Caller> {
    const cached = this.verified(token);
    if (cached) return cached;

    const now = this.options.clock.now();
    let claimedIssuer: unknown;
    try {
      claimedIssuer = decodeJwt(token).iss;
    } catch (error) {
      throw new InvalidTokenError(`token rejected: ${(error as { code?: string }).code ?? 'malformed'}`);
    }
    const issuer = typeof claimedIssuer === 'string' ? this.issuers.get(claimedIssuer) : undefined;
    if (!issuer) throw new InvalidTokenError(typeof claimedIssuer === 'string' && claimedIssuer !== '' ? 'token rejected: unknown issuer' : 'token rejected: no issuer');

    const verifyOptions: JWTVerifyOptions = {
      issuer: issuer.issuer,
      audience: issuer.audience,
      algorithms: [...issuer.algorithms],
      requiredClaims: ['exp', 'sub'],
      clockTolerance: this.skew,
      currentDate: now,
      ...(issuer.typ ? { typ: issuer.typ } : {}),
    };
    let payload: JWTPayload;
    try {
      ({ payload } = typeof issuer.key === 'function' ? await jwtVerify(token, issuer.key, verifyOptions) : await jwtVerify(token, issuer.key, verifyOptions));
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (typeof issuer.key === 'function' && code !== undefined && KEY_SOURCE_FAILURES.has(code)) {
        throw new KeySourceUnavailableError(`token key source unavailable: ${code ?? (error as Error).name}`);
      }
      // The jose error code only: its message may quote claim values.
      throw new InvalidTokenError(`token rejected: ${code ?? 'invalid token'}`);
    }
    this.checkLifetime(payload, now, issuer.maxLifetime);
    const caller = issuer.toCaller(payload);
    this.cache?.set(token, caller, payload.exp as number);
    return caller;
  }

  /**
   * jose checks that `exp` has not passed and `nbf` has come; this refuses long-lived tokens, which
   * a leaked token would otherwise stay useful for (`exp` 100 years ahead was accepted).
   */
  private checkLifetime(payload: JWTPayload, now: Date, maxLifetime: number): void {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const exp = payload.exp as number; // required and type-checked by jwtVerify
    if (payload.iat !== undefined) {
      const iat = payload.iat; // a number, checked by jwtVerify
      if (iat > nowSeconds + this.skew) throw new InvalidTokenError('token rejected: issued in the future');
      if (exp - iat > maxLifetime) throw new InvalidTokenError(`token rejected: lifetime longer than ${maxLifetime} seconds`);
    }
    // Also with `iat`: an `iat` within the skew must not buy a longer life.
    if (exp - nowSeconds > maxLifetime + this.skew) throw new InvalidTokenError(`token rejected: expires more than ${maxLifetime} seconds ahead`);
  }
}

export interface CallerKeys {
  /** From `actorIdKey(personIdKey)`. */
  readonly actorKey: Buffer;
  readonly personIdKey: string;
}

/** An 11-digit value is (or looks like) a fødselsnummer or d-nummer: never copied into a Caller. */
const IDENTITY_NUMBER = /^\d{11}$/;

export function callerFromClaims(payload: JWTPayload, keys: CallerKeys): Caller {
  const roles = payload['roles'];
  const municipalities = payload['municipalities'];
  if (typeof payload.sub !== 'string' || payload.sub === '') throw new InvalidTokenError('token has no sub');
  if (typeof payload.iss !== 'string' || payload.iss === '') throw new InvalidTokenError('token has no iss');
  if (!Array.isArray(roles) || roles.length === 0 || !roles.every((r) => (ROLES as readonly string[]).includes(r))) {
    throw new InvalidTokenError(`token roles must be a non-empty list of ${ROLES.join(', ')}`);
  }
  if (!Array.isArray(municipalities) || !municipalities.every((m) => typeof m === 'string' && /^\d{4}$/.test(m))) {
    throw new InvalidTokenError('token municipalities must be a list of four-digit kommunenumre');
  }
  const navOffice = payload['navOffice'];
  const landlordId = payload['landlordId'];
  const isLandlord = (roles as string[]).includes('landlord');
  // A NAV office lead leads one office: without it, every NAV query would answer nothing.
  if (((roles as string[]).includes('nav-adviser') || (roles as string[]).includes('nav-lead')) && typeof navOffice !== 'string') {
    throw new InvalidTokenError('a nav-adviser or nav-lead token must name its navOffice');
  }
  if (isLandlord && typeof landlordId !== 'string') throw new InvalidTokenError('a landlord token must name its landlordId');
  // These two reach events, read models and keys as they are: an identity number must not ride in them.
  if (typeof navOffice === 'string' && IDENTITY_NUMBER.test(navOffice.trim())) throw new InvalidTokenError('token navOffice must not be an identity number');
  if (typeof landlordId === 'string' && IDENTITY_NUMBER.test(landlordId.trim())) throw new InvalidTokenError('token landlordId must not be an identity number');

  // `pid` (ID-porten's fødselsnummer) is read only for a landlord person, and only as an opaque id.
  let landlordPersonId: string | null = null;
  if (isLandlord && payload['pid'] !== undefined) {
    const pid = payload['pid'];
    if (typeof pid !== 'string' || !IDENTITY_NUMBER.test(pid)) throw new InvalidTokenError('token pid must be an 11-digit identity number');
    landlordPersonId = opaquePersonId(keys.personIdKey, pid);
  }

  const actorId = deriveActorId(keys.actorKey, payload.iss, payload.sub);
  return {
    actorId,
    roles: roles as Role[],
    municipalities: municipalities as string[],
    navOffice: typeof navOffice === 'string' ? navOffice : null,
    landlordId: typeof landlordId === 'string' ? landlordId : null,
    landlordPersonId,
  };
}

export interface MintOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly sub: string;
  readonly roles: readonly Role[];
  readonly municipalities: readonly string[];
  readonly navOffice?: string;
  readonly landlordId?: string;
  /** `exp - iat`; default 3600, the verifier's default maximum. Negative mints an expired token. */
  readonly lifetimeSeconds?: number;
  /** The token's `iat`; default the wall clock. */
  readonly now?: Date;
}

/** Mints a token with the development key: for local use and tests only. */
export async function mintDevToken(options: MintOptions): Promise<string> {
  // `iat` and `exp` from one reading: two readings may straddle a second and exceed the maximum.
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
  return new SignJWT({
    roles: [...options.roles],
    municipalities: [...options.municipalities],
    ...(options.navOffice ? { navOffice: options.navOffice } : {}),
    ...(options.landlordId ? { landlordId: options.landlordId } : {}),
  })
    .setProtectedHeader({ alg: DEV_ALGORITHM })
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setSubject(options.sub)
    .setIssuedAt(iat)
    .setExpirationTime(iat + (options.lifetimeSeconds ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS))
    .sign(createSecretKey(Buffer.from(DEV_SECRET)));
}
