import type { LocalDate, Ore } from '@evp/shared-kernel';
import type { NavReferralSource, PolicyReason } from '@evp/cases-contract';
import type { NavOutcome } from '@evp/nav-contract';
import type { ContactChannel, IncomeCover, Instalment, NavActor, NavEvent } from './events';

/**
 * Where a referral came from: the prevention case (escalation, warning, «at risk»), a transfer from
 * another NAV office, or a release back to the office's inbox by the adviser who had it (or the lead).
 */
export type ReferralSource = NavReferralSource | 'transfer' | 'release';

export interface Referral {
  readonly referralId: string;
  readonly source: ReferralSource;
  readonly referredOn: LocalDate;
  readonly pickupDueOn: LocalDate;
  readonly reasons: readonly PolicyReason[];
  readonly petitionOn: LocalDate | null;
  readonly evictionOn: LocalDate | null;
  readonly pickedUpOn: LocalDate | null;
  readonly pickupOverdueOn: LocalDate | null;
  /** The day a transfer to another NAV office ended its wait (the transfer's own referral waits instead). */
  readonly supersededOn: LocalDate | null;
}

/** Still waiting in the office's inbox for an adviser to claim it: not picked up, not superseded by a transfer. */
export function isWaiting(r: Referral): boolean {
  // `supersededOn` is absent from follow-ups a read model stored before transfers existed.
  return r.pickedUpOn === null && !r.supersededOn;
}

/** A referral of NAV's own making (a transfer, a release): it waits from `on` with the pickup limit the event carries. */
function waitingReferral(referralId: string, source: 'transfer' | 'release', on: LocalDate, pickupDueOn: LocalDate): Referral {
  return { referralId, source, referredOn: on, pickupDueOn, reasons: [], petitionOn: null, evictionOn: null, pickedUpOn: null, pickupOverdueOn: null, supersededOn: null };
}

export interface EconomicAdvice {
  readonly requestId: string;
  readonly requestedOn: LocalDate;
  readonly form: 'oral' | 'written';
  readonly startNormDueOn: LocalDate;
  readonly decision: { readonly decidedOn: LocalDate; readonly outcome: 'granted' | 'refused'; readonly reasonRef: string | null } | null;
  readonly startedOn: LocalDate | null;
  readonly startedLate: boolean;
  readonly lateReasonRef: string | null;
  readonly followUps: readonly LocalDate[];
  readonly concludedOn: LocalDate | null;
}

export interface PaymentPlan {
  readonly planId: string;
  readonly agreedOn: LocalDate;
  readonly instalments: readonly Instalment[];
  readonly toleranceDays: number;
  readonly startOverdueOre: Ore;
  readonly status: 'active' | 'kept' | 'cancelled';
  /** The breach now running (the account behind the plan), or null while on track. */
  readonly breach: { readonly breachNo: number; readonly since: LocalDate; readonly instalmentNo: number } | null;
  readonly breaches: number;
  readonly closedOn: LocalDate | null;
}

export interface IncomeManagement {
  readonly consentOn: LocalDate;
  readonly covers: readonly IncomeCover[];
  readonly startOn: LocalDate;
  readonly endOn: LocalDate | null;
  readonly withdrawnOn: LocalDate | null;
  readonly checkedMonths: readonly string[];
  readonly missedMonths: readonly string[];
}

export interface FinancialAssistance {
  readonly assistanceId: string;
  readonly paragraph: '18' | '19';
  readonly form: 'grant' | 'loan';
  readonly amountOre: Ore;
  readonly decidedOn: LocalDate;
  readonly outcome: 'granted' | 'refused';
  readonly expectedPaymentOn: LocalDate | null;
  readonly reasonRef: string | null;
  readonly datePassedOn: LocalDate | null;
}

export interface HousingApplication {
  readonly applicationId: string;
  readonly scheme: 'startlan' | 'bostotte';
  readonly appliedOn: LocalDate;
  readonly outcome: 'pending' | 'granted' | 'refused';
  readonly decidedOn: LocalDate | null;
}

export interface HousingDecision {
  readonly requestId: string;
  readonly requestedOn: LocalDate;
  readonly decision: { readonly decidedOn: LocalDate; readonly outcome: 'granted' | 'refused'; readonly reasonRef: string | null } | null;
}

