import type { Kysely } from 'kysely';
import type { EventTypeMap, RecordedEvent } from '@evp/event-store';
import type { SqlProjection } from '@evp/read-models';
import {
  WARNING_STREAM_PREFIX,
  closureText,
  evolveWarning,
  initialWarning,
  tenantList,
  warningIdOfStream,
  type ReportedStep,
  type Ruling,
  type Warning,
  type WarningEvent,
} from '@evp/warnings-domain';

/**
 * The landlords' read model: each warning with its status, where its legal path stands, the
 * advice and dates the rules produced, and its history in bokmål — a landlord's own, and nothing
 * of NAV's (no case, no contact, no pickup). The row keeps the warning's folded state, so the
 * status is decided by the domain's `evolveWarning`, never a second time here.
 */

export interface WarningRow {
  warning_id: string;
  landlord_id: string;
  municipality: string;
  status: string;
  stage: string;
  submitted_on: string;
  forwarded_on: string | null;
  nav_office: string | null;
  /** Why it was not forwarded, in bokmål, for the landlord. */
  not_forwarded_text: string | null;
  closed_on: string | null;
  closure: string | null;
  address: string;
  ground: string;
  arrears_ore: number;
  planned_petition_on: string;
  petition_filed_on: string | null;
  eviction_on: string | null;
  tenant_count: number;
  /** JSON `Ruling[]`: advice to the landlord, the latest set. */
  advice: string;
  /** JSON `Ruling[]`: the dates the landlord's steps set running (objection, eviction date, belongings). */
  deadlines: string;
  /** JSON `Warning`: the folded state (opaque ids only). */
  state: string;
  stream_revision: number;
}

export interface WarningHistoryRow {
  warning_id: string;
  revision: number;
  at: string;
  on: string;
  kind: string;
  text: string;
}

export interface WarningTables {
  warning_list: WarningRow;
  warning_history: WarningHistoryRow;
}

export const WARNINGS_PROJECTION = 'warnings';
export const WARNINGS_PROJECTION_VERSION = 1;

const CHUNK = 400;

export class WarningsProjection implements SqlProjection<WarningTables> {
  readonly name = WARNINGS_PROJECTION;
  readonly version = WARNINGS_PROJECTION_VERSION;
  readonly filter = { streamPrefixes: [WARNING_STREAM_PREFIX] };
  readonly tables = ['warning_list', 'warning_history'] as const;

  constructor(private readonly types: EventTypeMap) {}

