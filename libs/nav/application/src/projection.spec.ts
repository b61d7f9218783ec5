import { EventTypeMap, SqliteEventStore, type RecordedEvent } from '@evp/event-store';
import { ProjectionGenerations, applyBatch, decodeCursor, type ReadModelDb } from '@evp/read-models';
import { dumpTables, openThrowawayPostgres, openThrowawaySqlite, type ThrowawayReadModelDb } from '@evp/read-models/testing';
import { ReadModelReader } from '@evp/runtime';
import { FixedClock } from '@evp/shared-kernel';
import type { Caller } from '@evp/auth';
import { NavReadAudit } from './audit';
import { registerNavEventTypes } from './event-classes';
import type { NavNoteVault } from './notes';
import { NavProjection } from './projection';
import { NavAlertsHandler, NavAlertsQuery, NavAuditHandler, NavAuditQuery, NavInboxHandler, NavInboxQuery, NavRecordHandler, NavRecordQuery, NavSummaryHandler, NavSummaryQuery } from './queries';

/** Literal events as they stand in the log. */
let position = 0;
const recorded = (streamName: string, revision: number, type: string, data: Record<string, unknown>, occurredAt: string, actor = { id: 'workflow-nav', role: 'system' }, schemaVersion = 1): RecordedEvent => ({
  id: `00000000-0000-5000-8000-${String(++position).padStart(12, '0')}`,
  streamName,
  revision,
  position: String(position).padStart(12, '0'),
  type,
  data: data as RecordedEvent['data'],
  metadata: { correlationId: 'c', causationId: null, actor, occurredAt, schemaVersion },
  recordedAt: occurredAt,
});

const kariActor = { id: 'a_kari', role: 'nav-adviser' };
const received = (tenancyId: string, navOffice: string, referredOn: string, pickupDueOn: string, evictionOn: string | null = null) => ({
  caseId: `5035-${tenancyId}-1`,
  referralId: `5035-${tenancyId}-1.escalation.1`,
  municipalityNumber: '5035',
  tenancyId,
  navOffice,
  source: 'escalation',
  referredOn,
  pickupDueOn,
  reasons: [{ policy: 'noContactWithinDeadline', explanation: 'Ingen kontakt.' }],
  petitionOn: null,
  evictionOn,
  pickedUpOn: null,
});

const NOTE = '7f2c0c4e-2b8e-5c1d-9a51-0c7a2f3b9d11';

function history(): RecordedEvent[] {
  position = 0;
  return [
    recorded('nav-5035-100234', 0, 'nav.ReferralReceived', received('100234', 'nav-stjordal', '2026-11-16', '2026-11-19'), '2026-11-16T08:00:00.000Z'),
    recorded('nav-5035-100235', 0, 'nav.ReferralReceived', received('100235', 'nav-stjordal', '2026-11-16', '2026-11-19', '2026-12-01'), '2026-11-16T08:00:00.000Z'),
    recorded('nav-5035-100236', 0, 'nav.ReferralReceived', received('100236', 'nav-stjordal', '2026-11-16', '2026-11-19'), '2026-11-16T08:00:00.000Z'),
    recorded('nav-5035-100237', 0, 'nav.ReferralReceived', received('100237', 'nav-levanger', '2026-11-16', '2026-11-19'), '2026-11-16T08:00:00.000Z'),
    recorded('nav-5035-100234', 1, 'nav.ReferralClaimed', { caseId: '5035-100234-1', adviser: { actorId: 'a_kari', role: 'nav-adviser' }, claimedOn: '2026-11-17', pickedUp: ['5035-100234-1.escalation.1'] }, '2026-11-17T09:00:00.000Z', kariActor),
    recorded('nav-5035-100234', 2, 'nav.ContactMade', { caseId: '5035-100234-1', contactId: 'c1', channel: 'phone', contactedOn: '2026-11-17', noteRef: NOTE }, '2026-11-17T09:10:00.000Z', kariActor),
    recorded('nav-5035-100234', 3, 'nav.HouseholdFlagsSet', { caseId: '5035-100234-1', vulnerable: false, childrenInHousehold: true, setOn: '2026-11-17' }, '2026-11-17T09:20:00.000Z', kariActor),
    recorded(
      'nav-5035-100234',
      4,
      'nav.FinancialAssistanceDecided',
      { caseId: '5035-100234-1', assistanceId: 'fa1', paragraph: '19', form: 'grant', amountOre: 928200, decidedOn: '2026-11-18', outcome: 'granted', expectedPaymentOn: '2026-11-25', reasonRef: null },
      '2026-11-18T09:00:00.000Z',
      kariActor,
    ),
    recorded(
      'nav-5035-100234',
      5,
      'nav.PaymentPlanAgreed',
      { caseId: '5035-100234-1', planId: 'plan-1', agreedOn: '2026-11-18', instalments: [{ dueOn: '2026-12-01', amountOre: 464100 }], toleranceDays: 5, startOverdueOre: 928200 },
      '2026-11-18T09:30:00.000Z',
      kariActor,
    ),
    recorded(
      'nav-5035-100234',
      6,
      'nav.PaymentPlanBreached',
      { caseId: '5035-100234-1', planId: 'plan-1', breachNo: 1, detectedOn: '2026-12-07', instalmentNo: 1, instalmentDueOn: '2026-12-01', expectedOverdueOre: 464100, actualOverdueOre: 928200 },
      '2026-12-07T00:00:00.000Z',
    ),
    recorded(
      'nav-5035-100236',
      1,
      'nav.ReferralPickupOverdue',
      { caseId: '5035-100236-1', referralId: '5035-100236-1.escalation.1', pickupDueOn: '2026-11-19', escalatedOn: '2026-11-20', escalatedTo: ['nav-lead', 'arrears-team'], reason: 'Ingen veileder har tatt henvisningen.' },
      '2026-11-20T00:00:00.000Z',
    ),
  ];
}

