/**
 * How another context records the people it meets (the ledger, when accounting registers a
 * tenancy's tenants): through this port, never by writing `person-…` streams itself. The port
 * encrypts, keeps the keys, and hands back the person streams' appends, so the caller can write
 * them in the same atomic append as its own events.
 */

/** A tenant as accounting registers them, with the tenancy they are a tenant of. */
export interface TenantToRecord {
  readonly nationalId: string;
  readonly name: string;
  readonly municipalityNumber: string;
  readonly tenancyId: string;
}

/** One person stream's append, ready for the event store (the caller adds its metadata). */
export interface PersonStreamAppend {
  readonly streamName: string;
  /** The person stream's last revision as it was read (-1 read as `no_stream`); `any` for an index stream that only gathers links. */
  readonly expectedRevision: number | 'no_stream' | 'any';
  readonly events: ReadonlyArray<{
    readonly id: string;
    readonly type: string;
    /** Opaque ids and ciphertext only. */
    readonly data: Readonly<Record<string, unknown>>;
    readonly schemaVersion: number;
  }>;
}

export interface PeopleRecords {
  /** The opaque person id of an identity number (HMAC under PERSON_ID_KEY): stable, and reveals nothing. */
  personId(nationalId: string): string;
  /**
   * Decides what the person streams need for these tenants: their data (encrypted, only when it
   * is new or changed) and their link to each tenancy (once). A new person's data key is stored
   * durably BEFORE this returns, so an append that follows can never hold data nobody can read;
   * a crash in between leaves an unused key, which the next attempt reuses. Nothing to write
   * gives an empty list. Call again after a conflicting append: it reads the streams afresh.
   */
  prepareRecords(tenants: readonly TenantToRecord[]): Promise<readonly PersonStreamAppend[]>;
}

/** Injection token for `PeopleRecords`. */
export const PEOPLE_RECORDS = 'people.PeopleRecords';

/**
 * A person another context meets outside accounting's tenancy register — a § 9-11 warning's
 * tenant (perhaps known only by name and birth date, perhaps on a private lease) or a private
 * landlord — with what links them to the matter. The caller chooses the opaque id (`p` + 32 hex):
 * `personId(nationalId)` when the number is known, else its own keyed id of name and birth date.
 */
export interface PersonToRecord {
  readonly personId: string;
  readonly nationalId: string | null;
  readonly name: string;
  /** `YYYY-MM-DD`; null only where nobody asks for it (a private landlord). */
  readonly birthDate: string | null;
  /** A municipal tenancy the person is a tenant of, when a number identifies them: linked like accounting's tenants. */
  readonly tenancy: { readonly municipalityNumber: string; readonly tenancyId: string } | null;
  /** The warning (and its household) that names the person; null for a mention with no household (an objection). */
  readonly household: { readonly municipalityNumber: string; readonly householdId: string; readonly warningId: string; readonly role: 'tenant' | 'landlord' } | null;
}

/** What a context that has already authorised its reader may show of a person; a placeholder once erased or restricted. */
export interface PersonDescription {
  readonly name: string;
  readonly birthDate: string | null;
  /** False behind «slettet person» / «skjermet person». */
  readonly available: boolean;
}

/**
 * The people context's port for contexts that meet people beyond accounting's register (the § 9-11
 * warnings): record them, linked to their household, and read back the names and birth dates the
 * caller's own rules let its reader see. Restricted data is shown to nobody through this port
 * (only `admin`, through the people api, reads it).
 */
export interface PeopleDirectory {
  /**
   * The person streams' appends (and the household index's) for these people: their data
   * encrypted under their own key when new or changed, and each link once. Keys are durable
   * before this returns, as with `prepareRecords`.
   */
  preparePeople(people: readonly PersonToRecord[]): Promise<readonly PersonStreamAppend[]>;
  /** Names and birth dates of these people, or the placeholder; every id asked for is in the answer. */
  describe(personIds: readonly string[]): Promise<ReadonlyMap<string, PersonDescription>>;
}

/** Injection token for `PeopleDirectory`. */
export const PEOPLE_DIRECTORY = 'people.PeopleDirectory';

/** The household a note is about: a municipal tenancy's number or a warning household's `h…` id. */
export interface HouseholdRef {
  readonly municipalityNumber: string;
  readonly householdId: string;
}

/**
 * Another context's free text about a household (NAV's notes and reasons), kept under the people
 * context's encryption so that erasing the household's tenants erases it. The caller authorises
 * its readers; this port only seals and opens.
 */
export interface HouseholdNotes {
  /**
   * Seals and stores the texts under their ids (UUIDs the caller derives). Idempotent per id: a
   * note already sealed is not sealed again. Refuses (throws) when the household has no recorded
   * person to seal for — a note nobody's erasure could remove is not written.
   */
  seal(owner: string, household: HouseholdRef, notes: ReadonlyArray<{ readonly noteId: string; readonly text: string }>, metadata: NoteMetadata): Promise<void>;
  /**
   * The texts of these ids: the text; `ERASED_PERSON_PLACEHOLDER` when a person it was sealed for
   * has been erased (their key is gone); `RESTRICTED_PERSON_PLACEHOLDER` while one of them is
   * restricted; null for an id that was never sealed by `owner`.
   */
  open(owner: string, noteIds: readonly string[]): Promise<ReadonlyMap<string, string | null>>;
}

/** What the note's event carries besides its data: the causing request, opaque ids only. */
export interface NoteMetadata {
  readonly correlationId: string;
  readonly causationId: string;
  readonly actor: { readonly id: string; readonly role: string };
  readonly occurredAt: string;
}

/** Injection token for `HouseholdNotes`. */
export const HOUSEHOLD_NOTES = 'people.HouseholdNotes';
