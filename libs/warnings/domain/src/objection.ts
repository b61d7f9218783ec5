import type { LocalDate } from '@evp/shared-kernel';
import type { ObjectionEvent, ObjectionRegistered, ReservationEvent, WarnedTenant } from '@evp/warnings-contract';
import type { ObjectionMatch } from './warning';

/**
 * The register of tenants' written objections to § 9-11 notices (reservasjon): a tenant who has
 * reserved themselves in writing must not be reported to NAV (husleieloven § 9-11, its preparatory
 * works and Husbanken's guidance; the system honours it either way, DOMAIN.md). An objection is
 * matched by keyed hashes of the tenant's identity, so one registered with the identity number
 * also stops a warning that knew only the name and birth date, and the other way round.
 */

export interface Objection {
  readonly registered: ObjectionRegistered['data'] | null;
  readonly withdrawnOn: LocalDate | null;
}

export const initialObjection = (): Objection => ({ registered: null, withdrawnOn: null });

export function evolveObjection(state: Objection, event: ObjectionEvent): Objection {
  switch (event.type) {
    case 'warnings.ObjectionRegistered':
      return { registered: event.data, withdrawnOn: null };
    case 'warnings.ObjectionWithdrawn':
      return { ...state, withdrawnOn: event.data.withdrawnOn };
    default: {
      const never: never = event;
      return never;
    }
  }
}

export type ObjectionRuleCode = 'OBJECTION_NOT_FOUND' | 'OBJECTION_WITHDRAWN' | 'OBJECTION_CONFLICT';

export class ObjectionRuleError extends Error {
  override readonly name = 'ObjectionRuleError';
  constructor(
    readonly code: ObjectionRuleCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Register an objection. The same registration again changes nothing; one withdrawn is not revived
 * under the same id (a new written objection is a new registration, with its own date).
 */
export function registerObjection(state: Objection, data: ObjectionRegistered['data']): ObjectionEvent[] {
  if (state.registered) {
    if (state.withdrawnOn) throw new ObjectionRuleError('OBJECTION_WITHDRAWN', `Denne reservasjonen ble trukket tilbake ${state.withdrawnOn}. En ny skriftlig reservasjon registreres med sin egen dato.`);
    const same = state.registered.receivedOn === data.receivedOn && [...state.registered.matchKeys].sort().join() === [...data.matchKeys].sort().join();
    if (same) return [];
    throw new ObjectionRuleError('OBJECTION_CONFLICT', 'Det finnes allerede en reservasjon med samme nøkkel og annet innhold.');
  }
  return [{ type: 'warnings.ObjectionRegistered', data }];
}

/** The tenant withdraws the objection: from now on warnings about them may be forwarded again. Idempotent. */
export function withdrawObjection(state: Objection, input: { readonly withdrawnOn: LocalDate; readonly byRole: string }): ObjectionEvent[] {
  if (!state.registered) throw new ObjectionRuleError('OBJECTION_NOT_FOUND', 'Finnes ikke');
  if (state.withdrawnOn) return [];
  return [{ type: 'warnings.ObjectionWithdrawn', data: { objectionId: state.registered.objectionId, withdrawnOn: input.withdrawnOn, byRole: input.byRole } }];
}

/** One match key's stream in the register: the objections standing on it, and the revision read. */
export interface Reservations {
  readonly active: readonly string[];
}

export const initialReservations = (): Reservations => ({ active: [] });

export function evolveReservations(state: Reservations, event: ReservationEvent): Reservations {
  switch (event.type) {
    case 'warnings.ReservationRecorded':
      return state.active.includes(event.data.objectionId) ? state : { active: [...state.active, event.data.objectionId] };
    case 'warnings.ReservationLifted':
      return { active: state.active.filter((id) => id !== event.data.objectionId) };
    case 'warnings.ForwardingChecked':
      return state;
    default: {
      const never: never = event;
      return never;
    }
  }
}

/** The objections on record that concern any of these tenants, matched on any of their keys. */
export function objectionsOnRecord(tenants: readonly Pick<WarnedTenant, 'tenantRef' | 'matchKeys'>[], byKey: ReadonlyMap<string, Reservations>): ObjectionMatch[] {
  const matches: ObjectionMatch[] = [];
  for (const tenant of tenants) {
    const ids = new Set(tenant.matchKeys.flatMap((key) => byKey.get(key)?.active ?? []));
    for (const objectionId of [...ids].sort()) matches.push({ objectionId, tenantRef: tenant.tenantRef });
  }
  return matches;
}