const base: Caller = { actorId: 'a_x', roles: [], municipalities: ['5035'], navOffice: null, landlordId: null, landlordPersonId: null };
const kari: Caller = { ...base, actorId: 'a_kari', roles: ['nav-adviser'], navOffice: 'nav-stjordal' };
const lead: Caller = { ...base, actorId: 'a_lead', roles: ['nav-lead'], navOffice: 'nav-stjordal' };
const levanger: Caller = { ...base, actorId: 'a_lev', roles: ['nav-adviser'], navOffice: 'nav-levanger' };
const team: Caller = { ...base, actorId: 'a_team', roles: ['arrears-team'] };
const accounting: Caller = { ...base, actorId: 'a_acc', roles: ['accounting'] };
const landlord: Caller = { ...base, actorId: 'a_land', roles: ['landlord'], landlordId: 'enhet-bygg' };

const vault: NavNoteVault = {
  seal: async () => undefined,
  open: async (ids) => new Map(ids.map((id) => [id, id === NOTE ? 'Leietaker ba om ringetid etter kl. 15.' : null])),
};

describe.each([
  ['SQLite', openThrowawaySqlite],
  ['PostgreSQL', openThrowawayPostgres],
])('NAV projection and queries on %s', (_engine, open) => {
  const types = registerNavEventTypes(new EventTypeMap());
  const projection = new NavProjection(types);
  const clock = new FixedClock(new Date('2026-11-20T10:00:00+01:00'));
  let rm: ThrowawayReadModelDb;
  let db: ReadModelDb;
  let reader: ReadModelReader;
  let store: SqliteEventStore;
  let audit: NavReadAudit;

  /** Projects the audit events the queries appended, so the lead can read them back. */
  const projectAudit = async () => {
    const generations = new ProjectionGenerations(db);
    const active = await generations.active('nav');
    const events = (await store.readAll({ filter: { streamPrefixes: ['navaudit-'] } })).map((e, i) => ({ ...e, position: `9${String(i).padStart(11, '0')}` }));
    if (active && events.length) await applyBatch(db, projection, active, events, (events[events.length - 1] as RecordedEvent).position);
  };

  beforeAll(async () => {
    rm = await open({ label: 'nav' });
    db = rm.db;
    reader = new ReadModelReader(db);
    store = new SqliteEventStore({ file: ':memory:' });
    audit = new NavReadAudit(store, clock);
    const generations = new ProjectionGenerations(db);
    const target = await generations.beginWithTables(projection);
    const events = history();
    await applyBatch(db, projection, target, events.slice(0, 6), (events[5] as RecordedEvent).position);
    await applyBatch(db, projection, target, events.slice(6), (events[events.length - 1] as RecordedEvent).position);
    await generations.switchTo('nav', target.generation);
  });
  afterAll(async () => {
    await store.close();
    await rm.dispose();
  });

  it('a rebuild, in any batching, gives identical tables', async () => {
    const generations = new ProjectionGenerations(db);
    const active = (await generations.active('nav')) as { tables: Record<string, string> };
    const rebuilt = await generations.beginWithTables(projection);
    for (const e of history()) await applyBatch(db, projection, rebuilt, [e], e.position);
    expect(await dumpTables(db, rebuilt.tables)).toEqual(await dumpTables(db, active.tables));
  });

  it('the office inbox: a known eviction date first, then children, then the rest by pickup limit; one keyset page at a time', async () => {
    const inbox = new NavInboxHandler(reader, clock, audit);
    const first = await inbox.execute(new NavInboxQuery(kari, 'open', undefined, 2));
    expect(first.items.map((i) => [i.caseId, i.priority, i.sortOn, i.status])).toEqual([
      ['5035-100235-1', 0, '2026-12-01', 'unclaimed'],
      ['5035-100234-1', 1, '2026-11-16', 'claimed'],
    ]);
    expect(first.items[0]?.priorityReasons).toEqual(['Utkastelse 2026-12-01', 'Må tas innen 2026-11-19']);
    expect(first.items[1]).toMatchObject({ mine: true, childrenInHousehold: true, priorityReasons: ['Barn i husstanden'], planBreached: true, assignee: { actorId: 'a_kari', role: 'nav-adviser' } });
    const second = await inbox.execute(new NavInboxQuery(kari, 'open', decodeCursor(first.nextCursor, 3), 2));
    expect(second.items.map((i) => [i.caseId, i.priority, i.sortOn])).toEqual([['5035-100236-1', 2, '2026-11-19']]);
    expect(second.items[0]).toMatchObject({ pickupOverdue: true, pickupDueOn: '2026-11-19' });
    expect(second.nextCursor).toBeNull();
    expect((await inbox.execute(new NavInboxQuery(kari, 'unclaimed', undefined, 10))).items.map((i) => i.caseId)).toEqual(['5035-100235-1', '5035-100236-1']);
    expect((await inbox.execute(new NavInboxQuery(kari, 'mine', undefined, 10))).items.map((i) => i.caseId)).toEqual(['5035-100234-1']);
  });

  it('another office sees only its own referrals; other roles have no inbox', async () => {
    const inbox = new NavInboxHandler(reader, clock, audit);
    expect((await inbox.execute(new NavInboxQuery(levanger, 'open', undefined, 10))).items.map((i) => i.caseId)).toEqual(['5035-100237-1']);
    expect((await inbox.execute(new NavInboxQuery(team, 'open', undefined, 10))).items).toEqual([]);
  });

  it("the handling office's adviser reads the whole record with its notes; the audit's two questions are answered", async () => {
    const record = await new NavRecordHandler(reader, clock, audit, vault).execute(new NavRecordQuery(kari, '5035-100234-1'));
    expect(record?.timeline.map((t) => [t.on, t.type, t.actor.role])).toEqual([
      ['2026-11-16', 'nav.ReferralReceived', 'system'],
      ['2026-11-17', 'nav.ReferralClaimed', 'nav-adviser'],
      ['2026-11-17', 'nav.ContactMade', 'nav-adviser'],
      ['2026-11-17', 'nav.HouseholdFlagsSet', 'nav-adviser'],
      ['2026-11-18', 'nav.FinancialAssistanceDecided', 'nav-adviser'],
      ['2026-11-18', 'nav.PaymentPlanAgreed', 'nav-adviser'],
      ['2026-12-07', 'nav.PaymentPlanBreached', 'system'],
    ]);
    expect(record?.timeline[2]?.notes).toEqual(['Leietaker ba om ringetid etter kl. 15.']);
    expect(record?.timeline[4]?.summary).toBe('Økonomisk stønad etter sosialtjenesteloven § 19 (bidrag) på 9\u00a0282,00 kr: innvilget, forventet utbetalt 2026-11-25.');
    expect(record).toMatchObject({ helpOnItsWay: true, nextDate: '2026-11-25', auditAnswers: { requests: 0, withWrittenDecision: 0 } });
    expect(record?.financialAssistance[0]).toMatchObject({ amountOre: 928200, onItsWay: true });
  });

  it('the husleierestanseteam gets a summary without amounts or notes; landlords, accounting and another office get nothing', async () => {
    const summary = await new NavSummaryHandler(reader, clock, audit).execute(new NavSummaryQuery(team, '5035-100234-1'));
    expect(summary).toEqual({ caseId: '5035-100234-1', navHasIt: true, status: 'followed-up', nextDate: '2026-11-25', helpOnItsWay: true, pickupOverdue: false, planBreached: true });
    const records = new NavRecordHandler(reader, clock, audit, vault);
    for (const caller of [team, accounting, landlord, levanger]) expect(await records.execute(new NavRecordQuery(caller, '5035-100234-1'))).toBeUndefined();
    for (const caller of [accounting, landlord, levanger]) expect(await new NavSummaryHandler(reader, clock, audit).execute(new NavSummaryQuery(caller, '5035-100234-1'))).toBeUndefined();
  });

  it('what must be told reaches the lead, the adviser, and (as a summary) the team', async () => {
    const alerts = new NavAlertsHandler(reader, clock);
    expect((await alerts.execute(new NavAlertsQuery(lead, undefined, 10))).items.map((a) => [a.caseId, a.kind])).toEqual([
      ['5035-100234-1', 'plan-breached'],
      ['5035-100236-1', 'pickup-overdue'],
    ]);
    expect((await alerts.execute(new NavAlertsQuery(kari, undefined, 10))).items.map((a) => a.kind)).toEqual(['plan-breached']);
    expect((await alerts.execute(new NavAlertsQuery(team, undefined, 10))).items).toEqual([
      expect.objectContaining({ caseId: '5035-100234-1', kind: 'plan-breached', summary: 'Nedbetalingsavtalen er brutt (avdrag med forfall 2026-12-01).' }),
      expect.objectContaining({ caseId: '5035-100236-1', kind: 'pickup-overdue', summary: 'Henvisningen er ikke tatt av NAV innen fristen 2026-11-19.' }),
    ]);
    expect((await alerts.execute(new NavAlertsQuery(levanger, undefined, 10))).items).toEqual([]);
  });

  it('every read by a person is audited (who, when, which case, what they saw), readable by the office lead only', async () => {
    await projectAudit();
    const log = await new NavAuditHandler(reader, clock).execute(new NavAuditQuery(lead, '5035-100234-1', undefined, 100));
    const seen = log.items.map((i) => `${i.reader.actorId}:${i.view}:${i.outcome}`);
    for (const expected of ['a_kari:record:shown', 'a_team:summary:summary', 'a_team:record:denied', 'a_acc:record:denied', 'a_land:record:denied', 'a_lev:record:denied', 'a_acc:summary:denied', 'a_kari:inbox:shown']) {
      expect(seen).toContain(expected);
    }
    expect((await new NavAuditHandler(reader, clock).execute(new NavAuditQuery(kari, undefined, undefined, 100))).items).toEqual([]);
  });
});

