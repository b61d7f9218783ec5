import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Kysely } from 'kysely';
import { daysBetween } from '@evp/shared-kernel';
import type { EventTypeMap, RecordedEvent } from '@evp/event-store';
import { OFF_PATH_GATHER_MS, DayHistogram, MonthCounts, histogramMedian, upsertRows, type SqlProjection } from '@evp/read-models';
import { READ_MODEL_READER, type ReadModelReader } from '@evp/runtime';
import { hasRole, mayActIn, type Caller } from '@evp/auth';
import { CASE_STREAM_PREFIX, type CaseEvent } from '@evp/cases-domain';

/**
 * The cases context's figures for the dashboard, per municipality and calendar month:
 * - opened, resolved, escalated: cases whose opening, resolution or escalation date falls in the month;
 * - days to first contact: calendar days from a case's opening to its first recorded contact,
 *   counted in the month of that first contact (so a month's figure is final once the month is
 *   over, and a case nobody has reached yet does not pull it down; such cases show as escalations).
 *   Kept as a histogram, so the median is exact without reading the cases.
 */
export interface CaseMonthRow {
  municipality: string;
  month: string;
  opened: number;
  resolved: number;
  escalated: number;
}

export interface ContactDaysRow {
  municipality: string;
  month: string;
  days: number;
  n: number;
}

export interface CaseMonthCaseRow {
  case_id: string;
  municipality: string;
  opened_on: string;
  first_contact_on: string | null;
  stream_revision: number;
}

export interface CaseMonthTables {
  case_months: CaseMonthRow;
  case_contact_days: ContactDaysRow;
  case_month_cases: CaseMonthCaseRow;
}

export const CASE_MONTHS_PROJECTION = 'cases-months';
export const CASE_MONTHS_PROJECTION_VERSION = 1;

const CHUNK = 400;

export class CaseMonthsProjection implements SqlProjection<CaseMonthTables> {
  readonly name = CASE_MONTHS_PROJECTION;
  readonly version = CASE_MONTHS_PROJECTION_VERSION;
  readonly filter = { streamPrefixes: [CASE_STREAM_PREFIX] };
  readonly gatherMs = OFF_PATH_GATHER_MS;
  readonly tables = ['case_months', 'case_contact_days', 'case_month_cases'] as const;

  constructor(private readonly types: EventTypeMap) {}

