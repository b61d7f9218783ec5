import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticNationalIds } from '@evp/shared-kernel';
import { EventTypeMap, SqliteEventStore, type JsonObject } from '@evp/event-store';
import { openThrowawaySqlite, type ThrowawayReadModelDb } from '@evp/read-models/testing';
import type { PersonStreamAppend, PersonToRecord } from '@evp/people-domain';
import { ErasePersonCommand, ErasePersonHandler, LiftRestrictionCommand, LiftRestrictionHandler, RestrictPersonCommand, RestrictPersonHandler } from './commands';
import { registerPeopleEventTypes } from './event-classes';
import { StreamHouseholdNotes } from './household-notes';
import { PersonKeyStore } from './person-key-store';
import { StreamPeopleRecords } from './people-records';

/**
 * The ports other contexts use beyond accounting's register: `PeopleDirectory` (the warnings'
 * people, with birth dates and household links) and `HouseholdNotes` (NAV's notes), against a real
 * SQLite event store and key store.
 */
const [fnrA, fnrB] = syntheticNationalIds(2, 4242) as [string, string];
const PERSON_ID_KEY = 'a'.repeat(8) + randomUUID();
const meta = { correlationId: 'c', causationId: 'x', actor: { id: 'a_test', role: 'landlord' }, occurredAt: '2026-12-01T08:00:00.000Z' };
const H = { municipalityNumber: '5035', householdId: 'h0123456789abcdef01234567' };

