import type { ModuleRef } from '@nestjs/core';
import { deterministicId } from '@evp/shared-kernel';
import type { EventStore, EventTypeMap } from '@evp/event-store';
import { ERASED_PERSON_PLACEHOLDER, PEOPLE_RECORDS, PERSON_RECORDED_SCHEMA_VERSION, RESTRICTED_PERSON_PLACEHOLDER, personStreamName, type PeopleRecords, type PersonStreamAppend } from '@evp/people-contract';
import { decideRecording, type Person } from '@evp/people-domain';
import { PERSON_KEY_STORE, PersonalDataUnreadableError, decryptPersonalData, encryptPersonalData, loadPerson, type DataKey, type PersonKeyStore } from '@evp/people-application';
import { birthDateOfNationalId } from '@evp/warnings-domain';
import type { PersonDescription, PersonToRecord, WarningPeople } from '@evp/warnings-application';

/**
 * The warnings context's `WarningPeople` port on the people context, assembled here at the
 * composition root (an app may use any context's application; the contexts themselves meet only
 * through contracts). Identity numbers and names leave as ciphertext under each person's own key.
 *
 * What the published `PeopleRecords` covers it does: a tenant with an identity number of a
 * municipal tenancy. The rest — a private lease (no tenancy to link), a tenant known only by name
 * and birth date, a private landlord — is recorded with the people context's own building blocks,
 * unlinked. Gaps for the people context to close (see the report): its `PersonalData` holds no
 * birth date (a tenant known by name and birth date reads back without it), and it has no port for
 * a context to read a name it is entitled to (the tenant copy needs it).
 */
export class PeopleWarningPeople implements WarningPeople {
  constructor(
    private readonly store: EventStore,
    private readonly types: EventTypeMap,
    private readonly moduleRef: ModuleRef,
  ) {}

  // Resolved on use: the api module makes both, and is their only owner.
  private get keys(): PersonKeyStore {
    return this.moduleRef.get<PersonKeyStore>(PERSON_KEY_STORE, { strict: false });
  }

  private get records(): PeopleRecords {
    return this.moduleRef.get<PeopleRecords>(PEOPLE_RECORDS, { strict: false });
  }

  async prepare(people: readonly PersonToRecord[]): Promise<readonly PersonStreamAppend[]> {
    const unique = [...new Map(people.map((p) => [p.personId, p])).values()];
    const linked = unique.filter((p) => p.identity.nationalId && p.tenancyId);
    const others = unique.filter((p) => !(p.identity.nationalId && p.tenancyId));
    const appends: PersonStreamAppend[] = [];
    if (linked.length) {
      appends.push(...(await this.records.prepareRecords(linked.map((p) => ({ nationalId: p.identity.nationalId as string, name: p.identity.name, municipalityNumber: p.municipalityNumber, tenancyId: p.tenancyId as string })))));
    }
    if (others.length) appends.push(...(await this.recordUnlinked(others)));
    return appends;
  }

  /** The same decision `StreamPeopleRecords` takes, without a tenancy link: new or changed data, sealed under the person's key. */
  private async recordUnlinked(people: readonly PersonToRecord[]): Promise<PersonStreamAppend[]> {
    const ids = people.map((p) => p.personId);
    const loaded = new Map(await Promise.all(ids.map(async (id) => [id, await loadPerson(this.store, this.types, id)] as const)));
    const erased = new Set(ids.filter((id) => loaded.get(id)?.person.status === 'erased'));
    const keys = await this.keys.findMany(ids.filter((id) => !erased.has(id)));
    const missing = ids.filter((id) => erased.has(id) || !keys.has(id));
    for (const [id, key] of await this.keys.ensureKeys(missing, erased)) keys.set(id, key);
    const appends: PersonStreamAppend[] = [];
    for (const p of people) {
      const { person, revision } = loaded.get(p.personId) as { person: Person; revision: number };
      const key = keys.get(p.personId) as DataKey;
      const data = { nationalId: p.identity.nationalId ?? '', name: p.identity.name };
      const record = unchanged(person.status === 'erased' ? null : person.record, p.personId, key, data) ? null : { personId: p.personId, keyId: key.keyId, encrypted: encryptPersonalData(key, data) };
      const events = decideRecording(person, { personId: p.personId, record, tenancies: [] });
      if (events.length === 0) continue;
      const streamName = personStreamName(p.personId);
      appends.push({
        streamName,
        expectedRevision: revision < 0 ? 'no_stream' : revision,
        events: events.map((e, i) => ({
          id: deterministicId(`${streamName}|${revision}|${i}|${e.type}|${e.type === 'people.PersonRecorded' ? e.data.encrypted.iv : `${e.data.municipalityNumber}-${e.data.tenancyId}`}`),
          type: e.type,
          data: e.data,
          schemaVersion: e.type === 'people.PersonRecorded' ? PERSON_RECORDED_SCHEMA_VERSION : 1,
        })),
      });
    }
    return appends;
  }

  async describe(personIds: readonly string[]): Promise<ReadonlyMap<string, PersonDescription>> {
    const unique = [...new Set(personIds)];
    const people = await Promise.all(unique.map(async (id) => [id, (await loadPerson(this.store, this.types, id)).person] as const));
    const keys = await this.keys.findMany(people.filter(([, p]) => p.status === 'active' || p.status === 'restricted').map(([id]) => id));
    const out = new Map<string, PersonDescription>();
    for (const [id, person] of people) {
      // Restricted data is for admin only (GDPR art. 18); a landlord never is.
      if (person.status === 'restricted') {
        out.set(id, { name: RESTRICTED_PERSON_PLACEHOLDER, birthDate: null, available: false });
        continue;
      }
      const key = keys.get(id);
      if (person.status !== 'active' || !person.record || !key) {
        out.set(id, { name: ERASED_PERSON_PLACEHOLDER, birthDate: null, available: false });
        continue;
      }
      try {
        const data = decryptPersonalData(key, { personId: id, keyId: person.record.keyId, encrypted: person.record.encrypted });
        out.set(id, { name: data.name, birthDate: data.nationalId ? birthDateOfNationalId(data.nationalId) : null, available: true });
      } catch (error) {
        if (!(error instanceof PersonalDataUnreadableError)) throw error;
        out.set(id, { name: ERASED_PERSON_PLACEHOLDER, birthDate: null, available: false });
      }
    }
    return out;
  }
}

function unchanged(record: Person['record'], personId: string, key: DataKey, data: { nationalId: string; name: string }): boolean {
  if (!record) return false;
  try {
    const current = decryptPersonalData(key, { personId, keyId: record.keyId, encrypted: record.encrypted });
    return current.nationalId === data.nationalId && current.name === data.name;
  } catch (error) {
    if (error instanceof PersonalDataUnreadableError) return false;
    throw error;
  }
}
