import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Kysely } from 'kysely';
import { addDays, type LocalDate } from '@evp/shared-kernel';
import { READ_MODEL_READER, type ReadModelReader } from '@evp/runtime';
import { hasRole, mayActIn, type Caller } from '@evp/auth';
import { RENT_MONTHS_PROJECTION, addMonths, lastDayOf, monthOf, rentMonthsProjectionVersion, type RentMonthTables } from './rent-months-projection';

/** The ledger's published view of one month of a municipality's rent, for the dashboard. */
export interface RentMonth {
  readonly month: string;
  /** Rent falling due in the month (gross charges). */
  readonly invoicedOre: number;
  /** Rent fallen due and unpaid at the month's end (for the month in progress: at the end of yesterday). */
  readonly outstandingOre: number;
  /** The part of it whose grace period had ended: arrears as the case policies count them. */
  readonly arrearsOre: number;
  /**
   * The housing plan's measure, «utestående husleie / fakturert husleie» (2.76 % in 2020, 3.31 % in
   * 2023): outstanding at the month's end divided by the rent invoiced over the twelve months
   * ending with it — a year's invoicing, as the plan divides the year-end stock by the year's
   * invoicing, so December's figure is the plan's. While the ledger holds fewer than twelve months
   * before the month (a new installation), the months it holds are scaled to a year
   * (`shareBasisMonths` says how many). Null before the first invoice. A fraction, not a percentage.
   */
  readonly outstandingShare: number | null;
  /** How many months of invoicing the share's denominator rests on (12 once a year is known). */
  readonly shareBasisMonths: number;
}

/** Injection token for the grace period the rent-month queries read with (POLICY_GRACE_WORKING_DAYS): it is part of the projection's version. */
export const LEDGER_GRACE_WORKING_DAYS = 'ledger.GraceWorkingDays';

/** At most this many months in one request: three years, the horizon after which claims are written off. */
export const MAX_DASHBOARD_MONTHS = 36;

export class RentMonthsQuery {
  constructor(
    readonly caller: Caller,
    readonly municipalityNumber: string,
    /** `YYYY-MM`, inclusive. */
    readonly from: string,
    readonly to: string,
    readonly today: LocalDate,
  ) {}
}

/** Outstanding rent and arrears in a municipality now (at the end of yesterday). */
export class RentPositionQuery {
  constructor(
    readonly caller: Caller,
    readonly municipalityNumber: string,
    readonly today: LocalDate,
  ) {}
}

export interface RentPosition {
  readonly asOf: LocalDate;
  readonly outstandingOre: number;
  readonly arrearsOre: number;
}

const mayRead = (caller: Caller, municipality: string) => hasRole(caller, 'accounting', 'arrears-team', 'admin') && mayActIn(caller, municipality);

abstract class RentMonthsReader {
  constructor(
    protected readonly readModels: ReadModelReader,
    protected readonly graceWorkingDays: number,
  ) {}

  /** Every changed day of the municipality up to `until`: a stock at a day is the sum of its changes before it. */
  protected async days(municipality: string, until: LocalDate) {
    const db: Kysely<RentMonthTables> = await this.readModels.projection<RentMonthTables>(RENT_MONTHS_PROJECTION, rentMonthsProjectionVersion(this.graceWorkingDays));
    const rows = await db
      .selectFrom('rent_days')
      .select(['day', 'invoiced_ore', 'outstanding_change_ore', 'arrears_change_ore'])
      .where('municipality', '=', municipality)
      .where('day', '<=', until)
      .orderBy('day')
      .execute();
    return rows.map((r) => ({ day: r.day, invoiced: Number(r.invoiced_ore), outstanding: Number(r.outstanding_change_ore), arrears: Number(r.arrears_change_ore) }));
  }
}

@QueryHandler(RentMonthsQuery)
export class RentMonthsHandler extends RentMonthsReader implements IQueryHandler<RentMonthsQuery, RentMonth[]> {
  constructor(@Inject(READ_MODEL_READER) readModels: ReadModelReader, @Inject(LEDGER_GRACE_WORKING_DAYS) graceWorkingDays: number) {
    super(readModels, graceWorkingDays);
  }

  async execute(q: RentMonthsQuery): Promise<RentMonth[]> {
    if (!mayRead(q.caller, q.municipalityNumber)) return [];
    const current = monthOf(q.today);
    const months: string[] = [];
    for (let m = q.from; m <= q.to && months.length < MAX_DASHBOARD_MONTHS; m = addMonths(m, 1)) months.push(m);
    // A stock «at the end» of the month in progress is at the end of yesterday: today is not over.
    const endOf = (month: string) => (month === current ? addDays(q.today, -1) : lastDayOf(month));
    const days = await this.days(q.municipalityNumber, lastDayOf(q.to));
    const firstInvoiced = days.find((d) => d.invoiced !== 0)?.day;
    const invoicedByMonth = new Map<string, number>();
    for (const d of days) invoicedByMonth.set(monthOf(d.day), (invoicedByMonth.get(monthOf(d.day)) ?? 0) + d.invoiced);
    let i = 0;
    let outstanding = 0;
    let arrears = 0;
    return months.map((month) => {
      const end = endOf(month);
      for (; i < days.length && (days[i] as { day: string }).day <= end; i++) {
        outstanding += (days[i] as { outstanding: number }).outstanding;
        arrears += (days[i] as { arrears: number }).arrears;
      }
      let invoicedYear = 0;
      let basis = 0;
      for (let k = 0; k < 12; k++) {
        const m = addMonths(month, -k);
        if (firstInvoiced === undefined || m < monthOf(firstInvoiced)) break;
        invoicedYear += invoicedByMonth.get(m) ?? 0;
        basis += 1;
      }
      const share = basis > 0 && invoicedYear > 0 ? round6(outstanding / ((invoicedYear * 12) / basis)) : null;
      return { month, invoicedOre: invoicedByMonth.get(month) ?? 0, outstandingOre: outstanding, arrearsOre: arrears, outstandingShare: share, shareBasisMonths: basis };
    });
  }
}

@QueryHandler(RentPositionQuery)
export class RentPositionHandler extends RentMonthsReader implements IQueryHandler<RentPositionQuery, RentPosition | undefined> {
  constructor(@Inject(READ_MODEL_READER) readModels: ReadModelReader, @Inject(LEDGER_GRACE_WORKING_DAYS) graceWorkingDays: number) {
    super(readModels, graceWorkingDays);
  }

  async execute(q: RentPositionQuery): Promise<RentPosition | undefined> {
    if (!mayRead(q.caller, q.municipalityNumber)) return undefined;
    const asOf = addDays(q.today, -1);
    const days = await this.days(q.municipalityNumber, asOf);
    return { asOf, outstandingOre: days.reduce((s, d) => s + d.outstanding, 0), arrearsOre: days.reduce((s, d) => s + d.arrears, 0) };
  }
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;
