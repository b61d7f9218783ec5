import { EventTypeMap, SqliteEventStore, type RecordedEvent } from '@evp/event-store';
import { ProjectionGenerations, applyBatch, decodeCursor, type ReadModelDb, type SqlProjection } from '@evp/read-models';
import { dumpTables, openThrowawayPostgres, openThrowawaySqlite, type ThrowawayReadModelDb } from '@evp/read-models/testing';
import { ReadModelReader } from '@evp/runtime';
import type { Caller } from '@evp/auth';
import { MeetingRuleError } from '@evp/cases-domain';
import { CasesProjection } from './cases-projection';
import { GetCaseHandler, GetCaseQuery } from './cases-queries';
import { ListMeetingsHandler, ListMeetingsQuery, MeetingPackHandler, MeetingPackQuery, MeetingReportHandler, MeetingReportQuery } from './arrears-team-queries';
import { registerCaseEventTypes } from './event-classes';
import { RecordArrearsTeamMeetingCommand, RecordArrearsTeamMeetingHandler, meetingIdOf } from './team-meeting-commands';
import { TeamMeetingsProjection } from './team-meetings-projection';

/** Literal events as they stand in the log. */
let position = 0;
const revisions = new Map<string, number>();
const recorded = (streamName: string, type: string, data: Record<string, unknown>, on: string, role = 'system'): RecordedEvent => {
  const revision = (revisions.get(streamName) ?? -1) + 1;
  revisions.set(streamName, revision);
  const occurredAt = `${on}T09:00:00.000Z`;
  return {
    id: `00000000-0000-5000-8000-${String(++position).padStart(12, '0')}`,
    streamName,
    revision,
    position: String(position).padStart(12, '0'),
    type,
    data: data as RecordedEvent['data'],
    metadata: { correlationId: 'c', causationId: null, actor: { id: 'a_x', role }, occurredAt, schemaVersion: 1 },
    recordedAt: occurredAt,
  };
};
const opened = (tenancyId: string, openedOn: string) =>
  recorded(
    `case-5035-${tenancyId}`,
    'cases.CaseOpened',
    {
      caseId: `5035-${tenancyId}-1`,
      caseNo: 1,
      municipalityNumber: '5035',
      tenancyId,
      navOffice: 'nav-stjordal',
      openedOn,
      firstContactDeadline: '2026-10-09',
      arrearsOre: 928200,
      monthlyRentOre: 928200,
      daysPastGrace: 1,
      reasons: [{ policy: 'arrearsReachMonthsOfRent', explanation: 'Restansen er 9 282,00 kr.' }],
    },
    openedOn,
  );

const OCTOBER_MEETING = '5035-2026-10-22-0a1b2c3d';
const NOVEMBER_MEETING = '5035-2026-11-19-9f8e7d6c';

function history(): RecordedEvent[] {
  position = 0;
  revisions.clear();
  return [
    opened('100234', '2026-10-02'),
    opened('100235', '2026-10-02'),
    opened('100236', '2026-11-02'),
    recorded('case-5035-100234', 'cases.CaseEscalatedToArrearsTeam', { caseId: '5035-100234-1', escalatedOn: '2026-10-12', reasons: [{ policy: 'noContactWithinDeadline', explanation: 'Ingen kontakt.' }] }, '2026-10-12'),
    recorded('case-5035-100234', 'cases.TeamDecisionRecorded', { caseId: '5035-100234-1', meetingId: OCTOBER_MEETING, decision: 'NAV kontakter husstanden.', decidedOn: '2026-10-22' }, '2026-10-22', 'arrears-team'),
    recorded(`meeting-${OCTOBER_MEETING}`, 'cases.ArrearsTeamMeetingHeld', { meetingId: OCTOBER_MEETING, municipalityNumber: '5035', heldOn: '2026-10-22', caseIds: ['5035-100234-1'] }, '2026-10-22', 'arrears-team'),
    recorded('case-5035-100234', 'cases.ContactRecorded', { caseId: '5035-100234-1', contactId: 'c1', channel: 'home-visit', contactedOn: '2026-10-22' }, '2026-10-22', 'nav-adviser'),
    recorded('case-5035-100235', 'cases.CaseResolved', { caseId: '5035-100235-1', resolvedOn: '2026-10-30', outcome: 'paid', explanation: 'Betalt.' }, '2026-10-30'),
    recorded('case-5035-100234', 'cases.TeamDecisionRecorded', { caseId: '5035-100234-1', meetingId: NOVEMBER_MEETING, decision: 'Tilby nedbetalingsavtale.', decidedOn: '2026-11-19' }, '2026-11-19', 'arrears-team'),
    recorded('case-5035-100236', 'cases.TeamDecisionRecorded', { caseId: '5035-100236-1', meetingId: NOVEMBER_MEETING, decision: 'Avvent betaling.', decidedOn: '2026-11-19' }, '2026-11-19', 'arrears-team'),
    recorded(`meeting-${NOVEMBER_MEETING}`, 'cases.ArrearsTeamMeetingHeld', { meetingId: NOVEMBER_MEETING, municipalityNumber: '5035', heldOn: '2026-11-19', caseIds: ['5035-100234-1', '5035-100236-1'] }, '2026-11-19', 'arrears-team'),
    recorded('case-5035-100236', 'cases.ContactRecorded', { caseId: '5035-100236-1', contactId: 'c2', channel: 'phone', contactedOn: '2026-11-20' }, '2026-11-20', 'accounting'),
  ];
}

