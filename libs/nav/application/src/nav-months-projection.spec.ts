import { EventTypeMap, type RecordedEvent } from '@evp/event-store';
import { applyBatch, type ReadModelDb } from '@evp/read-models';
import { dumpTables, openThrowawayPostgres, openThrowawaySqlite, type ThrowawayReadModelDb, buildGeneration } from '@evp/read-models/testing';
import { ReadModelReader } from '@evp/runtime';
import type { Caller } from '@evp/auth';
import { registerNavEventTypes } from './event-classes';
import { NavMonthsHandler, NavMonthsProjection, NavMonthsQuery } from './nav-months-projection';

/** Literal NAV events as they stand in the log, one household stream per tenancy. */
let position = 0;
const revisions = new Map<string, number>();
const recorded = (tenancyId: string, type: string, data: Record<string, unknown>, municipality = '5035', schemaVersion = 1): RecordedEvent => {
  const streamName = `nav-${municipality}-${tenancyId}`;
  const revision = (revisions.get(streamName) ?? -1) + 1;
  revisions.set(streamName, revision);
  return {
    id: `00000000-0000-5000-8000-${String(++position).padStart(12, '0')}`,
    streamName,
    revision,
    position: String(position).padStart(12, '0'),
    type,
    data: { caseId: `${municipality}-${tenancyId}-1`, ...data } as RecordedEvent['data'],
    metadata: { correlationId: 'c', causationId: null, actor: { id: 'a_kari', role: 'nav-adviser' }, occurredAt: '2026-12-30T08:00:00.000Z', schemaVersion },
    recordedAt: '2026-12-30T08:00:00.000Z',
  };
};
const kari = { actorId: 'a_kari', role: 'nav-adviser' };
const referral = (tenancyId: string, n: number) => `5035-${tenancyId}-1.escalation.${n}`;
const received = (tenancyId: string, referredOn: string, n = 1, pickedUpOn: string | null = null, municipality = '5035') =>
  recorded(
    tenancyId,
    'nav.ReferralReceived',
    {
      referralId: referral(tenancyId, n),
      municipalityNumber: municipality,
      tenancyId,
      navOffice: 'nav-stjordal',
      source: 'escalation',
      referredOn,
      pickupDueOn: referredOn,
      reasons: [],
      petitionOn: null,
      evictionOn: null,
      pickedUpOn,
    },
    municipality,
  );
const claimed = (tenancyId: string, claimedOn: string, pickedUp: string[]) => recorded(tenancyId, 'nav.ReferralClaimed', { adviser: kari, claimedOn, pickedUp });
const reassigned = (tenancyId: string, reassignedOn: string, pickedUp: string[]) =>
  recorded(tenancyId, 'nav.ReferralReassigned', { from: null, to: kari, reassignedOn, by: { actorId: 'a_lead', role: 'nav-lead' }, pickedUp });
const overdue = (tenancyId: string, escalatedOn: string) =>
  recorded(tenancyId, 'nav.ReferralPickupOverdue', { referralId: referral(tenancyId, 1), pickupDueOn: escalatedOn, escalatedOn, escalatedTo: ['nav-lead', 'arrears-team'], reason: 'Ikke tatt.' });
const requested = (tenancyId: string, requestId: string, requestedOn: string) =>
  recorded(tenancyId, 'nav.EconomicAdviceRequested', { requestId, requestedOn, form: 'oral', startNormDueOn: requestedOn, noteRef: null });
const started = (tenancyId: string, requestId: string, startedOn: string, late: boolean) =>
  recorded(tenancyId, 'nav.EconomicAdviceStarted', { requestId, startedOn, startNormDueOn: startedOn, late, lateReasonRef: late ? 'r1' : null });

function history(): RecordedEvent[] {
  position = 0;
  revisions.clear();
  return [
    received('100234', '2026-10-01'), // Thursday
    received('100235', '2026-10-02'), // Friday
    received('100237', '2026-10-05'),
    received('200001', '2026-10-05', 1, null, '5037'), // another municipality
    claimed('100234', '2026-10-05', [referral('100234', 1)]), // Fri, Mon: 2 working days
    claimed('100235', '2026-10-06', [referral('100235', 1)]), // Mon, Tue: 2
    claimed('100237', '2026-10-06', [referral('100237', 1)]), // 1
    claimed('100237', '2026-10-07', [referral('100237', 1)]), // a second claim picks up nothing again
    requested('100234', 'q1', '2026-10-06'),
    requested('100235', 'q2', '2026-10-07'),
    received('100237', '2026-10-20', 2, '2026-10-20'), // the household already claimed: picked up on arrival, never waited
    requested('100237', 'q3', '2026-10-20'),
    started('100234', 'q1', '2026-10-16', false), // 10 days, in October
    received('100236', '2026-10-28'), // Wednesday
    overdue('100236', '2026-11-03'),
    reassigned('100236', '2026-11-04', [referral('100236', 1)]), // the lead assigns it: Oct 29, 30, Nov 2, 3, 4 = 5 working days
    started('100235', 'q2', '2026-11-10', true), // 34 days, late (the domain's verdict)
    started('100237', 'q3', '2026-11-02', false), // 13 days
    started('100237', 'q3', '2026-11-03', false), // the same request again: counted once
    received('100238', '2026-12-23'), // Wednesday before Christmas
    claimed('100238', '2026-12-28', [referral('100238', 1)]), // 24 Dec is a working day, 25 Dec is not: 2 working days, 5 calendar days
  ];
}

const team: Caller = { actorId: 'a_team', roles: ['arrears-team'], municipalities: ['5035'], navOffice: null, landlordId: null, landlordPersonId: null };