/**
 * The tenancy moved to another NAV office: 100240 was claimed at Stjørdal (a plan, a breach told to
 * Kari and the team); 100241 was never claimed there and escalated; 100242 stays at Stjørdal.
 */
/**
 * One NAV scenario on a fresh read-model store: its literal history applied in one batch and
 * switched in, a reader and the read audit over a throwaway event store, and the proof that a
 * rebuild one event at a time gives identical tables (named `rebuildTitle`). Its parts are on the
 * returned object once `beforeAll` has run.
 */
function navScenario(open: typeof openThrowawaySqlite, label: string, history: () => RecordedEvent[], now: string, rebuildTitle: string) {
  const projection = new NavProjection(registerNavEventTypes(new EventTypeMap()));
  const s = { projection, clock: new FixedClock(new Date(now)) } as {
    readonly projection: NavProjection;
    readonly clock: FixedClock;
    rm: ThrowawayReadModelDb;
    db: ReadModelDb;
    reader: ReadModelReader;
    store: SqliteEventStore;
    audit: NavReadAudit;
  };

  beforeAll(async () => {
    s.rm = await open({ label });
    s.db = s.rm.db;
    s.reader = new ReadModelReader(s.db);
    s.store = new SqliteEventStore({ file: ':memory:' });
    s.audit = new NavReadAudit(s.store, s.clock);
    const generations = new ProjectionGenerations(s.db);
    const target = await generations.beginWithTables(projection);
    // One batch: the alerts of this very batch move with their case.
    const events = history();
    await applyBatch(s.db, projection, target, events, (events[events.length - 1] as RecordedEvent).position);
    await generations.switchTo('nav', target.generation);
  });
  afterAll(async () => {
    await s.store.close();
    await s.rm.dispose();
  });

  it(rebuildTitle, async () => {
    const generations = new ProjectionGenerations(s.db);
    const active = (await generations.active('nav')) as { tables: Record<string, string> };
    const rebuilt = await generations.beginWithTables(projection);
    for (const e of history()) await applyBatch(s.db, projection, rebuilt, [e], e.position);
    expect(await dumpTables(s.db, rebuilt.tables)).toEqual(await dumpTables(s.db, active.tables));
  });
  return s;
}

