import type { LocalDate } from '@evp/shared-kernel';
import type { EncryptedPayload, ErasureReason, HouseholdRole, PeopleEvent, PersonErased, PersonLinkedToHousehold, PersonLinkedToTenancy, PersonRecorded, PersonRestricted, RestrictionBasis, RestrictionLiftReason, RestrictionLifted } from '@evp/people-contract';
import type { ArchiveObligation } from './archive-obligation';

/** A household a warning named the person in (see `people.PersonLinkedToHousehold`). */
export interface HouseholdLink {
  readonly municipalityNumber: string;
  readonly householdId: string;
  readonly warningId: string;
  readonly role: HouseholdRole;
}

export type PersonStatus = 'active' | 'restricted' | 'erased';

export interface TenancyRef {
  readonly municipalityNumber: string;
  readonly tenancyId: string;
}

/** One person's stream folded: what decisions and readers need, and never a value in clear. */
export interface Person {
  /** `undefined`: the stream is empty, there is no such person. */
  readonly status: PersonStatus | undefined;
  readonly restriction: RestrictionBasis | null;
  /** The latest recorded ciphertext since the last erasure; null when none. */
  readonly record: { readonly keyId: string; readonly encrypted: EncryptedPayload } | null;
  /** Every tenancy the person has been registered on, in the order they were linked. */
  readonly tenancies: readonly TenancyRef[];
  /** Every warning (and its household) that named the person, in the order they were linked. */
  readonly households: readonly HouseholdLink[];
}

export const initialPerson = (): Person => ({ status: undefined, restriction: null, record: null, tenancies: [], households: [] });

const householdKey = (h: Pick<HouseholdLink, 'municipalityNumber' | 'householdId' | 'warningId' | 'role'>) => `${h.municipalityNumber}|${h.householdId}|${h.warningId}|${h.role}`;

/** Every municipality whose records name the person: its admins are the ones who answer for erasing them. */
export function municipalitiesOf(person: Person): string[] {
  return [...new Set([...person.tenancies.map((t) => t.municipalityNumber), ...person.households.map((h) => h.municipalityNumber)])];
}

export function evolvePerson(state: Person, event: PeopleEvent): Person {
  switch (event.type) {
    case 'people.PersonRecorded':
      // Recorded again after an erasure: accounting registered the person anew, which is new data
      // lawfully collected; a restriction stays in force over new data too.
      return { ...state, status: state.status === 'restricted' ? 'restricted' : 'active', record: { keyId: event.data.keyId, encrypted: event.data.encrypted } };
    case 'people.PersonLinkedToTenancy': {
      const { municipalityNumber, tenancyId } = event.data;
      const linked = state.tenancies.some((t) => t.municipalityNumber === municipalityNumber && t.tenancyId === tenancyId);
      return { ...state, status: state.status ?? 'active', tenancies: linked ? state.tenancies : [...state.tenancies, { municipalityNumber, tenancyId }] };
    }
    case 'people.PersonLinkedToHousehold': {
      const { municipalityNumber, householdId, warningId, role } = event.data;
      const link = { municipalityNumber, householdId, warningId, role };
      const linked = state.households.some((h) => householdKey(h) === householdKey(link));
      return { ...state, status: state.status ?? 'active', households: linked ? state.households : [...state.households, link] };
    }
    case 'people.PersonErased':
      return { ...state, status: 'erased', restriction: null, record: null };
    case 'people.PersonRestricted':
      return state.status === 'erased' ? state : { ...state, status: 'restricted', restriction: event.data.basis };
    case 'people.RestrictionLifted':
      return state.status === 'restricted' ? { ...state, status: 'active', restriction: null } : state;
    default: {
      const never: never = event;
      return never;
    }
  }
}

export type PeopleRuleCode = 'PERSON_NOT_FOUND' | 'PERSON_ERASED' | 'OTHER_MUNICIPALITY' | 'ARCHIVE_OBLIGATION' | 'SUBJECT_NOT_INFORMED';

/** A command the person's state refuses. `PERSON_NOT_FOUND` answers 404, the rest 409. */
export class PeopleRuleError extends Error {
  override readonly name = 'PeopleRuleError';
  constructor(
    readonly code: PeopleRuleCode,
    message: string,
  ) {
    super(message);
  }
}

const notFound = () => new PeopleRuleError('PERSON_NOT_FOUND', 'Finnes ikke');

/**
 * What registering a tenant adds to their stream: the new ciphertext when the data is new or
 * changed (the application compares it in clear and passes null when unchanged), and a link to
 * each tenancy not linked before.
 */
