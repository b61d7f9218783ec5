import type { Kysely } from 'kysely';
import type { EventFilter, EventTypeMap, RecordedEvent } from '@evp/event-store';
import type { SqlProjection } from '@evp/read-models';
import { TENANCY_STREAM_PREFIX, parseTenancyStreamName, type LedgerEventType } from '@evp/ledger-contract';
import { CASE_STREAM_PREFIX, type CaseEvent, type CaseOpened, type WarningAttached } from '@evp/cases-domain';

export type CaseStatus = 'open' | 'escalated' | 'resolved';

export interface CaseRow {
  case_id: string;
  tenancy_key: string;
  municipality: string;
  tenancy_id: string;
  /** The tenancy's current NAV office: a moved tenancy's case moves with it. */
  nav_office: string;
  status: CaseStatus;
  /** 1 while open or escalated: the «active» list is one index range. */
  active: number;
  opened_on: string;
  first_contact_deadline: string;
  arrears_ore_at_opening: number;
  opening_reasons: string;
  contacts: number;
  last_contact_on: string | null;
  escalated_on: string | null;
  escalation_reasons: string;
  resolved_on: string | null;
  outcome: string | null;
  stream_revision: number;
}

export interface TimelineRow {
  case_id: string;
  revision: number;
  at: string;
  on: string;
  type: string;
  /** What happened, in bokmål, for the people working the case. */
  summary: string;
  actor_role: string;
}

export interface CaseCountRow {
  municipality: string;
  nav_office: string;
  status: CaseStatus;
  n: number;
}

export interface CaseTenancyRow {
  tenancy_key: string;
  nav_office: string;
}

export interface CaseTables {
  case_list: CaseRow;
  case_timeline: TimelineRow;
  case_counts: CaseCountRow;
  case_tenancies: CaseTenancyRow;
}

export const CASES_PROJECTION = 'cases';
/** 4: the timeline shows the husleierestanseteam's decisions. 8: an index for every case list (deadline order, NAV office by status), none sorts. */
export const CASES_PROJECTION_VERSION = 8;

const CHUNK = 400;
/** The ledger's events that carry a tenancy's NAV office: all the cases list takes from the ledger. */
const TENANCY_DETAIL_TYPES: readonly string[] = ['ledger.TenancyRegistered', 'ledger.TenancyDetailsChanged'] satisfies readonly LedgerEventType[];
/** The cases list reads its cases and, from the ledger, only the tenancy's NAV office: its postings (a month's file) never reach it. */
export const CASES_PROJECTION_FILTER: EventFilter = { streamPrefixes: [CASE_STREAM_PREFIX, TENANCY_STREAM_PREFIX], onlyTypes: { [TENANCY_STREAM_PREFIX]: TENANCY_DETAIL_TYPES } };

/**
 * Projects case streams into the case list (with counts per municipality, NAV office and status,
 * so list totals are one small read) and each case's timeline; follows the tenancies' NAV office
 * from the ledger's published events.
 */
export class CasesProjection implements SqlProjection<CaseTables> {
  readonly name = CASES_PROJECTION;
  readonly version = CASES_PROJECTION_VERSION;
  readonly filter = CASES_PROJECTION_FILTER;
  readonly tables = ['case_list', 'case_timeline', 'case_counts', 'case_tenancies'] as const;

  constructor(private readonly types: EventTypeMap) {}