export interface Pause {
  readonly pauseId: string;
  readonly pausedOn: LocalDate;
  readonly until: LocalDate;
  readonly reasonRef: string;
  readonly endedOn: LocalDate | null;
}

/** NAV's follow-up of one prevention case of the household. */
export interface NavFollowUp {
  readonly caseId: string;
  readonly municipalityNumber: string;
  readonly tenancyId: string;
  /**
   * The handling office: the office the first referral went to, and after a transfer the tenancy's
   * new office. Only its advisers see the details.
   */
  readonly navOffice: string;
  readonly referrals: readonly Referral[];
  readonly assignee: NavActor | null;
  readonly contacts: ReadonlyArray<{ readonly contactId: string; readonly channel: ContactChannel; readonly contactedOn: LocalDate }>;
  readonly advice: readonly EconomicAdvice[];
  readonly plans: readonly PaymentPlan[];
  readonly incomeManagement: IncomeManagement | null;
  readonly assistance: readonly FinancialAssistance[];
  readonly housingApplications: readonly HousingApplication[];
  readonly housingDecisions: readonly HousingDecision[];
  /** The last pause set (running while `endedOn` is null). */
  readonly pause: Pause | null;
  readonly flags: { readonly vulnerable: boolean; readonly childrenInHousehold: boolean };
  readonly caseResolvedOn: LocalDate | null;
  readonly concluded: { readonly outcome: NavOutcome; readonly concludedOn: LocalDate } | null;
}

/** Everything NAV has recorded about one household (tenancy), one follow-up per case. */
export interface NavHousehold {
  readonly followUps: readonly NavFollowUp[];
}

export const initialNavHousehold = (): NavHousehold => ({ followUps: [] });

export function findFollowUp(state: NavHousehold, caseId: string): NavFollowUp | undefined {
  return state.followUps.find((f) => f.caseId === caseId);
}

export function activePlan(f: NavFollowUp): PaymentPlan | undefined {
  return f.plans.find((p) => p.status === 'active');
}

export function activeIncomeManagement(f: NavFollowUp): IncomeManagement | undefined {
  const im = f.incomeManagement;
  return im && im.withdrawnOn === null ? im : undefined;
}

/** Paused on `today`: a pause is set, not ended, and `today` is on or before its last day. */
export function isPaused(f: NavFollowUp, today: LocalDate): boolean {
  return f.pause !== null && f.pause.endedOn === null && today <= f.pause.until;
}

export function evolveNavHousehold(state: NavHousehold, event: NavEvent): NavHousehold {
  const existing = findFollowUp(state, event.data.caseId);
  const next = evolveFollowUp(existing, event);
  if (!next || next === existing) return state;
  return { followUps: existing ? state.followUps.map((f) => (f.caseId === next.caseId ? next : f)) : [...state.followUps, next] };
}