export function decideRecording(
  state: Person,
  input: { readonly personId: string; readonly record: PersonRecorded['data'] | null; readonly tenancies: readonly TenancyRef[]; readonly households?: readonly HouseholdLink[] },
): Array<PersonRecorded | PersonLinkedToTenancy | PersonLinkedToHousehold> {
  const events: Array<PersonRecorded | PersonLinkedToTenancy | PersonLinkedToHousehold> = [];
  if (input.record) events.push({ type: 'people.PersonRecorded', data: input.record });
  const seen = new Set(state.tenancies.map((t) => `${t.municipalityNumber}-${t.tenancyId}`));
  for (const t of input.tenancies) {
    const key = `${t.municipalityNumber}-${t.tenancyId}`;
    if (seen.has(key)) continue;
    seen.add(key);
    events.push({ type: 'people.PersonLinkedToTenancy', data: { personId: input.personId, municipalityNumber: t.municipalityNumber, tenancyId: t.tenancyId } });
  }
  const linked = new Set(state.households.map(householdKey));
  for (const h of input.households ?? []) {
    if (linked.has(householdKey(h))) continue;
    linked.add(householdKey(h));
    events.push({ type: 'people.PersonLinkedToHousehold', data: { personId: input.personId, municipalityNumber: h.municipalityNumber, householdId: h.householdId, warningId: h.warningId, role: h.role } });
  }
  return events;
}

export type ErasureOutcome =
  | { readonly outcome: 'erased' | 'already-erased' }
  /** Refused: an archive obligation holds; the data is restricted instead (now or already). */
  | { readonly outcome: 'restricted'; readonly obligation: ArchiveObligation };

/**
 * Erase a person (GDPR art. 17), unless an archive obligation forbids it: then the erasure is
 * refused and the data restricted instead (art. 17 (3) (b): no right to erasure where keeping is a
 * legal obligation; the restriction keeps it from everyone but `admin`). Idempotent: an erased
 * person stays erased, a restricted one is not restricted twice.
 */
export function decideErasure(
  state: Person,
  input: { readonly personId: string; readonly reason: ErasureReason; readonly today: LocalDate; readonly obligation: ArchiveObligation | undefined },
): { readonly events: Array<PersonErased | PersonRestricted>; readonly result: ErasureOutcome } {
  if (state.status === undefined) throw notFound();
  if (state.status === 'erased') return { events: [], result: { outcome: 'already-erased' } };
  if (input.obligation) {
    const events: PersonRestricted[] = state.status === 'restricted' ? [] : [{ type: 'people.PersonRestricted', data: { personId: input.personId, basis: 'archive-obligation' } }];
    return { events, result: { outcome: 'restricted', obligation: input.obligation } };
  }
  return { events: [{ type: 'people.PersonErased', data: { personId: input.personId, reason: input.reason, erasedOn: input.today } }], result: { outcome: 'erased' } };
}

/** Restrict a person's data to `admin` (GDPR art. 18). Idempotent; an erased person has nothing left to restrict. */
export function decideRestriction(state: Person, input: { readonly personId: string; readonly basis: RestrictionBasis }): PersonRestricted[] {
  if (state.status === undefined) throw notFound();
  if (state.status === 'erased') throw new PeopleRuleError('PERSON_ERASED', 'Personen er slettet; det er ingen opplysninger å skjerme');
  if (state.status === 'restricted') return [];
  return [{ type: 'people.PersonRestricted', data: { personId: input.personId, basis: input.basis } }];
}

/**
 * Lift a restriction (GDPR art. 18 (3)): the person must have been told before it is lifted, so
 * `subjectInformedOn` is on or before `today`. A restriction that stands in for a refused erasure
 * (`archive-obligation`) is not lifted on request: the person asked for the data to go, and only
 * the archive obligation keeps it (art. 17 (3) (b)). Idempotent: a person not restricted decides nothing.
 */
export function decideLiftRestriction(
  state: Person,
  input: { readonly personId: string; readonly today: LocalDate; readonly subjectInformedOn: LocalDate; readonly reason: RestrictionLiftReason },
): RestrictionLifted[] {
  if (state.status === undefined) throw notFound();
  if (state.status === 'erased') throw new PeopleRuleError('PERSON_ERASED', 'Personen er slettet; det er ingen skjerming å oppheve');
  if (state.status !== 'restricted' || state.restriction === null) return [];
  if (state.restriction === 'archive-obligation') {
    throw new PeopleRuleError('ARCHIVE_OBLIGATION', 'Skjermingen står i stedet for en nektet sletting (arkivplikt) og kan ikke oppheves');
  }
  if (input.subjectInformedOn > input.today) {
    throw new PeopleRuleError('SUBJECT_NOT_INFORMED', 'Personen må være informert før skjermingen oppheves (personvernforordningen art. 18 nr. 3); datoen kan ikke være frem i tid');
  }
  return [{ type: 'people.RestrictionLifted', data: { personId: input.personId, basis: state.restriction, liftedOn: input.today, subjectInformedOn: input.subjectInformedOn, reason: input.reason } }];
}

/** The identity number as every role but `admin` sees it: the date of birth (six digits), the rest hidden. */
export function maskNationalId(nationalId: string): string {
  return `${nationalId.slice(0, 6)}*****`;
}
