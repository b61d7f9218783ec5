import { norwegianCalendar, type LocalDate, type Ore } from '@evp/shared-kernel';
import type { ReferredToNav } from '@evp/cases-contract';
import type { NavOutcome } from '@evp/nav-contract';
import type { ContactChannel, IncomeCover, Instalment, NavActor, NavEvent } from './events';
import { activeIncomeManagement, activePlan, findFollowUp, isPaused, isWaiting, type NavFollowUp, type NavHousehold } from './household';
import { expectedOverdueOre, instalmentsChecked } from './plan';
import type { NavPolicy } from './policy';

export type NavRuleCode = 'NOT_FOUND' | 'ALREADY_CLAIMED' | 'NOT_CLAIMED' | 'NOT_ALLOWED' | 'CONCLUDED' | 'INVALID';

/** A refused command: the code decides the HTTP answer, the message (bokmål) tells the person why. */
export class NavRuleError extends Error {
  constructor(
    readonly code: NavRuleCode,
    message: string,
    readonly details: { readonly field?: string; readonly claimedBy?: NavActor } = {},
  ) {
    super(message);
  }
}

/** Who acts, as NAV's rules need it: an opaque id, the role acted in, and the caller's own office. */
export interface NavPerson {
  readonly actorId: string;
  readonly role: string;
  readonly navOffice: string | null;
}

const invalid = (field: string, message: string) => new NavRuleError('INVALID', message, { field });
const notFound = () => new NavRuleError('NOT_FOUND', 'Finnes ikke');
const actor = (by: NavPerson): NavActor => ({ actorId: by.actorId, role: by.role });

/** The follow-up, when it exists and belongs to the caller's office; otherwise «not found» (out of reach is 404). */
function reachable(state: NavHousehold, caseId: string, by: NavPerson): NavFollowUp {
  const f = findFollowUp(state, caseId);
  if (!f || by.navOffice === null || f.navOffice !== by.navOffice) throw notFound();
  return f;
}

function notInFuture(field: string, date: LocalDate, today: LocalDate): void {
  if (date > today) throw invalid(field, 'kan ikke være frem i tid');
}

// ---------------------------------------------------------------------------------------------
// The inbox: a referral arrives, is claimed, released, reassigned, or escalates when nobody claims it.
// ---------------------------------------------------------------------------------------------

/**
 * A referral from the prevention case arrives in its office's inbox. Its pickup limit is counted
 * in Norwegian working days from the day it was referred (NAV_PICKUP_WORKING_DAYS: the
 * municipality's own limit; there is no national standard). Idempotent by referral id.
 */
export function receiveReferral(state: NavHousehold, referral: ReferredToNav['data'], policy: NavPolicy): NavEvent[] {
  const f = findFollowUp(state, referral.caseId);
  if (f?.referrals.some((r) => r.referralId === referral.referralId)) return [];
  const claimed = f !== undefined && f.assignee !== null && f.concluded === null;
  return [
    {
      type: 'nav.ReferralReceived',
      data: {
        caseId: referral.caseId,
        referralId: referral.referralId,
        municipalityNumber: referral.municipalityNumber,
        tenancyId: referral.tenancyId,
        navOffice: f?.navOffice ?? referral.navOffice,
        source: referral.source,
        referredOn: referral.referredOn,
        pickupDueOn: norwegianCalendar.addWorkingDays(referral.referredOn, policy.pickupWorkingDays),
        reasons: referral.reasons,
        petitionOn: referral.petitionOn,
        evictionOn: referral.evictionOn,
        pickedUpOn: claimed ? referral.referredOn : null,
      },
    },
  ];
}

const unpicked = (f: NavFollowUp) => f.referrals.filter(isWaiting).map((r) => r.referralId);

/**
 * An adviser claims the household's follow-up (and with it every referral waiting in it). Exactly
 * one adviser wins when two claim at once: both decide on the same revision, the store takes one
 * append, and the other is decided again and finds it taken (ALREADY_CLAIMED, naming who has it).
 */
