import { deterministicId } from '@evp/shared-kernel';
import type { EventStore, EventTypeMap } from '@evp/event-store';
import { opaquePersonId } from '@evp/auth';
import {
  ERASED_PERSON_PLACEHOLDER,
  PERSON_ID,
  PERSON_RECORDED_SCHEMA_VERSION,
  RESTRICTED_PERSON_PLACEHOLDER,
  decideRecording,
  householdPersonsStreamName,
  personStreamName,
  type HouseholdLink,
  type PeopleDirectory,
  type PeopleRecords,
  type Person,
  type PersonDescription,
  type PersonRecorded,
  type PersonStreamAppend,
  type PersonToRecord,
  type TenancyRef,
  type TenantToRecord,
} from '@evp/people-domain';
import { decryptPersonalData, encryptPersonalData, PersonalDataUnreadableError, type DataKey, type PersonalData } from './crypto';
import type { PersonKeyStore } from './person-key-store';
import { loadPerson } from './person-streams';

const SCHEMA_VERSIONS: Record<string, number> = { 'people.PersonRecorded': PERSON_RECORDED_SCHEMA_VERSION };

const READ_SLICE = 64;

const sameData = (a: PersonalData, b: PersonalData) => a.nationalId === b.nationalId && a.name === b.name && a.birthDate === b.birthDate;

interface ToRecord {
  data: PersonalData;
  tenancies: TenancyRef[];
  households: HouseholdLink[];
}

/**
 * `PeopleRecords` and `PeopleDirectory` on the event store and the person-key store: how the
 * ledger records the tenants accounting registers, and how the warnings context records and
 * reads the people its warnings name. Identity numbers, names and birth dates leave here only as
 * ciphertext.
 */