function transferHistory(): RecordedEvent[] {
  position = 0;
  const c40 = '5035-100240-1';
  const c41 = '5035-100241-1';
  return [
    recorded('nav-5035-100240', 0, 'nav.ReferralReceived', received('100240', 'nav-stjordal', '2026-11-16', '2026-11-19'), '2026-11-16T08:00:00.000Z'),
    recorded('nav-5035-100241', 0, 'nav.ReferralReceived', received('100241', 'nav-stjordal', '2026-11-16', '2026-11-19'), '2026-11-16T08:00:00.000Z'),
    recorded('nav-5035-100242', 0, 'nav.ReferralReceived', received('100242', 'nav-stjordal', '2026-11-16', '2026-11-19'), '2026-11-16T08:00:00.000Z'),
    recorded('nav-5035-100240', 1, 'nav.ReferralClaimed', { caseId: c40, adviser: { actorId: 'a_kari', role: 'nav-adviser' }, claimedOn: '2026-11-17', pickedUp: [`${c40}.escalation.1`] }, '2026-11-17T09:00:00.000Z', kariActor),
    recorded(
      'nav-5035-100240',
      2,
      'nav.PaymentPlanAgreed',
      { caseId: c40, planId: 'plan-1', agreedOn: '2026-11-18', instalments: [{ dueOn: '2026-12-01', amountOre: 464100 }], toleranceDays: 5, startOverdueOre: 928200 },
      '2026-11-18T09:30:00.000Z',
      kariActor,
    ),
    recorded(
      'nav-5035-100241',
      1,
      'nav.ReferralPickupOverdue',
      { caseId: c41, referralId: `${c41}.escalation.1`, pickupDueOn: '2026-11-19', escalatedOn: '2026-11-20', escalatedTo: ['nav-lead', 'arrears-team'], reason: 'Ingen veileder har tatt henvisningen.' },
      '2026-11-20T00:00:00.000Z',
    ),
    recorded(
      'nav-5035-100241',
      2,
      'nav.FollowUpTransferred',
      {
        caseId: c41,
        fromOffice: 'nav-stjordal',
        toOffice: 'nav-levanger',
        transferredOn: '2026-11-23',
        previousAdviser: null,
        referralId: `${c41}.transfer.1`,
        pickupDueOn: '2026-11-26',
        supersededReferrals: [`${c41}.escalation.1`],
      },
      '2026-11-23T07:00:00.000Z',
    ),
    recorded(
      'nav-5035-100240',
      3,
      'nav.PaymentPlanBreached',
      { caseId: c40, planId: 'plan-1', breachNo: 1, detectedOn: '2026-12-07', instalmentNo: 1, instalmentDueOn: '2026-12-01', expectedOverdueOre: 464100, actualOverdueOre: 928200 },
      '2026-12-07T00:00:00.000Z',
    ),
    recorded(
      'nav-5035-100240',
      4,
      'nav.FollowUpTransferred',
      {
        caseId: c40,
        fromOffice: 'nav-stjordal',
        toOffice: 'nav-levanger',
        transferredOn: '2026-12-08',
        previousAdviser: { actorId: 'a_kari', role: 'nav-adviser' },
        referralId: `${c40}.transfer.1`,
        pickupDueOn: '2026-12-11',
        supersededReferrals: [],
      },
      '2026-12-08T07:00:00.000Z',
    ),
  ];
}

