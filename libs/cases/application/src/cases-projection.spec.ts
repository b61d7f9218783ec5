import { EventTypeMap, type RecordedEvent } from '@evp/event-store';
import { ProjectionGenerations, applyBatch, decodeCursor, type ReadModelDb } from '@evp/read-models';
import { dumpTables, openThrowawayPostgres, openThrowawaySqlite, type ThrowawayReadModelDb } from '@evp/read-models/testing';
import { ReadModelReader } from '@evp/runtime';
import type { Caller } from '@evp/auth';
import { CasesProjection } from './cases-projection';
import { ArrearsTeamQueueHandler, GetCaseHandler, GetCaseQuery, ArrearsTeamQueueQuery, ListCasesHandler, ListCasesQuery } from './cases-queries';
import { registerCaseEventTypes } from './event-classes';

/** Literal events as they stand in the log. */
let position = 0;
const recorded = (streamName: string, revision: number, type: string, data: Record<string, unknown>, occurredAt: string, role = 'system'): RecordedEvent => ({
  id: `00000000-0000-5000-8000-${String(++position).padStart(12, '0')}`,
  streamName,
  revision,
  position: String(position).padStart(12, '0'),
  type,
  data: data as RecordedEvent['data'],
  metadata: { correlationId: 'c', causationId: null, actor: { id: 'workflow-cases-arrears', role }, occurredAt, schemaVersion: 1 },
  recordedAt: occurredAt,
});

const details = (navOffice: string) => ({ address: 'Gate 1', monthlyRentOre: 928200, landlordKind: 'municipal', navOffice, tenantPersonIds: ['p1'] });
const opened = (tenancyId: string, openedOn: string, deadline: string) => ({
  caseId: `5035-${tenancyId}-1`,
  caseNo: 1,
  municipalityNumber: '5035',
  tenancyId,
  navOffice: 'nav-stjordal',
  openedOn,
  firstContactDeadline: deadline,
  arrearsOre: 928200,
  monthlyRentOre: 928200,
  daysPastGrace: 1,
  reasons: [{ policy: 'arrearsReachMonthsOfRent', explanation: 'Restansen er 9 282,00 kr.' }],
});

function history(): RecordedEvent[] {
  position = 0;
  return [
    recorded('tenancy-5035-100234', 0, 'ledger.TenancyRegistered', { municipalityNumber: '5035', tenancyId: '100234', ...details('nav-stjordal') }, '2026-10-01T08:00:00.000Z', 'accounting'),
    recorded('tenancy-5035-100236', 0, 'ledger.TenancyRegistered', { municipalityNumber: '5035', tenancyId: '100236', ...details('nav-stjordal') }, '2026-10-01T08:00:00.000Z', 'accounting'),
    recorded('tenancy-5035-100237', 0, 'ledger.TenancyRegistered', { municipalityNumber: '5035', tenancyId: '100237', ...details('nav-stjordal') }, '2026-10-01T08:00:00.000Z', 'accounting'),
    recorded('tenancy-5035-100234', 1, 'ledger.ChargePosted', { voucherRef: 'F-1', date: '2026-10-15', dueDate: '2026-11-02', period: '2026-11', amountOre: 928200 }, '2026-10-15T08:00:00.000Z', 'accounting'),
    recorded('case-5035-100234', 0, 'cases.CaseOpened', opened('100234', '2026-11-06', '2026-11-13'), '2026-11-06T09:00:00.000Z'),
    recorded('case-5035-100236', 0, 'cases.CaseOpened', opened('100236', '2026-11-06', '2026-11-13'), '2026-11-06T09:00:00.000Z'),
    recorded('case-5035-100237', 0, 'cases.CaseOpened', opened('100237', '2026-11-09', '2026-11-16'), '2026-11-09T09:00:00.000Z'),
    recorded('case-5035-100236', 1, 'cases.ContactRecorded', { caseId: '5035-100236-1', contactId: 'c1', channel: 'phone', contactedOn: '2026-11-10', byRole: 'nav-adviser' }, '2026-11-10T09:00:00.000Z', 'nav-adviser'),
    recorded('case-5035-100234', 1, 'cases.CaseEscalatedToArrearsTeam', { caseId: '5035-100234-1', escalatedOn: '2026-11-16', reasons: [{ policy: 'noContactWithinDeadline', explanation: 'Ingen kontakt.' }] }, '2026-11-16T00:00:00.000Z'),
    // The tenancy moves to another NAV office: its case moves with it.
    recorded('tenancy-5035-100237', 1, 'ledger.TenancyDetailsChanged', details('nav-levanger'), '2026-11-17T08:00:00.000Z', 'accounting'),
    recorded('case-5035-100236', 2, 'cases.CaseResolved', { caseId: '5035-100236-1', resolvedOn: '2026-11-18', outcome: 'paid', explanation: 'Betalt.' }, '2026-11-18T09:00:00.000Z'),
  ];
}

const team: Caller = { actorId: 'a_team', roles: ['arrears-team'], municipalities: ['5035'], navOffice: null, landlordId: null, landlordPersonId: null };
const stjordalNav: Caller = { ...team, actorId: 'a_nav1', roles: ['nav-adviser'], navOffice: 'nav-stjordal' };
const levangerNav: Caller = { ...team, actorId: 'a_nav2', roles: ['nav-adviser'], navOffice: 'nav-levanger' };
const landlord: Caller = { ...team, actorId: 'a_landlord', roles: ['landlord'], landlordId: 'enhet-bygg' };

