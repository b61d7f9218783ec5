import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SignJWT, createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { ROLES, type Caller, type Role } from './caller';

/**
 * The development signing key. It is public on purpose — anyone can mint tokens with it — so the
 * production configuration refuses to load it (see `loadConfig`).
 */
const DEV_SECRET = 'evp-development-signing-key-never-use-in-production-0123456789';
export const DEV_ALGORITHM = 'HS256';

export interface TokenVerifierOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUrl?: string | undefined;
  readonly publicKeyFile?: string | undefined;
  readonly devKey: boolean;
}

export class InvalidTokenError extends Error {}

export class TokenVerifier {
  private readonly key: KeyObject | ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly options: TokenVerifierOptions) {
    if (options.jwksUrl) this.key = createRemoteJWKSet(new URL(options.jwksUrl));
    else if (options.publicKeyFile) this.key = createPublicKey(readFileSync(options.publicKeyFile));
    else if (options.devKey) this.key = createSecretKey(Buffer.from(DEV_SECRET));
    else throw new Error('No token verification key configured');
  }

  async verify(token: string): Promise<Caller> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.key as Parameters<typeof jwtVerify>[1], {
        issuer: this.options.issuer,
        audience: this.options.audience,
        ...(this.options.jwksUrl || this.options.publicKeyFile ? {} : { algorithms: [DEV_ALGORITHM] }),
      }));
    } catch (error) {
      throw new InvalidTokenError(`token rejected: ${(error as { code?: string }).code ?? (error as Error).message}`);
    }
    return callerFromClaims(payload);
  }
}

export function callerFromClaims(payload: JWTPayload): Caller {
  const roles = payload['roles'];
  const municipalities = payload['municipalities'];
  if (typeof payload.sub !== 'string' || payload.sub === '') throw new InvalidTokenError('token has no sub');
  if (!Array.isArray(roles) || roles.length === 0 || !roles.every((r) => (ROLES as readonly string[]).includes(r))) {
    throw new InvalidTokenError(`token roles must be a non-empty list of ${ROLES.join(', ')}`);
  }
  if (!Array.isArray(municipalities) || !municipalities.every((m) => typeof m === 'string' && /^\d{4}$/.test(m))) {
    throw new InvalidTokenError('token municipalities must be a list of four-digit kommunenumre');
  }
  const navOffice = payload['navOffice'];
  const landlordId = payload['landlordId'];
  if ((roles as string[]).includes('nav-adviser') && typeof navOffice !== 'string') throw new InvalidTokenError('a nav-adviser token must name its navOffice');
  if ((roles as string[]).includes('landlord') && typeof landlordId !== 'string') throw new InvalidTokenError('a landlord token must name its landlordId');
  return {
    personId: payload.sub,
    roles: roles as Role[],
    municipalities: municipalities as string[],
    navOffice: typeof navOffice === 'string' ? navOffice : null,
    landlordId: typeof landlordId === 'string' ? landlordId : null,
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
  readonly expiresIn?: string;
}

/** Mints a token with the development key: for local use and tests only. */
export async function mintDevToken(options: MintOptions): Promise<string> {
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
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '8h')
    .sign(createSecretKey(Buffer.from(DEV_SECRET)));
}
