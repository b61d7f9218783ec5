import { addDays, cancel, defineDeadline, ignored, schedule, send, type LocalDate, type WorkflowInput, type WorkflowOutput } from '@evp/shared-kernel';
import type { CaseResolved, ReferredToNav } from '@evp/cases-contract';
import { LEDGER_REDUCTION_TYPES, isLedgerReduction, type LedgerEventType, type TenancyDetailsChanged } from '@evp/ledger-contract';
import type { FinancialAssistanceDecided, FollowUpPaused, FollowUpTransferred, IncomeManagementAgreed, NavEvent, PaymentPlanAgreed, ReferralReceived, ReferralReleased } from './events';
import { activeIncomeManagement, activePlan, findFollowUp, isWaiting, type NavFollowUp, type NavHousehold } from './household';
import { instalmentCheckOn, nextIncomeCheck, nextPlanCheck } from './plan';
import type { NavPolicy } from './policy';

/** Commands NAV's workflow sends; each is decided against the household's stream, which re-checks the state. */
export type NavCommand =
  | { readonly type: 'nav.ReceiveReferral'; readonly referral: ReferredToNav['data'] }
  | { readonly type: 'nav.EscalateOverduePickup'; readonly caseId: string; readonly referralId: string }
  | { readonly type: 'nav.NoteCaseResolved'; readonly caseId: string; readonly resolvedOn: LocalDate; readonly outcome: string }
  | { readonly type: 'nav.CheckPaymentPlan'; readonly caseId: string }
  | { readonly type: 'nav.CheckIncomeManagement'; readonly caseId: string }
  | { readonly type: 'nav.ReleaseAssistanceHold'; readonly caseId: string; readonly assistanceId: string }
  | { readonly type: 'nav.EndPause'; readonly caseId: string; readonly pauseId: string }
  /** The tenancy's NAV office changed: move the follow-up there (the handler decides on the ledger's current office). */
  | { readonly type: 'nav.TransferFollowUp'; readonly caseId: string; readonly toOffice: string };

/**
 * A referral nobody claimed by its last day escalates to the office lead and the
 * husleierestanseteam. Due at the start of the day after the pickup limit (the last day still
 * counts). Rule: NAV_PICKUP_WORKING_DAYS, the municipality's own limit, in Norwegian working days.
 * One deadline per referral, id from the referral id: scheduling it again moves it, never doubles it.
 */
export const pickupDeadline = defineDeadline<{ caseId: string; referralId: string }>('nav.referral-pickup', (p) => `nav.${p.referralId}.pickup`);

/**
 * The payment plan is checked the day after each instalment's tolerance (PAYMENT_PLAN_TOLERANCE_DAYS,
 * calendar days) ran out. Instalments cluster on the same days of the month across households, so
 * this is a daily sheet, not one Redis job each.
 */
export const planCheckDeadline = defineDeadline<{ caseId: string; planId: string }>('nav.payment-plan-check', (p) => `nav.${p.caseId}.plan.${p.planId}.check`, 'sheet');

/** Income management's monthly check that the rent arrived from it (NAV_INCOME_MANAGEMENT_CHECK_DAY): a sheet, every household on the same day. */
export const incomeCheckDeadline = defineDeadline<{ caseId: string }>('nav.income-management-check', (p) => `nav.${p.caseId}.income-management.check`, 'sheet');

/** Granted assistance stops counting as on its way the day after its expected payment date. */
export const assistanceDeadline = defineDeadline<{ caseId: string; assistanceId: string }>('nav.assistance-expected', (p) => `nav.${p.caseId}.assistance.${p.assistanceId}.expected`);

/** A pause ends by itself the day after its last day; one per follow-up, so a new pause moves it. */
export const pauseEndDeadline = defineDeadline<{ caseId: string; pauseId: string }>('nav.pause-end', (p) => `nav.${p.caseId}.pause-end`);

/** What the workflow needs: NAV's record of the household the input is about (its stream, folded). */
export interface NavWorkflowState {
  readonly household?: NavHousehold;
}

/**
 * The ledger's events this workflow acts on; it ignores every other (a charge, a balance line).
 * Its subscription asks the store for these alone, so a month's charges never reach it.
 */
export const NAV_WORKFLOW_LEDGER_TYPES: readonly LedgerEventType[] = [...LEDGER_REDUCTION_TYPES, 'ledger.TenancyDetailsChanged'];

/**
 * NAV's workflow: referrals into the inbox (from the case, a transfer or a release) and their
 * pickup deadlines, the payment plan's checks against the ledger, income management's monthly
 * check, assistance on its way and pauses. Pure: the runner loads the state and executes what it returns.
 */