describe.each([
  ['SQLite', openThrowawaySqlite],
  ['PostgreSQL', openThrowawayPostgres],
])('NAV projection and queries on %s: the follow-up moves with the tenancy to another NAV office', (_engine, open) => {
  const s = navScenario(open, 'navmove', transferHistory, '2026-12-09T10:00:00+01:00', 'a rebuild one event at a time (alerts of earlier batches moved in the table) gives identical tables');
  const levangerLead: Caller = { ...base, actorId: 'a_levlead', roles: ['nav-lead'], navOffice: 'nav-levanger' };


  it("the new office's inbox shows both unclaimed, with pickup limits counted from the transfer; the old office keeps only its own", async () => {
    const inbox = new NavInboxHandler(s.reader, s.clock, s.audit);
    const there = await inbox.execute(new NavInboxQuery(levanger, 'unclaimed', undefined, 10));
    expect(there.items.map((i) => [i.caseId, i.status, i.assignee, i.pickupDueOn, i.pickupOverdue, i.priorityReasons])).toEqual([
      ['5035-100241-1', 'unclaimed', null, '2026-11-26', false, ['Må tas innen 2026-11-26']],
      ['5035-100240-1', 'unclaimed', null, '2026-12-11', false, ['Må tas innen 2026-12-11']],
    ]);
    expect(there.items[1]?.referrals.map((r) => [r.source, r.referredOn, r.pickedUpOn])).toEqual([
      ['escalation', '2026-11-16', '2026-11-17'],
      ['transfer', '2026-12-08', null],
    ]);
    expect((await inbox.execute(new NavInboxQuery(kari, 'open', undefined, 10))).items.map((i) => i.caseId)).toEqual(['5035-100242-1']);
    expect((await inbox.execute(new NavInboxQuery(kari, 'mine', undefined, 10))).items).toEqual([]);
  });

  it("the old office's adviser gets nothing (a 404, audited); the new office's adviser reads the whole record, the transfer on its timeline", async () => {
    const records = new NavRecordHandler(s.reader, s.clock, s.audit, vault);
    expect(await records.execute(new NavRecordQuery(kari, '5035-100240-1'))).toBeUndefined();
    expect(await records.execute(new NavRecordQuery(lead, '5035-100240-1'))).toBeUndefined();
    const record = await records.execute(new NavRecordQuery(levanger, '5035-100240-1'));
    expect(record).toMatchObject({ navOffice: 'nav-levanger', status: 'unclaimed', assignee: null, paymentPlans: [{ planId: 'plan-1', status: 'active' }] });
    expect(record?.timeline.map((t) => [t.on, t.type])).toEqual([
      ['2026-11-16', 'nav.ReferralReceived'],
      ['2026-11-17', 'nav.ReferralClaimed'],
      ['2026-11-18', 'nav.PaymentPlanAgreed'],
      ['2026-12-07', 'nav.PaymentPlanBreached'],
      ['2026-12-08', 'nav.FollowUpTransferred'],
    ]);
    expect(record?.timeline[4]?.summary).toBe(
      'Overført fra nav-stjordal til nav-levanger fordi leieforholdet har fått nytt NAV-kontor. Veilederen ved det forrige kontoret har ikke lenger saken; den må tas av en veileder ved nav-levanger innen 2026-12-11.',
    );
    const other = await records.execute(new NavRecordQuery(levanger, '5035-100241-1'));
    expect(other?.timeline.at(-1)?.summary).toBe('Overført fra nav-stjordal til nav-levanger fordi leieforholdet har fått nytt NAV-kontor. Den må tas av en veileder ved nav-levanger innen 2026-11-26.');
    expect(await new NavSummaryHandler(s.reader, s.clock, s.audit).execute(new NavSummaryQuery(team, '5035-100240-1'))).toEqual({
      caseId: '5035-100240-1',
      navHasIt: false,
      status: 'awaiting-pickup',
      nextDate: '2026-12-11',
      helpOnItsWay: false,
      pickupOverdue: false,
      planBreached: true,
    });

    // Every read audited, under the office that now handles it: the new lead sees the old office's attempts.
    const generations = new ProjectionGenerations(s.db);
    const active = await generations.active('nav');
    const audits = (await s.store.readAll({ filter: { streamPrefixes: ['navaudit-'] } })).map((e, i) => ({ ...e, position: `9${String(i).padStart(11, '0')}` }));
    if (active) await applyBatch(s.db, s.projection, active, audits, (audits[audits.length - 1] as RecordedEvent).position);
    const log = await new NavAuditHandler(s.reader, s.clock).execute(new NavAuditQuery(levangerLead, '5035-100240-1', undefined, 100));
    expect(log.items.map((i) => `${i.reader.actorId}:${i.reader.navOffice}:${i.view}:${i.outcome}`).sort()).toEqual([
      'a_kari:nav-stjordal:record:denied',
      'a_lead:nav-stjordal:record:denied',
      'a_lev:nav-levanger:inbox:shown',
      'a_lev:nav-levanger:record:shown',
      'a_team:null:summary:summary',
    ]);
  });

  it("the case's alerts move with it; the old office is told only that it left (its lead, and the adviser who had it)", async () => {
    const alerts = new NavAlertsHandler(s.reader, s.clock);
    expect((await alerts.execute(new NavAlertsQuery(kari, undefined, 10))).items).toEqual([
      expect.objectContaining({ caseId: '5035-100240-1', kind: 'transferred', on: '2026-12-08', summary: 'Saken er overført til nav-levanger 2026-12-08 fordi leieforholdet har fått nytt NAV-kontor; den følges ikke lenger opp her.' }),
    ]);
    expect((await alerts.execute(new NavAlertsQuery(lead, undefined, 10))).items.map((a) => [a.caseId, a.kind])).toEqual([
      ['5035-100240-1', 'transferred'],
      ['5035-100241-1', 'transferred'],
    ]);
    expect((await alerts.execute(new NavAlertsQuery(levangerLead, undefined, 10))).items.map((a) => [a.caseId, a.kind])).toEqual([
      ['5035-100240-1', 'plan-breached'],
      ['5035-100241-1', 'pickup-overdue'],
    ]);
    expect((await alerts.execute(new NavAlertsQuery(team, undefined, 10))).items.map((a) => [a.caseId, a.kind])).toEqual([
      ['5035-100240-1', 'plan-breached'],
      ['5035-100241-1', 'pickup-overdue'],
    ]);
  });
});

