import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticNationalIds } from '@evp/shared-kernel';
import { EventTypeMap, SqliteEventStore, type JsonObject } from '@evp/event-store';
import type { Caller } from '@evp/auth';
import { openThrowawaySqlite, type ThrowawayReadModelDb } from '@evp/read-models/testing';
import { PeopleRuleError, type TenantToRecord } from '@evp/people-domain';
import { ErasePersonCommand, ErasePersonHandler, RestrictPersonCommand, RestrictPersonHandler } from './commands';
import { registerPeopleEventTypes } from './event-classes';
import { PersonKeyStore } from './person-key-store';
import { StreamPeopleRecords } from './people-records';
import { GetPersonHandler, GetPersonQuery, TenancyTenantsHandler, TenancyTenantsQuery } from './queries';

/**
 * The people context against a real SQLite event store and key store: what registration writes,
 * what each role reads, and what erasure and restriction leave behind. Ledger and case events are
 * written as the other contexts publish them (their contracts), not through their code.
 */
const [fnrA, fnrB, fnrC, fnrD] = syntheticNationalIds(4, 2024) as [string, string, string, string];
const PERSON_ID_KEY = 'a'.repeat(8) + randomUUID();
const caller = (roles: Caller['roles'], extra: Partial<Caller> = {}): Caller => ({ actorId: 'a_test', roles, municipalities: ['5035'], navOffice: null, landlordId: null, landlordPersonId: null, ...extra });
const admin = caller(['admin']);
const accounting = caller(['accounting']);
const meta = (at: string) => ({ correlationId: 'c', causationId: null, actor: { id: 'a_test', role: 'accounting' }, occurredAt: at, schemaVersion: 1 });
let n = 0;
const causation = (at: string) => ({ id: `cause-${++n}`, correlationId: 'c', actor: { id: 'a_admin', role: 'admin' }, now: new Date(at) });

