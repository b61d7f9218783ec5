import { addDays, daysBetween, formatKroner, norwegianCalendar, type LocalDate, type Ore } from '@evp/shared-kernel';
import { caseId as makeCaseId, type CaseEvent, type CaseOutcome, type ContactChannel, type NavReferralSource, type PolicyReason } from './events';
import { activeCase, findCase, type PreventionCase, type TenancyCases } from './prevention-case';

/** The policy numbers: configuration, not code (ARCHITECTURE.md). Defaults are argued in the README. */
export interface CasePolicy {
  /** A case opens when arrears (past grace) reach this many months of rent. */
  readonly arrearsThresholdMonthsOfRent: number;
  /** Working days after a due date before an unpaid charge counts as arrears. */
  readonly graceWorkingDays: number;
  /** A case opens when the oldest unpaid charge is this many calendar days past its grace period. */
  readonly daysPastGraceToOpen: number;
  /** Working days after opening within which someone must have made contact. */
  readonly firstContactWorkingDays: number;
}

/** What the cases context needs to know of a tenancy's account on a given day. */
export interface ArrearsSnapshot {
  readonly municipalityNumber: string;
  readonly tenancyId: string;
  readonly navOffice: string;
  readonly monthlyRentOre: Ore;
  readonly overdueOre: Ore;
  readonly arrearsOre: Ore;
  readonly daysPastGrace: number;
  /** Due dates of charges not yet paid, oldest first. */
  readonly unpaidDueDates: readonly LocalDate[];
  /**
   * Financial assistance NAV has granted toward the arrears whose expected payment date has not
   * passed (sosialtjenesteloven §§ 18/19, from @evp/nav-contract's NAV_HOLDS): on its way, so it
   * neither opens nor escalates a case (DOMAIN.md: arrears are computed net of payments known to
   * be on their way). When the date passes unpaid it counts no more. Absent: nothing on its way.
   */
  readonly onItsWayOre?: Ore;
  /** NAV paused its follow-up with a reason up to and including this day: no escalation while paused. */
  readonly navPausedUntil?: LocalDate | null;
}

/** The arrears that open and escalate a case: past grace, net of what NAV has on its way. */
export function arrearsNetOfOnItsWay(s: ArrearsSnapshot): Ore {
  return Math.max(0, s.arrearsOre - (s.onItsWayOre ?? 0));
}

/**
 * Why an escalation is held back today, or null: NAV paused the follow-up, or assistance on its
 * way covers the arrears. Explains itself in bokmål without amounts (NAV's details stay NAV's).
 */
export function escalationHold(s: ArrearsSnapshot, today: LocalDate): PolicyReason | null {
  if (s.navPausedUntil && today <= s.navPausedUntil) return { policy: 'navPaused', explanation: `NAV har satt oppfølgingen på pause til og med ${s.navPausedUntil}.` };
  if ((s.onItsWayOre ?? 0) > 0 && arrearsNetOfOnItsWay(s) === 0) return { policy: 'assistanceOnItsWay', explanation: 'Økonomisk stønad fra NAV som dekker restansen er på vei.' };
  return null;
}

export class CaseRuleError extends Error {
  constructor(
    readonly code: 'CASE_NOT_FOUND' | 'CASE_CLOSED',
    message: string,
  ) {
    super(message);
  }
}

type OpeningPolicy = (s: ArrearsSnapshot, p: CasePolicy) => PolicyReason | null;

/** Named rules that open a case, each explaining itself (ddd-by-examples' PlacingOnHoldPolicy). */
export const openingPolicies: Readonly<Record<string, OpeningPolicy>> = {
  arrearsReachMonthsOfRent: (s, p) => {
    const threshold = Math.round(s.monthlyRentOre * p.arrearsThresholdMonthsOfRent);
    if (s.arrearsOre <= 0 || s.arrearsOre < threshold) return null;
    return {
      policy: 'arrearsReachMonthsOfRent',
      explanation: `Restansen er ${formatKroner(s.arrearsOre)} kr, minst ${p.arrearsThresholdMonthsOfRent} månedsleie (${formatKroner(threshold)} kr), etter ${p.graceWorkingDays} virkedagers henstand.`,
    };
  },
  rentOverdueTooLong: (s, p) => {
    if (s.arrearsOre <= 0 || s.daysPastGrace < p.daysPastGraceToOpen) return null;
    return {
      policy: 'rentOverdueTooLong',
      explanation: `Eldste ubetalte husleie er ${s.daysPastGrace} dager over forfall etter ${p.graceWorkingDays} virkedagers henstand (grensen er ${p.daysPastGraceToOpen} dager).`,
    };
  },
};