export function navWorkflow(input: WorkflowInput, state: NavWorkflowState, policy: NavPolicy, today: LocalDate): WorkflowOutput<NavCommand>[] {
  const followUp = (caseId: string) => (state.household ? findFollowUp(state.household, caseId) : undefined);
  if (input.kind === 'deadline') return onDeadline(input.type, input.payload, followUp, policy, today);
  if (isLedgerReduction(input.type)) {
    // A payment may end a breach or complete a plan: check every running plan of the household.
    const plans = (state.household?.followUps ?? []).filter((f) => !f.concluded && activePlan(f));
    return plans.length ? plans.map((f) => send({ type: 'nav.CheckPaymentPlan', caseId: f.caseId })) : [ignored('Ingen nedbetalingsavtale løper for husstanden.')];
  }
  if (input.type === 'ledger.TenancyDetailsChanged') return onTenancyChanged(input.data as TenancyDetailsChanged['data'], state.household);
  if (input.type.startsWith('ledger.')) return [ignored('Bare innbetalinger, kreditnotaer og avskrivninger kan endre en nedbetalingsavtale.')];
  switch (input.type) {
    case 'cases.ReferredToNav':
      return [send({ type: 'nav.ReceiveReferral', referral: input.data as ReferredToNav['data'] })];
    case 'cases.CaseResolved': {
      const d = input.data as CaseResolved['data'];
      if (!followUp(d.caseId)) return [ignored('NAV har ingen oppfølging av saken.')];
      return [send({ type: 'nav.NoteCaseResolved', caseId: d.caseId, resolvedOn: d.resolvedOn, outcome: d.outcome })];
    }
    case 'cases.CaseOpened':
    case 'cases.ContactRecorded':
    case 'cases.CaseEscalatedToArrearsTeam':
      return [ignored('Saken følges opp i restansesaken til den henvises til NAV.')];
  }
  if (!input.type.startsWith('nav.')) return [ignored(`NAVs arbeidsflyt reagerer ikke på ${input.type}.`)];
  return onNavEvent({ type: input.type, data: input.data } as NavEvent, followUp, policy, today);
}

/**
 * The tenancy's details changed (the ledger publishes them whole): when its NAV office is another
 * than the one handling a follow-up still running, the follow-up moves with it. An address or rent
 * change, a follow-up already at that office (a second change to the same office, a redelivery) or
 * a concluded one sends nothing.
 */
function onTenancyChanged(d: TenancyDetailsChanged['data'], household: NavHousehold | undefined): WorkflowOutput<NavCommand>[] {
  const running = (household?.followUps ?? []).filter((f) => !f.concluded);
  if (!running.length) return [ignored('NAV har ingen løpende oppfølging av husstanden.')];
  const moving = running.filter((f) => f.navOffice !== d.navOffice);
  if (!moving.length) return [ignored('NAVs oppfølging er allerede hos leieforholdets NAV-kontor.')];
  return moving.map((f) => send({ type: 'nav.TransferFollowUp', caseId: f.caseId, toOffice: d.navOffice }));
}

