import { addDays, norwegianCalendar, type LocalDate, type Ore } from '@evp/shared-kernel';
import type { EvictionGround } from '@evp/warnings-contract';

/**
 * The statutory deadline engine for the path from a § 4-18 notice to an eviction: one place, a
 * named rule per deadline, each citing its provision, every length a configuration value, and for
 * each whether it counts calendar days or working days. Pure: every function takes the dates it
 * needs; none reads a clock. Background and sources: ../shared/DOMAIN.md.
 */
export interface WarningDeadlinePolicy {
  /** tvangsfullbyrdelsesloven § 4-18 (1): «to uker» from the notice being sent. Calendar days. */
  readonly noticeToPetitionDays: number;
  /** Policy, not law: working days after sending until a posted notice is assumed received. */
  readonly assumedReceiptWorkingDays: number;
  /** Husbanken's guidance: at least two weeks from the notice to NAV to the petition. Calendar days; advice only. */
  readonly navLeadDays: number;
  /** tvangsfullbyrdelsesloven § 13-6 (with § 4-18): the tenant's objection to the namsmann. Calendar days from receipt. */
  readonly objectionDays: number;
  /** tvangsfullbyrdelsesloven § 13-11: time to fetch belongings after the eviction before the second notice. Calendar days. */
  readonly belongingsDays: number;
}

export const DEFAULT_WARNING_DEADLINE_POLICY: WarningDeadlinePolicy = {
  noticeToPetitionDays: 14,
  assumedReceiptWorkingDays: 3,
  navLeadDays: 14,
  objectionDays: 14,
  belongingsDays: 14,
};

/** A dated rule result: the date, whether the law or a policy sets it, and the basis in bokmål for the people reading it. */
export interface DeadlineRuling {
  readonly rule: DeadlineRuleName;
  readonly date: LocalDate;
  readonly kind: 'law' | 'policy' | 'advice';
  readonly basis: string;
  readonly explanation: string;
}

export type DeadlineRuleName = 'noticeEarliest' | 'petitionLegal' | 'petitionCareful' | 'leadAfterNavNotice' | 'objectionToNamsmann' | 'belongings' | 'noticePerTenant';

/**
 * Rule «notice earliest»: a § 4-18 notice may be sent on the rent's due date at the earliest
 * (tvangsfullbyrdelsesloven § 4-18 første ledd: the claim must have fallen due).
 */
export function noticeEarliest(rentDueOn: LocalDate): DeadlineRuling {
  return {
    rule: 'noticeEarliest',
    date: rentDueOn,
    kind: 'law',
    basis: 'tvangsfullbyrdelsesloven § 4-18 første ledd',
    explanation: `Varsel etter § 4-18 kan tidligst sendes på forfallsdagen ${rentDueOn}.`,
  };
}

/**
 * Rule «petition, legal»: the petition may go in two weeks after the notice was SENT — the same
 * weekday two weeks on (the Justice Department's reading of «to uker etter at … har sendt
 * skriftlig varsel», tvangsfullbyrdelsesloven § 4-18 første ledd).
 */
export function petitionLegal(noticeSentOn: LocalDate, policy: WarningDeadlinePolicy): DeadlineRuling {
  const date = addDays(noticeSentOn, policy.noticeToPetitionDays);
  return {
    rule: 'petitionLegal',
    date,
    kind: 'law',
    basis: 'tvangsfullbyrdelsesloven § 4-18 første ledd',
    explanation: `Begjæring om fravikelse kan etter loven settes fram ${date}, ${policy.noticeToPetitionDays} dager etter at varselet ble sendt ${noticeSentOn}.`,
  };
}

/**
 * Rule «petition, careful» (POLICY, never a legal limit): receipt is assumed a number of working
 * days after sending; the 14 calendar days run from the day after receipt; the petition goes in
 * the first day after them, moved to the next working day. A petition between the legal and the
 * careful date is lawful: this date is shown as policy and never called a breach.
 */
