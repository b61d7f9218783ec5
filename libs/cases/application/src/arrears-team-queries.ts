import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Kysely } from 'kysely';
import type { LocalDate } from '@evp/shared-kernel';
import { keysetPage, type CursorValue } from '@evp/read-models';
import { READ_MODEL_READER, type ReadModelReader } from '@evp/runtime';
import { hasRole, mayActIn, type Caller } from '@evp/auth';
import { parseMeetingId, type PolicyReason } from '@evp/cases-domain';
import { CASES_PROJECTION, CASES_PROJECTION_VERSION, type CaseRow, type CaseStatus, type CaseTables } from './cases-projection';
import { TEAM_MEETINGS_PROJECTION, TEAM_MEETINGS_PROJECTION_VERSION, type TeamMeetingRow, type TeamMeetingTables } from './team-meetings-projection';

export interface MeetingPackCase {
  readonly caseId: string;
  readonly tenancyId: string;
  readonly status: CaseStatus;
  /** Why the case is at risk, as the rules state it: the opening reasons, then the escalation's. */
  readonly reasons: readonly PolicyReason[];
  /** The case's timeline since the last meeting, in bokmål. */
  readonly changesSinceLastMeeting: ReadonlyArray<{ readonly on: LocalDate; readonly summary: string }>;
}

/** The cases context's part of the pack; the api adds the ledger's arrears figure. */
export interface MeetingPackFigures {
  readonly activeCases: number;
  readonly escalated: number;
  /** Since the last meeting's day (exclusive); since the beginning when there was none. */
  readonly openedSinceLastMeeting: number;
  readonly resolvedSinceLastMeeting: number;
}

export interface MeetingPack {
  /** The last meeting's date, or null before the first. */
  readonly since: LocalDate | null;
  readonly cases: readonly MeetingPackCase[];
  readonly figures: MeetingPackFigures;
  /** True when more cases are at risk than one pack holds (MAX_PACK_CASES); the queue pages through all. */
  readonly truncated: boolean;
}

export interface MeetingReport {
  readonly meetingId: string;
  readonly municipalityNumber: string;
  readonly heldOn: LocalDate;
  readonly decisions: ReadonlyArray<{ readonly caseId: string; readonly decision: string }>;
  /** The pack as it stood for this meeting: changes between the meeting before it and this one. */
  readonly pack: MeetingPack;
}

export interface MeetingSummary {
  readonly meetingId: string;
  readonly heldOn: LocalDate;
  readonly decisions: number;
}

/** A pack is a document for one meeting, not a list to page: past this the team works from the queue. */
export const MAX_PACK_CASES = 500;
const CHUNK = 400;

/** The husleierestanseteam's pack for its next meeting: every case at risk, what changed since the last meeting, the figures. */
export class MeetingPackQuery {
  constructor(
    readonly caller: Caller,
    readonly municipalityNumber: string,
  ) {}
}

/** One recorded meeting with its decisions and its pack; undefined when it does not exist or is out of reach (404). */
export class MeetingReportQuery {
  constructor(
    readonly caller: Caller,
    readonly meetingId: string,
  ) {}
}

/** A municipality's meetings, newest first, one keyset page at a time. */
export class ListMeetingsQuery {
  constructor(
    readonly caller: Caller,
    readonly municipalityNumber: string,
    readonly after: readonly CursorValue[] | undefined,
    readonly limit: number,
  ) {}
}

const mayUse = (caller: Caller, municipality: string) => hasRole(caller, 'arrears-team', 'admin') && mayActIn(caller, municipality);

abstract class ArrearsTeamReader {
  constructor(protected readonly readModels: ReadModelReader) {}

  protected cases(): Promise<Kysely<CaseTables>> {
    return this.readModels.projection<CaseTables>(CASES_PROJECTION, CASES_PROJECTION_VERSION);
  }

  protected meetings(): Promise<Kysely<TeamMeetingTables>> {
    return this.readModels.projection<TeamMeetingTables>(TEAM_MEETINGS_PROJECTION, TEAM_MEETINGS_PROJECTION_VERSION);
  }

