import { EventTypeMap, type RecordedEvent } from '@evp/event-store';
import { applyBatch, type ReadModelDb } from '@evp/read-models';
import { dumpTables, openThrowawayPostgres, openThrowawaySqlite, type ThrowawayReadModelDb, buildGeneration } from '@evp/read-models/testing';
import { ReadModelReader } from '@evp/runtime';
import type { Caller } from '@evp/auth';
import { registerWarningEventTypes } from './event-classes';
import { WarningMonthsHandler, WarningMonthsProjection, WarningMonthsQuery } from './warning-months-projection';

/** Literal warning events as they stand in the log. */
let position = 0;
const revisions = new Map<string, number>();
const idOf = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const recorded = (n: number, type: string, data: Record<string, unknown>): RecordedEvent => {
  const streamName = `warning-${idOf(n)}`;
  const revision = (revisions.get(streamName) ?? -1) + 1;
  revisions.set(streamName, revision);
  return {
    id: `00000000-0000-5000-8000-${String(++position).padStart(12, '0')}`,
    streamName,
    revision,
    position: String(position).padStart(12, '0'),
    type,
    data: { warningId: idOf(n), ...data } as RecordedEvent['data'],
    metadata: { correlationId: 'c', causationId: null, actor: { id: 'a_landlord', role: 'landlord' }, occurredAt: '2026-11-30T08:00:00.000Z', schemaVersion: 1 },
    recordedAt: '2026-11-30T08:00:00.000Z',
  };
};
const submitted = (n: number, submittedOn: string, municipalityNumber = '5035') =>
  recorded(n, 'warnings.WarningSubmitted', {
    landlordId: 'enhet-bygg',
    landlord: { kind: 'company', name: 'Bygg AS', organisationNumber: '974760673', personId: null },
    municipalityNumber,
    dwelling: { address: 'Kjøpmannsgata 3', tenancyId: null },
    householdId: `h${n}`,
    tenants: [],
    ground: 'unpaid-rent',
    arrearsOre: 928200,
    arrearsMonths: ['2026-08'],
    plannedPetitionOn: '2026-10-30',
    declarations: { tenantGotCopy: true, noWrittenObjectionReceived: true },
    submittedOn,
    fingerprint: `f${n}`,
  });
const forwarded = (n: number, forwardedOn: string) =>
  recorded(n, 'warnings.WarningForwarded', {
    forwardedOn,
    municipalityNumber: '5035',
    householdId: `h${n}`,
    tenancyId: null,
    navOffice: 'nav-stjordal',
    ground: 'unpaid-rent',
    arrearsOre: 928200,
    petitionOn: '2026-10-30',
    evictionOn: null,
    tenantPersonIds: [],
    advice: [],
  });
const notForwarded = (n: number, decidedOn: string) => recorded(n, 'warnings.WarningNotForwarded', { decidedOn, basis: 'landlord-declared-objection', objectionIds: [], tenantRefs: ['t1'], explanation: 'Reservert.' });
const step = (n: number, s: Record<string, unknown>) =>
  recorded(n, 'warnings.StepReported', { stepId: `s${position}`, reportedOn: '2026-11-30', step: s, municipalityNumber: '5035', householdId: `h${n}`, passedToNav: true, withheldBecause: [], rulings: [] });
const stopped = (n: number, stoppedOn: string) =>
  recorded(n, 'warnings.EvictionStoppedByPayment', { stoppedOn, municipalityNumber: '5035', householdId: `h${n}`, tenancyId: '100234', ledgerRevision: 7, asOf: stoppedOn, basis: 'tvangsfullbyrdelsesloven § 13-2', explanation: 'Betalt.' });