/**
 * Reacts to a tenancy's account: opens a case when an opening policy applies and none is active;
 * resolves the active case as paid when nothing is overdue any more. Anything else: nothing to do,
 * which is what makes a replay or a duplicate delivery harmless.
 */
export function evaluateArrears(state: TenancyCases, snapshot: ArrearsSnapshot, policy: CasePolicy, today: LocalDate): CaseEvent[] {
  const active = activeCase(state);
  if (active) {
    if (snapshot.overdueOre > 0) return [];
    // Paying ends only an unpaid-rent eviction (tvangsfullbyrdelsesloven § 13-2 tredje ledd bokstav a).
    if (active.warningGrounds.some((ground) => ground !== 'unpaid-rent')) return [];
    return [{ type: 'cases.CaseResolved', data: { caseId: active.caseId, resolvedOn: today, outcome: 'paid', explanation: 'Det er ingen forfalt, ubetalt husleie lenger.' } }];
  }
  const net = { ...snapshot, arrearsOre: arrearsNetOfOnItsWay(snapshot) };
  const last = state.cases[state.cases.length - 1];
  const reasons = last && closedByNav(last) ? openingAfterNavClosed(last, net, policy, today) : openingReasons(net, policy);
  if (reasons.length === 0) return [];
  const caseNo = state.cases.length + 1;
  return [
    {
      type: 'cases.CaseOpened',
      data: {
        caseId: makeCaseId(`${snapshot.municipalityNumber}-${snapshot.tenancyId}`, caseNo),
        caseNo,
        municipalityNumber: snapshot.municipalityNumber,
        tenancyId: snapshot.tenancyId,
        navOffice: snapshot.navOffice,
        openedOn: today,
        firstContactDeadline: norwegianCalendar.addWorkingDays(today, policy.firstContactWorkingDays),
        arrearsOre: snapshot.arrearsOre,
        monthlyRentOre: snapshot.monthlyRentOre,
        daysPastGrace: snapshot.daysPastGrace,
        reasons,
      },
    },
  ];
}

function openingReasons(snapshot: ArrearsSnapshot, policy: CasePolicy): PolicyReason[] {
  return Object.values(openingPolicies)
    .map((rule) => rule(snapshot, policy))
    .filter((r): r is PolicyReason => r !== null);
}

/** NAV concluded its follow-up with an outcome (moved, rehoused, plan honoured, …), as opposed to the ledger showing it paid. */
function closedByNav(c: PreventionCase): boolean {
  return c.status === 'resolved' && c.outcome !== null && c.outcome !== 'paid';
}

/**
 * Opening after NAV closed the tenancy's last case with an outcome (issue 10; policy, not law — the
 * municipality's rule for «same arrears», argued here): NAV's conclusion covers what was owed when
 * it was made. Arrears left when a household moved, was rehoused or evicted are a matter for
 * collection, not prevention; arrears NAV declared cleared or covered by an honoured plan are
 * not a new risk either. So the closed case is never reopened for them, and a new case opens only
 * on NEW arrears: the amount past grace beyond what was overdue on the closing day, judged by the
 * ordinary opening policies on that excess alone, its age counted from the grace end of the oldest
 * unpaid charge due on or after the closing day. For a household that moved out, that means only
 * when the tenancy later gets new charges that fall unpaid past grace.
 *
 * What was overdue at closing is recorded on `cases.CaseResolved` (`overdueAtClosingOre`); for an
 * event from before it was kept, the arrears the case opened with stand in for it.
 */
