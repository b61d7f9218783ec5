export const ROLES = ['accounting', 'arrears-team', 'nav-adviser', 'nav-lead', 'landlord', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Who is calling, from a verified token. Nothing in it is a name or an identity number: a token's
 * `sub` (which ID-porten may fill with the fødselsnummer) enters events, logs and keys only as the
 * keyed hash `actorId` (invariant 7).
 */
export interface Caller {
  /** Opaque, stable per issuer and subject (`a_` + keyed HMAC of issuer and `sub`). */
  readonly actorId: string;
  readonly roles: readonly Role[];
  /** Kommunenumre the caller may act in. Every query is scoped by these (invariant 11). */
  readonly municipalities: readonly string[];
  /** A NAV adviser's or NAV office lead's own NAV office: they see only its tenancies and cases. */
  readonly navOffice: string | null;
  /** A landlord's own id: they see only their own warnings. */
  readonly landlordId: string | null;
  /**
   * Set only when a landlord logs in as a person (an ID-porten token with `pid`): the opaque person
   * id of that identity number, derived exactly as the people streams derive theirs
   * (`opaquePersonId`). The number itself is never kept.
   */
  readonly landlordPersonId: string | null;
}

export function hasRole(caller: Caller, ...roles: Role[]): boolean {
  return caller.roles.some((r) => roles.includes(r));
}

export function mayActIn(caller: Caller, municipalityNumber: string): boolean {
  return caller.municipalities.includes(municipalityNumber);
}

/** The role a caller acts in for the audit trail: the first of its roles that the action allows. */
export function actingRole(caller: Caller, allowed: readonly Role[]): Role {
  return caller.roles.find((r) => allowed.includes(r)) ?? (caller.roles[0] as Role);
}
