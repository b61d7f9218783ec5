import { addDays, cancel, defineDeadline, ignored, schedule, send, type LocalDate, type WorkflowInput, type WorkflowOutput } from '@evp/shared-kernel';
import type { ContactMadePublished, FollowUpConcluded, HoldReleased, NavOutcome } from '@evp/nav-contract';
import { nextArrearsEvaluation, type ArrearsSnapshot, type CasePolicy } from './decide';
import type { CaseEvent } from './events';
import { activeCase, evolveCases, initialTenancyCases } from './prevention-case';

/** Commands the case workflows send; each is decided against the case stream by its handler, which re-checks the state. */
export type CaseCommand =
  | { readonly type: 'cases.EvaluateArrears'; readonly municipalityNumber: string; readonly tenancyId: string }
  | { readonly type: 'cases.EscalateIfNoContact'; readonly caseId: string }
  | { readonly type: 'cases.CloseCase'; readonly caseId: string; readonly outcome: NavOutcome }
  | { readonly type: 'cases.RecordNavContact'; readonly caseId: string; readonly navContactId: string; readonly contactedOn: LocalDate };


/**
 * Nobody recorded contact within the policy's working days after the case opened: escalate to the
 * husleierestanseteam. Due at the start of the day after the deadline (the deadline day still counts).
 * Rule: `POLICY_FIRST_CONTACT_WORKING_DAYS` (README, «Case policy»), counted in Norwegian working days.
 */
export const firstContactDeadline = defineDeadline<{ caseId: string }>('cases.first-contact', (p) => `case.${p.caseId}.first-contact`);

/**
 * Time alone can make rent arrears: a grace period ends, or arrears grow older than the policy
 * allows. Thousands fall due on the same morning, so this kind is delivered as a daily sheet from
 * the pending-deadline table, not one Redis job each (ARCHITECTURE.md, invariant 4).
 */
export const arrearsEvaluationDeadline = defineDeadline<{ municipalityNumber: string; tenancyId: string }>(
  'cases.arrears-evaluation',
  (p) => `tenancy.${p.municipalityNumber}-${p.tenancyId}.arrears-evaluation`,
  'sheet',
);

/**
 * What the arrears workflow needs to know, for inputs about a tenancy: its account, as the ledger
 * publishes it, and its case stream (`case-<kommunenummer>-<leieforhold>`) as the event store holds
 * it now — whether a case is active decides whether a payment can change anything.
 *
 * Why the case stream itself and not a table the runner keeps from the case events it receives:
 * the store is never behind the runner, so a case opened just before a payment (even by a command
 * this runner sent a moment ago, whose `cases.CaseOpened` it has not handled yet) is always seen;
 * a fact the runner kept would lag by up to a batch and need an overlay of the batch's own events,
 * and replays would see it from the wrong end of history. The command decides on the same current
 * state, so «no active case and nothing past grace» here means the command would decide nothing.
 * The cost: the runner reads a batch's case streams in one statement per few hundred tenancies
 * (`prepare`), and most tenancies have no case stream at all. Absent: not read — then a payment is
 * sent to the command as before (never a missed resolution).
 */
export interface ArrearsWorkflowState {
  readonly account?: ArrearsSnapshot;
  readonly caseHistory?: readonly CaseEvent[];
}

const REDUCTIONS = new Set(['ledger.PaymentPosted', 'ledger.CreditPosted', 'ledger.WriteOffPosted']);

/**
 * The arrears workflow: from a tenancy's account to a prevention case and its first-contact
 * deadline. Pure: the runner loads the state and executes what it returns.
 */