  /** The latest meeting of the municipality before `before` (by date, then id), or the latest of all. */
  protected async previousMeeting(municipality: string, before?: Pick<TeamMeetingRow, 'held_on' | 'meeting_id'>): Promise<TeamMeetingRow | undefined> {
    let query = (await this.meetings()).selectFrom('team_meetings').selectAll().where('municipality', '=', municipality);
    if (before) query = query.where((eb) => eb.or([eb('held_on', '<', before.held_on), eb.and([eb('held_on', '=', before.held_on), eb('meeting_id', '<', before.meeting_id)])]));
    return query.orderBy('held_on', 'desc').orderBy('meeting_id', 'desc').limit(1).executeTakeFirst();
  }

  /**
   * Every active case (escalated first, the longest-waiting first; then open cases, oldest first)
   * plus `include`, each with its timeline between `since` and `until`. Entries dated on the
   * meeting day itself count as new, except that meeting's own decisions: the team knows those.
   */
  protected async pack(municipality: string, since: LocalDate | null, until: LocalDate | null, include: readonly string[] = []): Promise<MeetingPack> {
    const db = await this.cases();
    const active = await db.selectFrom('case_list').selectAll().where('municipality', '=', municipality).where('active', '=', 1).orderBy('opened_on').orderBy('case_id').limit(MAX_PACK_CASES + 1).execute();
    const truncated = active.length > MAX_PACK_CASES;
    const rows = new Map<string, CaseRow>(active.slice(0, MAX_PACK_CASES).map((r) => [r.case_id, r]));
    const missing = include.filter((id) => !rows.has(id));
    for (let i = 0; i < missing.length; i += CHUNK) {
      for (const row of await db.selectFrom('case_list').selectAll().where('case_id', 'in', missing.slice(i, i + CHUNK)).execute()) rows.set(row.case_id, row);
    }
    const ids = [...rows.keys()];
    const changes = new Map<string, Array<{ on: string; summary: string }>>();
    for (let i = 0; i < ids.length; i += CHUNK) {
      let query = db.selectFrom('case_timeline').select(['case_id', 'on', 'type', 'summary', 'revision']).where('case_id', 'in', ids.slice(i, i + CHUNK));
      if (since) query = query.where('on', '>=', since);
      if (until) query = query.where('on', '<=', until);
      for (const t of await query.orderBy('case_id').orderBy('revision').execute()) {
        if (since && t.on === since && t.type === 'cases.TeamDecisionRecorded') continue;
        if (until && t.on === until && t.type === 'cases.TeamDecisionRecorded') continue;
        changes.set(t.case_id, [...(changes.get(t.case_id) ?? []), { on: t.on, summary: t.summary }]);
      }
    }
    const order = (r: CaseRow) => (r.status === 'escalated' ? `0|${r.escalated_on}|${r.case_id}` : r.status === 'open' ? `1|${r.opened_on}|${r.case_id}` : `2|${r.resolved_on}|${r.case_id}`);
    const cases = [...rows.values()]
      .sort((a, b) => order(a).localeCompare(order(b)))
      .map((r) => ({
        caseId: r.case_id,
        tenancyId: r.tenancy_id,
        status: r.status,
        reasons: [...(JSON.parse(r.opening_reasons) as PolicyReason[]), ...(JSON.parse(r.escalation_reasons) as PolicyReason[])],
        changesSinceLastMeeting: changes.get(r.case_id) ?? [],
      }));
    return { since, cases, figures: await this.figures(db, municipality, since), truncated };
  }