describe.each([
  ['SQLite', openThrowawaySqlite],
  ['PostgreSQL', openThrowawayPostgres],
])('NAV by month on %s', (_engine, open) => {
  const projection = new NavMonthsProjection(registerNavEventTypes(new EventTypeMap()));
  let store: ThrowawayReadModelDb;
  let db: ReadModelDb;

  beforeAll(async () => {
    store = await open({ label: 'navmonths' });
    db = store.db;
  });
  afterAll(async () => {
    await store.dispose();
  });

  const build = (batches: RecordedEvent[][]) => buildGeneration(db, projection, batches);
  const months = (caller = team) => new NavMonthsHandler(new ReadModelReader(db)).execute(new NavMonthsQuery(caller, '5035', ['2026-10', '2026-11', '2026-12', '2027-01']));

  it('gives identical tables in any batching', async () => {
    const events = history();
    const whole = await build([events]);
    const single = await build(events.map((e) => [e]));
    const triples: RecordedEvent[][] = [];
    for (let i = 0; i < events.length; i += 3) triples.push(events.slice(i, i + 3));
    const tripled = await build(triples);
    const dump = await dumpTables(db, whole.tables);
    expect(await dumpTables(db, single.tables)).toEqual(dump);
    expect(await dumpTables(db, tripled.tables)).toEqual(dump);
  });

  it('counts referrals, pickups in Norwegian working days, overdue pickups and § 17 starts, with exact medians and no case in them', async () => {
    await build([history()]);
    expect(await months()).toEqual([
      // Pickups in October: 2, 2 and 1 working days; the § 17 start after 10 days.
      { month: '2026-10', referralsReceived: 5, referralsPickedUp: 3, medianPickupWorkingDays: 2, referralsPickupOverdue: 0, adviceStarted: 1, medianDaysToAdviceStart: 10, adviceStartedLate: 0 },
      // The lead's assignment after 5 working days; starts after 34 (late) and 13 days.
      { month: '2026-11', referralsReceived: 0, referralsPickedUp: 1, medianPickupWorkingDays: 5, referralsPickupOverdue: 1, adviceStarted: 2, medianDaysToAdviceStart: 23.5, adviceStartedLate: 1 },
      { month: '2026-12', referralsReceived: 1, referralsPickedUp: 1, medianPickupWorkingDays: 2, referralsPickupOverdue: 0, adviceStarted: 0, medianDaysToAdviceStart: null, adviceStartedLate: 0 },
      { month: '2027-01', referralsReceived: 0, referralsPickedUp: 0, medianPickupWorkingDays: null, referralsPickupOverdue: 0, adviceStarted: 0, medianDaysToAdviceStart: null, adviceStartedLate: 0 },
    ]);
  });

  it('counts a follow-up moved to another office as a referral waiting in the new office’s inbox', async () => {
    const events = [
      ...history(),
      recorded('100234', 'nav.FollowUpTransferred', {
        fromOffice: 'nav-stjordal',
        toOffice: 'nav-meraker',
        transferredOn: '2027-01-04', // Monday
        previousAdviser: kari,
        referralId: '5035-100234-1.transfer.1',
        pickupDueOn: '2027-01-07',
        supersededReferrals: [],
      }),
      claimed('100234', '2027-01-06', ['5035-100234-1.transfer.1']), // Tuesday, Wednesday: 2 working days
    ];
    await build([events]);
    expect((await months())[3]).toEqual({ month: '2027-01', referralsReceived: 1, referralsPickedUp: 1, medianPickupWorkingDays: 2, referralsPickupOverdue: 0, adviceStarted: 0, medianDaysToAdviceStart: null, adviceStartedLate: 0 });
  });

  it('counts a follow-up released back to the inbox as a referral waiting there again; one released before releases had a pickup limit never waited', async () => {
    const events = [
      ...history(),
      // Version 1 (no referral of its own): counted nowhere.
      recorded('100235', 'nav.ReferralReleased', { adviser: kari, releasedOn: '2027-01-04', by: kari }),
      recorded('100234', 'nav.ReferralReleased', { adviser: kari, releasedOn: '2027-01-05', by: kari, referralId: '5035-100234-1.release.1', pickupDueOn: '2027-01-08' }, '5035', 2), // Tuesday
      claimed('100234', '2027-01-08', ['5035-100234-1.release.1']), // Wednesday, Thursday, Friday: 3 working days
    ];
    await build([events]);
    expect((await months())[3]).toEqual({ month: '2027-01', referralsReceived: 1, referralsPickedUp: 1, medianPickupWorkingDays: 3, referralsPickupOverdue: 0, adviceStarted: 0, medianDaysToAdviceStart: null, adviceStartedLate: 0 });
  });

  it('changes nothing when events are delivered again', async () => {
    const events = history();
    const target = await build([events]);
    const before = await dumpTables(db, target.tables);
    await applyBatch(db, projection, target, events.slice(3, 18), (events[events.length - 1] as RecordedEvent).position);
    expect(await dumpTables(db, target.tables)).toEqual(before);
  });

  it('answers the office lead too, and nobody outside the municipality, nor an adviser or a landlord', async () => {
    await build([history()]);
    const lead: Caller = { ...team, roles: ['nav-lead'], navOffice: 'nav-stjordal' };
    expect((await months(lead)).map((m) => m.referralsReceived)).toEqual([5, 0, 1, 0]);
    expect(await months({ ...team, municipalities: ['5037'] })).toEqual([]);
    expect(await months({ ...team, roles: ['nav-adviser'], navOffice: 'nav-stjordal' })).toEqual([]);
    expect(await months({ ...team, roles: ['landlord'], landlordId: 'enhet-bygg' })).toEqual([]);
  });
});