const team: Caller = { actorId: 'a_team', roles: ['arrears-team'], municipalities: ['5035'], navOffice: null, landlordId: null, landlordPersonId: null };
const accounting: Caller = { ...team, roles: ['accounting'] };

describe.each([
  ['SQLite', openThrowawaySqlite],
  ['PostgreSQL', openThrowawayPostgres],
])('the husleierestanseteam’s meetings on %s', (_engine, open) => {
  const types = registerCaseEventTypes(new EventTypeMap());
  const projections: SqlProjection[] = [new CasesProjection(types) as SqlProjection, new TeamMeetingsProjection(types) as SqlProjection];
  let store: ThrowawayReadModelDb;
  let db: ReadModelDb;
  let reader: ReadModelReader;

  beforeAll(async () => {
    store = await open({ label: 'team' });
    db = store.db;
    reader = new ReadModelReader(db);
    const events = history();
    for (const projection of projections) {
      const generations = new ProjectionGenerations(db);
      const target = await generations.beginWithTables(projection);
      await applyBatch(db, projection, target, events.slice(0, 6), (events[5] as RecordedEvent).position);
      await applyBatch(db, projection, target, events.slice(6), (events[events.length - 1] as RecordedEvent).position);
      await generations.switchTo(projection.name, target.generation);
    }
  });
  afterAll(async () => {
    await store.dispose();
  });

  it('a rebuild of the meetings, event by event, gives identical tables', async () => {
    const generations = new ProjectionGenerations(db);
    const projection = projections[1] as SqlProjection;
    const active = (await generations.active(projection.name)) as { tables: Record<string, string> };
    const rebuilt = await generations.beginWithTables(projection);
    for (const e of history()) await applyBatch(db, projection, rebuilt, [e], e.position);
    expect(await dumpTables(db, rebuilt.tables)).toEqual(await dumpTables(db, active.tables));
  });

  it('the case timeline shows the team’s decisions', async () => {
    const found = await new GetCaseHandler(reader).execute(new GetCaseQuery(team, '5035-100234-1'));
    expect(found?.timeline.filter((t) => t.type === 'cases.TeamDecisionRecorded').map((t) => [t.on, t.summary, t.actorRole])).toEqual([
      ['2026-10-22', 'Vedtak i husleierestanseteamets møte 2026-10-22: NAV kontakter husstanden.', 'arrears-team'],
      ['2026-11-19', 'Vedtak i husleierestanseteamets møte 2026-11-19: Tilby nedbetalingsavtale.', 'arrears-team'],
    ]);
  });

  it('the pack for the next meeting: every case at risk, escalated first, with what changed since the last meeting and the figures', async () => {
    const pack = await new MeetingPackHandler(reader).execute(new MeetingPackQuery(team, '5035'));
    expect(pack).toEqual({
      since: '2026-11-19',
      cases: [
        {
          caseId: '5035-100234-1',
          tenancyId: '100234',
          status: 'escalated',
          reasons: [
            { policy: 'arrearsReachMonthsOfRent', explanation: 'Restansen er 9 282,00 kr.' },
            { policy: 'noContactWithinDeadline', explanation: 'Ingen kontakt.' },
          ],
          // The last meeting's own decision is not news to the team.
          changesSinceLastMeeting: [],
        },
        { caseId: '5035-100236-1', tenancyId: '100236', status: 'open', reasons: [{ policy: 'arrearsReachMonthsOfRent', explanation: 'Restansen er 9 282,00 kr.' }], changesSinceLastMeeting: [{ on: '2026-11-20', summary: 'Kontakt registrert (telefon).' }] },
      ],
      figures: { activeCases: 2, escalated: 1, openedSinceLastMeeting: 0, resolvedSinceLastMeeting: 0 },
      truncated: false,
    });
  });

  it("a meeting's report: its decisions, and the pack between the meeting before it and this one", async () => {
    const report = await new MeetingReportHandler(reader).execute(new MeetingReportQuery(team, NOVEMBER_MEETING));
    expect(report?.decisions).toEqual([
      { caseId: '5035-100234-1', decision: 'Tilby nedbetalingsavtale.' },
      { caseId: '5035-100236-1', decision: 'Avvent betaling.' },
    ]);
    expect(report?.pack.since).toBe('2026-10-22');
    expect(report?.pack.cases.map((c) => [c.caseId, c.changesSinceLastMeeting.map((x) => x.on)])).toEqual([
      ['5035-100234-1', ['2026-10-22']],
      ['5035-100236-1', ['2026-11-02']],
    ]);
    expect(report?.pack.figures).toEqual({ activeCases: 2, escalated: 1, openedSinceLastMeeting: 1, resolvedSinceLastMeeting: 1 });
    expect(await new MeetingReportHandler(reader).execute(new MeetingReportQuery(accounting, NOVEMBER_MEETING))).toBeUndefined();
    expect(await new MeetingReportHandler(reader).execute(new MeetingReportQuery({ ...team, municipalities: ['5037'] }, NOVEMBER_MEETING))).toBeUndefined();
  });

  it('lists the meetings newest first in keyset pages', async () => {
    const list = new ListMeetingsHandler(reader);
    const first = await list.execute(new ListMeetingsQuery(team, '5035', undefined, 1));
    expect(first.items).toEqual([{ meetingId: NOVEMBER_MEETING, heldOn: '2026-11-19', decisions: 2 }]);
    const second = await list.execute(new ListMeetingsQuery(team, '5035', decodeCursor(first.nextCursor, 2), 1));
    expect(second).toEqual({ items: [{ meetingId: OCTOBER_MEETING, heldOn: '2026-10-22', decisions: 1 }], nextCursor: null });
  });
});

