import type { JWTPayload } from 'jose';
import { deriveActorId, opaquePersonId } from './actor-id';
import { ROLES, type Caller, type Role } from './caller';

/**
 * Tokens from the organisations' own identity providers, which carry none of our claims:
 *
 * - staff (Entra ID): roles from the app-role claim `roles` (`evp.accounting`, `evp.nav-adviser`, …),
 *   municipalities and NAV office from the `groups` claim (group object ids) through a configured
 *   mapping;
 * - landlords (ID-porten): the role `landlord`, the landlord id from `pid` as a keyed opaque id,
 *   the municipalities the installation serves, and only at the configured assurance levels (`acr`).
 */

/** The roles a staff token can carry: every role but `landlord`, which only ID-porten gives. */
export const STAFF_ROLES: readonly Role[] = ROLES.filter((r) => r !== 'landlord');
export const DEFAULT_STAFF_ROLE_PREFIX = 'evp.';
export const ID_PORTEN_ACR_LEVELS = ['idporten-loa-substantial', 'idporten-loa-high'] as const;
export type IdPortenAcr = (typeof ID_PORTEN_ACR_LEVELS)[number];

/** What membership of one Entra ID group gives: municipalities to act in and, for NAV staff, their office. */
export interface GroupGrant {
  readonly municipalities: readonly string[];
  readonly navOffice?: string | undefined;
}

interface ExternalIssuerBase {
  /** The token's `iss`, exactly (Entra ID v2: `https://login.microsoftonline.com/<tenant-id>/v2.0`). */
  readonly issuer: string;
  /** Accepted `aud` values (Entra ID v2: the api's application (client) id). */
  readonly audience: string | readonly string[];
  readonly jwksUrl: string;
  /** Each one of TOKEN_ALGORITHMS; default RS256 (what both providers sign with). */
  readonly algorithms?: readonly string[] | undefined;
  /** The header `typ` the token must carry (`at+jwt` for RFC 9068 access tokens); unchecked when unset. */
  readonly tokenType?: string | undefined;
  /** Longest accepted `exp - iat`; default the verifier's. */
  readonly maxTokenLifetimeSeconds?: number | undefined;
}

export interface StaffIssuerOptions extends ExternalIssuerBase {
  readonly kind: 'staff';
  /** App roles are named `<prefix><role>`; default `evp.`. */
  readonly rolePrefix?: string | undefined;
  /** Group object id → what membership gives. */
  readonly groups: Readonly<Record<string, GroupGrant>>;
}

export interface LandlordIssuerOptions extends ExternalIssuerBase {
  readonly kind: 'landlord';
  /** The assurance levels accepted; default both (substantial and high). */
  readonly acr?: readonly IdPortenAcr[] | undefined;
  /** Where a landlord may submit warnings: the municipalities the installation serves. */
  readonly municipalities: readonly string[];
}

export type ExternalIssuerOptions = StaffIssuerOptions | LandlordIssuerOptions;

/**
 * A token that is genuine but gives no access here: no role we know, no mapped group, an
 * assurance level too low. Answered 403 (the person is signed in; signing in again does not help),
 * never 401 (which sends the web app back to the sign-in page, round and round).
 */
export type NoAccessReason = 'no-role' | 'no-municipality' | 'ambiguous-nav-office' | 'no-nav-office' | 'group-overage' | 'assurance-level';

export class NoAccessError extends Error {
  constructor(readonly reason: NoAccessReason) {
    super(`token gives no access: ${reason}`);
  }
}

export interface ExternalCallerKeys {
  readonly actorKey: Buffer;
  readonly personIdKey: string;
}

const IDENTITY_NUMBER = /^\d{11}$/;
const MUNICIPALITY = /^\d{4}$/;

function subjectOf(payload: JWTPayload): { iss: string; sub: string } {
  // jwtVerify checked `iss` against the configuration and required `sub`; these guard the types.
  if (typeof payload.iss !== 'string' || payload.iss === '' || typeof payload.sub !== 'string' || payload.sub === '') {
    throw new NoAccessError('no-role');
  }
  return { iss: payload.iss, sub: payload.sub };
}

