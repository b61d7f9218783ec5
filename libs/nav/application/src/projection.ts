import type { Kysely } from 'kysely';
import type { EventTypeMap, RecordedEvent } from '@evp/event-store';
import type { SqlProjection } from '@evp/read-models';
import { NAV_AUDIT_STREAM_PREFIX, NAV_STREAM_PREFIX, evolveFollowUp, isWaiting, type NavEvent, type NavFollowUp, type NavRecordRead } from '@evp/nav-domain';
import { noteRefsOf, timelineEntry } from './timeline';

/** One row per follow-up (per case): the inbox's columns, and NAV's whole record of it as JSON. */
export interface FollowUpRow {
  case_id: string;
  tenancy_key: string;
  municipality: string;
  /** The handling office: only its advisers see the details. */
  nav_office: string;
  status: 'unclaimed' | 'claimed' | 'concluded';
  /** 1 until concluded: the office inbox is one index range. */
  open: number;
  /** The group's date: the nearest petition or eviction date, else the earliest open pickup limit, else when it was referred. */
  sort_on: string;
  /** 0: a petition or eviction date is known; 1: children in the household or vulnerable (NAV's own flags); 2: the rest. */
  priority: number;
  /** Who has it ('' when nobody). */
  assignee_actor: string;
  /** The follow-up as the domain folds it (`NavFollowUp`), JSON. */
  state: string;
  stream_revision: number;
}

export interface NavTimelineRow {
  case_id: string;
  revision: number;
  at: string;
  on: string;
  type: string;
  summary: string;
  actor_id: string;
  actor_role: string;
  /** JSON list of note ids the step refers to. */
  note_refs: string;
}

/**
 * What someone must be told: the office lead, the adviser who has the case, and (summary only) the
 * husleierestanseteam. An alert belongs to the office handling its case, and moves with the case
 * when it is transferred — except `transferred` itself, which tells the office it left (its lead,
 * and the adviser who had it) and says nothing of NAV's details.
 */
export interface NavAlertRow {
  alert_id: string;
  case_id: string;
  municipality: string;
  nav_office: string;
  kind: 'pickup-overdue' | 'plan-breached' | 'consent-withdrawn' | 'rent-missing' | 'assistance-date-passed' | 'transferred';
  on: string;
  at: string;
  /** The adviser who is told ('' when nobody has the case: then the lead). */
  told_actor: string;
  /** 1 when the husleierestanseteam is told too (with `team_summary`, never NAV's details). */
  for_team: number;
  summary: string;
  team_summary: string;
}

/** Every read of NAV's records by a person, one row per case: who, when, what they saw. */
export interface NavAuditRow {
  audit_id: string;
  municipality: string;
  nav_office: string;
  case_id: string;
  at: string;
  actor_id: string;
  role: string;
  reader_office: string;
  view: string;
  outcome: string;
}

export interface NavTables {
  nav_followups: FollowUpRow;
  nav_timeline: NavTimelineRow;
  nav_alerts: NavAlertRow;
  nav_audit: NavAuditRow;
}

export const NAV_PROJECTION = 'nav';
/** 2: follow-ups move with the tenancy to its new NAV office (`nav.FollowUpTransferred`), their alerts with them. */
export const NAV_PROJECTION_VERSION = 2;

const CHUNK = 400;

/**
 * The inbox's order, explainable in one line (DOMAIN.md: prioritisation by explainable rules, never
 * a black box): first households facing a petition or an eviction date, the nearest first; then
 * households with children or marked vulnerable; then the rest — each group by its date (the
 * legal date, else the earliest pickup limit still open, else when it was referred).
 */
export function inboxColumns(f: NavFollowUp): Pick<FollowUpRow, 'status' | 'open' | 'sort_on' | 'priority' | 'assignee_actor'> {
  const legal = f.referrals.flatMap((r) => [r.evictionOn, r.petitionOn]).filter((d): d is string => d !== null).sort();
  const pickup = f.referrals.filter(isWaiting).map((r) => r.pickupDueOn).sort();
  return {
    status: f.concluded ? 'concluded' : f.assignee ? 'claimed' : 'unclaimed',
    open: f.concluded ? 0 : 1,
    sort_on: legal[0] ?? pickup[0] ?? (f.referrals[0]?.referredOn as string),
    priority: legal.length ? 0 : f.flags.childrenInHousehold || f.flags.vulnerable ? 1 : 2,
    assignee_actor: f.assignee?.actorId ?? '',
  };
}