export function claim(state: NavHousehold, caseId: string, by: NavPerson, today: LocalDate): NavEvent[] {
  const f = reachable(state, caseId, by);
  if (f.concluded) throw new NavRuleError('CONCLUDED', 'NAVs oppfølging av saken er avsluttet');
  if (f.assignee?.actorId === by.actorId) return [];
  if (f.assignee) throw new NavRuleError('ALREADY_CLAIMED', 'Henvisningen er allerede tatt av en annen', { claimedBy: f.assignee });
  return [{ type: 'nav.ReferralClaimed', data: { caseId, adviser: actor(by), claimedOn: today, pickedUp: unpicked(f) } }];
}

/**
 * The adviser who has it, or the office lead, gives it back to the office's inbox. There it waits
 * as a referral of its own (`<caseId>.release.<n>`, n counting this follow-up's releases, so a
 * command decided again decides the same id) with a new pickup limit counted in working days from
 * today — the same rule as any referral in the inbox (NAV_PICKUP_WORKING_DAYS): claimed again in
 * time, or it escalates once. Nobody having it, it is a no-op; a concluded follow-up is not released.
 */
export function release(state: NavHousehold, caseId: string, by: NavPerson, today: LocalDate, policy: NavPolicy): NavEvent[] {
  const f = reachable(state, caseId, by);
  if (!f.assignee) return [];
  if (f.assignee.actorId !== by.actorId && by.role !== 'nav-lead') throw new NavRuleError('NOT_ALLOWED', 'Bare den som har henvisningen, eller kontorlederen, kan frigi den');
  if (f.concluded) throw new NavRuleError('CONCLUDED', 'NAVs oppfølging av saken er avsluttet');
  const releases = f.referrals.filter((r) => r.source === 'release').length;
  return [
    {
      type: 'nav.ReferralReleased',
      data: {
        caseId,
        adviser: f.assignee,
        releasedOn: today,
        by: actor(by),
        referralId: `${caseId}.release.${releases + 1}`,
        pickupDueOn: norwegianCalendar.addWorkingDays(today, policy.pickupWorkingDays),
      },
    },
  ];
}

/** The office lead gives the follow-up to an adviser (opaque actor id); an unclaimed one is picked up by it. */
export function reassign(state: NavHousehold, caseId: string, by: NavPerson, toActorId: string, today: LocalDate): NavEvent[] {
  const f = reachable(state, caseId, by);
  if (by.role !== 'nav-lead') throw new NavRuleError('NOT_ALLOWED', 'Bare kontorlederen kan fordele henvisninger');
  if (f.concluded) throw new NavRuleError('CONCLUDED', 'NAVs oppfølging av saken er avsluttet');
  if (f.assignee?.actorId === toActorId) return [];
  return [{ type: 'nav.ReferralReassigned', data: { caseId, from: f.assignee, to: { actorId: toActorId, role: 'nav-adviser' }, reassignedOn: today, by: actor(by), pickedUp: unpicked(f) } }];
}

/**
 * Fired by the pickup deadline. Re-checks everything, so an early, late or doubled firing is
 * harmless: only a referral still unclaimed (and not superseded by a transfer) after its last day,
 * not escalated before, in a follow-up that is neither concluded nor of a closed case, escalates — once.
 */
export function escalateOverduePickup(state: NavHousehold, caseId: string, referralId: string, today: LocalDate, policy: NavPolicy): NavEvent[] {
  const f = findFollowUp(state, caseId);
  const r = f?.referrals.find((x) => x.referralId === referralId);
  if (!f || !r || !isWaiting(r) || r.pickupOverdueOn !== null || f.concluded || f.caseResolvedOn) return [];
  if (today <= r.pickupDueOn) return [];
  return [
    {
      type: 'nav.ReferralPickupOverdue',
      data: {
        caseId,
        referralId,
        pickupDueOn: r.pickupDueOn,
        escalatedOn: today,
        escalatedTo: ['nav-lead', 'arrears-team'],
        reason: `Ingen veileder har tatt henvisningen innen ${policy.pickupWorkingDays} virkedager etter at den kom ${r.referredOn} (frist ${r.pickupDueOn}).`,
      },
    },
  ];
}