  async createTables(db: Kysely<CaseMonthTables>): Promise<void> {
    await db.schema
      .createTable('case_months')
      .addColumn('municipality', 'text', (c) => c.notNull())
      .addColumn('month', 'text', (c) => c.notNull())
      .addColumn('opened', 'integer', (c) => c.notNull())
      .addColumn('resolved', 'integer', (c) => c.notNull())
      .addColumn('escalated', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('case_months_pk', ['municipality', 'month'])
      .execute();
    await db.schema
      .createTable('case_contact_days')
      .addColumn('municipality', 'text', (c) => c.notNull())
      .addColumn('month', 'text', (c) => c.notNull())
      .addColumn('days', 'integer', (c) => c.notNull())
      .addColumn('n', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('case_contact_days_pk', ['municipality', 'month', 'days'])
      .execute();
    await db.schema
      .createTable('case_month_cases')
      .addColumn('case_id', 'text', (c) => c.primaryKey())
      .addColumn('municipality', 'text', (c) => c.notNull())
      .addColumn('opened_on', 'text', (c) => c.notNull())
      .addColumn('first_contact_on', 'text')
      .addColumn('stream_revision', 'integer', (c) => c.notNull())
      .execute();
  }

  async apply(tx: Kysely<CaseMonthTables>, events: readonly RecordedEvent[]): Promise<void> {
    const ids = [...new Set(events.map((e) => (e.data as { caseId?: unknown }).caseId).filter((id): id is string => typeof id === 'string'))];
    const cases = new Map<string, CaseMonthCaseRow>();
    for (let i = 0; i < ids.length; i += CHUNK) {
      for (const row of await tx.selectFrom('case_month_cases').selectAll().where('case_id', 'in', ids.slice(i, i + CHUNK)).execute()) cases.set(row.case_id, row);
    }
    const changed = new Set<string>();
    const months = new MonthCounts(['opened', 'resolved', 'escalated'] as const);
    const count = (municipality: string, day: string, field: 'opened' | 'resolved' | 'escalated') => months.add(municipality, day, field);
    const contacts = new DayHistogram();
    const contact = (municipality: string, day: string, days: number, delta: number) => contacts.add(municipality, day, days, delta);
    for (const recorded of events) {
      if (!recorded.streamName.startsWith(CASE_STREAM_PREFIX)) continue;
      const event = { type: recorded.type, data: this.types.dataOf(recorded) } as unknown as CaseEvent;
      const current = cases.get(event.data.caseId);
      if (current && current.stream_revision >= recorded.revision) continue; // applied before
      const touch = (row: CaseMonthCaseRow) => {
        cases.set(row.case_id, { ...row, stream_revision: recorded.revision });
        changed.add(row.case_id);
      };
      switch (event.type) {
        case 'cases.CaseOpened':
          touch({ case_id: event.data.caseId, municipality: event.data.municipalityNumber, opened_on: event.data.openedOn, first_contact_on: null, stream_revision: recorded.revision });
          count(event.data.municipalityNumber, event.data.openedOn, 'opened');
          break;
        case 'cases.CaseEscalatedToArrearsTeam':
          if (!current) break;
          touch(current);
          count(current.municipality, event.data.escalatedOn, 'escalated');
          break;
        case 'cases.CaseResolved':
          if (!current) break;
          touch(current);
          count(current.municipality, event.data.resolvedOn, 'resolved');
          break;
        case 'cases.ContactRecorded': {
          if (!current) break;
          const on = event.data.contactedOn;
          // The first contact is the earliest dated one: a contact recorded late but dated earlier moves it.
          if (current.first_contact_on !== null && current.first_contact_on <= on) {
            touch(current);
            break;
          }
          if (current.first_contact_on !== null) contact(current.municipality, current.first_contact_on, waited(current.opened_on, current.first_contact_on), -1);
          contact(current.municipality, on, waited(current.opened_on, on), +1);
          touch({ ...current, first_contact_on: on });
          break;
        }
        default:
          if (current) touch(current);
      }
    }
    const caseRows = [...changed].map((id) => cases.get(id) as CaseMonthCaseRow);
    await upsertRows(tx, 'case_month_cases', caseRows, 'case_id', ['first_contact_on', 'stream_revision']);
    await months.addTo(tx, 'case_months');
    // A bucket emptied by a moved first contact is removed (DayHistogram.addTo).
    await contacts.addTo(tx, 'case_contact_days');
  }
}

/** Calendar days from opening to contact; a contact dated before the opening (recorded late) counts as the same day. */
const waited = (openedOn: string, contactedOn: string) => Math.max(0, daysBetween(openedOn, contactedOn));

/** The cases context's published view of one month, for the dashboard. */
export interface CaseMonth {
  readonly month: string;
  readonly casesOpened: number;
  readonly casesResolved: number;
  readonly casesEscalated: number;
  /** Median calendar days from opening to first contact, over the first contacts made in the month; null when none was. */
  readonly medianDaysToFirstContact: number | null;
}

export class CaseMonthsQuery {
  constructor(
    readonly caller: Caller,
    readonly municipalityNumber: string,
    /** The months wanted, `YYYY-MM`, in order. */
    readonly months: readonly string[],
  ) {}
}

@QueryHandler(CaseMonthsQuery)
export class CaseMonthsHandler implements IQueryHandler<CaseMonthsQuery, CaseMonth[]> {
  constructor(@Inject(READ_MODEL_READER) private readonly readModels: ReadModelReader) {}

  async execute(q: CaseMonthsQuery): Promise<CaseMonth[]> {
    if (!hasRole(q.caller, 'accounting', 'arrears-team', 'admin') || !mayActIn(q.caller, q.municipalityNumber) || q.months.length === 0) return [];
    const db = await this.readModels.projection<CaseMonthTables>(CASE_MONTHS_PROJECTION, CASE_MONTHS_PROJECTION_VERSION);
    const first = q.months[0] as string;
    const last = q.months[q.months.length - 1] as string;
    const counts = await db.selectFrom('case_months').selectAll().where('municipality', '=', q.municipalityNumber).where('month', '>=', first).where('month', '<=', last).execute();
    const waits = await db.selectFrom('case_contact_days').selectAll().where('municipality', '=', q.municipalityNumber).where('month', '>=', first).where('month', '<=', last).orderBy('month').orderBy('days').execute();
    return q.months.map((month) => {
      const c = counts.find((r) => r.month === month);
      return {
        month,
        casesOpened: Number(c?.opened ?? 0),
        casesResolved: Number(c?.resolved ?? 0),
        casesEscalated: Number(c?.escalated ?? 0),
        medianDaysToFirstContact: histogramMedian(waits.filter((w) => w.month === month).map((w) => ({ days: Number(w.days), n: Number(w.n) }))),
      };
    });
  }
}