  async createTables(db: Kysely<WarningTables>): Promise<void> {
    await db.schema
      .createTable('warning_list')
      .addColumn('warning_id', 'text', (c) => c.primaryKey())
      .addColumn('landlord_id', 'text', (c) => c.notNull())
      .addColumn('municipality', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('stage', 'text', (c) => c.notNull())
      .addColumn('submitted_on', 'text', (c) => c.notNull())
      .addColumn('forwarded_on', 'text')
      .addColumn('nav_office', 'text')
      .addColumn('not_forwarded_text', 'text')
      .addColumn('closed_on', 'text')
      .addColumn('closure', 'text')
      .addColumn('address', 'text', (c) => c.notNull())
      .addColumn('ground', 'text', (c) => c.notNull())
      .addColumn('arrears_ore', 'bigint', (c) => c.notNull())
      .addColumn('planned_petition_on', 'text', (c) => c.notNull())
      .addColumn('petition_filed_on', 'text')
      .addColumn('eviction_on', 'text')
      .addColumn('tenant_count', 'integer', (c) => c.notNull())
      .addColumn('advice', 'text', (c) => c.notNull())
      .addColumn('deadlines', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('stream_revision', 'integer', (c) => c.notNull())
      .execute();
    // A landlord's list, newest first, all or by status: one index range each.
    await db.schema.createIndex('warning_list_landlord_idx').on('warning_list').columns(['landlord_id', 'submitted_on', 'warning_id']).execute();
    await db.schema.createIndex('warning_list_status_idx').on('warning_list').columns(['landlord_id', 'status', 'submitted_on', 'warning_id']).execute();
    await db.schema
      .createTable('warning_history')
      .addColumn('warning_id', 'text', (c) => c.notNull())
      .addColumn('revision', 'integer', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('on', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('text', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('warning_history_pk', ['warning_id', 'revision'])
      .execute();
  }

  async apply(tx: Kysely<WarningTables>, events: readonly RecordedEvent[]): Promise<void> {
    const ids = [...new Set(events.map((e) => warningIdOfStream(e.streamName)).filter((id): id is string => id !== undefined))];
    const rows = new Map<string, WarningRow>();
    for (let i = 0; i < ids.length; i += CHUNK) {
      for (const row of await tx.selectFrom('warning_list').selectAll().where('warning_id', 'in', ids.slice(i, i + CHUNK)).execute()) rows.set(row.warning_id, { ...row, arrears_ore: Number(row.arrears_ore) });
    }
    const changed = new Set<string>();
    const history: WarningHistoryRow[] = [];
    for (const recorded of events) {
      const warningId = warningIdOfStream(recorded.streamName);
      if (!warningId) continue;
      const current = rows.get(warningId);
      if (current && current.stream_revision >= recorded.revision) continue;
      const event = { type: recorded.type, data: this.types.upcast(recorded) } as unknown as WarningEvent;
      const before: Warning = current ? (JSON.parse(current.state) as Warning) : initialWarning();
      const after = evolveWarning(before, event);
      if (!after.submitted) continue;
      rows.set(warningId, rowOf(after, current, event, recorded.revision));
      changed.add(warningId);
      const line = historyLine(event);
      if (line) history.push({ warning_id: warningId, revision: recorded.revision, at: recorded.metadata.occurredAt, ...line });
    }
    const values = [...changed].map((id) => rows.get(id) as WarningRow);
    for (let i = 0; i < values.length; i += 50) {
      await tx
        .insertInto('warning_list')
        .values(values.slice(i, i + 50))
        .onConflict((oc) =>
          oc.column('warning_id').doUpdateSet((eb) => ({
            status: eb.ref('excluded.status'),
            stage: eb.ref('excluded.stage'),
            forwarded_on: eb.ref('excluded.forwarded_on'),
            nav_office: eb.ref('excluded.nav_office'),
            not_forwarded_text: eb.ref('excluded.not_forwarded_text'),
            closed_on: eb.ref('excluded.closed_on'),
            closure: eb.ref('excluded.closure'),
            petition_filed_on: eb.ref('excluded.petition_filed_on'),
            eviction_on: eb.ref('excluded.eviction_on'),
            advice: eb.ref('excluded.advice'),
            deadlines: eb.ref('excluded.deadlines'),
            state: eb.ref('excluded.state'),
            stream_revision: eb.ref('excluded.stream_revision'),
          })),
        )
        .execute();
    }
    for (let i = 0; i < history.length; i += 100) {
      await tx
        .insertInto('warning_history')
        .values(history.slice(i, i + 100))
        .onConflict((oc) => oc.columns(['warning_id', 'revision']).doNothing())
        .execute();
    }
  }
}

/**
 * The same row and history folded straight from a warning's stream: the landlord's status page
 * reads it this way, so the decision a request just caused shows at once (read-your-writes), and
 * it is the very code the projection runs.
 */
export function foldWarningView(events: ReadonlyArray<{ readonly event: WarningEvent; readonly revision: number; readonly at: string }>): { row: WarningRow; history: WarningHistoryRow[] } | undefined {
  let state = initialWarning();
  let row: WarningRow | undefined;
  const history: WarningHistoryRow[] = [];
  for (const { event, revision, at } of events) {
    state = evolveWarning(state, event);
    if (!state.submitted) continue;
    row = rowOf(state, row, event, revision);
    const line = historyLine(event);
    if (line) history.push({ warning_id: state.submitted.warningId, revision, at, ...line });
  }
  return row ? { row, history } : undefined;
}

const ruleKey = (r: Ruling) => `${r.rule}|${r.tenantRef ?? ''}`;

function rowOf(w: Warning, before: WarningRow | undefined, event: WarningEvent, revision: number): WarningRow {
  const data = w.submitted as NonNullable<Warning['submitted']>;
  let advice: Ruling[] = before ? (JSON.parse(before.advice) as Ruling[]) : [];
  let deadlines: Ruling[] = before ? (JSON.parse(before.deadlines) as Ruling[]) : [];
  if (event.type === 'warnings.WarningForwarded') advice = [...event.data.advice];
  if (event.type === 'warnings.StepReported') {
    const rulings = event.data.rulings;
    // A filed petition replaces the advice about the planned one.
    if (event.data.step.kind === 'petition-filed') advice = [...rulings];
    const dated = event.data.step.kind === 'petition-filed' ? [] : rulings;
    const replaced = new Set(dated.map(ruleKey));
    deadlines = [...deadlines.filter((r) => !replaced.has(ruleKey(r))), ...dated];
  }
  return {
    warning_id: data.warningId,
    landlord_id: data.landlordId,
    municipality: data.municipalityNumber,
    status: w.status as string,
    stage: w.stage,
    submitted_on: data.submittedOn,
    forwarded_on: w.forwarded?.on ?? null,
    nav_office: w.forwarded?.navOffice ?? null,
    not_forwarded_text: w.notForwarded?.explanation ?? null,
    closed_on: w.closure?.on ?? null,
    closure: w.closure?.reason ?? null,
    address: data.dwelling.address,
    ground: data.ground,
    arrears_ore: data.arrearsOre,
    planned_petition_on: data.plannedPetitionOn,
    petition_filed_on: w.petitionFiledOn,
    eviction_on: w.evictionOn,
    tenant_count: data.tenants.length,
    advice: JSON.stringify(advice),
    deadlines: JSON.stringify(deadlines),
    state: JSON.stringify(w),
    stream_revision: revision,
  };
}

/** What happened, in bokmål, for the landlord: their own reports and the decisions about their warning. */
export function stepText(step: ReportedStep): string {
  switch (step.kind) {
    case 'notice-sent':
      return `Varsel etter tvangsfullbyrdelsesloven § 4-18 til ${tenantList([step.tenantRef])} sendt ${step.sentOn}.`;
    case 'petition-filed':
      return `Begjæring om fravikelse sendt ${step.filedOn}.`;
    case 'namsmann-letter-received':
      return step.receivedOn ? `Leietakeren mottok namsmannens brev ${step.receivedOn}.` : 'Leietakeren har mottatt namsmannens brev (dato ikke kjent).';
    case 'tenant-objected-to-namsmann':
      return `Leietakeren protesterte til namsmannen ${step.objectedOn}.`;
    case 'eviction-date-set':
      return `Namsmannen fastsatte fravikelse til ${step.evictionOn}.`;
    case 'eviction-postponed':
      return `Utleier utsatte fravikelsen til ${step.evictionOn}.`;
    case 'eviction-carried-out':
      return `Fravikelsen ble gjennomført ${step.evictedOn}.`;
    case 'cancelled-paid':
      return `Avsluttet fordi alt er betalt (${step.paidOn}).`;
    case 'withdrawn':
      return `Varselet ble trukket tilbake ${step.withdrawnOn}.`;
    default: {
      const never: never = step;
      return never;
    }
  }
}

function historyLine(event: WarningEvent): { on: string; kind: string; text: string } | null {
  switch (event.type) {
    case 'warnings.WarningSubmitted':
      return { on: event.data.submittedOn, kind: 'submitted', text: 'Varselet er mottatt.' };
    case 'warnings.WarningForwarded':
      return { on: event.data.forwardedOn, kind: 'forwarded', text: `Varselet er sendt til NAV (${event.data.navOffice}) ${event.data.forwardedOn}.` };
    case 'warnings.WarningNotForwarded':
      return { on: event.data.decidedOn, kind: 'not-forwarded', text: event.data.explanation };
    case 'warnings.StepReported': {
      const withheld = !event.data.passedToNav && event.data.withheldBecause.length > 0 ? ' Ikke sendt videre til NAV: leietakeren har reservert seg skriftlig mot varsler.' : '';
      return { on: event.data.reportedOn, kind: event.data.step.kind, text: `${stepText(event.data.step)}${withheld}` };
    }
    case 'warnings.EvictionStoppedByPayment':
      return { on: event.data.stoppedOn, kind: 'stopped-by-payment', text: `Fravikelsen er ${closureText('stopped-by-payment')}: ${event.data.explanation}` };
    default: {
      const never: never = event;
      return never;
    }
  }
}