/**
 * The tenancy now belongs to another NAV office (`toOffice`: the ledger's current office, never an
 * older one a redelivered event named), so NAV's follow-up moves there: the old office's claim is
 * released, the follow-up waits in the new office's inbox with a new pickup limit counted in
 * working days from today (the same rule as a referral: NAV_PICKUP_WORKING_DAYS), and referrals
 * still waiting at the old office are superseded. What runs for the household (a payment plan,
 * income management, assistance on its way, a pause) runs on. Idempotent: a follow-up already at
 * `toOffice`, concluded, or unknown decides nothing.
 */
export function transferFollowUp(state: NavHousehold, caseId: string, toOffice: string, today: LocalDate, policy: NavPolicy): NavEvent[] {
  const f = findFollowUp(state, caseId);
  if (!f || f.concluded || f.navOffice === toOffice) return [];
  const transfers = f.referrals.filter((r) => r.source === 'transfer').length;
  return [
    {
      type: 'nav.FollowUpTransferred',
      data: {
        caseId,
        fromOffice: f.navOffice,
        toOffice,
        transferredOn: today,
        previousAdviser: f.assignee,
        referralId: `${caseId}.transfer.${transfers + 1}`,
        pickupDueOn: norwegianCalendar.addWorkingDays(today, policy.pickupWorkingDays),
        supersededReferrals: unpicked(f),
      },
    },
  ];
}

/** The prevention case closed: noted once, so that nothing of NAV's escalates for it any more. */
export function noteCaseResolved(state: NavHousehold, caseId: string, resolvedOn: LocalDate, outcome: string): NavEvent[] {
  const f = findFollowUp(state, caseId);
  if (!f || f.caseResolvedOn !== null) return [];
  return [{ type: 'nav.CaseResolvedNoted', data: { caseId, resolvedOn, outcome } }];
}

// ---------------------------------------------------------------------------------------------
// The follow-up: each step an event with its date, its actor (metadata) and its reason.
// ---------------------------------------------------------------------------------------------

export type NavStep =
  | { readonly type: 'contact-made'; readonly contactId: string; readonly channel: ContactChannel; readonly contactedOn: LocalDate; readonly noteRef: string | null }
  | { readonly type: 'economic-advice-requested'; readonly requestId: string; readonly requestedOn: LocalDate; readonly form: 'oral' | 'written'; readonly noteRef: string | null }
  | { readonly type: 'economic-advice-decided'; readonly requestId: string; readonly decidedOn: LocalDate; readonly outcome: 'granted' | 'refused'; readonly reasonRef: string | null }
  | { readonly type: 'economic-advice-started'; readonly requestId: string; readonly startedOn: LocalDate; readonly lateReasonRef: string | null }
  | { readonly type: 'economic-advice-followed-up'; readonly requestId: string; readonly followedUpOn: LocalDate; readonly noteRef: string | null }
  | { readonly type: 'economic-advice-concluded'; readonly requestId: string; readonly concludedOn: LocalDate; readonly noteRef: string | null }
  | {
      readonly type: 'payment-plan-agreed';
      readonly planId: string;
      readonly agreedOn: LocalDate;
      readonly instalments: readonly Instalment[];
      readonly toleranceDays: number | null;
      /** Filled in by the application from the ledger's view of the account, never by the caller. */
      readonly startOverdueOre: Ore;
    }
  | { readonly type: 'payment-plan-cancelled'; readonly planId: string; readonly cancelledOn: LocalDate; readonly reasonRef: string | null }
  | { readonly type: 'income-management-agreed'; readonly consentOn: LocalDate; readonly covers: readonly IncomeCover[]; readonly startOn: LocalDate; readonly endOn: LocalDate | null }
  | { readonly type: 'income-management-withdrawn'; readonly withdrawnOn: LocalDate }
  | {
      readonly type: 'financial-assistance-decided';
      readonly assistanceId: string;
      readonly paragraph: '18' | '19';
      readonly form: 'grant' | 'loan';
      readonly amountOre: Ore;
      readonly decidedOn: LocalDate;
      readonly outcome: 'granted' | 'refused';
      readonly expectedPaymentOn: LocalDate | null;
      readonly reasonRef: string | null;
    }
  | { readonly type: 'housing-application-noted'; readonly applicationId: string; readonly scheme: 'startlan' | 'bostotte'; readonly appliedOn: LocalDate; readonly outcome: 'pending' | 'granted' | 'refused'; readonly decidedOn: LocalDate | null }
  | { readonly type: 'housing-decision-requested'; readonly requestId: string; readonly requestedOn: LocalDate }
  | { readonly type: 'housing-decision-made'; readonly requestId: string; readonly decidedOn: LocalDate; readonly outcome: 'granted' | 'refused'; readonly reasonRef: string | null }
  | { readonly type: 'paused'; readonly pauseId: string; readonly until: LocalDate; readonly reasonRef: string | null }
  | { readonly type: 'resumed' }
  | { readonly type: 'flags-set'; readonly vulnerable: boolean; readonly childrenInHousehold: boolean }
  | { readonly type: 'concluded'; readonly outcome: NavOutcome; readonly concludedOn: LocalDate; readonly noteRef: string | null };