export function arrearsWorkflow(input: WorkflowInput, state: ArrearsWorkflowState, policy: CasePolicy, today: LocalDate): WorkflowOutput<CaseCommand>[] {
  switch (input.type) {
    case 'ledger.BalanceStated':
    case 'ledger.BalanceDiscrepancyRecorded':
      return [ignored('En saldo fra økonomisystemet endrer ikke hva som skyldes.')];
    case 'ledger.TenancyRegistered':
    case 'ledger.TenancyDetailsChanged':
    case 'ledger.ChargePosted':
    case 'ledger.PaymentPosted':
    case 'ledger.CreditPosted':
    case 'ledger.WriteOffPosted':
      return evaluate(state, policy, today, REDUCTIONS.has(input.type));
    case 'deadline.cases.arrears-evaluation':
      return evaluate(state, policy, today, false);
    case 'cases.CaseOpened': {
      const { caseId, firstContactDeadline: deadline } = input.data as { caseId: string; firstContactDeadline: LocalDate };
      return [schedule(firstContactDeadline, { caseId }, addDays(deadline, 1))];
    }
    case 'cases.ContactRecorded':
    case 'cases.CaseEscalatedToArrearsTeam':
    case 'cases.CaseResolved':
      // Contact recorded anywhere stops the escalation; an escalated or resolved case needs it no more.
      return [cancel(firstContactDeadline, { caseId: (input.data as { caseId: string }).caseId })];
    case 'cases.ReferredToNav':
      return [ignored('En henvisning til NAV følges opp av NAV-kontoret.')];
    case 'deadline.cases.first-contact':
      return input.kind === 'deadline' ? [send({ type: 'cases.EscalateIfNoContact', caseId: String(input.payload['caseId']) })] : [ignored('En frist kan bare komme fra en frist.')];
    case 'nav.HoldReleased': {
      // NAV's pause ended, or assistance did not arrive by its date: what it held back is due now.
      const d = input.data as HoldReleased['data'];
      return [send({ type: 'cases.EvaluateArrears', municipalityNumber: d.municipalityNumber, tenancyId: d.tenancyId }), send({ type: 'cases.EscalateIfNoContact', caseId: d.caseId })];
    }
    case 'nav.FollowUpConcluded': {
      const d = input.data as FollowUpConcluded['data'];
      return [send({ type: 'cases.CloseCase', caseId: d.caseId, outcome: d.outcome })];
    }
    case 'nav.ContactMade': {
      // Contact recorded anywhere cancels the first-contact deadline (issue 6): through the case's
      // own ContactRecorded, which cancels it above; only that NAV made contact, and when.
      const d = input.data as ContactMadePublished['data'];
      return [send({ type: 'cases.RecordNavContact', caseId: d.caseId, navContactId: d.contactId, contactedOn: d.contactedOn })];
    }
    default:
      if (input.type.startsWith('nav.')) return [ignored('Bare NAVs kontakt med husstanden, slutten på et hold og NAVs utfall angår saken; resten av NAVs oppfølging er NAVs.')];
      return [ignored(`Arbeidsflyten for restanser reagerer ikke på ${input.type}.`)];
  }
}

/**
 * A case can open only on arrears past grace, and resolve only when a payment, credit or
 * write-off reduces what is owed; anything else needs no evaluation now. The next day on which
 * time alone changes the picture is scheduled either way.
 */
function evaluate(state: ArrearsWorkflowState, policy: CasePolicy, today: LocalDate, reducesDebt: boolean): WorkflowOutput<CaseCommand>[] {
  const account = state.account;
  if (!account) return [ignored('Leieforholdet er ikke registrert.')];
  const key = { municipalityNumber: account.municipalityNumber, tenancyId: account.tenancyId };
  const next = nextArrearsEvaluation(account, policy, today);
  const later = next ? schedule(arrearsEvaluationDeadline, key, next) : cancel(arrearsEvaluationDeadline, key);
  const evaluateNow = send<CaseCommand>({ type: 'cases.EvaluateArrears', ...key });
  if (!state.caseHistory) {
    // The case stream was not read: a reduction may resolve a case nobody told us about.
    if (!reducesDebt && account.arrearsOre <= 0) return [ignored(NOTHING_PAST_GRACE), later];
    return [evaluateNow, later];
  }
  const active = activeCase(state.caseHistory.reduce(evolveCases, initialTenancyCases()));
  if (active) {
    // An active case can only be resolved, and only by something that lowers what is overdue.
    return reducesDebt ? [evaluateNow, later] : [ignored('Leieforholdet har allerede en aktiv sak; bare en innbetaling, kreditnota eller avskrivning kan avslutte den.'), later];
  }
  if (account.arrearsOre <= 0) return [ignored(reducesDebt ? 'Ingen aktiv sak og ingen restanse etter henstandsperioden; innbetalingen endrer ingen sak.' : NOTHING_PAST_GRACE), later];
  return [evaluateNow, later];
}

const NOTHING_PAST_GRACE = 'Ingen restanse etter henstandsperioden; ingen sak kan åpnes nå.';