/**
 * Released back to the office's inbox: 100250 was released before releases had a pickup limit
 * (stored at version 1: nothing waits); 100251 was released on 23 December (version 2: it waits,
 * three working days over Christmas, until 29 December); 100252 was released on 21 December and
 * nobody claimed it by 24 December, so it escalated.
 */
function releaseHistory(): RecordedEvent[] {
  position = 0;
  const kariData = { actorId: 'a_kari', role: 'nav-adviser' };
  const claim = (tenancyId: string) =>
    recorded(`nav-5035-${tenancyId}`, 1, 'nav.ReferralClaimed', { caseId: `5035-${tenancyId}-1`, adviser: kariData, claimedOn: '2026-11-17', pickedUp: [`5035-${tenancyId}-1.escalation.1`] }, '2026-11-17T09:00:00.000Z', kariActor);
  return [
    recorded('nav-5035-100250', 0, 'nav.ReferralReceived', received('100250', 'nav-stjordal', '2026-11-16', '2026-11-19'), '2026-11-16T08:00:00.000Z'),
    recorded('nav-5035-100251', 0, 'nav.ReferralReceived', received('100251', 'nav-stjordal', '2026-11-16', '2026-11-19'), '2026-11-16T08:00:00.000Z'),
    recorded('nav-5035-100252', 0, 'nav.ReferralReceived', received('100252', 'nav-stjordal', '2026-11-16', '2026-11-19'), '2026-11-16T08:00:00.000Z'),
    claim('100250'),
    claim('100251'),
    claim('100252'),
    recorded('nav-5035-100250', 2, 'nav.ReferralReleased', { caseId: '5035-100250-1', adviser: kariData, releasedOn: '2026-11-18', by: kariData }, '2026-11-18T09:00:00.000Z', kariActor, 1),
    recorded(
      'nav-5035-100252',
      2,
      'nav.ReferralReleased',
      { caseId: '5035-100252-1', adviser: kariData, releasedOn: '2026-12-21', by: kariData, referralId: '5035-100252-1.release.1', pickupDueOn: '2026-12-24' },
      '2026-12-21T09:00:00.000Z',
      kariActor,
      2,
    ),
    recorded(
      'nav-5035-100251',
      2,
      'nav.ReferralReleased',
      { caseId: '5035-100251-1', adviser: kariData, releasedOn: '2026-12-23', by: kariData, referralId: '5035-100251-1.release.1', pickupDueOn: '2026-12-29' },
      '2026-12-23T09:00:00.000Z',
      kariActor,
      2,
    ),
    recorded(
      'nav-5035-100252',
      3,
      'nav.ReferralPickupOverdue',
      {
        caseId: '5035-100252-1',
        referralId: '5035-100252-1.release.1',
        pickupDueOn: '2026-12-24',
        escalatedOn: '2026-12-25',
        escalatedTo: ['nav-lead', 'arrears-team'],
        reason: 'Ingen veileder har tatt henvisningen innen 3 virkedager etter at den kom 2026-12-21 (frist 2026-12-24).',
      },
      '2026-12-25T00:00:00.000Z',
    ),
  ];
}