export class StreamPeopleRecords implements PeopleRecords, PeopleDirectory {
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
    const byPerson = new Map<string, ToRecord>();
    for (const t of tenants) {
      const personId = this.personId(t.nationalId);
      const entry = byPerson.get(personId) ?? { data: { nationalId: t.nationalId, name: t.name, birthDate: null }, tenancies: [], households: [] };
      entry.data = { nationalId: t.nationalId, name: t.name, birthDate: null };
      entry.tenancies.push({ municipalityNumber: t.municipalityNumber, tenancyId: t.tenancyId });
      byPerson.set(personId, entry);
    }
    return this.prepare(byPerson);
  }

  async preparePeople(people: readonly PersonToRecord[]): Promise<readonly PersonStreamAppend[]> {
    const byPerson = new Map<string, ToRecord>();
    for (const p of people) {
      // An id that is not the people context's shape would name a stream nobody can find again.
      if (!PERSON_ID.test(p.personId)) throw new Error('a person id is `p` and 32 hex digits');
      // A number decides the id: a caller may not file one person's number under another's id.
      if (p.nationalId && this.personId(p.nationalId) !== p.personId) throw new Error('the person id is not the id of the identity number');
      const entry = byPerson.get(p.personId) ?? { data: { nationalId: null, name: p.name, birthDate: null }, tenancies: [], households: [] };
      entry.data = { nationalId: p.nationalId ?? entry.data.nationalId, name: p.name, birthDate: p.birthDate ?? entry.data.birthDate };
      if (p.tenancy && p.nationalId) entry.tenancies.push(p.tenancy);
      if (p.household) entry.households.push(p.household);
      byPerson.set(p.personId, entry);
    }
    return this.prepare(byPerson);
  }

  private async prepare(byPerson: ReadonlyMap<string, ToRecord>): Promise<readonly PersonStreamAppend[]> {
    const ids = [...byPerson.keys()];
    const loaded = await this.load(ids);

    // An erased person registered again gets a new key; the old one must never seal anything more.
    const erased = new Set(ids.filter((id) => loaded.get(id)?.person.status === 'erased'));
    const keys = await this.keys.findMany(ids.filter((id) => !erased.has(id)));
    const missing = ids.filter((id) => erased.has(id) || !keys.has(id));
    // The keys are durable before any event that needs them is even built.
    for (const [id, key] of await this.keys.ensureKeys(missing, erased)) keys.set(id, key);

    const appends: PersonStreamAppend[] = [];
    for (const [personId, { data, tenancies, households }] of byPerson) {
      const { person, revision } = loaded.get(personId) as { person: Person; revision: number };
      const key = keys.get(personId) as DataKey;
      const current = this.current(person.status === 'erased' ? null : person.record, personId, key);
      // What a caller does not know (a birth date accounting never sends, a number a landlord
      // lacked) keeps what was recorded, so two sources never overwrite each other by turns.
      const merged: PersonalData = { nationalId: data.nationalId ?? current?.nationalId ?? null, name: data.name, birthDate: data.birthDate ?? current?.birthDate ?? null };
      const record: PersonRecorded['data'] | null = current && sameData(current, merged) ? null : { personId, keyId: key.keyId, encrypted: encryptPersonalData(key, merged) };
      const events = decideRecording(person, { personId, record, tenancies, households });
      if (events.length === 0) continue;
      const streamName = personStreamName(personId);
      appends.push({
        streamName,
        expectedRevision: revision < 0 ? 'no_stream' : revision,
        events: events.map((e, i) => ({
          // From the revision decided on and what the event says (the ciphertext's random IV, the
          // tenancy, the household): the same decision retried is one event, two different ones
          // conflict on the revision and are decided again. No name or number goes into the id.
          id: deterministicId(`${streamName}|${revision}|${i}|${e.type}|${eventKey(e)}`),
          type: e.type,
          data: e.data,
          schemaVersion: SCHEMA_VERSIONS[e.type] ?? 1,
        })),
      });
      // The household's index: written with the person's link, so a household's persons are one read away.
      for (const e of events) {
        if (e.type !== 'people.PersonLinkedToHousehold') continue;
        const index = householdPersonsStreamName(e.data.municipalityNumber, e.data.householdId);
        appends.push({
          streamName: index,
          expectedRevision: 'any',
          events: [{ id: deterministicId(`${index}|${e.data.personId}|${e.data.warningId}|${e.data.role}`), type: 'people.HouseholdPersonLinked', data: e.data, schemaVersion: 1 }],
        });
      }
    }
    return appends;
  }

  async describe(personIds: readonly string[]): Promise<ReadonlyMap<string, PersonDescription>> {
    const ids = [...new Set(personIds)];
    const loaded = await this.load(ids.filter((id) => PERSON_ID.test(id)));
    const readable = ids.filter((id) => loaded.get(id)?.person.status === 'active');
    // An erased or restricted person's key is not even looked up.
    const keys = await this.keys.findMany(readable);
    const out = new Map<string, PersonDescription>();
    for (const id of ids) {
      const person = loaded.get(id)?.person;
      // Restricted data is for admin only (GDPR art. 18), and this port serves other contexts' readers.
      if (person?.status === 'restricted') {
        out.set(id, { name: RESTRICTED_PERSON_PLACEHOLDER, birthDate: null, available: false });
        continue;
      }
      const key = keys.get(id);
      const data = person?.status === 'active' && key ? this.current(person.record, id, key) : null;
      out.set(id, data ? { name: data.name, birthDate: data.birthDate, available: true } : { name: ERASED_PERSON_PLACEHOLDER, birthDate: null, available: false });
    }
    return out;
  }

  /** A file of 50 000 tenants: read in slices, so EventStoreDB gets parallel reads and memory stays flat. */
  private async load(ids: readonly string[]): Promise<Map<string, { person: Person; revision: number }>> {
    const loaded = new Map<string, { person: Person; revision: number }>();
    for (let i = 0; i < ids.length; i += READ_SLICE) {
      const slice = ids.slice(i, i + READ_SLICE);
      const people = await Promise.all(slice.map((id) => loadPerson(this.store, this.types, id)));
      slice.forEach((id, j) => loaded.set(id, people[j] as { person: Person; revision: number }));
    }
    return loaded;
  }

  /** The recorded data under the person's current key; null when there is none or it does not open. */
  private current(record: Person['record'], personId: string, key: DataKey): PersonalData | null {
    if (!record) return null;
    try {
      return decryptPersonalData(key, { personId, keyId: record.keyId, encrypted: record.encrypted });
    } catch (error) {
      // Sealed under a key that is gone (or a legacy record): record it again under the current key.
      if (error instanceof PersonalDataUnreadableError) return null;
      throw error;
    }
  }
}

function eventKey(e: ReturnType<typeof decideRecording>[number]): string {
  switch (e.type) {
    case 'people.PersonRecorded':
      return e.data.encrypted.iv;
    case 'people.PersonLinkedToTenancy':
      return `${e.data.municipalityNumber}-${e.data.tenancyId}`;
    case 'people.PersonLinkedToHousehold':
      return `${e.data.municipalityNumber}-${e.data.householdId}-${e.data.warningId}-${e.data.role}`;
  }
}