function history(): RecordedEvent[] {
  position = 0;
  revisions.clear();
  return [
    submitted(1, '2026-09-20'),
    submitted(2, '2026-10-02'),
    submitted(3, '2026-10-05'),
    submitted(4, '2026-10-06'),
    submitted(5, '2026-10-07'),
    submitted(6, '2026-10-08', '5037'), // another municipality
    forwarded(1, '2026-09-21'),
    forwarded(2, '2026-10-02'),
    forwarded(3, '2026-10-05'),
    notForwarded(4, '2026-10-06'), // a tenant objected: received, never forwarded
    forwarded(5, '2026-10-07'),
    step(1, { kind: 'petition-filed', filedOn: '2026-10-01' }),
    step(2, { kind: 'petition-filed', filedOn: '2026-10-20' }),
    step(1, { kind: 'eviction-date-set', evictionOn: '2026-11-12' }),
    step(1, { kind: 'eviction-carried-out', evictedOn: '2026-11-12' }), // 1: evicted in November
    step(2, { kind: 'withdrawn', withdrawnOn: '2026-10-25' }), // 2: avoided in October
    step(2, { kind: 'cancelled-paid', paidOn: '2026-10-26' }), // … and counted once
    stopped(3, '2026-11-03'), // 3: avoided in November…
    step(3, { kind: 'eviction-date-set', evictionOn: '2026-11-20' }),
    step(3, { kind: 'eviction-carried-out', evictedOn: '2026-11-20' }), // …until it is evicted after all: evicted, not avoided
    step(4, { kind: 'cancelled-paid', paidOn: '2026-11-05' }), // 4: avoided in November
    // 5: still running
  ];
}

const team: Caller = { actorId: 'a_team', roles: ['arrears-team'], municipalities: ['5035'], navOffice: null, landlordId: null, landlordPersonId: null };

describe.each([
  ['SQLite', openThrowawaySqlite],
  ['PostgreSQL', openThrowawayPostgres],
])('§ 9-11 warnings by month on %s', (_engine, open) => {
  const projection = new WarningMonthsProjection(registerWarningEventTypes(new EventTypeMap()));
  let store: ThrowawayReadModelDb;
  let db: ReadModelDb;

  beforeAll(async () => {
    store = await open({ label: 'warningmonths' });
    db = store.db;
  });
  afterAll(async () => {
    await store.dispose();
  });

  const build = (batches: RecordedEvent[][]) => buildGeneration(db, projection, batches);
  const months = () => new WarningMonthsHandler(new ReadModelReader(db)).execute(new WarningMonthsQuery(team, '5035', ['2026-09', '2026-10', '2026-11', '2026-12']));

  it('gives identical tables in any batching, also when an avoided eviction is carried out after all', async () => {
    const events = history();
    const whole = await build([events]);
    const single = await build(events.map((e) => [e]));
    const pairs: RecordedEvent[][] = [];
    for (let i = 0; i < events.length; i += 2) pairs.push(events.slice(i, i + 2));
    const paired = await build(pairs);
    const dump = await dumpTables(db, whole.tables);
    expect(await dumpTables(db, single.tables)).toEqual(dump);
    expect(await dumpTables(db, paired.tables)).toEqual(dump);
  });

  it('counts received, forwarded, petitions, evictions carried out and avoided by their dates’ months', async () => {
    await build([history()]);
    expect(await months()).toEqual([
      { month: '2026-09', warningsReceived: 1, warningsForwarded: 1, petitionsFiled: 0, evictionsCarriedOut: 0, evictionsAvoided: 0 },
      { month: '2026-10', warningsReceived: 4, warningsForwarded: 3, petitionsFiled: 2, evictionsCarriedOut: 0, evictionsAvoided: 1 },
      // 1 and 3 evicted; 4 avoided (3's avoidance taken back when it was evicted after all).
      { month: '2026-11', warningsReceived: 0, warningsForwarded: 0, petitionsFiled: 0, evictionsCarriedOut: 2, evictionsAvoided: 1 },
      { month: '2026-12', warningsReceived: 0, warningsForwarded: 0, petitionsFiled: 0, evictionsCarriedOut: 0, evictionsAvoided: 0 },
    ]);
  });

  it('changes nothing when events are delivered again', async () => {
    const events = history();
    const target = await build([events]);
    const before = await dumpTables(db, target.tables);
    // A redelivery of an already applied stretch, after the projection has moved on.
    await applyBatch(db, projection, target, events.slice(10, 20), (events[events.length - 1] as RecordedEvent).position);
    expect(await dumpTables(db, target.tables)).toEqual(before);
  });

  it('answers nothing outside the caller’s municipalities, nor to a landlord', async () => {
    await build([history()]);
    const handler = new WarningMonthsHandler(new ReadModelReader(db));
    expect(await handler.execute(new WarningMonthsQuery({ ...team, municipalities: ['5037'] }, '5035', ['2026-10']))).toEqual([]);
    expect(await handler.execute(new WarningMonthsQuery({ ...team, roles: ['landlord'], landlordId: 'enhet-bygg' }, '5035', ['2026-10']))).toEqual([]);
  });
});