export type NavStepType = NavStep['type'];

/**
 * Records one step of the follow-up. Every step but a withdrawal of consent needs the follow-up
 * to be claimed (someone at NAV has it) and not concluded; a household may withdraw its consent to
 * income management at any time, whoever at the office hears it.
 */
export function recordStep(state: NavHousehold, caseId: string, by: NavPerson, step: NavStep, today: LocalDate, policy: NavPolicy): NavEvent[] {
  const f = reachable(state, caseId, by);
  if (step.type === 'income-management-withdrawn') return withdrawConsent(f, step.withdrawnOn, today);
  if (f.concluded) throw new NavRuleError('CONCLUDED', 'NAVs oppfølging av saken er avsluttet');
  if (!f.assignee) throw new NavRuleError('NOT_CLAIMED', 'Henvisningen må tas av en veileder før oppfølgingen registreres');
  switch (step.type) {
    case 'contact-made':
      if (f.contacts.some((c) => c.contactId === step.contactId)) return [];
      notInFuture('contactedOn', step.contactedOn, today);
      return [{ type: 'nav.ContactMade', data: { caseId, contactId: step.contactId, channel: step.channel, contactedOn: step.contactedOn, noteRef: step.noteRef } }];
    case 'economic-advice-requested':
      if (f.advice.some((a) => a.requestId === step.requestId)) return [];
      notInFuture('requestedOn', step.requestedOn, today);
      return [
        {
          type: 'nav.EconomicAdviceRequested',
          data: {
            caseId,
            requestId: step.requestId,
            requestedOn: step.requestedOn,
            form: step.form,
            startNormDueOn: norwegianCalendar.addWorkingDays(step.requestedOn, policy.adviceStartNormWorkingDays),
            noteRef: step.noteRef,
          },
        },
      ];
    case 'economic-advice-decided': {
      const a = adviceRequest(f, step.requestId);
      if (a.decision) {
        if (a.decision.outcome === step.outcome && a.decision.decidedOn === step.decidedOn) return [];
        throw new NavRuleError('INVALID', 'Det er allerede fattet vedtak om denne forespørselen', { field: 'requestId' });
      }
      notInFuture('decidedOn', step.decidedOn, today);
      if (step.decidedOn < a.requestedOn) throw invalid('decidedOn', 'kan ikke være før forespørselen');
      // A refusal must give its reason (forvaltningsloven §§ 24–25).
      if (step.outcome === 'refused' && !step.reasonRef) throw invalid('reason', 'et avslag må begrunnes');
      return [{ type: 'nav.EconomicAdviceDecided', data: { caseId, requestId: step.requestId, decidedOn: step.decidedOn, outcome: step.outcome, reasonRef: step.reasonRef } }];
    }
    case 'economic-advice-started': {
      const a = adviceRequest(f, step.requestId);
      if (a.startedOn !== null) return a.startedOn === step.startedOn ? [] : throwInvalid('startedOn', 'tjenesten er allerede startet');
      if (!a.decision || a.decision.outcome !== 'granted') throw invalid('requestId', 'tjenesten kan bare starte etter et skriftlig vedtak om innvilgelse');
      notInFuture('startedOn', step.startedOn, today);
      if (step.startedOn < a.decision.decidedOn) throw invalid('startedOn', 'kan ikke være før vedtaket');
      const late = step.startedOn > a.startNormDueOn;
      if (late && !step.lateReasonRef) throw invalid('lateReason', `starten er senere enn kontorets norm (${a.startNormDueOn}); oppgi hvorfor`);
      return [{ type: 'nav.EconomicAdviceStarted', data: { caseId, requestId: step.requestId, startedOn: step.startedOn, startNormDueOn: a.startNormDueOn, late, lateReasonRef: late ? step.lateReasonRef : null } }];
    }
    case 'economic-advice-followed-up': {
      const a = adviceRequest(f, step.requestId);
      if (a.startedOn === null) throw invalid('requestId', 'tjenesten er ikke startet');
      if (a.concludedOn !== null) throw invalid('requestId', 'tjenesten er avsluttet');
      notInFuture('followedUpOn', step.followedUpOn, today);
      if (step.followedUpOn < a.startedOn) throw invalid('followedUpOn', 'kan ikke være før starten');
      return [{ type: 'nav.EconomicAdviceFollowedUp', data: { caseId, requestId: step.requestId, followedUpOn: step.followedUpOn, noteRef: step.noteRef } }];
    }
    case 'economic-advice-concluded': {
      const a = adviceRequest(f, step.requestId);
      if (a.concludedOn !== null) return [];
      if (a.startedOn === null) throw invalid('requestId', 'tjenesten er ikke startet');
      notInFuture('concludedOn', step.concludedOn, today);
      if (step.concludedOn < a.startedOn) throw invalid('concludedOn', 'kan ikke være før starten');
      return [{ type: 'nav.EconomicAdviceConcluded', data: { caseId, requestId: step.requestId, concludedOn: step.concludedOn, noteRef: step.noteRef } }];
    }
    case 'payment-plan-agreed':
      return agreePlan(f, step, today, policy);
    case 'payment-plan-cancelled': {
      const plan = f.plans.find((p) => p.planId === step.planId);
      if (!plan) throw invalid('planId', 'ukjent nedbetalingsavtale');
      if (plan.status === 'cancelled') return [];
      if (plan.status !== 'active') throw invalid('planId', 'avtalen er allerede avsluttet');
      notInFuture('cancelledOn', step.cancelledOn, today);
      return [{ type: 'nav.PaymentPlanCancelled', data: { caseId, planId: step.planId, cancelledOn: step.cancelledOn, reasonRef: step.reasonRef } }];
    }
    case 'income-management-agreed': {
      if (activeIncomeManagement(f)) throw invalid('consentOn', 'forvaltning av inntekt er allerede avtalt; samtykket må trekkes før en ny avtale');
      if (step.covers.length === 0 || !step.covers.includes('rent')) throw invalid('covers', 'forvaltningen må dekke husleien');
      if (new Set(step.covers).size !== step.covers.length) throw invalid('covers', 'hver post kan bare stå én gang');
      notInFuture('consentOn', step.consentOn, today);
      if (step.startOn < step.consentOn) throw invalid('startOn', 'kan ikke være før samtykket');
      if (step.endOn !== null && step.endOn <= step.startOn) throw invalid('endOn', 'må være etter start');
      return [{ type: 'nav.IncomeManagementAgreed', data: { caseId, consentOn: step.consentOn, covers: step.covers, startOn: step.startOn, endOn: step.endOn } }];
    }
    case 'financial-assistance-decided': {
      if (f.assistance.some((a) => a.assistanceId === step.assistanceId)) return [];
      if (!Number.isSafeInteger(step.amountOre) || step.amountOre <= 0) throw invalid('amount', 'må være et positivt beløp');
      notInFuture('decidedOn', step.decidedOn, today);
      if (step.outcome === 'granted' && (step.expectedPaymentOn === null || step.expectedPaymentOn < step.decidedOn)) throw invalid('expectedPaymentOn', 'en innvilgelse må ha forventet utbetalingsdato, tidligst vedtaksdatoen');
      if (step.outcome === 'refused' && !step.reasonRef) throw invalid('reason', 'et avslag må begrunnes');
      return [
        {
          type: 'nav.FinancialAssistanceDecided',
          data: {
            caseId,
            assistanceId: step.assistanceId,
            paragraph: step.paragraph,
            form: step.form,
            amountOre: step.amountOre,
            decidedOn: step.decidedOn,
            outcome: step.outcome,
            expectedPaymentOn: step.outcome === 'granted' ? step.expectedPaymentOn : null,
            reasonRef: step.reasonRef,
          },
        },
      ];
    }
    case 'housing-application-noted': {
      const known = f.housingApplications.find((a) => a.applicationId === step.applicationId);
      if (known && known.outcome === step.outcome && known.decidedOn === step.decidedOn && known.appliedOn === step.appliedOn) return [];
      notInFuture('appliedOn', step.appliedOn, today);
      if (step.outcome === 'pending' && step.decidedOn !== null) throw invalid('decidedOn', 'en søknad under behandling har ingen vedtaksdato');
      if (step.outcome !== 'pending' && (step.decidedOn === null || step.decidedOn < step.appliedOn || step.decidedOn > today)) throw invalid('decidedOn', 'må oppgis for et vedtak, mellom søknadsdatoen og i dag');
      return [{ type: 'nav.HousingApplicationNoted', data: { caseId, applicationId: step.applicationId, scheme: step.scheme, appliedOn: step.appliedOn, outcome: step.outcome, decidedOn: step.decidedOn } }];
    }
    case 'housing-decision-requested':
      if (f.housingDecisions.some((h) => h.requestId === step.requestId)) return [];
      notInFuture('requestedOn', step.requestedOn, today);
      return [{ type: 'nav.HousingDecisionRequested', data: { caseId, requestId: step.requestId, requestedOn: step.requestedOn } }];
    case 'housing-decision-made': {
      const h = f.housingDecisions.find((x) => x.requestId === step.requestId);
      if (!h) throw invalid('requestId', 'ukjent forespørsel om vedtak');
      if (h.decision) return h.decision.outcome === step.outcome && h.decision.decidedOn === step.decidedOn ? [] : throwInvalid('requestId', 'det er allerede fattet vedtak');
      notInFuture('decidedOn', step.decidedOn, today);
      if (step.decidedOn < h.requestedOn) throw invalid('decidedOn', 'kan ikke være før forespørselen');
      if (step.outcome === 'refused' && !step.reasonRef) throw invalid('reason', 'et avslag må begrunnes');
      return [{ type: 'nav.HousingDecisionMade', data: { caseId, requestId: step.requestId, decidedOn: step.decidedOn, outcome: step.outcome, reasonRef: step.reasonRef } }];
    }
    case 'paused':
      if (f.pause?.pauseId === step.pauseId) return [];
      if (!step.reasonRef) throw invalid('reason', 'en pause må begrunnes');
      if (step.until <= today) throw invalid('until', 'må være etter i dag');
      return [{ type: 'nav.FollowUpPaused', data: { caseId, pauseId: step.pauseId, pausedOn: today, until: step.until, reasonRef: step.reasonRef } }];
    case 'resumed': {
      const pause = f.pause;
      if (!pause || pause.endedOn !== null) return [];
      return [
        { type: 'nav.FollowUpResumed', data: { caseId, pauseId: pause.pauseId, resumedOn: today, automatically: false } },
        { type: 'nav.HoldReleased', data: { caseId, municipalityNumber: f.municipalityNumber, tenancyId: f.tenancyId, releasedOn: today, cause: 'pause-lifted' } },
      ];
    }
    case 'flags-set':
      if (f.flags.vulnerable === step.vulnerable && f.flags.childrenInHousehold === step.childrenInHousehold) return [];
      return [{ type: 'nav.HouseholdFlagsSet', data: { caseId, vulnerable: step.vulnerable, childrenInHousehold: step.childrenInHousehold, setOn: today } }];
    case 'concluded':
      notInFuture('concludedOn', step.concludedOn, today);
      if (step.outcome === 'plan-honoured' && !f.plans.some((p) => p.status === 'kept')) throw invalid('outcome', 'ingen nedbetalingsavtale er fullført');
      return [
        {
          type: 'nav.FollowUpConcluded',
          data: { caseId, municipalityNumber: f.municipalityNumber, tenancyId: f.tenancyId, outcome: step.outcome, concludedOn: step.concludedOn, noteRef: step.noteRef },
        },
      ];
    default: {
      const never: never = step;
      return never;
    }
  }
}