  private async figures(db: Kysely<CaseTables>, municipality: string, since: LocalDate | null): Promise<MeetingPackFigures> {
    const byStatus = await db.selectFrom('case_counts').select(['status']).select((eb) => eb.fn.sum<number>('n').as('n')).where('municipality', '=', municipality).groupBy('status').execute();
    const n = (status: CaseStatus) => Number(byStatus.find((s) => s.status === status)?.n ?? 0);
    let opened = db.selectFrom('case_list').select((eb) => eb.fn.countAll<number>().as('n')).where('municipality', '=', municipality);
    if (since) opened = opened.where('opened_on', '>', since);
    let resolved = db.selectFrom('case_list').select((eb) => eb.fn.countAll<number>().as('n')).where('municipality', '=', municipality).where('status', '=', 'resolved');
    if (since) resolved = resolved.where('resolved_on', '>', since);
    return {
      activeCases: n('open') + n('escalated'),
      escalated: n('escalated'),
      openedSinceLastMeeting: Number((await opened.executeTakeFirst())?.n ?? 0),
      resolvedSinceLastMeeting: Number((await resolved.executeTakeFirst())?.n ?? 0),
    };
  }
}

@QueryHandler(MeetingPackQuery)
export class MeetingPackHandler extends ArrearsTeamReader implements IQueryHandler<MeetingPackQuery, MeetingPack | undefined> {
  constructor(@Inject(READ_MODEL_READER) readModels: ReadModelReader) {
    super(readModels);
  }

  async execute(q: MeetingPackQuery): Promise<MeetingPack | undefined> {
    if (!mayUse(q.caller, q.municipalityNumber)) return undefined;
    const last = await this.previousMeeting(q.municipalityNumber);
    return this.pack(q.municipalityNumber, last?.held_on ?? null, null);
  }
}

@QueryHandler(MeetingReportQuery)
export class MeetingReportHandler extends ArrearsTeamReader implements IQueryHandler<MeetingReportQuery, MeetingReport | undefined> {
  constructor(@Inject(READ_MODEL_READER) readModels: ReadModelReader) {
    super(readModels);
  }

  async execute(q: MeetingReportQuery): Promise<MeetingReport | undefined> {
    const parsed = parseMeetingId(q.meetingId);
    if (!parsed || !mayUse(q.caller, parsed.municipalityNumber)) return undefined;
    const db = await this.meetings();
    const meeting = await db.selectFrom('team_meetings').selectAll().where('meeting_id', '=', q.meetingId).executeTakeFirst();
    if (!meeting || meeting.municipality !== parsed.municipalityNumber) return undefined;
    const decisions = await db.selectFrom('team_decisions').select(['case_id', 'decision']).where('meeting_id', '=', q.meetingId).orderBy('case_id').execute();
    const previous = await this.previousMeeting(meeting.municipality, meeting);
    const pack = await this.pack(
      meeting.municipality,
      previous?.held_on ?? null,
      meeting.held_on,
      decisions.map((d) => d.case_id),
    );
    return { meetingId: meeting.meeting_id, municipalityNumber: meeting.municipality, heldOn: meeting.held_on, decisions: decisions.map((d) => ({ caseId: d.case_id, decision: d.decision })), pack };
  }
}

@QueryHandler(ListMeetingsQuery)
export class ListMeetingsHandler extends ArrearsTeamReader implements IQueryHandler<ListMeetingsQuery, { items: MeetingSummary[]; nextCursor: string | null }> {
  constructor(@Inject(READ_MODEL_READER) readModels: ReadModelReader) {
    super(readModels);
  }

  async execute(q: ListMeetingsQuery): Promise<{ items: MeetingSummary[]; nextCursor: string | null }> {
    if (!mayUse(q.caller, q.municipalityNumber)) return { items: [], nextCursor: null };
    const db = await this.meetings();
    const page = await keysetPage(db.selectFrom('team_meetings').selectAll().where('municipality', '=', q.municipalityNumber), {
      order: [
        { column: 'held_on', direction: 'desc' },
        { column: 'meeting_id', direction: 'desc' },
      ],
      ...(q.after ? { after: q.after } : {}),
      limit: q.limit,
    });
    return { items: page.rows.map((r) => ({ meetingId: r.meeting_id, heldOn: r.held_on, decisions: (JSON.parse(r.case_ids) as string[]).length })), nextCursor: page.nextCursor };
  }
}