describe.each([
  ['SQLite', openThrowawaySqlite],
  ['PostgreSQL', openThrowawayPostgres],
])('cases projection on %s', (_engine, open) => {
  const types = registerCaseEventTypes(new EventTypeMap());
  const projection = new CasesProjection(types);
  let store: ThrowawayReadModelDb;
  let db: ReadModelDb;
  let reader: ReadModelReader;

  beforeAll(async () => {
    store = await open({ label: 'cases' });
    db = store.db;
    reader = new ReadModelReader(db);
    const generations = new ProjectionGenerations(db);
    const target = await generations.beginWithTables(projection);
    const events = history();
    await applyBatch(db, projection, target, events.slice(0, 5), (events[4] as RecordedEvent).position);
    await applyBatch(db, projection, target, events.slice(5), (events[events.length - 1] as RecordedEvent).position);
    await generations.switchTo('cases', target.generation);
  });
  afterAll(async () => {
    await store.dispose();
  });

  it('a rebuild, in any batching, gives identical tables', async () => {
    const generations = new ProjectionGenerations(db);
    const active = (await generations.active('cases')) as { tables: Record<string, string> };
    const events = history();
    const rebuilt = await generations.beginWithTables(projection);
    for (const e of events) await applyBatch(db, projection, rebuilt, [e], e.position);
    expect(await dumpTables(db, rebuilt.tables)).toEqual(await dumpTables(db, active.tables));
    // In one batch the counters' deltas cancel out where event by event they fall to zero: no zero rows either way.
    const whole = await generations.beginWithTables(projection);
    await applyBatch(db, projection, whole, events, (events[events.length - 1] as RecordedEvent).position);
    expect(await dumpTables(db, whole.tables)).toEqual(await dumpTables(db, active.tables));
  });

  it('lists active cases newest first, one keyset page at a time, with the total from the counters', async () => {
    const list = new ListCasesHandler(reader);
    const first = await list.execute(new ListCasesQuery(team, '5035', 'active', 'opened', undefined, 1));
    expect(first.total).toBe(2);
    expect(first.items.map((c) => c.caseId)).toEqual(['5035-100237-1']);
    const second = await list.execute(new ListCasesQuery(team, '5035', 'active', 'opened', decodeCursor(first.nextCursor, 2), 1));
    expect(second.items.map((c) => [c.caseId, c.status])).toEqual([['5035-100234-1', 'escalated']]);
    expect(second.nextCursor).toBeNull();
    expect((await list.execute(new ListCasesQuery(team, '5035', 'all', 'opened', undefined, 10))).total).toBe(3);
    expect((await list.execute(new ListCasesQuery(team, '5035', 'resolved', 'opened', undefined, 10))).items.map((c) => c.caseId)).toEqual(['5035-100236-1']);
  });

  it("a NAV adviser sees the cases of the tenancy's current office only: a moved tenancy's case moves with it", async () => {
    const list = new ListCasesHandler(reader);
    const get = new GetCaseHandler(reader);
    expect((await list.execute(new ListCasesQuery(levangerNav, '5035', 'active', 'opened', undefined, 10))).items.map((c) => c.caseId)).toEqual(['5035-100237-1']);
    expect((await list.execute(new ListCasesQuery(stjordalNav, '5035', 'active', 'opened', undefined, 10))).items.map((c) => c.caseId)).toEqual(['5035-100234-1']);
    expect(await get.execute(new GetCaseQuery(stjordalNav, '5035-100237-1'))).toBeUndefined();
    expect((await get.execute(new GetCaseQuery(levangerNav, '5035-100237-1')))?.navOffice).toBe('nav-levanger');
    expect(await get.execute(new GetCaseQuery(landlord, '5035-100234-1'))).toBeUndefined();
    expect((await list.execute(new ListCasesQuery(landlord, '5035', 'all', 'opened', undefined, 10))).items).toEqual([]);
  });

  it("the husleierestanseteam's queue holds the escalated case with its reasons; a case shows its whole timeline", async () => {
    const queue = await new ArrearsTeamQueueHandler(reader).execute(new ArrearsTeamQueueQuery(team, '5035', undefined, 50));
    expect(queue.total).toBe(1);
    expect(queue.items.map((c) => [c.caseId, c.escalatedOn, c.escalationReasons[0]?.policy])).toEqual([['5035-100234-1', '2026-11-16', 'noContactWithinDeadline']]);
    const resolved = await new GetCaseHandler(reader).execute(new GetCaseQuery(team, '5035-100236-1'));
    expect(resolved?.timeline.map((t) => [t.on, t.type, t.actorRole])).toEqual([
      ['2026-11-06', 'cases.CaseOpened', 'system'],
      ['2026-11-10', 'cases.ContactRecorded', 'nav-adviser'],
      ['2026-11-18', 'cases.CaseResolved', 'system'],
    ]);
    expect(resolved?.timeline[1]?.summary).toBe('Kontakt registrert (telefon).');
  });
});
