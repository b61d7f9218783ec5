import { EventTypeMap, type RecordedEvent } from '@evp/event-store';
import type { ReadModelDb } from '@evp/read-models';
import { dumpTables, openThrowawayPostgres, openThrowawaySqlite, type ThrowawayReadModelDb, buildGeneration } from '@evp/read-models/testing';
import { ReadModelReader } from '@evp/runtime';
import type { Caller } from '@evp/auth';
import { CaseMonthsHandler, CaseMonthsProjection, CaseMonthsQuery } from './case-months-projection';
import { registerCaseEventTypes } from './event-classes';

/** Literal case events as they stand in the log. */
let position = 0;
const revisions = new Map<string, number>();
const recorded = (tenancyId: string, type: string, data: Record<string, unknown>): RecordedEvent => {
  const streamName = `case-5035-${tenancyId}`;
  const revision = (revisions.get(streamName) ?? -1) + 1;
  revisions.set(streamName, revision);
  return {
    id: `00000000-0000-5000-8000-${String(++position).padStart(12, '0')}`,
    streamName,
    revision,
    position: String(position).padStart(12, '0'),
    type,
    data: data as RecordedEvent['data'],
    metadata: { correlationId: 'c', causationId: null, actor: { id: 'workflow-cases-arrears', role: 'system' }, occurredAt: '2026-11-30T08:00:00.000Z', schemaVersion: 1 },
    recordedAt: '2026-11-30T08:00:00.000Z',
  };
};
const opened = (tenancyId: string, openedOn: string) =>
  recorded(tenancyId, 'cases.CaseOpened', {
    caseId: `5035-${tenancyId}-1`,
    caseNo: 1,
    municipalityNumber: '5035',
    tenancyId,
    navOffice: 'nav-stjordal',
    openedOn,
    firstContactDeadline: openedOn,
    arrearsOre: 928200,
    monthlyRentOre: 928200,
    daysPastGrace: 1,
    reasons: [],
  });
const contact = (tenancyId: string, id: string, contactedOn: string) => recorded(tenancyId, 'cases.ContactRecorded', { caseId: `5035-${tenancyId}-1`, contactId: id, channel: 'phone', contactedOn, byRole: 'accounting' });
const escalated = (tenancyId: string, on: string) => recorded(tenancyId, 'cases.CaseEscalatedToArrearsTeam', { caseId: `5035-${tenancyId}-1`, escalatedOn: on, reasons: [] });
const resolved = (tenancyId: string, on: string) => recorded(tenancyId, 'cases.CaseResolved', { caseId: `5035-${tenancyId}-1`, resolvedOn: on, outcome: 'paid', explanation: 'Betalt.' });

function history(): RecordedEvent[] {
  position = 0;
  revisions.clear();
  return [
    opened('1', '2026-09-28'),
    opened('2', '2026-10-02'),
    opened('3', '2026-10-05'),
    opened('4', '2026-10-20'),
    contact('1', 'c1', '2026-10-01'), // 3 days, counted in October
    contact('2', 'c2', '2026-10-09'), // 7 days
    contact('2', 'c3', '2026-10-12'), // not the first
    escalated('3', '2026-10-13'),
    contact('3', 'c4', '2026-10-30'), // 25 days
    contact('4', 'c5', '2026-11-03'), // 14 days, in November…
    contact('4', 'c6', '2026-10-27'), // …until a contact dated 27 October is recorded: 7 days, in October
    resolved('1', '2026-10-15'),
    resolved('2', '2026-11-02'),
  ];
}

const team: Caller = { actorId: 'a_team', roles: ['arrears-team'], municipalities: ['5035'], navOffice: null, landlordId: null, landlordPersonId: null };

describe.each([
  ['SQLite', openThrowawaySqlite],
  ['PostgreSQL', openThrowawayPostgres],
])('cases by month on %s', (_engine, open) => {
  const projection = new CaseMonthsProjection(registerCaseEventTypes(new EventTypeMap()));
  let store: ThrowawayReadModelDb;
  let db: ReadModelDb;

  beforeAll(async () => {
    store = await open({ label: 'casemonths' });
    db = store.db;
  });
  afterAll(async () => {
    await store.dispose();
  });

  const build = (batches: RecordedEvent[][]) => buildGeneration(db, projection, batches);

  it('gives identical tables in any batching, also when a backdated contact moves the first one', async () => {
    const events = history();
    const whole = await build([events]);
    const single = await build(events.map((e) => [e]));
    const dump = await dumpTables(db, whole.tables);
    expect(await dumpTables(db, single.tables)).toEqual(dump);
  });

  it('counts opened, resolved and escalated by their dates’ months, and the median days to first contact', async () => {
    await build([history()]);
    const months = await new CaseMonthsHandler(new ReadModelReader(db)).execute(new CaseMonthsQuery(team, '5035', ['2026-09', '2026-10', '2026-11', '2026-12']));
    expect(months).toEqual([
      { month: '2026-09', casesOpened: 1, casesResolved: 0, casesEscalated: 0, medianDaysToFirstContact: null },
      // First contacts in October: 3, 7, 25 and 7 days.
      { month: '2026-10', casesOpened: 3, casesResolved: 1, casesEscalated: 1, medianDaysToFirstContact: 7 },
      { month: '2026-11', casesOpened: 0, casesResolved: 1, casesEscalated: 0, medianDaysToFirstContact: null },
      { month: '2026-12', casesOpened: 0, casesResolved: 0, casesEscalated: 0, medianDaysToFirstContact: null },
    ]);
  });

  it('answers nothing outside the caller’s municipalities', async () => {
    expect(await new CaseMonthsHandler(new ReadModelReader(db)).execute(new CaseMonthsQuery({ ...team, municipalities: ['5037'] }, '5035', ['2026-10']))).toEqual([]);
  });
});