describe('people: registration, reading, erasure and restriction', () => {
  const dir = mkdtempSync(join(tmpdir(), 'evp-people-'));
  const store = new SqliteEventStore({ file: join(dir, 'events.sqlite') });
  const types = registerPeopleEventTypes(new EventTypeMap());
  let keyDb: ThrowawayReadModelDb;
  let keys: PersonKeyStore;
  let records: StreamPeopleRecords;
  const policy = { caseRetentionYears: 10 };

  beforeAll(async () => {
    keyDb = await openThrowawaySqlite({ label: 'people' });
    keys = await PersonKeyStore.open(keyDb.backend, 'b'.repeat(8) + randomUUID());
    records = new StreamPeopleRecords(store, types, keys, PERSON_ID_KEY);
  });
  afterAll(async () => {
    await keys.close();
    await keyDb.dispose();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const A = () => records.personId(fnrA);
  const B = () => records.personId(fnrB);

  async function record(tenants: TenantToRecord[], at = '2026-10-01T08:00:00.000Z'): Promise<number> {
    const appends = await records.prepareRecords(tenants);
    await store.appendToStreams(
      appends.map((a) => ({ streamName: a.streamName, expectedRevision: a.expectedRevision, events: a.events.map((e) => ({ id: e.id, type: e.type, data: e.data as JsonObject, metadata: { ...meta(at), schemaVersion: e.schemaVersion } })) })),
    );
    return appends.reduce((sum, a) => sum + a.events.length, 0);
  }

  async function registerTenancy(tenancyId: string, tenants: string[], navOffice = 'nav-stjordal', at = '2026-10-01T08:00:00.000Z', type = 'ledger.TenancyRegistered') {
    const details = { address: 'Kirkegata 1', monthlyRentOre: 928200, landlordKind: 'municipal', navOffice, tenantPersonIds: tenants };
    const data = type === 'ledger.TenancyRegistered' ? { municipalityNumber: '5035', tenancyId, ...details } : details;
    await store.appendToStream(`tenancy-5035-${tenancyId}`, [{ id: randomUUID(), type, data, metadata: meta(at) }], { expectedRevision: 'any' });
  }

  const get = (who: Caller, personId: string) => new GetPersonHandler(store, types, keys).execute(new GetPersonQuery(who, personId));
  const erase = (who: Caller, personId: string, at = '2026-12-01T10:00:00.000Z') => new ErasePersonHandler(store, types, keys, policy).execute(new ErasePersonCommand(who, personId, 'no-longer-necessary', causation(at)));

  it('records tenants encrypted: the event log holds ciphertext and opaque ids, never the number or the name', async () => {
    expect(await record([{ nationalId: fnrA, name: 'Åse Ørnø Brække', municipalityNumber: '5035', tenancyId: '100234' }, { nationalId: fnrB, name: 'Per Ødegård', municipalityNumber: '5035', tenancyId: '100235' }])).toBe(4);
    await registerTenancy('100234', [A()]);
    await registerTenancy('100235', [B()]);
    const all = JSON.stringify(await store.readAll());
    for (const secret of [fnrA, fnrB, 'Brække', 'Ødegård']) expect(all).not.toContain(secret);
    const [recorded] = await store.readStream(`person-${A()}`);
    expect(recorded).toMatchObject({ type: 'people.PersonRecorded', data: { personId: A(), keyId: expect.stringMatching(/^k[0-9a-f]{32}$/), encrypted: { iv: expect.any(String), tag: expect.any(String), data: expect.any(String) } }, metadata: { schemaVersion: 2 } });
  });

  it('writes nothing for the same tenants again, a new ciphertext for a changed name, and a link for a new tenancy', async () => {
    expect(await record([{ nationalId: fnrA, name: 'Åse Ørnø Brække', municipalityNumber: '5035', tenancyId: '100234' }])).toBe(0);
    expect(await record([{ nationalId: fnrA, name: 'Åse Brække', municipalityNumber: '5035', tenancyId: '100234' }])).toBe(1);
    expect((await get(admin, A()))?.name).toBe('Åse Brække');
    expect(await record([{ nationalId: fnrA, name: 'Åse Brække', municipalityNumber: '5035', tenancyId: '200001' }])).toBe(1);
  });

  it('shows the number masked to all but admin, and only within reach: NAV follows the tenancy\'s current office', async () => {
    expect(await get(admin, A())).toEqual({ personId: A(), name: 'Åse Brække', nationalId: fnrA, status: 'active' });
    expect(await get(accounting, A())).toEqual({ personId: A(), name: 'Åse Brække', nationalId: `${fnrA.slice(0, 6)}*****`, status: 'active' });
    expect(await get(caller(['accounting'], { municipalities: ['5037'] }), A())).toBeUndefined();
    expect(await get(caller(['landlord']), A())).toBeUndefined();
    const stjordal = caller(['nav-adviser'], { navOffice: 'nav-stjordal' });
    expect((await get(stjordal, A()))?.nationalId).toBe(`${fnrA.slice(0, 6)}*****`);
    expect(await get(caller(['nav-adviser'], { navOffice: 'nav-levanger' }), A())).toBeUndefined();
    await registerTenancy('100234', [A()], 'nav-levanger', '2026-10-02T08:00:00.000Z', 'ledger.TenancyDetailsChanged');
    expect(await get(stjordal, A())).toBeUndefined();
    expect(await get(caller(['nav-adviser'], { navOffice: 'nav-levanger' }), A())).toBeDefined();
    expect(await get(admin, 'p' + '0'.repeat(32))).toBeUndefined();
  });

  it('refuses to erase a tenant of a tenancy with an open case, and restricts them instead: admin alone still sees them', async () => {
    await store.appendToStream('case-5035-100234', [{ id: randomUUID(), type: 'cases.CaseOpened', data: { caseId: '5035-100234-1', caseNo: 1, municipalityNumber: '5035', tenancyId: '100234', navOffice: 'nav-stjordal', openedOn: '2026-11-06' }, metadata: meta('2026-11-06T09:00:00.000Z') }], { expectedRevision: 'any' });
    const result = await erase(admin, A());
    expect(result).toMatchObject({ outcome: 'restricted', obligation: { caseId: '5035-100234-1', caseStatus: 'active' } });
    expect(await erase(admin, A())).toMatchObject({ outcome: 'restricted' });
    expect((await store.readStream(`person-${A()}`)).filter((e) => e.type === 'people.PersonRestricted').map((e) => e.data)).toEqual([{ personId: A(), basis: 'archive-obligation' }]);
    expect(await get(accounting, A())).toEqual({ personId: A(), name: 'skjermet person', nationalId: null, status: 'restricted' });
    expect(await get(admin, A())).toEqual({ personId: A(), name: 'Åse Brække', nationalId: fnrA, status: 'restricted' });
    expect(await keys.find(A())).toBeDefined();
  });

  it('erases a person without an obligation: the key is gone, every read shows «slettet person», the events stay', async () => {
    const before = (await store.readStream(`person-${B()}`)).length;
    expect(await erase(admin, B())).toEqual({ outcome: 'erased' });
    expect(await erase(admin, B())).toEqual({ outcome: 'already-erased' });
    const events = await store.readStream(`person-${B()}`);
    expect(events).toHaveLength(before + 1);
    expect(events.at(-1)).toMatchObject({ type: 'people.PersonErased', data: { personId: B(), reason: 'no-longer-necessary', erasedOn: '2026-12-01' }, metadata: { actor: { id: 'a_admin', role: 'admin' } } });
    expect(await keys.find(B())).toBeUndefined();
    expect(await get(admin, B())).toEqual({ personId: B(), name: 'slettet person', nationalId: null, status: 'erased' });
    const tenants = await new TenancyTenantsHandler(store, types, keys).execute(new TenancyTenantsQuery(accounting, '5035', '100235'));
    expect(tenants).toEqual({ municipalityNumber: '5035', tenancyId: '100235', tenants: [{ personId: B(), name: 'slettet person', nationalId: null, status: 'erased' }] });
  });

  it('lets only an admin of every municipality the person lives in erase them; others get 404', async () => {
    const elsewhere = caller(['admin'], { municipalities: ['5037'] });
    await expect(erase(elsewhere, A())).rejects.toMatchObject({ code: 'PERSON_NOT_FOUND' });
    await expect(erase(accounting, A())).rejects.toMatchObject({ code: 'PERSON_NOT_FOUND' });
    await expect(erase(admin, 'p' + 'f'.repeat(32))).rejects.toThrow(PeopleRuleError);
    await record([{ nationalId: fnrA, name: 'Åse Brække', municipalityNumber: '5037', tenancyId: '300001' }]);
    await expect(erase(admin, A())).rejects.toMatchObject({ code: 'OTHER_MUNICIPALITY' });
  });

  it('restricts on request, idempotently, and has nothing to restrict once erased', async () => {
    const restrict = (personId: string) => new RestrictPersonHandler(store, types).execute(new RestrictPersonCommand(admin, personId, 'accuracy-contested', causation('2026-12-02T10:00:00.000Z')));
    expect(await restrict(A())).toEqual({ restricted: false });
    await expect(restrict(B())).rejects.toMatchObject({ code: 'PERSON_ERASED' });
  });

  it('never serves a version-1 record, which held the data in clear: it reads as «slettet person» until recorded again encrypted', async () => {
    const C = records.personId(fnrC);
    const legacyOnly = records.personId(fnrD);
    await registerTenancy('100236', [C, legacyOnly]);
    await store.appendToStream(`person-${C}`, [{ id: randomUUID(), type: 'people.PersonRecorded', data: { nationalId: fnrC, name: 'Kari Æsøy' }, metadata: meta('2026-09-01T08:00:00.000Z') }], { expectedRevision: 'no_stream' });
    expect(await record([{ nationalId: fnrC, name: 'Kari Æsøy', municipalityNumber: '5035', tenancyId: '100236' }])).toBe(2);
    expect(await get(admin, C)).toEqual({ personId: C, name: 'Kari Æsøy', nationalId: fnrC, status: 'active' });
    await store.appendToStream(`person-${legacyOnly}`, [{ id: randomUUID(), type: 'people.PersonRecorded', data: { nationalId: fnrD, name: 'Ola Levanger' }, metadata: meta('2026-09-01T08:00:00.000Z') }], { expectedRevision: 'no_stream' });
    await store.appendToStream(`person-${legacyOnly}`, [{ id: randomUUID(), type: 'people.PersonLinkedToTenancy', data: { personId: legacyOnly, municipalityNumber: '5035', tenancyId: '100236' }, metadata: meta('2026-09-01T08:00:00.000Z') }], { expectedRevision: 0 });
    expect(await get(admin, legacyOnly)).toEqual({ personId: legacyOnly, name: 'slettet person', nationalId: null, status: 'active' });
  });

  it('records an erased person registered anew under a new key; the old events stay unreadable', async () => {
    const oldKeyIds = (await store.readStream(`person-${B()}`)).filter((e) => e.type === 'people.PersonRecorded').map((e) => (e.data as { keyId: string }).keyId);
    expect(await record([{ nationalId: fnrB, name: 'Per Ødegård', municipalityNumber: '5035', tenancyId: '100235' }], '2026-12-03T08:00:00.000Z')).toBe(1);
    const key = await keys.find(B());
    expect(oldKeyIds).not.toContain(key?.keyId);
    expect(await get(accounting, B())).toMatchObject({ name: 'Per Ødegård', status: 'active' });
  });
});