export function openingAfterNavClosed(closed: PreventionCase, net: ArrearsSnapshot, policy: CasePolicy, today: LocalDate): PolicyReason[] {
  const closedOn = closed.resolvedOn ?? today;
  const baseline = closed.overdueAtClosingOre ?? closed.opened.arrearsOre;
  const excess = net.arrearsOre - baseline;
  if (excess <= 0) return [];
  const newDue = net.unpaidDueDates.find((due) => due >= closedOn);
  const graceOver = newDue ? norwegianCalendar.addWorkingDays(newDue, policy.graceWorkingDays) : null;
  const daysPastGrace = graceOver && graceOver < today ? daysBetween(graceOver, today) : 0;
  const since = `Ny restanse etter at NAV avsluttet sak ${closed.caseId} ${closedOn} (da var ${formatKroner(baseline)} kr forfalt og ubetalt): `;
  return openingReasons({ ...net, arrearsOre: excess, daysPastGrace }, policy).map((r) => ({ policy: r.policy, explanation: `${since}${r.explanation}` }));
}

export interface RecordContact {
  readonly caseId: string;
  /** Deterministic (from the request's Idempotency-Key or id): recording it twice is a no-op. */
  readonly contactId: string;
  readonly channel: ContactChannel;
  readonly contactedOn: LocalDate;
  readonly byRole: string;
}

export function recordContact(state: TenancyCases, command: RecordContact): CaseEvent[] {
  const found = findCase(state, command.caseId);
  if (!found) throw new CaseRuleError('CASE_NOT_FOUND', 'saken finnes ikke');
  if (found.contacts.some((c) => c.contactId === command.contactId)) return [];
  if (found.status === 'resolved') throw new CaseRuleError('CASE_CLOSED', 'saken er avsluttet; kontakt kan ikke registreres');
  return [{ type: 'cases.ContactRecorded', data: { caseId: command.caseId, contactId: command.contactId, channel: command.channel, contactedOn: command.contactedOn, byRole: command.byRole } }];
}

/** NAV reached the household (`nav.ContactMade` in NAV's follow-up): what the case may know of it. */
export interface RecordNavContact {
  readonly caseId: string;
  /** NAV's opaque id of the contact: recording it twice is a no-op. */
  readonly navContactId: string;
  readonly contactedOn: LocalDate;
}

/**
 * Contact recorded anywhere counts as contact (issue 6): NAV's contact with the household is
 * recorded on the case, so the first-contact deadline is cancelled and no escalation follows.
 * Only that NAV made contact and when — never how, nor NAV's notes (issue 10, confidentiality:
 * the rent-arrears team sees a summary). A resolved or unknown case: nothing (never an error, so
 * the workflow's command cannot park NAV's event).
 */
export function recordNavContact(state: TenancyCases, command: RecordNavContact): CaseEvent[] {
  const found = findCase(state, command.caseId);
  if (!found || found.status === 'resolved') return [];
  const contactId = `nav.${command.navContactId}`;
  if (found.contacts.some((c) => c.contactId === contactId)) return [];
  return [{ type: 'cases.ContactRecorded', data: { caseId: command.caseId, contactId, channel: 'nav', contactedOn: command.contactedOn, byRole: 'nav' } }];
}

/**
 * Fired by the first-contact deadline. Re-checks everything, so an early, late or doubled firing
 * is harmless: only an open, unescalated case without contact whose deadline has passed escalates.
 * Held back while NAV has paused or has assistance on its way that covers the arrears
 * (`escalationHold`); NAV's `nav.HoldReleased` sends this again when the hold ends.
 */
export function escalateIfNoContact(state: TenancyCases, caseId: string, today: LocalDate, policy: CasePolicy, navOffice?: string, snapshot?: ArrearsSnapshot): CaseEvent[] {
  const found = findCase(state, caseId);
  if (!found || found.status !== 'open' || found.contacts.length > 0) return [];
  if (today <= found.opened.firstContactDeadline) return [];
  if (snapshot && escalationHold(snapshot, today)) return [];
  const reasons = [
    {
      policy: 'noContactWithinDeadline',
      explanation: `Ingen kontakt er registrert innen ${policy.firstContactWorkingDays} virkedager etter at saken ble åpnet ${found.opened.openedOn} (frist ${found.opened.firstContactDeadline}), og restansen er ikke betalt.`,
    },
  ];
  return [
    { type: 'cases.CaseEscalatedToArrearsTeam', data: { caseId, escalatedOn: today, reasons } },
    referral(found, 'escalation', today, reasons, navOffice ?? found.opened.navOffice),
  ];
}

