/**
 * The people context's events (ARCHITECTURE.md, invariant 7). A person's stream holds no personal
 * data in clear: identity number, name and contact details travel only as AES-256-GCM ciphertext
 * under the person's own data key, which lives outside the event log. Deleting that key erases the
 * person without rewriting a single event (crypto-shredding).
 */

/** AES-256-GCM output, each part base64. */
export interface EncryptedPayload {
  readonly iv: string;
  readonly tag: string;
  readonly data: string;
}

/** The person's data as recorded now, encrypted under the data key `keyId`. A later one replaces it. */
export type PersonRecorded = {
  readonly type: 'people.PersonRecorded';
  readonly data: { readonly personId: string; readonly keyId: string; readonly encrypted: EncryptedPayload };
};

/**
 * The person is (or was) a tenant of this tenancy. The ERP's tenancy number is not personal data,
 * and the tenancy's own events already name the person by the same opaque id; the link is what
 * lets the people context find a person's tenancies without reading every tenancy.
 */
export type PersonLinkedToTenancy = {
  readonly type: 'people.PersonLinkedToTenancy';
  readonly data: { readonly personId: string; readonly municipalityNumber: string; readonly tenancyId: string };
};

/**
 * The person is named in a § 9-11 warning about this household (a municipal tenancy's number, or
 * the warnings context's keyed id of a private lease, `h…`): as a tenant, or as the private
 * landlord. It is what lets the people context find the household's persons (for NAV's notes) and
 * the municipality whose admin may erase them, without reading the warnings context's streams.
 */
export type PersonLinkedToHousehold = {
  readonly type: 'people.PersonLinkedToHousehold';
  readonly data: { readonly personId: string; readonly municipalityNumber: string; readonly householdId: string; readonly warningId: string; readonly role: HouseholdRole };
};

export type HouseholdRole = 'tenant' | 'landlord';

/**
 * The same link, in the household's own index stream (`personhousehold-<kommunenummer>-<household>`),
 * so a household's persons are one read away. Opaque ids only.
 */
export type HouseholdPersonLinked = {
  readonly type: 'people.HouseholdPersonLinked';
  readonly data: PersonLinkedToHousehold['data'];
};

/**
 * Another context's free text about a household (NAV's notes and reasons), sealed for the
 * household's tenant persons as they were when it was written (`sealedFor`, opaque ids and key
 * ids): it opens only while every one of those keys is still the person's current key. The rule
 * and its reason are in the application's `household-notes.ts`.
 */
export type HouseholdNoteSealed = {
  readonly type: 'people.HouseholdNoteSealed';
  readonly data: {
    readonly noteId: string;
    /** Which context wrote it (`nav`): a note is opened only through the port of the context that sealed it. */
    readonly owner: string;
    readonly municipalityNumber: string;
    readonly householdId: string;
    readonly sealedFor: ReadonlyArray<{ readonly personId: string; readonly keyId: string }>;
    /** HKDF salt, base64. */
    readonly salt: string;
    readonly encrypted: EncryptedPayload;
  };
};

/** Why an admin erases a person: GDPR art. 17 (1) (a)–(e), as a code. Never free text: an event must not carry personal data. */
export const ERASURE_REASONS = ['no-longer-necessary', 'consent-withdrawn', 'objection', 'unlawfully-processed', 'legal-obligation'] as const;
export type ErasureReason = (typeof ERASURE_REASONS)[number];

/** The person's data key was deleted: every recorded ciphertext of theirs is unreadable from now on. */
export type PersonErased = {
  readonly type: 'people.PersonErased';
  readonly data: { readonly personId: string; readonly reason: ErasureReason; readonly erasedOn: string };
};

/**
 * Why a person's data is restricted (GDPR art. 18): `archive-obligation` when an erasure was
 * refused because the municipality must keep the case records (arkivlova), or one of art. 18 (1)
 * (a)–(d) when an admin restricts on request.
 */