function throwInvalid(field: string, message: string): never {
  throw invalid(field, message);
}

function adviceRequest(f: NavFollowUp, requestId: string) {
  const a = f.advice.find((x) => x.requestId === requestId);
  if (!a) throw invalid('requestId', 'ukjent forespørsel om økonomisk rådgivning');
  return a;
}

function agreePlan(f: NavFollowUp, step: Extract<NavStep, { type: 'payment-plan-agreed' }>, today: LocalDate, policy: NavPolicy): NavEvent[] {
  if (f.plans.some((p) => p.planId === step.planId)) return [];
  if (activePlan(f)) throw invalid('planId', 'en nedbetalingsavtale løper allerede; avslutt den før en ny avtales');
  notInFuture('agreedOn', step.agreedOn, today);
  if (step.instalments.length === 0) throw invalid('instalments', 'avtalen må ha minst ett avdrag');
  step.instalments.forEach((i, n) => {
    if (!Number.isSafeInteger(i.amountOre) || i.amountOre <= 0) throw invalid(`instalments.${n}.amount`, 'må være et positivt beløp');
    if (i.dueOn < step.agreedOn) throw invalid(`instalments.${n}.dueOn`, 'kan ikke være før avtalen');
    const previous = step.instalments[n - 1];
    if (previous && i.dueOn <= previous.dueOn) throw invalid(`instalments.${n}.dueOn`, 'avdragene må komme i rekkefølge, på ulike datoer');
  });
  const toleranceDays = step.toleranceDays ?? policy.planToleranceDays;
  return [
    {
      type: 'nav.PaymentPlanAgreed',
      data: { caseId: f.caseId, planId: step.planId, agreedOn: step.agreedOn, instalments: step.instalments, toleranceDays, startOverdueOre: Math.max(0, step.startOverdueOre) },
    },
  ];
}

