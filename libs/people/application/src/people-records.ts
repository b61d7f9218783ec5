import { deterministicId } from '@evp/shared-kernel';
import type { EventStore, EventTypeMap } from '@evp/event-store';
import { opaquePersonId } from '@evp/auth';
import {
  PERSON_RECORDED_SCHEMA_VERSION,
  decideRecording,
  personStreamName,
  type PeopleRecords,
  type Person,
  type PersonRecorded,
  type PersonStreamAppend,
  type TenancyRef,
  type TenantToRecord,
} from '@evp/people-domain';
import { decryptPersonalData, encryptPersonalData, PersonalDataUnreadableError, type DataKey, type PersonalData } from './crypto';
import type { PersonKeyStore } from './person-key-store';
import { loadPerson } from './person-streams';

const SCHEMA_VERSIONS: Record<string, number> = { 'people.PersonRecorded': PERSON_RECORDED_SCHEMA_VERSION, 'people.PersonLinkedToTenancy': 1 };

const READ_SLICE = 64;

const sameData = (a: PersonalData, b: PersonalData) => a.nationalId === b.nationalId && a.name === b.name;

/**
 * `PeopleRecords` on the event store and the person-key store: how the ledger records the tenants
 * accounting registers. Identity numbers and names leave here only as ciphertext.
 */
export class StreamPeopleRecords implements PeopleRecords {
  constructor(
    private readonly store: EventStore,
    private readonly types: EventTypeMap,
    private readonly keys: PersonKeyStore,
    private readonly personIdKey: string,
  ) {}

  personId(nationalId: string): string {
    return opaquePersonId(this.personIdKey, nationalId);
  }

  async prepareRecords(tenants: readonly TenantToRecord[]): Promise<readonly PersonStreamAppend[]> {
    // A person on several lines (two tenancies in one file): one append, the last line's data.
    const byPerson = new Map<string, { data: PersonalData; tenancies: TenancyRef[] }>();
    for (const t of tenants) {
      const personId = this.personId(t.nationalId);
      const entry = byPerson.get(personId) ?? { data: { nationalId: t.nationalId, name: t.name }, tenancies: [] };
      entry.data = { nationalId: t.nationalId, name: t.name };
      entry.tenancies.push({ municipalityNumber: t.municipalityNumber, tenancyId: t.tenancyId });
      byPerson.set(personId, entry);
    }
    const ids = [...byPerson.keys()];
    // A file of 50 000 tenants: read in slices, so EventStoreDB gets parallel reads and memory stays flat.
    const loaded = new Map<string, { person: Person; revision: number }>();
    for (let i = 0; i < ids.length; i += READ_SLICE) {
      const slice = ids.slice(i, i + READ_SLICE);
      const people = await Promise.all(slice.map((id) => loadPerson(this.store, this.types, id)));
      slice.forEach((id, j) => loaded.set(id, people[j] as { person: Person; revision: number }));
    }

    // An erased person registered again gets a new key; the old one must never seal anything more.
    const erased = new Set(ids.filter((id) => loaded.get(id)?.person.status === 'erased'));
    const keys = await this.keys.findMany(ids.filter((id) => !erased.has(id)));
    const missing = ids.filter((id) => erased.has(id) || !keys.has(id));
    // The keys are durable before any event that needs them is even built.
    for (const [id, key] of await this.keys.ensureKeys(missing, erased)) keys.set(id, key);

    const appends: PersonStreamAppend[] = [];
    for (const [personId, { data, tenancies }] of byPerson) {
      const { person, revision } = loaded.get(personId) as { person: Person; revision: number };
      const key = keys.get(personId) as DataKey;
      const record: PersonRecorded['data'] | null = this.unchanged(person.status === 'erased' ? null : person.record, personId, key, data) ? null : { personId, keyId: key.keyId, encrypted: encryptPersonalData(key, data) };
      const events = decideRecording(person, { personId, record, tenancies });
      if (events.length === 0) continue;
      const streamName = personStreamName(personId);
      appends.push({
        streamName,
        expectedRevision: revision < 0 ? 'no_stream' : revision,
        events: events.map((e, i) => ({
          // From the revision decided on and what the event says (the ciphertext's random IV, the
          // tenancy): the same decision retried is one event, two different ones conflict on the
          // revision and are decided again. No name or number goes into the id.
          id: deterministicId(`${streamName}|${revision}|${i}|${e.type}|${e.type === 'people.PersonRecorded' ? e.data.encrypted.iv : `${e.data.municipalityNumber}-${e.data.tenancyId}`}`),
          type: e.type,
          data: e.data,
          schemaVersion: SCHEMA_VERSIONS[e.type] ?? 1,
        })),
      });
    }
    return appends;
  }

  /** Whether the recorded data is already exactly this, under the person's current key. */
  private unchanged(record: Person['record'], personId: string, key: DataKey, data: PersonalData): boolean {
    if (!record) return false;
    try {
      return sameData(decryptPersonalData(key, { personId, keyId: record.keyId, encrypted: record.encrypted }), data);
    } catch (error) {
      // Sealed under a key that is gone (or a legacy record): record it again under the current key.
      if (error instanceof PersonalDataUnreadableError) return false;
      throw error;
    }
  }
}