export const RESTRICTION_BASES = ['archive-obligation', 'accuracy-contested', 'unlawful-processing', 'legal-claims', 'objection-pending'] as const;
export type RestrictionBasis = (typeof RESTRICTION_BASES)[number];

/** From now on only `admin` may read the person's data. */
export type PersonRestricted = {
  readonly type: 'people.PersonRestricted';
  readonly data: { readonly personId: string; readonly basis: RestrictionBasis };
};

/**
 * The restriction is lifted (GDPR art. 18 (3)): the person's data is shown by the ordinary rules
 * again. Only after the person was told it would be (`subjectInformedOn`, on or before `liftedOn`),
 * and never a restriction that stands in for a refused erasure (`archive-obligation`).
 */
export type RestrictionLifted = {
  readonly type: 'people.RestrictionLifted';
  readonly data: {
    readonly personId: string;
    /** The basis the lifted restriction had. */
    readonly basis: RestrictionBasis;
    readonly liftedOn: string;
    readonly subjectInformedOn: string;
    readonly reason: RestrictionLiftReason;
  };
};

/** Why a restriction ends: its art. 18 (1) ground no longer holds. */
export const RESTRICTION_LIFT_REASONS = ['accuracy-verified', 'objection-decided', 'legal-claims-ended', 'subject-consented'] as const;
export type RestrictionLiftReason = (typeof RESTRICTION_LIFT_REASONS)[number];

/** What a person's own stream holds. */
export type PeopleEvent = PersonRecorded | PersonLinkedToTenancy | PersonLinkedToHousehold | PersonErased | PersonRestricted | RestrictionLifted;
export type PeopleEventType = PeopleEvent['type'] | HouseholdPersonLinked['type'] | HouseholdNoteSealed['type'];

export const PEOPLE_EVENT_TYPES: readonly PeopleEventType[] = [
  'people.PersonRecorded',
  'people.PersonLinkedToTenancy',
  'people.PersonLinkedToHousehold',
  'people.PersonErased',
  'people.PersonRestricted',
  'people.RestrictionLifted',
  'people.HouseholdPersonLinked',
  'people.HouseholdNoteSealed',
];

/**
 * The schema version `people.PersonRecorded` is written with. Version 1 held the identity number
 * and name in clear; it is upcast to an unreadable record, never served (see the application's
 * event registration).
 */
export const PERSON_RECORDED_SCHEMA_VERSION = 2;

export const PERSON_STREAM_PREFIX = 'person-';

/** A household's persons, as linked by warnings: opaque ids only (the household id is a tenancy number or a keyed `h…` id). */
export const HOUSEHOLD_PERSONS_STREAM_PREFIX = 'personhousehold-';
export function householdPersonsStreamName(municipalityNumber: string, householdId: string): string {
  return `${HOUSEHOLD_PERSONS_STREAM_PREFIX}${municipalityNumber}-${householdId}`;
}

/** One sealed household note (`personnote-<note id>`), apart from every stream a projection reads. */
export const HOUSEHOLD_NOTE_STREAM_PREFIX = 'personnote-';
export function householdNoteStreamName(noteId: string): string {
  return `${HOUSEHOLD_NOTE_STREAM_PREFIX}${noteId}`;
}

/** `p` + 32 hex digits: an HMAC of the identity number under PERSON_ID_KEY (`opaquePersonId` in @evp/auth). */
export const PERSON_ID = /^p[0-9a-f]{32}$/;

/** `person-<opaque id>`: the identity number is never part of a stream name. */
export function personStreamName(personId: string): string {
  return `${PERSON_STREAM_PREFIX}${personId}`;
}

/** What every reader shows for a person whose data key is gone. */
export const ERASED_PERSON_PLACEHOLDER = 'slettet person';
/** What every role but `admin` sees of a restricted person. */
export const RESTRICTED_PERSON_PLACEHOLDER = 'skjermet person';