  async createTables(db: Kysely<CaseTables>): Promise<void> {
    await db.schema
      .createTable('case_list')
      .addColumn('case_id', 'text', (c) => c.primaryKey())
      .addColumn('tenancy_key', 'text', (c) => c.notNull())
      .addColumn('municipality', 'text', (c) => c.notNull())
      .addColumn('tenancy_id', 'text', (c) => c.notNull())
      .addColumn('nav_office', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('active', 'integer', (c) => c.notNull())
      .addColumn('opened_on', 'text', (c) => c.notNull())
      .addColumn('first_contact_deadline', 'text', (c) => c.notNull())
      .addColumn('arrears_ore_at_opening', 'bigint', (c) => c.notNull())
      .addColumn('opening_reasons', 'text', (c) => c.notNull())
      .addColumn('contacts', 'integer', (c) => c.notNull())
      .addColumn('last_contact_on', 'text')
      .addColumn('escalated_on', 'text')
      .addColumn('escalation_reasons', 'text', (c) => c.notNull())
      .addColumn('resolved_on', 'text')
      .addColumn('outcome', 'text')
      .addColumn('stream_revision', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('case_timeline')
      .addColumn('case_id', 'text', (c) => c.notNull())
      .addColumn('revision', 'integer', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('on', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('summary', 'text', (c) => c.notNull())
      .addColumn('actor_role', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('case_timeline_pk', ['case_id', 'revision'])
      .execute();
    await db.schema
      .createTable('case_counts')
      .addColumn('municipality', 'text', (c) => c.notNull())
      .addColumn('nav_office', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('n', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('case_counts_pk', ['municipality', 'nav_office', 'status'])
      .execute();
    await db.schema
      .createTable('case_tenancies')
      .addColumn('tenancy_key', 'text', (c) => c.primaryKey())
      .addColumn('nav_office', 'text', (c) => c.notNull())
      .execute();
  }

  /** The case lists' indexes: a rebuild creates them after its bulk load. */
  async createIndexes(db: Kysely<CaseTables>): Promise<void> {
    // Each list the api serves is one index range, read in key order (newest first: backwards), never
    // sorted: one index per filter (a status, active, all) and order (opened, first-contact deadline),
    // for the municipality and for one NAV office of it; plus the husleierestanseteam's queue.
    const lists: Array<[string, Array<keyof CaseRow>]> = [
      ['case_list_status_idx', ['municipality', 'status', 'opened_on', 'case_id']],
      ['case_list_active_idx', ['municipality', 'active', 'opened_on', 'case_id']],
      ['case_list_all_idx', ['municipality', 'opened_on', 'case_id']],
      ['case_list_deadline_idx', ['municipality', 'status', 'first_contact_deadline', 'case_id']],
      ['case_list_active_deadline_idx', ['municipality', 'active', 'first_contact_deadline', 'case_id']],
      ['case_list_all_deadline_idx', ['municipality', 'first_contact_deadline', 'case_id']],
      ['case_list_nav_status_idx', ['municipality', 'nav_office', 'status', 'opened_on', 'case_id']],
      ['case_list_nav_idx', ['municipality', 'nav_office', 'active', 'opened_on', 'case_id']],
      ['case_list_nav_all_idx', ['municipality', 'nav_office', 'opened_on', 'case_id']],
      ['case_list_nav_status_deadline_idx', ['municipality', 'nav_office', 'status', 'first_contact_deadline', 'case_id']],
      ['case_list_nav_active_deadline_idx', ['municipality', 'nav_office', 'active', 'first_contact_deadline', 'case_id']],
      ['case_list_nav_all_deadline_idx', ['municipality', 'nav_office', 'first_contact_deadline', 'case_id']],
      ['case_list_queue_idx', ['municipality', 'status', 'escalated_on', 'case_id']],
    ];
    for (const [name, columns] of lists) await db.schema.createIndex(name).on('case_list').columns(columns).execute();
    await db.schema.createIndex('case_list_tenancy_idx').on('case_list').columns(['tenancy_key']).execute();
  }

  async apply(tx: Kysely<CaseTables>, events: readonly RecordedEvent[]): Promise<void> {
    const state = new BatchState(tx);
    await state.load(events);
    for (const event of events) {
      const tenancy = parseTenancyStreamName(event.streamName);
      if (tenancy) {
        if (TENANCY_DETAIL_TYPES.includes(event.type)) {
          state.tenancyOffice(`${tenancy.municipalityNumber}-${tenancy.tenancyId}`, String(this.types.dataOf(event)['navOffice']));
        }
        continue;
      }
      this.applyCaseEvent(state, event, { type: event.type, data: this.types.upcast(event) } as unknown as CaseEvent);
    }
    await state.write();
  }

  private applyCaseEvent(state: BatchState, recorded: RecordedEvent, event: CaseEvent): void {
    const tenancyKey = recorded.streamName.slice(CASE_STREAM_PREFIX.length);
    const current = state.cases.get(event.data.caseId);
    if (current && current.stream_revision >= recorded.revision) return;
    const entry = (on: string, summary: string): TimelineRow => ({
      case_id: event.data.caseId,
      revision: recorded.revision,
      at: recorded.metadata.occurredAt,
      on,
      type: event.type,
      summary,
      actor_role: recorded.metadata.actor.role,
    });
    switch (event.type) {
      case 'cases.CaseOpened': {
        const d = event.data;
        state.put({
          case_id: d.caseId,
          tenancy_key: tenancyKey,
          municipality: d.municipalityNumber,
          tenancy_id: d.tenancyId,
          nav_office: state.offices.get(tenancyKey) ?? d.navOffice,
          status: 'open',
          active: 1,
          opened_on: d.openedOn,
          first_contact_deadline: d.firstContactDeadline,
          arrears_ore_at_opening: d.arrearsOre,
          opening_reasons: JSON.stringify(d.reasons),
          contacts: 0,
          last_contact_on: null,
          escalated_on: null,
          escalation_reasons: '[]',
          resolved_on: null,
          outcome: null,
          stream_revision: recorded.revision,
        });
        state.timeline.push(entry(d.openedOn, openedSummary(d)));
        return;
      }
      case 'cases.ContactRecorded':
        if (!current) return;
        state.put({ ...current, contacts: current.contacts + 1, last_contact_on: event.data.contactedOn, stream_revision: recorded.revision });
        state.timeline.push(entry(event.data.contactedOn, `Kontakt registrert (${channelName(event.data.channel)}).`));
        return;
      case 'cases.CaseEscalatedToArrearsTeam':
        if (!current) return;
        state.put({ ...current, status: 'escalated', active: 1, escalated_on: event.data.escalatedOn, escalation_reasons: JSON.stringify(event.data.reasons), stream_revision: recorded.revision });
        state.timeline.push(entry(event.data.escalatedOn, `Eskalert til husleierestanseteamet. ${event.data.reasons.map((r) => r.explanation).join(' ')}`));
        return;
      case 'cases.ReferredToNav':
        if (!current) return;
        state.put({ ...current, stream_revision: recorded.revision });
        state.timeline.push(entry(event.data.referredOn, `Henvist til ${event.data.navOffice} (${REFERRAL_SOURCES[event.data.source]}).`));
        return;
      case 'cases.CaseResolved':
        if (!current) return;
        state.put({ ...current, status: 'resolved', active: 0, resolved_on: event.data.resolvedOn, outcome: event.data.outcome, stream_revision: recorded.revision });
        state.timeline.push(entry(event.data.resolvedOn, `Sak avsluttet: ${OUTCOMES[event.data.outcome] ?? event.data.outcome}. ${event.data.explanation}`));
        return;
      case 'cases.TeamDecisionRecorded':
        if (!current) return;
        state.put({ ...current, stream_revision: recorded.revision });
        state.timeline.push(entry(event.data.decidedOn, `Vedtak i husleierestanseteamets møte ${event.data.decidedOn}: ${event.data.decision}`));
        return;
      case 'cases.WarningAttached':
        if (!current) return;
        state.put({ ...current, stream_revision: recorded.revision });
        state.timeline.push(entry(event.data.attachedOn, warningAttachedSummary(event.data)));
        return;
      case 'cases.WarningStepRecorded':
        if (!current) return;
        state.put({ ...current, stream_revision: recorded.revision });
        state.timeline.push(entry(event.data.on ?? recorded.metadata.occurredAt.slice(0, 10), `Utleier meldte: ${event.data.explanation}`));
        return;
      default: {
        const never: never = event;
        return never;
      }
    }
  }
}

function openedSummary(d: CaseOpened['data']): string {
  return `Sak åpnet. ${d.reasons.map((r) => r.explanation).join(' ')} Frist for første kontakt: ${d.firstContactDeadline}.`;
}

const GROUNDS: Record<string, string> = { 'unpaid-rent': 'ubetalt husleie', 'lease-expired': 'leieforholdet er avsluttet', 'other-breach': 'annet mislighold' };

function warningAttachedSummary(d: WarningAttached['data']): string {
  const eviction = d.evictionOn ? ` Fravikelse fastsatt til ${d.evictionOn}.` : '';
  return `Varsel om fravikelse fra utleier (husleieloven § 9-11) ${d.openedForIt ? 'åpnet saken' : 'er knyttet til saken'}: ${GROUNDS[d.ground] ?? d.ground}; begjæring ${d.petitionOn}.${eviction}`;
}

const REFERRAL_SOURCES: Record<string, string> = { escalation: 'eskalert uten kontakt', warning: 'varsel om fravikelse fra utleier', 'at-risk': 'regnskap meldte fare for utkastelse' };
const OUTCOMES: Record<string, string> = {
  paid: 'betalt',
  'arrears-cleared': 'restansen er gjort opp',
  'plan-honoured': 'nedbetalingsavtalen er overholdt',
  moved: 'husstanden har flyttet',
  rehoused: 'husstanden har fått ny bolig',
  evicted: 'utkastelse gjennomført',
  'warning-withdrawn': 'varselet er trukket tilbake',
};
const CHANNELS: Record<string, string> = { phone: 'telefon', meeting: 'møte', 'home-visit': 'hjemmebesøk', letter: 'brev', digital: 'digital melding', nav: 'av NAV' };
const channelName = (c: string) => CHANNELS[c] ?? c;

/** The rows one batch touches, read once, changed in memory, written once. */
class BatchState {
  readonly cases = new Map<string, CaseRow>();
  private readonly before = new Map<string, CaseRow | undefined>();
  readonly offices = new Map<string, string>();
  private readonly changedOffices = new Set<string>();
  readonly timeline: TimelineRow[] = [];

  constructor(private readonly tx: Kysely<CaseTables>) {}

  async load(events: readonly RecordedEvent[]): Promise<void> {
    const caseIds = new Set<string>();
    const tenancyKeys = new Set<string>();
    for (const e of events) {
      if (e.streamName.startsWith(CASE_STREAM_PREFIX)) {
        const caseId = (e.data as { caseId?: unknown }).caseId;
        if (typeof caseId === 'string') caseIds.add(caseId);
        tenancyKeys.add(e.streamName.slice(CASE_STREAM_PREFIX.length));
      } else if (TENANCY_DETAIL_TYPES.includes(e.type)) {
        tenancyKeys.add(e.streamName.slice(TENANCY_STREAM_PREFIX.length));
      }
    }
    const keys = [...tenancyKeys];
    for (let i = 0; i < keys.length; i += CHUNK) {
      const chunk = keys.slice(i, i + CHUNK);
      for (const row of await this.tx.selectFrom('case_tenancies').selectAll().where('tenancy_key', 'in', chunk).execute()) this.offices.set(row.tenancy_key, row.nav_office);
      // A tenancy that moves office takes its cases along: load them too.
      for (const row of await this.tx.selectFrom('case_list').selectAll().where('tenancy_key', 'in', chunk).execute()) this.remember(row);
    }
    const ids = [...caseIds].filter((id) => !this.cases.has(id));
    for (let i = 0; i < ids.length; i += CHUNK) {
      for (const row of await this.tx.selectFrom('case_list').selectAll().where('case_id', 'in', ids.slice(i, i + CHUNK)).execute()) this.remember(row);
    }
  }

  private remember(row: CaseRow): void {
    const normalised = { ...row, arrears_ore_at_opening: Number(row.arrears_ore_at_opening) };
    this.cases.set(row.case_id, normalised);
    this.before.set(row.case_id, normalised);
  }

  put(row: CaseRow): void {
    if (!this.before.has(row.case_id)) this.before.set(row.case_id, undefined);
    this.cases.set(row.case_id, row);
  }

  tenancyOffice(tenancyKey: string, navOffice: string): void {
    if (this.offices.get(tenancyKey) === navOffice) return;
    this.offices.set(tenancyKey, navOffice);
    this.changedOffices.add(tenancyKey);
    for (const row of this.cases.values()) if (row.tenancy_key === tenancyKey) this.put({ ...row, nav_office: navOffice });
  }

  async write(): Promise<void> {
    const counts = new Map<string, CaseCountRow>();
    const count = (row: CaseRow, delta: number) => {
      const key = `${row.municipality}|${row.nav_office}|${row.status}`;
      const entry = counts.get(key) ?? { municipality: row.municipality, nav_office: row.nav_office, status: row.status, n: 0 };
      counts.set(key, { ...entry, n: entry.n + delta });
    };
    const changed: CaseRow[] = [];
    for (const [caseId, before] of this.before) {
      const after = this.cases.get(caseId) as CaseRow;
      if (before === after) continue;
      if (before) count(before, -1);
      count(after, +1);
      changed.push(after);
    }
    for (let i = 0; i < changed.length; i += 50) {
      await this.tx
        .insertInto('case_list')
        .values(changed.slice(i, i + 50))
        .onConflict((oc) =>
          oc.column('case_id').doUpdateSet((eb) => ({
            nav_office: eb.ref('excluded.nav_office'),
            status: eb.ref('excluded.status'),
            active: eb.ref('excluded.active'),
            contacts: eb.ref('excluded.contacts'),
            last_contact_on: eb.ref('excluded.last_contact_on'),
            escalated_on: eb.ref('excluded.escalated_on'),
            escalation_reasons: eb.ref('excluded.escalation_reasons'),
            resolved_on: eb.ref('excluded.resolved_on'),
            outcome: eb.ref('excluded.outcome'),
            stream_revision: eb.ref('excluded.stream_revision'),
          })),
        )
        .execute();
    }
    for (let i = 0; i < this.timeline.length; i += 100) {
      await this.tx
        .insertInto('case_timeline')
        .values(this.timeline.slice(i, i + 100))
        .onConflict((oc) => oc.columns(['case_id', 'revision']).doNothing())
        .execute();
    }
    for (const c of counts.values()) {
      if (c.n === 0) continue;
      await this.tx
        .insertInto('case_counts')
        .values(c)
        .onConflict((oc) => oc.columns(['municipality', 'nav_office', 'status']).doUpdateSet((eb) => ({ n: eb('case_counts.n', '+', c.n) })))
        .execute();
      // A counter that falls to zero goes, as a rebuild would never have written it: live and rebuilt tables stay identical.
      if (c.n < 0) await this.tx.deleteFrom('case_counts').where('municipality', '=', c.municipality).where('nav_office', '=', c.nav_office).where('status', '=', c.status).where('n', '=', 0).execute();
    }
    const offices = [...this.changedOffices].map((tenancy_key) => ({ tenancy_key, nav_office: this.offices.get(tenancy_key) as string }));
    for (let i = 0; i < offices.length; i += 200) {
      await this.tx
        .insertInto('case_tenancies')
        .values(offices.slice(i, i + 200))
        .onConflict((oc) => oc.column('tenancy_key').doUpdateSet((eb) => ({ nav_office: eb.ref('excluded.nav_office') })))
        .execute();
    }
  }
}
