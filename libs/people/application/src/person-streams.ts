import type { EventStore, EventTypeMap, RecordedEvent } from '@evp/event-store';
import { hasRole, mayActIn, type Caller, type Role } from '@evp/auth';
import { tenancyKey, tenancyStreamName, type TenancyDetails } from '@evp/ledger-contract';
import { caseStreamName } from '@evp/cases-contract';
import { evolvePerson, initialPerson, personStreamName, type DatedEvent, type PeopleEvent, type Person, type TenancyArchiveFacts, type TenancyRef } from '@evp/people-domain';

/**
 * How the people context reads: its own streams, and the ledger's and the cases' streams only
 * through their published contracts (event types and stream-name grammar), every event decoded
 * through the process's one type map. Streams, not read models: an erasure or a restriction
 * takes effect at the next read, and access follows the tenancy's current facts, never a
 * projection that may lag them.
 */

export async function loadPerson(store: EventStore, types: EventTypeMap, personId: string): Promise<{ person: Person; revision: number }> {
  const events = await store.readStream(personStreamName(personId));
  const person = events.reduce((s, e) => evolvePerson(s, { type: e.type, data: types.upcast(e) } as unknown as PeopleEvent), initialPerson());
  return { person, revision: events.length - 1 };
}

/** A tenancy as the ledger publishes it, now: where it belongs, its NAV office and who its tenants are. */
export interface TenancyFacts extends TenancyRef {
  readonly navOffice: string;
  readonly tenantPersonIds: readonly string[];
}

const dated = (types: EventTypeMap) => (e: RecordedEvent): DatedEvent => ({ type: e.type, data: types.dataOf(e), occurredAt: e.metadata.occurredAt });

async function readTenancyEvents(store: EventStore, types: EventTypeMap, ref: TenancyRef): Promise<DatedEvent[]> {
  return (await store.readStream(tenancyStreamName(ref.municipalityNumber, ref.tenancyId))).map(dated(types));
}

function currentFacts(ref: TenancyRef, events: readonly DatedEvent[]): TenancyFacts | undefined {
  let details: TenancyDetails | undefined;
  for (const e of events) if (e.type === 'ledger.TenancyRegistered' || e.type === 'ledger.TenancyDetailsChanged') details = e.data as TenancyDetails;
  return details ? { ...ref, navOffice: details.navOffice, tenantPersonIds: details.tenantPersonIds } : undefined;
}

export async function readTenancy(store: EventStore, types: EventTypeMap, ref: TenancyRef): Promise<TenancyFacts | undefined> {
  return currentFacts(ref, await readTenancyEvents(store, types, ref));
}

export async function readTenancies(store: EventStore, types: EventTypeMap, refs: readonly TenancyRef[]): Promise<TenancyFacts[]> {
  const facts = await Promise.all(refs.map((ref) => readTenancy(store, types, ref)));
  return facts.filter((f): f is TenancyFacts => f !== undefined);
}

/** What the archive rule needs of each of the person's tenancies: its tenant lists over time and its cases. */
export async function readArchiveFacts(store: EventStore, types: EventTypeMap, person: Pick<Person, 'tenancies' | 'households'>): Promise<TenancyArchiveFacts[]> {
  // A warning's household is a tenancy number or a private lease's `h…` id: either way its cases are
  // in `case-<kommunenummer>-<household>`. Only a tenant is the subject of the household's case.
  const refs = new Map<string, TenancyRef & { namedInWarning: boolean }>();
  for (const t of person.tenancies) refs.set(`${t.municipalityNumber}-${t.tenancyId}`, { ...t, namedInWarning: false });
  for (const h of person.households.filter((x) => x.role === 'tenant')) {
    const key = `${h.municipalityNumber}-${h.householdId}`;
    refs.set(key, { municipalityNumber: h.municipalityNumber, tenancyId: h.householdId, namedInWarning: true });
  }
  return Promise.all(
    [...refs.values()].map(async (ref) => ({
      ...ref,
      tenancyEvents: await readTenancyEvents(store, types, ref),
      caseEvents: (await store.readStream(caseStreamName(tenancyKey(ref.municipalityNumber, ref.tenancyId)))).map(dated(types)),
    })),
  );
}

const OFFICE_WIDE: Role[] = ['accounting', 'arrears-team', 'admin'];

/**
 * Who may read a tenancy's tenants, like its account: accounting, the arrears team and admin in
 * its municipality; a NAV adviser only when the tenancy's current NAV office is theirs.
 */
export function mayReadTenancy(caller: Caller, tenancy: TenancyFacts): boolean {
  if (!mayActIn(caller, tenancy.municipalityNumber)) return false;
  if (hasRole(caller, ...OFFICE_WIDE)) return true;
  return hasRole(caller, 'nav-adviser') && caller.navOffice !== null && caller.navOffice === tenancy.navOffice;
}

/**
 * Who may read a person: accounting, the arrears team and admin when the person has been a
 * tenant of a tenancy in their municipalities; a NAV adviser only while the person IS a tenant of
 * a tenancy whose current NAV office is theirs.
 */
export function mayReadPerson(caller: Caller, personId: string, tenancies: readonly TenancyFacts[]): boolean {
  return tenancies.some((t) => mayReadTenancy(caller, t) && (hasRole(caller, ...OFFICE_WIDE) || t.tenantPersonIds.includes(personId)));
}