/** A referral of the case to the tenancy's NAV office; its id counts the case's referrals from the same source. */
export function referral(found: PreventionCase, source: NavReferralSource, today: LocalDate, reasons: readonly PolicyReason[], navOffice: string, dates: { petitionOn?: LocalDate | null; evictionOn?: LocalDate | null } = {}): CaseEvent {
  const n = found.referrals.filter((r) => r.source === source).length + 1;
  return {
    type: 'cases.ReferredToNav',
    data: {
      caseId: found.caseId,
      referralId: `${found.caseId}.${source}.${n}`,
      municipalityNumber: found.opened.municipalityNumber,
      tenancyId: found.opened.tenancyId,
      navOffice,
      source,
      referredOn: today,
      reasons,
      petitionOn: dates.petitionOn ?? null,
      evictionOn: dates.evictionOn ?? null,
    },
  };
}

const OUTCOME_EXPLANATIONS: Readonly<Record<Exclude<CaseOutcome, 'paid'>, string>> = {
  'arrears-cleared': 'NAV avsluttet oppfølgingen: restansen er dekket.',
  'plan-honoured': 'NAV avsluttet oppfølgingen: nedbetalingsavtalen er overholdt.',
  moved: 'NAV avsluttet oppfølgingen: husstanden har flyttet.',
  rehoused: 'NAV avsluttet oppfølgingen: husstanden har fått en annen bolig.',
  evicted: 'NAV avsluttet oppfølgingen: husstanden er kastet ut (tvangsfravikelse).',
  'warning-withdrawn': 'NAV avsluttet oppfølgingen: utleieren har trukket varselet.',
};

/**
 * NAV concluded its follow-up with an outcome (`nav.FollowUpConcluded`): the case closes with it.
 * The explanation is fixed per outcome, never NAV's notes. A closed or unknown case: nothing.
 */
export function closeCase(state: TenancyCases, caseId: string, outcome: Exclude<CaseOutcome, 'paid'>, today: LocalDate, overdueOre?: Ore): CaseEvent[] {
  const found = findCase(state, caseId);
  if (!found || found.status === 'resolved') return [];
  // What was overdue today is what NAV's conclusion covers: no new case for it (`openingAfterNavClosed`).
  return [{ type: 'cases.CaseResolved', data: { caseId, resolvedOn: today, outcome, explanation: OUTCOME_EXPLANATIONS[outcome], ...(overdueOre === undefined ? {} : { overdueAtClosingOre: overdueOre }) } }];
}

/** The day after which a case with no contact escalates: the deadline's own day still counts. */
export function escalationDueOn(firstContactDeadline: LocalDate): LocalDate {
  return addDays(firstContactDeadline, 1);
}

/**
 * The days on which the opening policies must be evaluated again without any new posting: the
 * passing of time alone can make a charge arrears (its grace ends) or make arrears too old. Every
 * unpaid charge's «too old» day counts, not only the oldest's: after NAV closed a case, a newer
 * charge's age is what opens the next one (`openingAfterNavClosed`).
 */
export function arrearsEvaluationDates(snapshot: ArrearsSnapshot, policy: CasePolicy): LocalDate[] {
  const dates = new Set<LocalDate>();
  for (const due of snapshot.unpaidDueDates) {
    const graceOver = addDays(norwegianCalendar.addWorkingDays(due, policy.graceWorkingDays), 1);
    dates.add(graceOver);
    dates.add(addDays(graceOver, policy.daysPastGraceToOpen - 1));
  }
  return [...dates].sort();
}

export function nextArrearsEvaluation(snapshot: ArrearsSnapshot, policy: CasePolicy, today: LocalDate): LocalDate | null {
  return arrearsEvaluationDates(snapshot, policy).find((d) => d > today) ?? null;
}

/** True when an evaluation date has come since the tenancy was last evaluated. */
export function arrearsEvaluationDue(snapshot: ArrearsSnapshot, policy: CasePolicy, today: LocalDate, lastEvaluatedOn: LocalDate | null): boolean {
  return arrearsEvaluationDates(snapshot, policy).some((d) => d <= today && (lastEvaluatedOn === null || d > lastEvaluatedOn));
}
