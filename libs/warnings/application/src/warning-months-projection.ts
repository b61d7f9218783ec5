import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Kysely } from 'kysely';
import type { EventTypeMap, RecordedEvent } from '@evp/event-store';
import { OFF_PATH_GATHER_MS, MonthCounts, upsertRows, type SqlProjection } from '@evp/read-models';
import { READ_MODEL_READER, type ReadModelReader } from '@evp/runtime';
import { hasRole, mayActIn, type Caller } from '@evp/auth';
import { WARNING_STREAM_PREFIX, type WarningEvent } from '@evp/warnings-domain';

/**
 * The § 9-11 warnings context's figures for the dashboard, per municipality and calendar month.
 * Each figure counts a warning at most once, in the month of the date the event carries (the
 * fact's own date, not the day it was reported):
 * - received: warnings submitted (`WarningSubmitted.submittedOn`);
 * - forwarded: warnings sent on to NAV (`WarningForwarded.forwardedOn`); a warning a tenant has
 *   objected to is received but never forwarded;
 * - petitions: the landlord reported the petition for eviction filed (`petition-filed.filedOn`);
 * - evicted: the eviction was carried out (`eviction-carried-out.evictedOn`);
 * - avoided: the warning ended without an eviction — the landlord cancelled it because the rent was
 *   paid (`cancelled-paid.paidOn`), withdrew it (`withdrawn.withdrawnOn`), or the ledger showed
 *   everything paid before the lock was changed (`EvictionStoppedByPayment.stoppedOn`). Counted in
 *   the month of the first such ending. Should an eviction nevertheless be reported carried out for
 *   a warning counted as avoided, the avoided count is taken back from its month and the warning
 *   counts as evicted instead: a warning is never both.
 * A warning still running (none of these endings) counts in neither evicted nor avoided.
 */
export interface WarningMonthRow {
  municipality: string;
  month: string;
  received: number;
  forwarded: number;
  petitions: number;
  evicted: number;
  avoided: number;
}

/** One row per warning: what it has been counted as, and the last revision of its stream applied. */
export interface WarningMonthWarningRow {
  warning_id: string;
  municipality: string;
  forwarded_on: string | null;
  petition_on: string | null;
  evicted_on: string | null;
  avoided_on: string | null;
  stream_revision: number;
}

export interface WarningMonthTables {
  warning_months: WarningMonthRow;
  warning_month_warnings: WarningMonthWarningRow;
}

export const WARNING_MONTHS_PROJECTION = 'warnings-months';
export const WARNING_MONTHS_PROJECTION_VERSION = 1;

const CHUNK = 400;
const COUNTED = ['received', 'forwarded', 'petitions', 'evicted', 'avoided'] as const;
type Counted = (typeof COUNTED)[number];

export class WarningMonthsProjection implements SqlProjection<WarningMonthTables> {
  readonly name = WARNING_MONTHS_PROJECTION;
  readonly version = WARNING_MONTHS_PROJECTION_VERSION;
  // `warning-<id>` only: the tenancy index (`warnings-of-…`) and the objections are other streams.
  readonly filter = { streamPrefixes: [WARNING_STREAM_PREFIX] };
  readonly gatherMs = OFF_PATH_GATHER_MS;
  readonly tables = ['warning_months', 'warning_month_warnings'] as const;

  constructor(private readonly types: EventTypeMap) {}

