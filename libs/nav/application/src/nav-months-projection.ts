import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Kysely } from 'kysely';
import { daysBetween, norwegianCalendar } from '@evp/shared-kernel';
import type { EventTypeMap, RecordedEvent } from '@evp/event-store';
import { OFF_PATH_GATHER_MS, DayHistogram, MonthCounts, histogramMedian, upsertRows, type SqlProjection } from '@evp/read-models';
import { READ_MODEL_READER, type ReadModelReader } from '@evp/runtime';
import { hasRole, mayActIn, type Caller } from '@evp/auth';
import { NAV_STREAM_PREFIX, parseNavStreamName, type NavEvent } from '@evp/nav-domain';

/**
 * NAV's figures for the dashboard: aggregates for a whole municipality, per calendar month — never
 * a case, household, adviser or amount. Each figure is counted in the month of the date its event
 * carries, so a month's figure is final once the month is over:
 * - referrals: referrals that arrived in an office's inbox (`ReferralReceived.referredOn`), a
 *   follow-up moved to another office included (it waits in the new office's inbox as a referral
 *   of its own, from the day it moved), and so is one released back to the inbox (it waits there
 *   as a referral of its own, from the day it was released);
 * - picked up, and the pickup time: Norwegian working days (the shared kernel's calendar, as the
 *   pickup limit itself is counted) from the day a referral arrived to the claim that picked it
 *   up — an adviser's claim, or the office lead's assignment of a referral nobody had claimed —
 *   counted in the month of that pickup. A referral that arrived for a household an adviser
 *   already had is picked up on arrival: it never waited in the inbox and is not in the pickup
 *   figures. Kept as a histogram, so the median is exact.
 * - pickup overdue: referrals nobody had claimed when the pickup limit ran out
 *   (`ReferralPickupOverdue`, in the month of its escalation; once per referral, as the domain
 *   escalates once).
 * - § 17 starts: calendar days from the request for economic advice (sosialtjenesteloven § 17,
 *   oral or written) to the start of the advice, counted in the month of the start, as a
 *   histogram; and how many of them started later than the office's norm — the domain's own
 *   verdict, carried on the event (`EconomicAdviceStarted.late`), not decided again here.
 */
export interface NavMonthRow {
  municipality: string;
  month: string;
  referrals: number;
  picked_up: number;
  pickup_overdue: number;
  advice_started: number;
  advice_late: number;
}

/** A histogram bucket: `n` pickups (working days) or § 17 starts (calendar days) that took `days`. */
export interface NavDaysRow {
  municipality: string;
  month: string;
  days: number;
  n: number;
}

/** What a later event needs of an earlier one: when a referral arrived or a § 17 request was made, and whether it has been counted as done. */
export interface NavMonthItemRow {
  /** `r|<stream>|<referralId>` or `a|<stream>|<requestId>`. */
  item_key: string;
  since_on: string;
  done: number;
}

/** The last revision of each household stream applied: a redelivered event changes nothing. */
export interface NavMonthStreamRow {
  stream_name: string;
  stream_revision: number;
}

export interface NavMonthTables {
  nav_months: NavMonthRow;
  nav_pickup_days: NavDaysRow;
  nav_advice_days: NavDaysRow;
  nav_month_items: NavMonthItemRow;
  nav_month_streams: NavMonthStreamRow;
}

export const NAV_MONTHS_PROJECTION = 'nav-months';
export const NAV_MONTHS_PROJECTION_VERSION = 1;

const CHUNK = 400;
const COUNTED = ['referrals', 'picked_up', 'pickup_overdue', 'advice_started', 'advice_late'] as const;
type Counted = (typeof COUNTED)[number];
const referralKey = (stream: string, referralId: string) => `r|${stream}|${referralId}`;
const adviceKey = (stream: string, requestId: string) => `a|${stream}|${requestId}`;

export class NavMonthsProjection implements SqlProjection<NavMonthTables> {
  readonly name = NAV_MONTHS_PROJECTION;
  readonly version = NAV_MONTHS_PROJECTION_VERSION;
  // The household streams (`nav-<kommunenummer>-<leieforhold>`); the audit of reads (`navaudit-…`) is not one.
  readonly filter = { streamPrefixes: [NAV_STREAM_PREFIX] };
  readonly gatherMs = OFF_PATH_GATHER_MS;
  readonly tables = ['nav_months', 'nav_pickup_days', 'nav_advice_days', 'nav_month_items', 'nav_month_streams'] as const;

  constructor(private readonly types: EventTypeMap) {}