/** One follow-up's state after one event; a follow-up begins with its first referral. Used by the projection too. */
export function evolveFollowUp(f: NavFollowUp | undefined, event: NavEvent): NavFollowUp | undefined {
  if (event.type === 'nav.ReferralReceived') {
    const d = event.data;
    const referral: Referral = {
      referralId: d.referralId,
      source: d.source,
      referredOn: d.referredOn,
      pickupDueOn: d.pickupDueOn,
      reasons: d.reasons,
      petitionOn: d.petitionOn,
      evictionOn: d.evictionOn,
      pickedUpOn: d.pickedUpOn,
      pickupOverdueOn: null,
      supersededOn: null,
    };
    if (f) return { ...f, referrals: [...f.referrals, referral] };
    return {
      caseId: d.caseId,
      municipalityNumber: d.municipalityNumber,
      tenancyId: d.tenancyId,
      navOffice: d.navOffice,
      referrals: [referral],
      assignee: null,
      contacts: [],
      advice: [],
      plans: [],
      incomeManagement: null,
      assistance: [],
      housingApplications: [],
      housingDecisions: [],
      pause: null,
      flags: { vulnerable: false, childrenInHousehold: false },
      caseResolvedOn: null,
      concluded: null,
    };
  }
  if (!f) return undefined;
  const pickUp = (ids: readonly string[], on: LocalDate) => f.referrals.map((r) => (ids.includes(r.referralId) ? { ...r, pickedUpOn: on } : r));
  const advice = (requestId: string, fn: (a: EconomicAdvice) => EconomicAdvice) => f.advice.map((a) => (a.requestId === requestId ? fn(a) : a));
  const plan = (planId: string, fn: (p: PaymentPlan) => PaymentPlan) => f.plans.map((p) => (p.planId === planId ? fn(p) : p));
  switch (event.type) {
    case 'nav.ReferralClaimed':
      return { ...f, assignee: event.data.adviser, referrals: pickUp(event.data.pickedUp, event.data.claimedOn) };
    case 'nav.ReferralReleased': {
      const d = event.data;
      // Released before releases had a pickup limit (schema version 1): nobody has it, nothing waits.
      if (d.referralId === null || d.pickupDueOn === null) return { ...f, assignee: null };
      return { ...f, assignee: null, referrals: [...f.referrals, waitingReferral(d.referralId, 'release', d.releasedOn, d.pickupDueOn)] };
    }
    case 'nav.ReferralReassigned':
      return { ...f, assignee: event.data.to, referrals: pickUp(event.data.pickedUp, event.data.reassignedOn) };
    case 'nav.ReferralPickupOverdue':
      return { ...f, referrals: f.referrals.map((r) => (r.referralId === event.data.referralId ? { ...r, pickupOverdueOn: event.data.escalatedOn } : r)) };
    case 'nav.ContactMade':
      return { ...f, contacts: [...f.contacts, { contactId: event.data.contactId, channel: event.data.channel, contactedOn: event.data.contactedOn }] };
    case 'nav.EconomicAdviceRequested': {
      const d = event.data;
      const request: EconomicAdvice = { requestId: d.requestId, requestedOn: d.requestedOn, form: d.form, startNormDueOn: d.startNormDueOn, decision: null, startedOn: null, startedLate: false, lateReasonRef: null, followUps: [], concludedOn: null };
      return { ...f, advice: [...f.advice, request] };
    }
    case 'nav.EconomicAdviceDecided':
      return { ...f, advice: advice(event.data.requestId, (a) => ({ ...a, decision: { decidedOn: event.data.decidedOn, outcome: event.data.outcome, reasonRef: event.data.reasonRef } })) };
    case 'nav.EconomicAdviceStarted':
      return { ...f, advice: advice(event.data.requestId, (a) => ({ ...a, startedOn: event.data.startedOn, startedLate: event.data.late, lateReasonRef: event.data.lateReasonRef })) };
    case 'nav.EconomicAdviceFollowedUp':
      return { ...f, advice: advice(event.data.requestId, (a) => ({ ...a, followUps: [...a.followUps, event.data.followedUpOn] })) };
    case 'nav.EconomicAdviceConcluded':
      return { ...f, advice: advice(event.data.requestId, (a) => ({ ...a, concludedOn: event.data.concludedOn })) };
    case 'nav.PaymentPlanAgreed': {
      const d = event.data;
      return {
        ...f,
        plans: [...f.plans, { planId: d.planId, agreedOn: d.agreedOn, instalments: d.instalments, toleranceDays: d.toleranceDays, startOverdueOre: d.startOverdueOre, status: 'active', breach: null, breaches: 0, closedOn: null }],
      };
    }
    case 'nav.PaymentPlanBreached':
      return { ...f, plans: plan(event.data.planId, (p) => ({ ...p, breach: { breachNo: event.data.breachNo, since: event.data.detectedOn, instalmentNo: event.data.instalmentNo }, breaches: event.data.breachNo })) };
    case 'nav.PaymentPlanBackOnTrack':
      return { ...f, plans: plan(event.data.planId, (p) => ({ ...p, breach: null })) };
    case 'nav.PaymentPlanKept':
      return { ...f, plans: plan(event.data.planId, (p) => ({ ...p, status: 'kept', closedOn: event.data.keptOn })) };
    case 'nav.PaymentPlanCancelled':
      return { ...f, plans: plan(event.data.planId, (p) => ({ ...p, status: 'cancelled', closedOn: event.data.cancelledOn })) };
    case 'nav.IncomeManagementAgreed': {
      const d = event.data;
      return { ...f, incomeManagement: { consentOn: d.consentOn, covers: d.covers, startOn: d.startOn, endOn: d.endOn, withdrawnOn: null, checkedMonths: [], missedMonths: [] } };
    }
    case 'nav.IncomeManagementConsentWithdrawn':
      return f.incomeManagement ? { ...f, incomeManagement: { ...f.incomeManagement, withdrawnOn: event.data.withdrawnOn } } : f;
    case 'nav.IncomeManagementRentChecked': {
      const im = f.incomeManagement;
      if (!im) return f;
      return { ...f, incomeManagement: { ...im, checkedMonths: [...im.checkedMonths, event.data.month], missedMonths: event.data.arrived ? im.missedMonths : [...im.missedMonths, event.data.month] } };
    }
    case 'nav.FinancialAssistanceDecided': {
      const d = event.data;
      return {
        ...f,
        assistance: [
          ...f.assistance,
          { assistanceId: d.assistanceId, paragraph: d.paragraph, form: d.form, amountOre: d.amountOre, decidedOn: d.decidedOn, outcome: d.outcome, expectedPaymentOn: d.expectedPaymentOn, reasonRef: d.reasonRef, datePassedOn: null },
        ],
      };
    }
    case 'nav.FinancialAssistanceDatePassed':
      return { ...f, assistance: f.assistance.map((a) => (a.assistanceId === event.data.assistanceId ? { ...a, datePassedOn: event.data.passedOn } : a)) };
    case 'nav.HousingApplicationNoted': {
      const d = event.data;
      const application: HousingApplication = { applicationId: d.applicationId, scheme: d.scheme, appliedOn: d.appliedOn, outcome: d.outcome, decidedOn: d.decidedOn };
      const known = f.housingApplications.some((a) => a.applicationId === d.applicationId);
      return { ...f, housingApplications: known ? f.housingApplications.map((a) => (a.applicationId === d.applicationId ? application : a)) : [...f.housingApplications, application] };
    }
    case 'nav.HousingDecisionRequested':
      return { ...f, housingDecisions: [...f.housingDecisions, { requestId: event.data.requestId, requestedOn: event.data.requestedOn, decision: null }] };
    case 'nav.HousingDecisionMade':
      return {
        ...f,
        housingDecisions: f.housingDecisions.map((h) => (h.requestId === event.data.requestId ? { ...h, decision: { decidedOn: event.data.decidedOn, outcome: event.data.outcome, reasonRef: event.data.reasonRef } } : h)),
      };
    case 'nav.FollowUpPaused':
      return { ...f, pause: { pauseId: event.data.pauseId, pausedOn: event.data.pausedOn, until: event.data.until, reasonRef: event.data.reasonRef, endedOn: null } };
    case 'nav.FollowUpResumed':
      return f.pause && f.pause.pauseId === event.data.pauseId ? { ...f, pause: { ...f.pause, endedOn: event.data.resumedOn } } : f;
    case 'nav.HouseholdFlagsSet':
      return { ...f, flags: { vulnerable: event.data.vulnerable, childrenInHousehold: event.data.childrenInHousehold } };
    case 'nav.CaseResolvedNoted':
      return { ...f, caseResolvedOn: event.data.resolvedOn };
    case 'nav.FollowUpTransferred': {
      const d = event.data;
      const arrival = waitingReferral(d.referralId, 'transfer', d.transferredOn, d.pickupDueOn);
      return {
        ...f,
        navOffice: d.toOffice,
        assignee: null,
        referrals: [...f.referrals.map((r) => (d.supersededReferrals.includes(r.referralId) ? { ...r, supersededOn: d.transferredOn } : r)), arrival],
      };
    }
    case 'nav.HoldReleased':
      return f;
    case 'nav.FollowUpConcluded':
      return { ...f, concluded: { outcome: event.data.outcome, concludedOn: event.data.concludedOn } };
    default: {
      const never: never = event;
      return never;
    }
  }
}