function onNavEvent(event: NavEvent, followUp: (caseId: string) => NavFollowUp | undefined, policy: NavPolicy, today: LocalDate): WorkflowOutput<NavCommand>[] {
  const { caseId } = event.data;
  switch (event.type) {
    case 'nav.ReferralReceived': {
      const d: ReferralReceived['data'] = event.data;
      if (d.pickedUpOn !== null) return [ignored('Henvisningen kom til en oppfølging som allerede er tatt.')];
      return [schedule(pickupDeadline, { caseId, referralId: d.referralId }, addDays(d.pickupDueOn, 1))];
    }
    case 'nav.ReferralReleased': {
      // Back in the office's inbox: the release's own wait, with the pickup limit of any referral.
      const d: ReferralReleased['data'] = event.data;
      if (d.referralId === null || d.pickupDueOn === null) return [ignored('Saken ble frigitt før frigitte saker fikk frist for å bli tatt igjen; ingen frist settes.')];
      return [schedule(pickupDeadline, { caseId, referralId: d.referralId }, addDays(d.pickupDueOn, 1))];
    }
    case 'nav.ReferralClaimed':
    case 'nav.ReferralReassigned':
      return event.data.pickedUp.length ? event.data.pickedUp.map((referralId) => cancel(pickupDeadline, { caseId, referralId })) : [ignored('Ingen henvisning ventet på å bli tatt.')];
    case 'nav.CaseResolvedNoted': {
      const waiting = (followUp(caseId)?.referrals ?? []).filter((r) => isWaiting(r) && r.pickupOverdueOn === null);
      return waiting.length ? waiting.map((r) => cancel(pickupDeadline, { caseId, referralId: r.referralId })) : [ignored('Ingen henvisning venter på å bli tatt.')];
    }
    case 'nav.ReferralPickupOverdue':
      return [ignored('Henvisningen er eskalert én gang; fristen er brukt.')];
    case 'nav.FollowUpTransferred': {
      // The old office's waits end; the new office's pickup limit starts (the same rule as a referral's).
      const d: FollowUpTransferred['data'] = event.data;
      return [
        ...d.supersededReferrals.map((referralId) => cancel(pickupDeadline, { caseId, referralId })),
        schedule(pickupDeadline, { caseId, referralId: d.referralId }, addDays(d.pickupDueOn, 1)),
      ];
    }
    case 'nav.PaymentPlanAgreed': {
      const d: PaymentPlanAgreed['data'] = event.data;
      const first = d.instalments[0];
      return first ? [schedule(planCheckDeadline, { caseId, planId: d.planId }, instalmentCheckOn(first.dueOn, d.toleranceDays))] : [ignored('Avtalen har ingen avdrag.')];
    }
    case 'nav.PaymentPlanKept':
    case 'nav.PaymentPlanCancelled':
      return [cancel(planCheckDeadline, { caseId, planId: event.data.planId })];
    case 'nav.IncomeManagementAgreed': {
      const d: IncomeManagementAgreed['data'] = event.data;
      const first = nextIncomeCheck({ ...d, withdrawnOn: null, checkedMonths: [], missedMonths: [] }, today, policy.incomeCheckDay);
      return first ? [schedule(incomeCheckDeadline, { caseId }, first)] : [ignored('Forvaltningen er allerede over.')];
    }
    case 'nav.IncomeManagementConsentWithdrawn':
      return [cancel(incomeCheckDeadline, { caseId })];
    case 'nav.FinancialAssistanceDecided': {
      const d: FinancialAssistanceDecided['data'] = event.data;
      if (d.outcome !== 'granted' || d.expectedPaymentOn === null) return [ignored('Avslått stønad er ikke på vei.')];
      return [schedule(assistanceDeadline, { caseId, assistanceId: d.assistanceId }, addDays(d.expectedPaymentOn, 1))];
    }
    case 'nav.FollowUpPaused': {
      const d: FollowUpPaused['data'] = event.data;
      return [schedule(pauseEndDeadline, { caseId, pauseId: d.pauseId }, addDays(d.until, 1))];
    }
    case 'nav.FollowUpResumed': {
      const f = followUp(caseId);
      const outputs: WorkflowOutput<NavCommand>[] = [cancel(pauseEndDeadline, { caseId, pauseId: event.data.pauseId })];
      // Nothing was flagged while paused: look at the plan again now.
      if (f && !f.concluded && activePlan(f)) outputs.push(send({ type: 'nav.CheckPaymentPlan', caseId }));
      return outputs;
    }
    case 'nav.FollowUpConcluded': {
      // Monitoring ends with the follow-up: every deadline of it is cancelled.
      const f = followUp(caseId);
      if (!f) return [ignored('NAV har ingen oppfølging av saken.')];
      return [
        ...f.referrals.filter((r) => isWaiting(r) && r.pickupOverdueOn === null).map((r) => cancel(pickupDeadline, { caseId, referralId: r.referralId })),
        ...f.plans.filter((p) => p.status === 'active').map((p) => cancel(planCheckDeadline, { caseId, planId: p.planId })),
        cancel(incomeCheckDeadline, { caseId }),
        ...(f.pause ? [cancel(pauseEndDeadline, { caseId, pauseId: f.pause.pauseId })] : []),
        ...f.assistance.filter((a) => a.outcome === 'granted').map((a) => cancel(assistanceDeadline, { caseId, assistanceId: a.assistanceId })),
      ];
    }
    default:
      return [ignored(`Steget ${event.type} trenger ingen frist.`)];
  }
}

function onDeadline(
  type: string,
  payload: Readonly<Record<string, string | number>>,
  followUp: (caseId: string) => NavFollowUp | undefined,
  policy: NavPolicy,
  today: LocalDate,
): WorkflowOutput<NavCommand>[] {
  const caseId = String(payload['caseId']);
  switch (type) {
    case `deadline.${pickupDeadline.name}`:
      return [send({ type: 'nav.EscalateOverduePickup', caseId, referralId: String(payload['referralId']) })];
    case `deadline.${planCheckDeadline.name}`: {
      const f = followUp(caseId);
      const plan = f?.plans.find((p) => p.planId === String(payload['planId']));
      // A concluded follow-up monitors nothing: a check that fired before its cancel arrived ends here.
      if (!plan || plan.status !== 'active' || f?.concluded) return [ignored('Nedbetalingsavtalen løper ikke lenger.')];
      const next = nextPlanCheck(plan, today);
      const key = { caseId, planId: plan.planId };
      return [send({ type: 'nav.CheckPaymentPlan', caseId }), next ? schedule(planCheckDeadline, key, next) : cancel(planCheckDeadline, key)];
    }
    case `deadline.${incomeCheckDeadline.name}`: {
      const f = followUp(caseId);
      const im = f && !f.concluded && activeIncomeManagement(f);
      if (!im) return [ignored('Forvaltningen av inntekt løper ikke lenger.')];
      const next = nextIncomeCheck(im, today, policy.incomeCheckDay);
      return [send({ type: 'nav.CheckIncomeManagement', caseId }), next ? schedule(incomeCheckDeadline, { caseId }, next) : cancel(incomeCheckDeadline, { caseId })];
    }
    case `deadline.${assistanceDeadline.name}`:
      return [send({ type: 'nav.ReleaseAssistanceHold', caseId, assistanceId: String(payload['assistanceId']) })];
    case `deadline.${pauseEndDeadline.name}`:
      return [send({ type: 'nav.EndPause', caseId, pauseId: String(payload['pauseId']) })];
    default:
      return [ignored(`NAVs arbeidsflyt kjenner ikke fristen ${type}.`)];
  }
}