/**
 * NAV's read models: the office inbox (one row per follow-up, with NAV's record as JSON), the
 * timeline, the alerts (who must be told), and the audit of reads.
 */
export class NavProjection implements SqlProjection<NavTables> {
  readonly name = NAV_PROJECTION;
  readonly version = NAV_PROJECTION_VERSION;
  readonly filter = { streamPrefixes: [NAV_STREAM_PREFIX, NAV_AUDIT_STREAM_PREFIX] };
  readonly tables = ['nav_followups', 'nav_timeline', 'nav_alerts', 'nav_audit'] as const;

  constructor(private readonly types: EventTypeMap) {}

  async createTables(db: Kysely<NavTables>): Promise<void> {
    await db.schema
      .createTable('nav_followups')
      .addColumn('case_id', 'text', (c) => c.primaryKey())
      .addColumn('tenancy_key', 'text', (c) => c.notNull())
      .addColumn('municipality', 'text', (c) => c.notNull())
      .addColumn('nav_office', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('open', 'integer', (c) => c.notNull())
      .addColumn('sort_on', 'text', (c) => c.notNull())
      .addColumn('priority', 'integer', (c) => c.notNull())
      .addColumn('assignee_actor', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('stream_revision', 'integer', (c) => c.notNull())
      .execute();
    // Each inbox view is one index range in its own order.
    await db.schema.createIndex('nav_followups_open_idx').on('nav_followups').columns(['nav_office', 'open', 'priority', 'sort_on', 'case_id']).execute();
    await db.schema.createIndex('nav_followups_status_idx').on('nav_followups').columns(['nav_office', 'status', 'priority', 'sort_on', 'case_id']).execute();
    await db.schema.createIndex('nav_followups_mine_idx').on('nav_followups').columns(['assignee_actor', 'open', 'priority', 'sort_on', 'case_id']).execute();
    await db.schema
      .createTable('nav_timeline')
      .addColumn('case_id', 'text', (c) => c.notNull())
      .addColumn('revision', 'integer', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('on', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('summary', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text', (c) => c.notNull())
      .addColumn('actor_role', 'text', (c) => c.notNull())
      .addColumn('note_refs', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('nav_timeline_pk', ['case_id', 'revision'])
      .execute();
    await db.schema
      .createTable('nav_alerts')
      .addColumn('alert_id', 'text', (c) => c.primaryKey())
      .addColumn('case_id', 'text', (c) => c.notNull())
      .addColumn('municipality', 'text', (c) => c.notNull())
      .addColumn('nav_office', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('on', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('told_actor', 'text', (c) => c.notNull())
      .addColumn('for_team', 'integer', (c) => c.notNull())
      .addColumn('summary', 'text', (c) => c.notNull())
      .addColumn('team_summary', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('nav_alerts_office_idx').on('nav_alerts').columns(['nav_office', 'on', 'alert_id']).execute();
    await db.schema.createIndex('nav_alerts_told_idx').on('nav_alerts').columns(['told_actor', 'on', 'alert_id']).execute();
    await db.schema.createIndex('nav_alerts_team_idx').on('nav_alerts').columns(['municipality', 'for_team', 'on', 'alert_id']).execute();
    await db.schema
      .createTable('nav_audit')
      .addColumn('audit_id', 'text', (c) => c.primaryKey())
      .addColumn('municipality', 'text', (c) => c.notNull())
      .addColumn('nav_office', 'text', (c) => c.notNull())
      .addColumn('case_id', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('reader_office', 'text', (c) => c.notNull())
      .addColumn('view', 'text', (c) => c.notNull())
      .addColumn('outcome', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('nav_audit_office_idx').on('nav_audit').columns(['nav_office', 'at', 'audit_id']).execute();
    await db.schema.createIndex('nav_audit_case_idx').on('nav_audit').columns(['case_id', 'at', 'audit_id']).execute();
  }

  async apply(tx: Kysely<NavTables>, events: readonly RecordedEvent[]): Promise<void> {
    const rows = new Map<string, FollowUpRow>();
    const changed = new Set<string>();
    const timeline: NavTimelineRow[] = [];
    const alerts: NavAlertRow[] = [];
    const audit: NavAuditRow[] = [];
    /** Cases transferred in this batch, to the office they ended at: their alerts of earlier batches follow. */
    const moved = new Map<string, string>();

    const caseIds = [...new Set(events.filter((e) => e.streamName.startsWith(NAV_STREAM_PREFIX)).map((e) => String((e.data as { caseId?: unknown }).caseId)))];
    for (let i = 0; i < caseIds.length; i += CHUNK) {
      for (const row of await tx.selectFrom('nav_followups').selectAll().where('case_id', 'in', caseIds.slice(i, i + CHUNK)).execute()) rows.set(row.case_id, row);
    }

    for (const recorded of events) {
      if (recorded.streamName.startsWith(NAV_AUDIT_STREAM_PREFIX)) {
        const d = this.types.upcast(recorded) as unknown as NavRecordRead['data'];
        d.caseIds.forEach((caseId, i) =>
          audit.push({
            audit_id: `${recorded.id}:${i}`,
            municipality: d.municipalityNumber,
            nav_office: d.navOffice,
            case_id: caseId,
            at: d.readAt,
            actor_id: d.reader.actorId,
            role: d.reader.role,
            reader_office: d.reader.navOffice ?? '',
            view: d.view,
            outcome: d.outcome,
          }),
        );
        continue;
      }
      const event = { type: recorded.type, data: this.types.upcast(recorded) } as unknown as NavEvent;
      const current = rows.get(event.data.caseId);
      if (current && current.stream_revision >= recorded.revision) continue;
      const before = current ? (JSON.parse(current.state) as NavFollowUp) : undefined;
      const after = evolveFollowUp(before, event);
      if (!after) continue;
      const row: FollowUpRow = {
        case_id: after.caseId,
        tenancy_key: `${after.municipalityNumber}-${after.tenancyId}`,
        municipality: after.municipalityNumber,
        nav_office: after.navOffice,
        ...inboxColumns(after),
        state: JSON.stringify(after),
        stream_revision: recorded.revision,
      };
      rows.set(row.case_id, row);
      changed.add(row.case_id);
      if (event.type === 'nav.FollowUpTransferred') {
        // What the case's office was told, the new office is told now; the old one keeps only the notice that it left.
        moved.set(after.caseId, after.navOffice);
        for (const a of alerts) if (a.case_id === after.caseId && a.kind !== 'transferred') a.nav_office = after.navOffice;
      }
      const entry = timelineEntry(event, before);
      if (entry) {
        timeline.push({
          case_id: after.caseId,
          revision: recorded.revision,
          at: recorded.metadata.occurredAt,
          on: entry.on,
          type: event.type,
          summary: entry.summary,
          actor_id: recorded.metadata.actor.id,
          actor_role: recorded.metadata.actor.role,
          note_refs: JSON.stringify(noteRefsOf(event)),
        });
      }
      const alert = alertOf(event, after);
      if (alert) {
        alerts.push({
          alert_id: recorded.id,
          case_id: after.caseId,
          municipality: after.municipalityNumber,
          nav_office: event.type === 'nav.FollowUpTransferred' ? event.data.fromOffice : after.navOffice,
          on: entry?.on ?? recorded.metadata.occurredAt.slice(0, 10),
          at: recorded.metadata.occurredAt,
          ...alert,
        });
      }
    }

    const upserts = [...changed].map((id) => rows.get(id) as FollowUpRow);
    for (let i = 0; i < upserts.length; i += 50) {
      await tx
        .insertInto('nav_followups')
        .values(upserts.slice(i, i + 50))
        .onConflict((oc) =>
          oc.column('case_id').doUpdateSet((eb) => ({
            nav_office: eb.ref('excluded.nav_office'),
            status: eb.ref('excluded.status'),
            open: eb.ref('excluded.open'),
            sort_on: eb.ref('excluded.sort_on'),
            priority: eb.ref('excluded.priority'),
            assignee_actor: eb.ref('excluded.assignee_actor'),
            state: eb.ref('excluded.state'),
            stream_revision: eb.ref('excluded.stream_revision'),
          })),
        )
        .execute();
    }
    for (let i = 0; i < timeline.length; i += 100) {
      await tx
        .insertInto('nav_timeline')
        .values(timeline.slice(i, i + 100))
        .onConflict((oc) => oc.columns(['case_id', 'revision']).doNothing())
        .execute();
    }
    // Before this batch's alerts go in: those of earlier batches move with their case.
    for (const [caseId, office] of moved) {
      await tx.updateTable('nav_alerts').set({ nav_office: office }).where('case_id', '=', caseId).where('kind', '!=', 'transferred').execute();
    }
    for (let i = 0; i < alerts.length; i += 100) {
      await tx
        .insertInto('nav_alerts')
        .values(alerts.slice(i, i + 100))
        .onConflict((oc) => oc.column('alert_id').doNothing())
        .execute();
    }
    for (let i = 0; i < audit.length; i += 100) {
      await tx
        .insertInto('nav_audit')
        .values(audit.slice(i, i + 100))
        .onConflict((oc) => oc.column('audit_id').doNothing())
        .execute();
    }
  }
}

/** Who a step must reach beyond the timeline, and what the husleierestanseteam may read of it. */
function alertOf(event: NavEvent, f: NavFollowUp): Pick<NavAlertRow, 'kind' | 'told_actor' | 'for_team' | 'summary' | 'team_summary'> | null {
  const adviser = f.assignee?.actorId ?? '';
  switch (event.type) {
    case 'nav.ReferralPickupOverdue':
      return { kind: 'pickup-overdue', told_actor: '', for_team: 1, summary: event.data.reason, team_summary: `Henvisningen er ikke tatt av NAV innen fristen ${event.data.pickupDueOn}.` };
    case 'nav.PaymentPlanBreached':
      return {
        kind: 'plan-breached',
        told_actor: adviser,
        for_team: 1,
        summary: `Nedbetalingsavtalen er brutt etter avdrag ${event.data.instalmentNo} (${event.data.instalmentDueOn}).`,
        team_summary: `Nedbetalingsavtalen er brutt (avdrag med forfall ${event.data.instalmentDueOn}).`,
      };
    case 'nav.IncomeManagementConsentWithdrawn':
      return {
        kind: 'consent-withdrawn',
        told_actor: event.data.adviserTold?.actorId ?? '',
        for_team: 0,
        summary: `Samtykket til forvaltning av inntekt er trukket ${event.data.withdrawnOn}; overvåkingen er stoppet${event.data.activePlanId ? ' og nedbetalingsavtalen er i fare' : ''}.`,
        team_summary: '',
      };
    case 'nav.IncomeManagementRentChecked':
      return event.data.arrived ? null : { kind: 'rent-missing', told_actor: adviser, for_team: 0, summary: `Husleien for ${event.data.month} er ikke kommet fra forvaltningen av inntekt.`, team_summary: '' };
    case 'nav.FollowUpTransferred':
      return {
        kind: 'transferred',
        told_actor: event.data.previousAdviser?.actorId ?? '',
        for_team: 0,
        summary: `Saken er overført til ${event.data.toOffice} ${event.data.transferredOn} fordi leieforholdet har fått nytt NAV-kontor; den følges ikke lenger opp her.`,
        team_summary: '',
      };
    case 'nav.FinancialAssistanceDatePassed':
      return { kind: 'assistance-date-passed', told_actor: adviser, for_team: 0, summary: `Forventet utbetalingsdato for stønaden (${event.data.expectedPaymentOn}) er passert; den holder ikke lenger eskaleringen tilbake.`, team_summary: '' };
    default:
      return null;
  }
}