describe.each([
  ['SQLite', openThrowawaySqlite],
  ['PostgreSQL', openThrowawayPostgres],
])('NAV projection and queries on %s: a follow-up released back to the inbox', (_engine, open) => {
  const s = navScenario(open, 'navrelease', releaseHistory, '2026-12-28T10:00:00+01:00', 'a rebuild one event at a time gives identical tables');


  it('the inbox shows a released follow-up waiting with its new pickup limit, by that limit; one released before releases had a limit waits with none', async () => {
    const inbox = new NavInboxHandler(s.reader, s.clock, s.audit);
    const unclaimed = await inbox.execute(new NavInboxQuery(kari, 'unclaimed', undefined, 10));
    expect(unclaimed.items.map((i) => [i.caseId, i.status, i.assignee, i.sortOn, i.pickupDueOn, i.pickupOverdue, i.priorityReasons])).toEqual([
      ['5035-100250-1', 'unclaimed', null, '2026-11-16', null, false, []],
      ['5035-100252-1', 'unclaimed', null, '2026-12-24', '2026-12-24', true, ['Må tas innen 2026-12-24']],
      ['5035-100251-1', 'unclaimed', null, '2026-12-29', '2026-12-29', false, ['Må tas innen 2026-12-29']],
    ]);
    expect(unclaimed.items[2]?.referrals.map((r) => [r.referralId, r.source, r.referredOn, r.pickupDueOn, r.pickedUpOn])).toEqual([
      ['5035-100251-1.escalation.1', 'escalation', '2026-11-16', '2026-11-19', '2026-11-17'],
      ['5035-100251-1.release.1', 'release', '2026-12-23', '2026-12-29', null],
    ]);
    expect(unclaimed.items[0]?.referrals.map((r) => r.source)).toEqual(['escalation']);
    expect((await inbox.execute(new NavInboxQuery(kari, 'mine', undefined, 10))).items).toEqual([]);
  });

  it('the timeline names the new pickup limit; the team sees it awaiting pickup, and the overdue release escalated', async () => {
    const records = new NavRecordHandler(s.reader, s.clock, s.audit, vault);
    const record = await records.execute(new NavRecordQuery(kari, '5035-100251-1'));
    expect(record?.timeline.map((t) => [t.on, t.type, t.summary])).toEqual([
      ['2026-11-16', 'nav.ReferralReceived', 'Henvisning mottatt (eskalert fra restansesaken); frist for å ta den: 2026-11-19.'],
      ['2026-11-17', 'nav.ReferralClaimed', 'Tatt av veileder.'],
      ['2026-12-23', 'nav.ReferralReleased', 'Frigitt til kontorets innboks; må tas av en veileder innen 2026-12-29.'],
    ]);
    expect((await records.execute(new NavRecordQuery(kari, '5035-100250-1')))?.timeline.at(-1)?.summary).toBe('Frigitt til kontorets innboks.');
    expect(await new NavSummaryHandler(s.reader, s.clock, s.audit).execute(new NavSummaryQuery(team, '5035-100251-1'))).toEqual({
      caseId: '5035-100251-1',
      navHasIt: false,
      status: 'awaiting-pickup',
      nextDate: '2026-12-29',
      helpOnItsWay: false,
      pickupOverdue: false,
      planBreached: false,
    });
    expect((await new NavAlertsHandler(s.reader, s.clock).execute(new NavAlertsQuery(team, undefined, 10))).items).toEqual([
      expect.objectContaining({ caseId: '5035-100252-1', kind: 'pickup-overdue', on: '2026-12-25', summary: 'Henvisningen er ikke tatt av NAV innen fristen 2026-12-24.' }),
    ]);
  });
});
