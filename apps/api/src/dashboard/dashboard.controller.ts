import { Controller, Get, Inject, NotFoundException, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { osloDate, type Clock } from '@evp/shared-kernel';
import { CLOCK } from '@evp/runtime';
import { CurrentCaller, Roles, mayActIn, type Caller } from '@evp/auth';
import { MAX_DASHBOARD_MONTHS, RentMonthsQuery, type RentMonth } from '@evp/ledger-application';
import { CaseMonthsQuery, type CaseMonth } from '@evp/cases-application';
import { WarningMonthsQuery, type WarningMonth } from '@evp/warnings-application';
import { NavMonthsQuery, type NavMonth } from '@evp/nav-application';
import { RequestValidationError } from '../http/errors';
import { ApiErrors } from '../http/openapi';
import { addMonths, monthParam, municipalityFor, municipalityParam, parsed } from '../web/query-params';

const dashboardQuery = z.object({ municipality: municipalityParam.optional(), from: monthParam.optional(), to: monthParam.optional() });

export interface DashboardMonth extends Omit<RentMonth, 'month'>, Omit<CaseMonth, 'month'>, Omit<WarningMonth, 'month'>, Omit<NavMonth, 'month'> {
  readonly month: string;
}

/**
 * The dashboard: the api composes the contexts' published views month by month — the ledger's
 * rent figures, the cases context's case figures, the § 9-11 warnings context's warnings,
 * petitions and evictions, and NAV's aggregates (pickup time, § 17 starts; never a case) — and
 * none of them reads another.
 */
@ApiTags('dashboard')
@Controller('api/v1')
export class DashboardController {
  constructor(
    private readonly queries: QueryBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('dashboard')
  @Roles('accounting', 'arrears-team', 'admin')
  @ApiOperation({
    summary:
      'Måned for måned: fakturert husleie, utestående ved månedsslutt og som andel av fakturert (boligsosial handlingsplans mål), restanse, saker åpnet, løst og eskalert, median dager til første kontakt; varsler om fravikelse (husleieloven § 9-11) mottatt og sendt til NAV, begjæringer om fravikelse, fravikelser gjennomført og unngått; NAV: henvisninger mottatt og tatt, median virkedager til en henvisning ble tatt, henvisninger ikke tatt innen fristen, oppstart av økonomisk rådgivning (sosialtjenesteloven § 17) med median dager fra søknad til oppstart og antall oppstarter senere enn kontorets norm. Bare tall for hele kommunen, ingen enkeltsaker. Medianer er null når måneden ikke har data. Standard: de siste 12 månedene; høyst 36.',
  })
  @ApiQuery({ name: 'municipality', required: false, example: '5035' })
  @ApiQuery({ name: 'from', required: false, example: '2026-01' })
  @ApiQuery({ name: 'to', required: false, example: '2026-12' })
  @ApiErrors([404, 'Kommunen er utenfor din tilgang'], [422, 'Ugyldig periode'])
  async get(@CurrentCaller() caller: Caller, @Query() query: unknown): Promise<{ months: DashboardMonth[] }> {
    const q = parsed(dashboardQuery, query);
    const municipality = municipalityFor(caller, q.municipality);
    if (!mayActIn(caller, municipality)) throw new NotFoundException({ error: 'NotFound', message: 'Finnes ikke' });
    const today = osloDate(this.clock.now());
    const current = today.slice(0, 7);
    const to = q.to ?? current;
    const from = q.from ?? addMonths(to, -11);
    const problems = [
      ...(to > current ? [{ line: null, column: 'to', reason: 'kan ikke være frem i tid' }] : []),
      ...(from > to ? [{ line: null, column: 'from', reason: 'må være før eller lik to' }] : []),
      ...(from < addMonths(to, -(MAX_DASHBOARD_MONTHS - 1)) ? [{ line: null, column: 'from', reason: `perioden kan være høyst ${MAX_DASHBOARD_MONTHS} måneder` }] : []),
    ];
    if (problems.length) throw new RequestValidationError(problems);
    const months: string[] = [];
    for (let m = from; m <= to; m = addMonths(m, 1)) months.push(m);
    const [rent, cases, warnings, nav] = await Promise.all([
      this.queries.execute<RentMonthsQuery, RentMonth[]>(new RentMonthsQuery(caller, municipality, from, to, today)),
      this.queries.execute<CaseMonthsQuery, CaseMonth[]>(new CaseMonthsQuery(caller, municipality, months)),
      this.queries.execute<WarningMonthsQuery, WarningMonth[]>(new WarningMonthsQuery(caller, municipality, months)),
      this.queries.execute<NavMonthsQuery, NavMonth[]>(new NavMonthsQuery(caller, municipality, months)),
    ]);
    return {
      months: months.map((month) => {
        const r = rent.find((x) => x.month === month);
        const c = cases.find((x) => x.month === month);
        const w = warnings.find((x) => x.month === month);
        const n = nav.find((x) => x.month === month);
        return {
          month,
          invoicedOre: r?.invoicedOre ?? 0,
          outstandingOre: r?.outstandingOre ?? 0,
          outstandingShare: r?.outstandingShare ?? null,
          shareBasisMonths: r?.shareBasisMonths ?? 0,
          arrearsOre: r?.arrearsOre ?? 0,
          casesOpened: c?.casesOpened ?? 0,
          casesResolved: c?.casesResolved ?? 0,
          casesEscalated: c?.casesEscalated ?? 0,
          medianDaysToFirstContact: c?.medianDaysToFirstContact ?? null,
          warningsReceived: w?.warningsReceived ?? 0,
          warningsForwarded: w?.warningsForwarded ?? 0,
          petitionsFiled: w?.petitionsFiled ?? 0,
          evictionsCarriedOut: w?.evictionsCarriedOut ?? 0,
          evictionsAvoided: w?.evictionsAvoided ?? 0,
          referralsReceived: n?.referralsReceived ?? 0,
          referralsPickedUp: n?.referralsPickedUp ?? 0,
          medianPickupWorkingDays: n?.medianPickupWorkingDays ?? null,
          referralsPickupOverdue: n?.referralsPickupOverdue ?? 0,
          adviceStarted: n?.adviceStarted ?? 0,
          medianDaysToAdviceStart: n?.medianDaysToAdviceStart ?? null,
          adviceStartedLate: n?.adviceStartedLate ?? 0,
        };
      }),
    };
  }
}