export function freezeCaller(caller: Caller): Caller {
  Object.freeze(caller.roles);
  Object.freeze(caller.municipalities);
  return Object.freeze(caller);
}

/** An Entra ID access token → Caller. Unknown app roles and unmapped groups are ignored, not refused. */
export function staffCaller(payload: JWTPayload, options: StaffIssuerOptions, keys: ExternalCallerKeys): Caller {
  const { iss, sub } = subjectOf(payload);
  const prefix = options.rolePrefix ?? DEFAULT_STAFF_ROLE_PREFIX;
  const claimed = Array.isArray(payload['roles']) ? (payload['roles'] as unknown[]) : [];
  const roles: Role[] = [];
  for (const value of claimed) {
    if (typeof value !== 'string' || !value.startsWith(prefix)) continue;
    const role = value.slice(prefix.length) as Role;
    if (STAFF_ROLES.includes(role) && !roles.includes(role)) roles.push(role);
  }
  if (roles.length === 0) throw new NoAccessError('no-role');

  const groups = Array.isArray(payload['groups']) ? (payload['groups'] as unknown[]).filter((g): g is string => typeof g === 'string') : [];
  // More groups than fit in a token: Entra ID leaves `groups` out and points at Graph instead. We do
  // not call Graph; the app registration should emit only the groups assigned to the application.
  const claimNames = payload['_claim_names'];
  if (groups.length === 0 && claimNames && typeof claimNames === 'object' && 'groups' in claimNames) throw new NoAccessError('group-overage');

  const municipalities: string[] = [];
  const offices = new Set<string>();
  for (const group of groups) {
    const grant = Object.prototype.hasOwnProperty.call(options.groups, group) ? options.groups[group] : undefined;
    if (!grant) continue;
    for (const m of grant.municipalities) if (MUNICIPALITY.test(m) && !municipalities.includes(m)) municipalities.push(m);
    if (grant.navOffice) offices.add(grant.navOffice);
  }
  if (municipalities.length === 0) throw new NoAccessError('no-municipality');
  // A Caller has one NAV office: membership of two offices' groups is a mistake in the directory.
  if (offices.size > 1) throw new NoAccessError('ambiguous-nav-office');
  const navOffice = offices.values().next().value ?? null;
  if ((roles.includes('nav-adviser') || roles.includes('nav-lead')) && navOffice === null) throw new NoAccessError('no-nav-office');

  return freezeCaller({
    actorId: deriveActorId(keys.actorKey, iss, sub),
    roles,
    municipalities,
    navOffice,
    landlordId: null,
    landlordPersonId: null,
  });
}

/**
 * An ID-porten access token → a landlord. The `pid` (fødselsnummer or d-nummer) is read here and
 * only turned into the opaque person id (`opaquePersonId`, keyed with PERSON_ID_KEY): that is both
 * the landlord id (their own warnings) and the landlord person id. The number itself is not kept,
 * logged, or put in any key; `sub` (pairwise) only enters the keyed actor id.
 */
export function landlordCaller(payload: JWTPayload, options: LandlordIssuerOptions, keys: ExternalCallerKeys): Caller {
  const { iss, sub } = subjectOf(payload);
  const accepted: readonly string[] = options.acr ?? ID_PORTEN_ACR_LEVELS;
  if (typeof payload['acr'] !== 'string' || !accepted.includes(payload['acr'])) throw new NoAccessError('assurance-level');
  const pid = payload['pid'];
  if (typeof pid !== 'string' || !IDENTITY_NUMBER.test(pid)) throw new NoAccessError('no-role');
  if (options.municipalities.length === 0) throw new NoAccessError('no-municipality');
  const person = opaquePersonId(keys.personIdKey, pid);
  return freezeCaller({
    actorId: deriveActorId(keys.actorKey, iss, sub),
    roles: ['landlord'],
    municipalities: [...options.municipalities],
    navOffice: null,
    landlordId: person,
    landlordPersonId: person,
  });
}