  async createTables(db: Kysely<WarningMonthTables>): Promise<void> {
    await db.schema
      .createTable('warning_months')
      .addColumn('municipality', 'text', (c) => c.notNull())
      .addColumn('month', 'text', (c) => c.notNull())
      .addColumn('received', 'integer', (c) => c.notNull())
      .addColumn('forwarded', 'integer', (c) => c.notNull())
      .addColumn('petitions', 'integer', (c) => c.notNull())
      .addColumn('evicted', 'integer', (c) => c.notNull())
      .addColumn('avoided', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('warning_months_pk', ['municipality', 'month'])
      .execute();
    await db.schema
      .createTable('warning_month_warnings')
      .addColumn('warning_id', 'text', (c) => c.primaryKey())
      .addColumn('municipality', 'text', (c) => c.notNull())
      .addColumn('forwarded_on', 'text')
      .addColumn('petition_on', 'text')
      .addColumn('evicted_on', 'text')
      .addColumn('avoided_on', 'text')
      .addColumn('stream_revision', 'integer', (c) => c.notNull())
      .execute();
  }

  async apply(tx: Kysely<WarningMonthTables>, events: readonly RecordedEvent[]): Promise<void> {
    const ids = [
      ...new Set(
        events
          .filter((e) => e.streamName.startsWith(WARNING_STREAM_PREFIX))
          .map((e) => (e.data as { warningId?: unknown }).warningId)
          .filter((id): id is string => typeof id === 'string'),
      ),
    ];
    const warnings = new Map<string, WarningMonthWarningRow>();
    for (let i = 0; i < ids.length; i += CHUNK) {
      for (const row of await tx.selectFrom('warning_month_warnings').selectAll().where('warning_id', 'in', ids.slice(i, i + CHUNK)).execute()) warnings.set(row.warning_id, row);
    }
    const changed = new Set<string>();
    const months = new MonthCounts<Counted>(COUNTED);
    const count = (municipality: string, day: string, field: Counted, delta = 1) => months.add(municipality, day, field, delta);
    for (const recorded of events) {
      if (!recorded.streamName.startsWith(WARNING_STREAM_PREFIX)) continue;
      const event = { type: recorded.type, data: this.types.dataOf(recorded) } as unknown as WarningEvent;
      const warningId = (event.data as { warningId?: unknown }).warningId;
      if (typeof warningId !== 'string') continue;
      const current = warnings.get(warningId);
      if (current && current.stream_revision >= recorded.revision) continue; // applied before (a redelivery)
      const touch = (row: WarningMonthWarningRow) => {
        warnings.set(row.warning_id, { ...row, stream_revision: recorded.revision });
        changed.add(row.warning_id);
      };
      /** The warning ended without an eviction: counted once, in the month of its first such ending. */
      const avoided = (w: WarningMonthWarningRow, on: string) => {
        if (w.evicted_on !== null || w.avoided_on !== null) return touch(w);
        count(w.municipality, on, 'avoided');
        touch({ ...w, avoided_on: on });
      };
      if (event.type === 'warnings.WarningSubmitted') {
        if (current) {
          touch(current);
          continue;
        }
        const d = event.data;
        touch({ warning_id: d.warningId, municipality: d.municipalityNumber, forwarded_on: null, petition_on: null, evicted_on: null, avoided_on: null, stream_revision: recorded.revision });
        count(d.municipalityNumber, d.submittedOn, 'received');
        continue;
      }
      if (!current) continue; // nothing of a warning whose submission this projection has not seen
      switch (event.type) {
        case 'warnings.WarningForwarded':
          if (current.forwarded_on !== null) touch(current);
          else {
            count(current.municipality, event.data.forwardedOn, 'forwarded');
            touch({ ...current, forwarded_on: event.data.forwardedOn });
          }
          break;
        case 'warnings.EvictionStoppedByPayment':
          avoided(current, event.data.stoppedOn);
          break;
        case 'warnings.StepReported': {
          const step = event.data.step;
          switch (step.kind) {
            case 'petition-filed':
              if (current.petition_on !== null) touch(current);
              else {
                count(current.municipality, step.filedOn, 'petitions');
                touch({ ...current, petition_on: step.filedOn });
              }
              break;
            case 'eviction-carried-out':
              if (current.evicted_on !== null) {
                touch(current);
                break;
              }
              // Counted as avoided before: it was not, after all.
              if (current.avoided_on !== null) count(current.municipality, current.avoided_on, 'avoided', -1);
              count(current.municipality, step.evictedOn, 'evicted');
              touch({ ...current, evicted_on: step.evictedOn, avoided_on: null });
              break;
            case 'cancelled-paid':
              avoided(current, step.paidOn);
              break;
            case 'withdrawn':
              avoided(current, step.withdrawnOn);
              break;
            default:
              touch(current);
          }
          break;
        }
        default:
          touch(current);
      }
    }
    const warningRows = [...changed].map((id) => warnings.get(id) as WarningMonthWarningRow);
    await upsertRows(tx, 'warning_month_warnings', warningRows, 'warning_id', ['forwarded_on', 'petition_on', 'evicted_on', 'avoided_on', 'stream_revision']);
    await months.addTo(tx, 'warning_months');
  }
}

/** The warnings context's published view of one month, for the dashboard (definitions: `WarningMonthRow`). */
export interface WarningMonth {
  readonly month: string;
  readonly warningsReceived: number;
  readonly warningsForwarded: number;
  readonly petitionsFiled: number;
  readonly evictionsCarriedOut: number;
  readonly evictionsAvoided: number;
}

export class WarningMonthsQuery {
  constructor(
    readonly caller: Caller,
    readonly municipalityNumber: string,
    /** The months wanted, `YYYY-MM`, in order. */
    readonly months: readonly string[],
  ) {}
}

/** Aggregates for the whole municipality: no warning, landlord or tenant is named in them. */
@QueryHandler(WarningMonthsQuery)
export class WarningMonthsHandler implements IQueryHandler<WarningMonthsQuery, WarningMonth[]> {
  constructor(@Inject(READ_MODEL_READER) private readonly readModels: ReadModelReader) {}

  async execute(q: WarningMonthsQuery): Promise<WarningMonth[]> {
    if (!hasRole(q.caller, 'accounting', 'arrears-team', 'admin') || !mayActIn(q.caller, q.municipalityNumber) || q.months.length === 0) return [];
    const db = await this.readModels.projection<WarningMonthTables>(WARNING_MONTHS_PROJECTION, WARNING_MONTHS_PROJECTION_VERSION);
    const rows = await db
      .selectFrom('warning_months')
      .selectAll()
      .where('municipality', '=', q.municipalityNumber)
      .where('month', '>=', q.months[0] as string)
      .where('month', '<=', q.months[q.months.length - 1] as string)
      .execute();
    return q.months.map((month) => {
      const r = rows.find((x) => x.month === month);
      return {
        month,
        warningsReceived: Number(r?.received ?? 0),
        warningsForwarded: Number(r?.forwarded ?? 0),
        petitionsFiled: Number(r?.petitions ?? 0),
        evictionsCarriedOut: Number(r?.evicted ?? 0),
        evictionsAvoided: Number(r?.avoided ?? 0),
      };
    });
  }
}

/** The warnings context's query handlers behind the web app's dashboard. */
export const WARNING_WEB_QUERY_HANDLERS = [WarningMonthsHandler];