describe('recording a meeting (command handler on the event store)', () => {
  const types = registerCaseEventTypes(new EventTypeMap());
  let store: SqliteEventStore;
  const causation = { id: 'ignored', correlationId: 'corr', actor: { id: 'a_team', role: 'arrears-team' }, now: new Date('2026-11-19T14:00:00+01:00') };
  const meeting = { municipalityNumber: '5035', heldOn: '2026-11-19', decisions: [{ caseId: '5035-100234-1', decision: 'Tilby nedbetalingsavtale.' }] };

  beforeEach(async () => {
    store = new SqliteEventStore({ file: ':memory:' });
    const [event] = history();
    const e = event as RecordedEvent;
    await store.appendToStream(e.streamName, [{ id: e.id, type: e.type, data: e.data, metadata: e.metadata }], { expectedRevision: 'no_stream' });
  });
  afterEach(async () => {
    await store.close();
  });

  it('appends the decision to the case, then the meeting; recording it again appends nothing', async () => {
    const handler = new RecordArrearsTeamMeetingHandler(store, types);
    const meetingId = meetingIdOf(meeting);
    expect(meetingId).toMatch(/^5035-2026-11-19-[0-9a-f]{8}$/);
    expect(await handler.execute(new RecordArrearsTeamMeetingCommand(team, meeting, causation))).toEqual({ meetingId, recorded: true, decisionsRecorded: 1 });
    expect((await store.readStream('case-5035-100234')).map((e) => [e.type, e.data])).toEqual([
      ['cases.CaseOpened', expect.anything()],
      ['cases.TeamDecisionRecorded', { caseId: '5035-100234-1', meetingId, decision: 'Tilby nedbetalingsavtale.', decidedOn: '2026-11-19' }],
    ]);
    expect((await store.readStream(`meeting-${meetingId}`)).map((e) => [e.type, e.data, e.metadata.actor])).toEqual([
      ['cases.ArrearsTeamMeetingHeld', { meetingId, municipalityNumber: '5035', heldOn: '2026-11-19', caseIds: ['5035-100234-1'] }, { id: 'a_team', role: 'arrears-team' }],
    ]);
    expect(await handler.execute(new RecordArrearsTeamMeetingCommand(team, meeting, { ...causation, now: new Date('2026-12-01T10:00:00Z') }))).toEqual({ meetingId, recorded: false, decisionsRecorded: 0 });
  });

  it('refuses the whole meeting, writing nothing, when a case is unknown, out of reach, or a text is refused', async () => {
    const handler = new RecordArrearsTeamMeetingHandler(store, types);
    const refused = (m: typeof meeting, caller: Caller = team) =>
      handler.execute(new RecordArrearsTeamMeetingCommand(caller, m, causation)).then(
        () => undefined,
        (error: unknown) => (error instanceof MeetingRuleError ? error.problems : error),
      );
    expect(await refused({ ...meeting, decisions: [...meeting.decisions, { caseId: '5035-100999-1', decision: 'Ok.' }] })).toEqual([{ field: 'decisions.1.caseId', reason: 'saken finnes ikke' }]);
    expect(await refused({ ...meeting, decisions: [{ caseId: '5035-100234-1', decision: '@SUM(A1)' }] })).toEqual([{ field: 'decisions.0.decision', reason: expect.stringContaining('regnearkformel') }]);
    expect(await refused(meeting, { ...team, municipalities: ['5037'] })).toEqual([{ field: 'municipality', reason: expect.any(String) }]);
    expect(await refused(meeting, accounting)).toEqual([{ field: 'municipality', reason: expect.any(String) }]);
    expect((await store.readStream('case-5035-100234')).map((e) => e.type)).toEqual(['cases.CaseOpened']);
  });
});