describe('people: the directory and household notes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'evp-people-dir-'));
  const store = new SqliteEventStore({ file: join(dir, 'events.sqlite') });
  const types = registerPeopleEventTypes(new EventTypeMap());
  let keyDb: ThrowawayReadModelDb;
  let keys: PersonKeyStore;
  let people: StreamPeopleRecords;
  let notes: StreamHouseholdNotes;

  beforeAll(async () => {
    keyDb = await openThrowawaySqlite({ label: 'people-dir' });
    keys = await PersonKeyStore.open(keyDb.backend, 'b'.repeat(8) + randomUUID());
    people = new StreamPeopleRecords(store, types, keys, PERSON_ID_KEY);
    notes = new StreamHouseholdNotes(store, types, keys);
  });
  afterAll(async () => {
    await keys.close();
    await keyDb.dispose();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function append(appends: readonly PersonStreamAppend[]): Promise<number> {
    await store.appendToStreams(appends.map((a) => ({ streamName: a.streamName, expectedRevision: a.expectedRevision, events: a.events.map((e) => ({ id: e.id, type: e.type, data: e.data as JsonObject, metadata: { ...meta, schemaVersion: e.schemaVersion } })) })));
    return appends.reduce((sum, a) => sum + a.events.length, 0);
  }

  const named = 'p' + '1'.repeat(32);
  const tenant = (personId: string, nationalId: string | null, name: string, birthDate: string): PersonToRecord => ({ personId, nationalId, name, birthDate, tenancy: null, household: { ...H, warningId: 'w1', role: 'tenant' } });

  it('records a tenant known by name and birth date, linked to the warning’s household, and reads the birth date back; nothing in clear', async () => {
    const A = people.personId(fnrA);
    expect(await append(await people.preparePeople([tenant(A, fnrA, 'Åse Ørnø', '1990-05-17'), tenant(named, null, 'Per Ødegård', '1985-03-09')]))).toBe(6);
    // The same again writes nothing: unchanged data, links already there.
    expect(await append(await people.preparePeople([tenant(A, fnrA, 'Åse Ørnø', '1990-05-17'), tenant(named, null, 'Per Ødegård', '1985-03-09')]))).toBe(0);
    const described = await people.describe([A, named, 'p' + '2'.repeat(32)]);
    expect(Object.fromEntries(described)).toEqual({
      [A]: { name: 'Åse Ørnø', birthDate: '1990-05-17', available: true },
      [named]: { name: 'Per Ødegård', birthDate: '1985-03-09', available: true },
      ['p' + '2'.repeat(32)]: { name: 'slettet person', birthDate: null, available: false },
    });
    expect((await notes.tenantsOf(H)).sort()).toEqual([A, named].sort());
    const streams = [`person-${A}`, `person-${named}`, `personhousehold-${H.municipalityNumber}-${H.householdId}`];
    const all = JSON.stringify(await Promise.all(streams.map((s) => store.readStream(s))));
    expect(all).toContain('people.PersonLinkedToHousehold');
    for (const secret of [fnrA, 'Åse', 'Ødegård', '1990-05-17', '1985-03-09']) expect(all).not.toContain(secret);
  });

  it('refuses a person id that is not the identity number’s, or not an opaque id at all', async () => {
    await expect(people.preparePeople([tenant(people.personId(fnrB), fnrA, 'X', '1990-01-01')])).rejects.toThrow(/not the id/);
    await expect(people.preparePeople([tenant('12345678901', null, 'X', '1990-01-01')])).rejects.toThrow(/32 hex/);
  });

  it('seals a household note for all its tenants; erasing one shreds it, «slettet person» for every reader', async () => {
    const noteId = randomUUID();
    await notes.seal('nav', H, [{ noteId, text: 'Leietakerne ønsker nedbetaling.' }], meta);
    await notes.seal('nav', H, [{ noteId, text: 'Leietakerne ønsker nedbetaling.' }], meta);
    expect((await store.readStream(`personnote-${noteId}`)).length).toBe(1);
    expect(JSON.stringify(await store.readStream(`personnote-${noteId}`))).not.toContain('nedbetaling');
    expect((await notes.open('nav', [noteId])).get(noteId)).toBe('Leietakerne ønsker nedbetaling.');
    // Another context's port does not open NAV's note, and an unknown id is just unknown.
    expect((await notes.open('warnings', [noteId])).get(noteId)).toBeNull();
    expect((await notes.open('nav', [randomUUID()])).size).toBe(1);

    const admin = { actorId: 'a_admin', roles: ['admin' as const], municipalities: ['5035'], navOffice: null, landlordId: null, landlordPersonId: null };
    const outcome = await new ErasePersonHandler(store, types, keys, { caseRetentionYears: 10 }).execute(
      new ErasePersonCommand(admin, named, 'no-longer-necessary', { id: 'erase-1', correlationId: 'c', actor: { id: 'a_admin', role: 'admin' }, now: new Date('2026-12-02T10:00:00Z') }),
    );
    expect(outcome).toEqual({ outcome: 'erased' });
    expect((await notes.open('nav', [noteId])).get(noteId)).toBe('slettet person');
    expect((await people.describe([named])).get(named)).toEqual({ name: 'slettet person', birthDate: null, available: false });
    // A later note is sealed for the remaining tenant only.
    const later = randomUUID();
    await notes.seal('nav', H, [{ noteId: later, text: 'Ny avtale.' }], meta);
    expect((await notes.open('nav', [later])).get(later)).toBe('Ny avtale.');

    // Restricting the remaining tenant hides the note («skjermet person»); lifting it shows it again.
    const A = people.personId(fnrA);
    const causation = (id: string) => ({ id, correlationId: 'c', actor: { id: 'a_admin', role: 'admin' as const }, now: new Date('2026-12-03T10:00:00Z') });
    expect(await new RestrictPersonHandler(store, types).execute(new RestrictPersonCommand(admin, A, 'accuracy-contested', causation('restrict-1')))).toEqual({ restricted: true });
    expect((await notes.open('nav', [later])).get(later)).toBe('skjermet person');
    expect(await new LiftRestrictionHandler(store, types).execute(new LiftRestrictionCommand(admin, A, 'accuracy-verified', '2026-12-03', causation('lift-1')))).toEqual({ lifted: true });
    expect((await notes.open('nav', [later])).get(later)).toBe('Ny avtale.');
  });

  it('refuses a note for a household with nobody to seal it for', async () => {
    await expect(notes.seal('nav', { municipalityNumber: '5035', householdId: 'h' + 'f'.repeat(24) }, [{ noteId: randomUUID(), text: 'x' }], meta)).rejects.toThrow(/no recorded person/);
  });
});