export function petitionCareful(noticeSentOn: LocalDate, policy: WarningDeadlinePolicy): DeadlineRuling & { assumedReceiptOn: LocalDate } {
  const assumedReceiptOn = norwegianCalendar.addWorkingDays(noticeSentOn, policy.assumedReceiptWorkingDays);
  // Days receipt+1 … receipt+14 are the 14 days; the first day after them is receipt+15.
  let date = addDays(assumedReceiptOn, policy.noticeToPetitionDays + 1);
  while (!norwegianCalendar.isWorkingDay(date)) date = addDays(date, 1);
  return {
    rule: 'petitionCareful',
    date,
    assumedReceiptOn,
    kind: 'policy',
    basis: 'kommunens praksis (ikke et lovkrav)',
    explanation: `Forsiktig dato: varselet antas mottatt ${assumedReceiptOn} (${policy.assumedReceiptWorkingDays} virkedager etter sending); ${policy.noticeToPetitionDays} dager løper fra dagen etter, og første virkedag etter dem er ${date}. Dette er praksis, ikke en lovfestet frist.`,
  };
}

/**
 * Rule «lead after NAV notice» (ADVICE, never a block): Husbanken's guidance recommends at least
 * two weeks between the notice to NAV (husleieloven § 9-11) and the petition, so NAV has time to act.
 */
export function leadAfterNavNotice(navNotifiedOn: LocalDate, policy: WarningDeadlinePolicy): DeadlineRuling {
  const date = addDays(navNotifiedOn, policy.navLeadDays);
  return {
    rule: 'leadAfterNavNotice',
    date,
    kind: 'advice',
    basis: 'Husbankens veileder om varsling etter husleieloven § 9-11',
    explanation: `Det anbefales minst ${policy.navLeadDays} dager fra NAV ble varslet (${navNotifiedOn}) til begjæringen, altså tidligst ${date}. Dette er et råd, ikke et krav.`,
  };
}

/**
 * The last day of a period counted in days from an event: the period starts the day after and
 * ends on day n; a last day that falls on a Saturday, Sunday or public holiday moves to the next
 * working day (domstolloven § 149 annet ledd, which tvangsfullbyrdelsesloven applies to its periods).
 */
export function lastDayOfPeriod(from: LocalDate, days: number): LocalDate {
  let last = addDays(from, days);
  while (!norwegianCalendar.isWorkingDay(last)) last = addDays(last, 1);
  return last;
}

/** Rule «objection to the namsmann»: 14 days from the tenant receiving the namsmann's letter (tvangsfullbyrdelsesloven § 13-6). */
export function objectionToNamsmann(letterReceivedOn: LocalDate, policy: WarningDeadlinePolicy): DeadlineRuling {
  const date = lastDayOfPeriod(letterReceivedOn, policy.objectionDays);
  return {
    rule: 'objectionToNamsmann',
    date,
    kind: 'law',
    basis: 'tvangsfullbyrdelsesloven § 13-6, domstolloven § 149',
    explanation: `Leietakeren kan protestere til namsmannen innen ${date} (${policy.objectionDays} dager fra brevet ble mottatt ${letterReceivedOn}).`,
  };
}

/** Rule «belongings»: 14 days after the eviction to fetch belongings, then a second notice (tvangsfullbyrdelsesloven § 13-11). */
export function belongings(evictedOn: LocalDate, policy: WarningDeadlinePolicy): DeadlineRuling {
  const date = lastDayOfPeriod(evictedOn, policy.belongingsDays);
  return {
    rule: 'belongings',
    date,
    kind: 'law',
    basis: 'tvangsfullbyrdelsesloven § 13-11',
    explanation: `Eiendeler kan hentes til og med ${date}; deretter sendes et nytt varsel.`,
  };
}

/** The eviction date is set by the namsmann (tvangsfullbyrdelsesloven § 13-12): an event the landlord reports, never a computed date. */
export const EVICTION_DATE_BASIS = 'tvangsfullbyrdelsesloven § 13-12';

export interface AmountToStopEviction {
  readonly arrearsOre: Ore;
  readonly rentFallenDueSinceOre: Ore;
  readonly interestOre: Ore;
  readonly costsOre: Ore;
  /** The day the amount was calculated: it runs on. */
  readonly calculatedOn: LocalDate;
}

export type PaymentRuling =
  | { readonly stops: true; readonly basis: string; readonly explanation: string }
  | { readonly stops: false; readonly basis: string; readonly reason: 'not-unpaid-rent' | 'lock-changed' | 'amount-not-covered'; readonly explanation: string };