  async createTables(db: Kysely<NavMonthTables>): Promise<void> {
    await db.schema
      .createTable('nav_months')
      .addColumn('municipality', 'text', (c) => c.notNull())
      .addColumn('month', 'text', (c) => c.notNull())
      .addColumn('referrals', 'integer', (c) => c.notNull())
      .addColumn('picked_up', 'integer', (c) => c.notNull())
      .addColumn('pickup_overdue', 'integer', (c) => c.notNull())
      .addColumn('advice_started', 'integer', (c) => c.notNull())
      .addColumn('advice_late', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('nav_months_pk', ['municipality', 'month'])
      .execute();
    for (const table of ['nav_pickup_days', 'nav_advice_days'] as const) {
      await db.schema
        .createTable(table)
        .addColumn('municipality', 'text', (c) => c.notNull())
        .addColumn('month', 'text', (c) => c.notNull())
        .addColumn('days', 'integer', (c) => c.notNull())
        .addColumn('n', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint(`${table}_pk`, ['municipality', 'month', 'days'])
        .execute();
    }
    await db.schema
      .createTable('nav_month_items')
      .addColumn('item_key', 'text', (c) => c.primaryKey())
      .addColumn('since_on', 'text', (c) => c.notNull())
      .addColumn('done', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createTable('nav_month_streams').addColumn('stream_name', 'text', (c) => c.primaryKey()).addColumn('stream_revision', 'integer', (c) => c.notNull()).execute();
  }

  async apply(tx: Kysely<NavMonthTables>, events: readonly RecordedEvent[]): Promise<void> {
    const mine = events.filter((e) => parseNavStreamName(e.streamName) !== undefined);
    const streamNames = [...new Set(mine.map((e) => e.streamName))];
    const revisions = new Map<string, number>();
    for (let i = 0; i < streamNames.length; i += CHUNK) {
      for (const row of await tx.selectFrom('nav_month_streams').selectAll().where('stream_name', 'in', streamNames.slice(i, i + CHUNK)).execute()) revisions.set(row.stream_name, Number(row.stream_revision));
    }
    const keys = new Set<string>();
    for (const e of mine) {
      const d = e.data as { pickedUp?: unknown; requestId?: unknown };
      if ((e.type === 'nav.ReferralClaimed' || e.type === 'nav.ReferralReassigned') && Array.isArray(d.pickedUp)) for (const id of d.pickedUp) keys.add(referralKey(e.streamName, String(id)));
      if (e.type === 'nav.EconomicAdviceStarted' && typeof d.requestId === 'string') keys.add(adviceKey(e.streamName, d.requestId));
    }
    const items = new Map<string, NavMonthItemRow>();
    const keyList = [...keys];
    for (let i = 0; i < keyList.length; i += CHUNK) {
      for (const row of await tx.selectFrom('nav_month_items').selectAll().where('item_key', 'in', keyList.slice(i, i + CHUNK)).execute()) items.set(row.item_key, { ...row, done: Number(row.done) });
    }
    const changedItems = new Set<string>();
    const setItem = (row: NavMonthItemRow) => {
      items.set(row.item_key, row);
      changedItems.add(row.item_key);
    };
    const months = new MonthCounts<Counted>(COUNTED);
    const count = (municipality: string, day: string, field: Counted) => months.add(municipality, day, field);
    const pickups = new DayHistogram();
    const starts = new DayHistogram();
    const bucket = (into: DayHistogram, municipality: string, day: string, days: number) => into.add(municipality, day, days);

    for (const recorded of mine) {
      const stream = recorded.streamName;
      const applied = revisions.get(stream);
      if (applied !== undefined && applied >= recorded.revision) continue; // applied before (a redelivery)
      revisions.set(stream, recorded.revision);
      const municipality = (parseNavStreamName(stream) as { municipalityNumber: string }).municipalityNumber;
      const event = { type: recorded.type, data: this.types.dataOf(recorded) } as unknown as NavEvent;
      if (recorded.type === 'nav.FollowUpTransferred') {
        // Moved to another office: it waits in the new office's inbox as a referral of its own.
        const d = event.data as unknown as { referralId: string; transferredOn: string };
        count(municipality, d.transferredOn, 'referrals');
        setItem({ item_key: referralKey(stream, d.referralId), since_on: d.transferredOn, done: 0 });
        continue;
      }
      switch (event.type) {
        case 'nav.ReferralReceived': {
          const d = event.data;
          count(municipality, d.referredOn, 'referrals');
          // Picked up on arrival (the household's follow-up was already claimed): it never waited.
          setItem({ item_key: referralKey(stream, d.referralId), since_on: d.referredOn, done: d.pickedUpOn === null ? 0 : 1 });
          break;
        }
        case 'nav.ReferralClaimed':
        case 'nav.ReferralReassigned': {
          const on = event.type === 'nav.ReferralClaimed' ? event.data.claimedOn : event.data.reassignedOn;
          for (const referralId of event.data.pickedUp) {
            const item = items.get(referralKey(stream, referralId));
            if (!item || item.done) continue;
            count(municipality, on, 'picked_up');
            bucket(pickups, municipality, on, norwegianCalendar.workingDaysBetween(item.since_on, on));
            setItem({ ...item, done: 1 });
          }
          break;
        }
        case 'nav.ReferralReleased': {
          // Given back to the office's inbox: it waits there as a referral of its own, from the day
          // it was released. One released before releases had a pickup limit (version 1) never waited.
          const d = event.data;
          if (d.referralId === null) break;
          count(municipality, d.releasedOn, 'referrals');
          setItem({ item_key: referralKey(stream, d.referralId), since_on: d.releasedOn, done: 0 });
          break;
        }
        case 'nav.ReferralPickupOverdue':
          count(municipality, event.data.escalatedOn, 'pickup_overdue');
          break;
        case 'nav.EconomicAdviceRequested':
          setItem({ item_key: adviceKey(stream, event.data.requestId), since_on: event.data.requestedOn, done: 0 });
          break;
        case 'nav.EconomicAdviceStarted': {
          const d = event.data;
          const item = items.get(adviceKey(stream, d.requestId));
          if (!item || item.done) break;
          count(municipality, d.startedOn, 'advice_started');
          if (d.late) count(municipality, d.startedOn, 'advice_late');
          bucket(starts, municipality, d.startedOn, Math.max(0, daysBetween(item.since_on, d.startedOn)));
          setItem({ ...item, done: 1 });
          break;
        }
        default:
          break;
      }
    }

    const streamRows = streamNames.filter((s) => revisions.has(s)).map((s) => ({ stream_name: s, stream_revision: revisions.get(s) as number }));
    await upsertRows(tx, 'nav_month_streams', streamRows, 'stream_name', ['stream_revision']);
    const itemRows = [...changedItems].map((k) => items.get(k) as NavMonthItemRow);
    await upsertRows(tx, 'nav_month_items', itemRows, 'item_key', ['since_on', 'done']);
    await months.addTo(tx, 'nav_months');
    await pickups.addTo(tx, 'nav_pickup_days');
    await starts.addTo(tx, 'nav_advice_days');
  }
}

/** NAV's published view of one month for the dashboard: aggregates only (definitions: `NavMonthRow`). */
export interface NavMonth {
  readonly month: string;
  readonly referralsReceived: number;
  readonly referralsPickedUp: number;
  /** Median Norwegian working days from arrival to pickup, over the pickups in the month; null when none. */
  readonly medianPickupWorkingDays: number | null;
  readonly referralsPickupOverdue: number;
  readonly adviceStarted: number;
  /** Median calendar days from the § 17 request to the start, over the starts in the month; null when none. */
  readonly medianDaysToAdviceStart: number | null;
  readonly adviceStartedLate: number;
}

export class NavMonthsQuery {
  constructor(
    readonly caller: Caller,
    readonly municipalityNumber: string,
    /** The months wanted, `YYYY-MM`, in order. */
    readonly months: readonly string[],
  ) {}
}

/**
 * Aggregates for the whole municipality are not NAV's case details: the roles that read the
 * dashboard may see them, and so may the office lead. No case, household or adviser is in them.
 */
@QueryHandler(NavMonthsQuery)
export class NavMonthsHandler implements IQueryHandler<NavMonthsQuery, NavMonth[]> {
  constructor(@Inject(READ_MODEL_READER) private readonly readModels: ReadModelReader) {}

  async execute(q: NavMonthsQuery): Promise<NavMonth[]> {
    if (!hasRole(q.caller, 'accounting', 'arrears-team', 'admin', 'nav-lead') || !mayActIn(q.caller, q.municipalityNumber) || q.months.length === 0) return [];
    const db = await this.readModels.projection<NavMonthTables>(NAV_MONTHS_PROJECTION, NAV_MONTHS_PROJECTION_VERSION);
    const first = q.months[0] as string;
    const last = q.months[q.months.length - 1] as string;
    const counts = await db.selectFrom('nav_months').selectAll().where('municipality', '=', q.municipalityNumber).where('month', '>=', first).where('month', '<=', last).execute();
    const histogram = (table: 'nav_pickup_days' | 'nav_advice_days') =>
      db.selectFrom(table).selectAll().where('municipality', '=', q.municipalityNumber).where('month', '>=', first).where('month', '<=', last).orderBy('month').orderBy('days').execute();
    const [pickups, starts] = await Promise.all([histogram('nav_pickup_days'), histogram('nav_advice_days')]);
    const of = (rows: readonly NavDaysRow[], month: string) => rows.filter((r) => r.month === month).map((r) => ({ days: Number(r.days), n: Number(r.n) }));
    return q.months.map((month) => {
      const c = counts.find((r) => r.month === month);
      return {
        month,
        referralsReceived: Number(c?.referrals ?? 0),
        referralsPickedUp: Number(c?.picked_up ?? 0),
        medianPickupWorkingDays: histogramMedian(of(pickups, month)),
        referralsPickupOverdue: Number(c?.pickup_overdue ?? 0),
        adviceStarted: Number(c?.advice_started ?? 0),
        medianDaysToAdviceStart: histogramMedian(of(starts, month)),
        adviceStartedLate: Number(c?.advice_late ?? 0),
      };
    });
  }
}

/** NAV's query handlers behind the web app's dashboard. */
export const NAV_WEB_QUERY_HANDLERS = [NavMonthsHandler];
