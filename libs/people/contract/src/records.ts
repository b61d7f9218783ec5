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
  /** The person stream's last revision as it was read (-1 read as `no_stream`). */
  readonly expectedRevision: number | 'no_stream';
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