/**
 * Rule «payment stops it»: only where the ground is unpaid rent (tvangsfullbyrdelsesloven § 13-2
 * tredje ledd bokstav a), and only until the lock is changed; the amount runs on — arrears, rent
 * fallen due since, interest and costs, as calculated on a stated day. An expired or terminated
 * lease or a judgment is not stopped by paying.
 */
export function paymentStopsEviction(input: { ground: EvictionGround; lockChangedOn: LocalDate | null; paidOn: LocalDate; paidOre: Ore; due: AmountToStopEviction }): PaymentRuling {
  const basis = 'tvangsfullbyrdelsesloven § 13-2 tredje ledd bokstav a';
  if (input.ground !== 'unpaid-rent') {
    return { stops: false, basis, reason: 'not-unpaid-rent', explanation: 'Betaling stanser bare en fravikelse som gjelder ubetalt husleie.' };
  }
  if (input.lockChangedOn !== null && input.paidOn >= input.lockChangedOn) {
    return { stops: false, basis, reason: 'lock-changed', explanation: `Låsen ble skiftet ${input.lockChangedOn}; betaling etter det stanser ikke fravikelsen.` };
  }
  const { arrearsOre, rentFallenDueSinceOre, interestOre, costsOre, calculatedOn } = input.due;
  const owed = arrearsOre + rentFallenDueSinceOre + interestOre + costsOre;
  if (input.paidOre < owed) {
    return { stops: false, basis, reason: 'amount-not-covered', explanation: `Innbetalt beløp dekker ikke restanse, husleie forfalt siden, renter og kostnader (beregnet ${calculatedOn}).` };
  }
  return { stops: true, basis, explanation: `Hele beløpet (restanse, husleie forfalt siden, renter og kostnader beregnet ${calculatedOn}) er betalt før låsen ble skiftet.` };
}

/**
 * Rule «payment stops it», read from an account rather than one payment: what is still owed on
 * everything fallen due (arrears and rent fallen due since; interest and costs where the landlord
 * charges them to the account), as calculated on `calculatedOn`. Nothing owed before the lock is
 * changed stops an eviction for unpaid rent (tvangsfullbyrdelsesloven § 13-2 tredje ledd bokstav a).
 */
export function outstandingStopsEviction(input: { ground: EvictionGround; lockChangedOn: LocalDate | null; clearedOn: LocalDate; outstandingOre: Ore; calculatedOn: LocalDate }): PaymentRuling {
  return paymentStopsEviction({
    ground: input.ground,
    lockChangedOn: input.lockChangedOn,
    paidOn: input.clearedOn,
    paidOre: 0,
    due: { arrearsOre: Math.max(0, input.outstandingOre), rentFallenDueSinceOre: 0, interestOre: 0, costsOre: 0, calculatedOn: input.calculatedOn },
  });
}

/**
 * Rule «each tenant their own notice»: one letter to two co-tenants has been held insufficient;
 * a petition needs a § 4-18 notice to every tenant (tvangsfullbyrdelsesloven § 4-18, court practice).
 * Advice while a tenant's notice is not known; never a block (the warning may come first).
 */
export function noticePerTenant(plannedPetitionOn: LocalDate): DeadlineRuling {
  return {
    rule: 'noticePerTenant',
    date: plannedPetitionOn,
    kind: 'advice',
    basis: 'tvangsfullbyrdelsesloven § 4-18 (hver leietaker må få eget varsel)',
    explanation: 'Varsel etter § 4-18 er ikke registrert for denne leietakeren. Hver leietaker må få sitt eget varsel før begjæringen; ett brev til flere leietakere er ikke nok.',
  };
}

/**
 * Advice to a landlord about a planned petition date: before the legal date, before the careful
 * date (policy), or inside the lead after the NAV notice. Never a refusal: the landlord decides.
 */
export function petitionAdvice(planned: LocalDate, noticeSentOn: LocalDate | null, navNotifiedOn: LocalDate, policy: WarningDeadlinePolicy): DeadlineRuling[] {
  const advice: DeadlineRuling[] = [];
  if (noticeSentOn !== null) {
    const legal = petitionLegal(noticeSentOn, policy);
    const careful = petitionCareful(noticeSentOn, policy);
    if (planned < legal.date) advice.push(legal);
    else if (planned < careful.date) advice.push(careful);
  }
  const lead = leadAfterNavNotice(navNotifiedOn, policy);
  if (planned < lead.date) advice.push(lead);
  return advice;
}