/**
 * Consent to income management can be withdrawn at any time (DOMAIN.md): the event says what
 * follows — monitoring stops, the adviser who has the case is told, and a running payment plan
 * that was being paid from it is named as at risk.
 */
function withdrawConsent(f: NavFollowUp, withdrawnOn: LocalDate, today: LocalDate): NavEvent[] {
  const im = f.incomeManagement;
  if (!im) throw invalid('withdrawnOn', 'forvaltning av inntekt er ikke avtalt');
  if (im.withdrawnOn !== null) return [];
  notInFuture('withdrawnOn', withdrawnOn, today);
  if (withdrawnOn < im.consentOn) throw invalid('withdrawnOn', 'kan ikke være før samtykket');
  return [
    {
      type: 'nav.IncomeManagementConsentWithdrawn',
      data: { caseId: f.caseId, withdrawnOn, monitoringStopped: true, adviserTold: f.assignee, activePlanId: activePlan(f)?.planId ?? null },
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Checks the workflows send: each re-checks the state, so a repeat is harmless.
// ---------------------------------------------------------------------------------------------

/**
 * Matches the ledger against the payment plan. Once an instalment's tolerance has run out, the
 * account's overdue amount should be at most what the plan expects by then; when it is more, the
 * plan is in breach — flagged once per breach (a breach lasts until the account is back on track).
 * A plan whose last instalment is checked on track is kept. Nothing is flagged while paused: the
 * resume checks again.
 */
export function checkPaymentPlan(state: NavHousehold, caseId: string, account: { readonly overdueOre: Ore } | undefined, today: LocalDate): NavEvent[] {
  const f = findFollowUp(state, caseId);
  const plan = f && activePlan(f);
  if (!f || !plan || !account || f.concluded || isPaused(f, today)) return [];
  const k = instalmentsChecked(plan, today);
  if (k === 0) return [];
  const expected = expectedOverdueOre(plan, k);
  const behind = account.overdueOre > expected;
  const events: NavEvent[] = [];
  if (behind && !plan.breach) {
    const instalment = plan.instalments[k - 1] as Instalment;
    events.push({
      type: 'nav.PaymentPlanBreached',
      data: { caseId, planId: plan.planId, breachNo: plan.breaches + 1, detectedOn: today, instalmentNo: k, instalmentDueOn: instalment.dueOn, expectedOverdueOre: expected, actualOverdueOre: account.overdueOre },
    });
  }
  if (!behind && plan.breach) events.push({ type: 'nav.PaymentPlanBackOnTrack', data: { caseId, planId: plan.planId, breachNo: plan.breach.breachNo, on: today } });
  if (!behind && k === plan.instalments.length) events.push({ type: 'nav.PaymentPlanKept', data: { caseId, planId: plan.planId, keptOn: today } });
  return events;
}

/**
 * The monthly check of income management: the rent due since it started and before today should
 * be paid. Recorded every month (so the monitoring itself is visible), at most once a month.
 */
export function checkIncomeManagement(state: NavHousehold, caseId: string, account: { readonly unpaidDueDates: readonly LocalDate[] } | undefined, today: LocalDate): NavEvent[] {
  const f = findFollowUp(state, caseId);
  const im = f && activeIncomeManagement(f);
  if (!f || !im || !account || f.concluded || today < im.startOn || (im.endOn !== null && today > im.endOn)) return [];
  const month = today.slice(0, 7);
  if (im.checkedMonths.includes(month)) return [];
  const unpaidDueDates = account.unpaidDueDates.filter((d) => d >= im.startOn && d < today);
  return [{ type: 'nav.IncomeManagementRentChecked', data: { caseId, month, checkedOn: today, arrived: unpaidDueDates.length === 0, unpaidDueDates } }];
}

/**
 * Granted financial assistance counts as on its way until its expected payment date. The day
 * after, it no longer does — paid or not — and the case re-checks its escalation (paid money is in
 * the ledger by then; unpaid arrears escalate).
 */
export function releaseAssistanceHold(state: NavHousehold, caseId: string, assistanceId: string, today: LocalDate): NavEvent[] {
  const f = findFollowUp(state, caseId);
  const a = f?.assistance.find((x) => x.assistanceId === assistanceId);
  if (!f || !a || a.outcome !== 'granted' || a.expectedPaymentOn === null || a.datePassedOn !== null || today <= a.expectedPaymentOn) return [];
  return [
    { type: 'nav.FinancialAssistanceDatePassed', data: { caseId, assistanceId, expectedPaymentOn: a.expectedPaymentOn, passedOn: today } },
    { type: 'nav.HoldReleased', data: { caseId, municipalityNumber: f.municipalityNumber, tenancyId: f.tenancyId, releasedOn: today, cause: 'assistance-date-passed' } },
  ];
}

/** A pause ends by itself the day after its last day. */
export function endPause(state: NavHousehold, caseId: string, pauseId: string, today: LocalDate): NavEvent[] {
  const f = findFollowUp(state, caseId);
  const pause = f?.pause;
  if (!f || !pause || pause.pauseId !== pauseId || pause.endedOn !== null || today <= pause.until) return [];
  return [
    { type: 'nav.FollowUpResumed', data: { caseId, pauseId, resumedOn: today, automatically: true } },
    { type: 'nav.HoldReleased', data: { caseId, municipalityNumber: f.municipalityNumber, tenancyId: f.tenancyId, releasedOn: today, cause: 'pause-ended' } },
  ];
}
