import type { Kysely } from 'kysely';
import type { EventTypeMap, RecordedEvent } from '@evp/event-store';
import { OFF_PATH_GATHER_MS, type SqlProjection } from '@evp/read-models';
import { CASE_STREAM_PREFIX, MEETING_STREAM_PREFIX, type ArrearsTeamMeetingHeld, type TeamDecisionRecorded } from '@evp/cases-domain';

/** A meeting of the husleierestanseteam, listed once its own event is written (after its decisions). */
export interface TeamMeetingRow {
  meeting_id: string;
  municipality: string;
  held_on: string;
  recorded_at: string;
  /** JSON list of the cases it decided on. */
  case_ids: string;
}

export interface TeamDecisionRow {
  meeting_id: string;
  case_id: string;
  decision: string;
  decided_on: string;
  recorded_at: string;
}

export interface TeamMeetingTables {
  team_meetings: TeamMeetingRow;
  team_decisions: TeamDecisionRow;
}

export const TEAM_MEETINGS_PROJECTION = 'arrears-team-meetings';
export const TEAM_MEETINGS_PROJECTION_VERSION = 1;

/**
 * The husleierestanseteam's meetings and the decisions taken in each (from the case streams), for
 * the meeting pack's «since the last meeting» and the meeting's PDF.
 */
export class TeamMeetingsProjection implements SqlProjection<TeamMeetingTables> {
  readonly name = TEAM_MEETINGS_PROJECTION;
  readonly version = TEAM_MEETINGS_PROJECTION_VERSION;
  readonly filter = { streamPrefixes: [MEETING_STREAM_PREFIX, CASE_STREAM_PREFIX] };
  readonly gatherMs = OFF_PATH_GATHER_MS;
  readonly tables = ['team_meetings', 'team_decisions'] as const;

  constructor(private readonly types: EventTypeMap) {}

  async createTables(db: Kysely<TeamMeetingTables>): Promise<void> {
    await db.schema
      .createTable('team_meetings')
      .addColumn('meeting_id', 'text', (c) => c.primaryKey())
      .addColumn('municipality', 'text', (c) => c.notNull())
      .addColumn('held_on', 'text', (c) => c.notNull())
      .addColumn('recorded_at', 'text', (c) => c.notNull())
      .addColumn('case_ids', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('team_meetings_latest_idx').on('team_meetings').columns(['municipality', 'held_on', 'meeting_id']).execute();
    await db.schema
      .createTable('team_decisions')
      .addColumn('meeting_id', 'text', (c) => c.notNull())
      .addColumn('case_id', 'text', (c) => c.notNull())
      .addColumn('decision', 'text', (c) => c.notNull())
      .addColumn('decided_on', 'text', (c) => c.notNull())
      .addColumn('recorded_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('team_decisions_pk', ['meeting_id', 'case_id'])
      .execute();
  }

  async apply(tx: Kysely<TeamMeetingTables>, events: readonly RecordedEvent[]): Promise<void> {
    const meetings: TeamMeetingRow[] = [];
    const decisions: TeamDecisionRow[] = [];
    for (const event of events) {
      if (event.type === 'cases.ArrearsTeamMeetingHeld') {
        const d = this.types.upcast(event) as unknown as ArrearsTeamMeetingHeld['data'];
        meetings.push({ meeting_id: d.meetingId, municipality: d.municipalityNumber, held_on: d.heldOn, recorded_at: event.metadata.occurredAt, case_ids: JSON.stringify(d.caseIds) });
      } else if (event.type === 'cases.TeamDecisionRecorded') {
        const d = this.types.upcast(event) as unknown as TeamDecisionRecorded['data'];
        decisions.push({ meeting_id: d.meetingId, case_id: d.caseId, decision: d.decision, decided_on: d.decidedOn, recorded_at: event.metadata.occurredAt });
      }
    }
    // Both are written once (the deciders make a repeat a no-op); a replayed row changes nothing.
    for (let i = 0; i < meetings.length; i += 100) {
      await tx
        .insertInto('team_meetings')
        .values(meetings.slice(i, i + 100))
        .onConflict((oc) => oc.column('meeting_id').doNothing())
        .execute();
    }
    for (let i = 0; i < decisions.length; i += 100) {
      await tx
        .insertInto('team_decisions')
        .values(decisions.slice(i, i + 100))
        .onConflict((oc) => oc.columns(['meeting_id', 'case_id']).doNothing())
        .execute();
    }
  }
}
