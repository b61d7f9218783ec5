import { ignored, norwegianCalendar, send, type LocalDate, type Ore, type WorkflowInput, type WorkflowOutput } from '@evp/shared-kernel';
import type { EvictionGround, EvictionStoppedByPayment, ReportedStep, StepReported, WarningForwarded } from '@evp/warnings-contract';
import { caseId as makeCaseId, type CaseEvent, type CaseOpened, type PolicyReason } from './events';
import { activeCase, evolveCases, findCase, initialTenancyCases, type TenancyCases } from './prevention-case';
import { referral, type CasePolicy } from './decide';

/**
 * A landlord's § 9-11 warning meets the prevention case (husleieloven § 9-11): once the warnings
 * context has forwarded it, it attaches to the household's open case or opens one (reason: the
 * warning) and refers the household to NAV (`cases.ReferredToNav`, source `warning`, with the
 * petition and eviction dates). The landlord's later steps move the case. Pure, like every workflow.
 */

export type AttachWarning = {
  readonly type: 'cases.AttachWarning';
  readonly warningId: string;
  readonly municipalityNumber: string;
  /** The household's tenancy id: the municipal tenancy, or the warnings context's id of a private lease. */
  readonly tenancyId: string;
  readonly ledgerTenancy: boolean;
  readonly navOffice: string;
  readonly ground: EvictionGround;
  readonly arrearsOre: Ore;
  readonly petitionOn: LocalDate;
  readonly evictionOn: LocalDate | null;
};

export type RecordWarningStep = {
  readonly type: 'cases.RecordWarningStep';
  readonly warningId: string;
  readonly municipalityNumber: string;
  readonly tenancyId: string;
  readonly stepId: string;
  readonly step: string;
  readonly on: LocalDate | null;
  readonly petitionOn: LocalDate | null;
  readonly evictionOn: LocalDate | null;
  readonly closesWarning: boolean;
  /** Everything was paid: a case opened for the warning alone (no ledger to resolve it) is resolved. */
  readonly paid: boolean;
  readonly explanation: string;
};

export type WarningCaseCommand = AttachWarning | RecordWarningStep;

/** The case stream as the warning referral sees it: the cases, and which warnings and steps they hold. */
export interface WarningCases {
  readonly cases: TenancyCases;
  readonly attached: Readonly<Record<string, { readonly caseId: string; readonly openedForIt: boolean; readonly ledgerTenancy: boolean }>>;
  readonly steps: readonly string[];
}

export const initialWarningCases = (): WarningCases => ({ cases: initialTenancyCases(), attached: {}, steps: [] });

export function evolveWarningCases(state: WarningCases, event: CaseEvent): WarningCases {
  const cases = evolveCases(state.cases, event);
  if (event.type === 'cases.WarningAttached') {
    const { warningId, caseId, openedForIt, ledgerTenancy } = event.data;
    return { ...state, cases, attached: { ...state.attached, [warningId]: { caseId, openedForIt, ledgerTenancy } } };
  }
  if (event.type === 'cases.WarningStepRecorded') return { ...state, cases, steps: [...state.steps, event.data.stepId] };
  return { ...state, cases };
}

const GROUNDS: Record<EvictionGround, string> = { 'unpaid-rent': 'ubetalt husleie', 'lease-expired': 'leieforholdet er avsluttet', 'other-breach': 'annet mislighold' };

/**
 * Attach a forwarded warning and refer the household to NAV. Attaching the same warning again is
 * a no-op (the case stream remembers it), so a replay or a repeated command never refers twice.
 * `account` is the ledger's view of a municipal tenancy (its current NAV office and arrears).
 */
export function attachWarning(state: WarningCases, command: AttachWarning, account: { navOffice: string; arrearsOre: Ore; monthlyRentOre: Ore; daysPastGrace: number } | undefined, policy: CasePolicy, today: LocalDate): CaseEvent[] {
  if (state.attached[command.warningId]) return [];
  const navOffice = account?.navOffice ?? command.navOffice;
  const reasons: PolicyReason[] = [
    {
      policy: 'evictionWarning',
      explanation: `Utleier har varslet om mulig fravikelse (husleieloven § 9-11): ${GROUNDS[command.ground]}; begjæring om fravikelse ${command.petitionOn}.${command.evictionOn ? ` Fravikelse fastsatt til ${command.evictionOn}.` : ''}`,
    },
  ];
  const attached = (caseId: string, openedForIt: boolean): CaseEvent => ({
    type: 'cases.WarningAttached',
    data: { caseId, warningId: command.warningId, attachedOn: today, ground: command.ground, petitionOn: command.petitionOn, evictionOn: command.evictionOn, openedForIt, ledgerTenancy: command.ledgerTenancy },
  });
  const dates = { petitionOn: command.petitionOn, evictionOn: command.evictionOn };
  const active = activeCase(state.cases);
  if (active) return [attached(active.caseId, false), referral(active, 'warning', today, reasons, navOffice, dates)];
  const caseNo = state.cases.cases.length + 1;
  const opened: CaseOpened = {
    type: 'cases.CaseOpened',
    data: {
      caseId: makeCaseId(`${command.municipalityNumber}-${command.tenancyId}`, caseNo),
      caseNo,
      municipalityNumber: command.municipalityNumber,
      tenancyId: command.tenancyId,
      navOffice,
      openedOn: today,
      firstContactDeadline: norwegianCalendar.addWorkingDays(today, policy.firstContactWorkingDays),
      arrearsOre: account?.arrearsOre ?? command.arrearsOre,
      monthlyRentOre: account?.monthlyRentOre ?? 0,
      daysPastGrace: account?.daysPastGrace ?? 0,
      reasons,
    },
  };
  const found = findCase(evolveCases(state.cases, opened), opened.data.caseId);
  if (!found) return [];
  return [opened, attached(found.caseId, true), referral(found, 'warning', today, reasons, navOffice, dates)];
}

/** Record a landlord's step on the case that holds the warning; once per step. */
export function recordWarningStep(state: WarningCases, command: RecordWarningStep, today: LocalDate): CaseEvent[] {
  const attached = state.attached[command.warningId];
  if (!attached || state.steps.includes(command.stepId)) return [];
  const events: CaseEvent[] = [
    {
      type: 'cases.WarningStepRecorded',
      data: {
        caseId: attached.caseId,
        warningId: command.warningId,
        stepId: command.stepId,
        step: command.step,
        on: command.on,
        petitionOn: command.petitionOn,
        evictionOn: command.evictionOn,
        closesWarning: command.closesWarning,
        explanation: command.explanation,
      },
    },
  ];
  const found = findCase(state.cases, attached.caseId);
  // A municipal tenancy's case is resolved by its ledger (the arrears workflow); a private lease has only the landlord's word.
  if (command.paid && attached.openedForIt && !attached.ledgerTenancy && found && found.status !== 'resolved') {
    events.push({ type: 'cases.CaseResolved', data: { caseId: found.caseId, resolvedOn: today, outcome: 'paid', explanation: 'Utleier meldte at alt er betalt; varselet om fravikelse er avsluttet.' } });
  }
  return events;
}

function stepFacts(step: ReportedStep): Pick<RecordWarningStep, 'on' | 'petitionOn' | 'evictionOn' | 'closesWarning' | 'paid' | 'explanation'> {
  const none = { petitionOn: null, evictionOn: null, closesWarning: false, paid: false };
  switch (step.kind) {
    case 'notice-sent':
      return { ...none, on: step.sentOn, explanation: `varsel etter tvangsfullbyrdelsesloven § 4-18 sendt til en leietaker ${step.sentOn}.` };
    case 'petition-filed':
      return { ...none, on: step.filedOn, petitionOn: step.filedOn, explanation: `begjæring om fravikelse sendt namsmannen ${step.filedOn}.` };
    case 'namsmann-letter-received':
      return { ...none, on: step.receivedOn, explanation: step.receivedOn ? `leietakeren mottok namsmannens brev ${step.receivedOn}.` : 'leietakeren har mottatt namsmannens brev.' };
    case 'tenant-objected-to-namsmann':
      return { ...none, on: step.objectedOn, explanation: `leietakeren protesterte til namsmannen ${step.objectedOn}.` };
    case 'eviction-date-set':
      return { ...none, on: null, evictionOn: step.evictionOn, explanation: `namsmannen har fastsatt fravikelse til ${step.evictionOn}.` };
    case 'eviction-postponed':
      return { ...none, on: null, evictionOn: step.evictionOn, explanation: `fravikelsen er utsatt til ${step.evictionOn}.` };
    case 'eviction-carried-out':
      return { ...none, on: step.evictedOn, closesWarning: true, explanation: `fravikelsen ble gjennomført ${step.evictedOn}.` };
    case 'cancelled-paid':
      return { ...none, on: step.paidOn, closesWarning: true, paid: true, explanation: `alt er betalt (${step.paidOn}); varselet er avsluttet.` };
    case 'withdrawn':
      return { ...none, on: step.withdrawnOn, closesWarning: true, explanation: `varselet er trukket tilbake ${step.withdrawnOn}.` };
    default: {
      const never: never = step;
      return never;
    }
  }
}

/**
 * The warning referral workflow: the warnings context's published events in, cases commands out.
 * Only what went to NAV reaches the case: a warning not forwarded (an objection on record) and a
 * step withheld (an objection registered since) never do.
 */
export function warningReferralWorkflow(input: WorkflowInput): WorkflowOutput<WarningCaseCommand>[] {
  if (input.kind !== 'event') return [ignored('Varselhenvisningen har ingen frister.')];
  switch (input.type) {
    case 'warnings.WarningForwarded': {
      const d = input.data as WarningForwarded['data'];
      return [
        send({
          type: 'cases.AttachWarning',
          warningId: d.warningId,
          municipalityNumber: d.municipalityNumber,
          tenancyId: d.householdId,
          ledgerTenancy: d.tenancyId !== null,
          navOffice: d.navOffice,
          ground: d.ground,
          arrearsOre: d.arrearsOre,
          petitionOn: d.petitionOn,
          evictionOn: d.evictionOn,
        }),
      ];
    }
    case 'warnings.StepReported': {
      const d = input.data as StepReported['data'];
      if (!d.passedToNav) return [ignored('Steget går ikke til NAV: varselet er ikke videresendt, eller leietakeren har reservert seg.')];
      return [send({ type: 'cases.RecordWarningStep', warningId: d.warningId, municipalityNumber: d.municipalityNumber, tenancyId: d.householdId, stepId: d.stepId, step: d.step.kind, ...stepFacts(d.step) })];
    }
    case 'warnings.EvictionStoppedByPayment': {
      const d = input.data as EvictionStoppedByPayment['data'];
      return [
        send({
          type: 'cases.RecordWarningStep',
          warningId: d.warningId,
          municipalityNumber: d.municipalityNumber,
          tenancyId: d.householdId,
          stepId: `${d.warningId}.stopped-by-payment`,
          step: 'stopped-by-payment',
          on: d.stoppedOn,
          petitionOn: null,
          evictionOn: null,
          closesWarning: true,
          paid: true,
          explanation: `restansen er betalt før låsen ble skiftet; fravikelsen er stanset (${d.basis}).`,
        }),
      ];
    }
    case 'warnings.WarningSubmitted':
    case 'warnings.WarningNotForwarded':
      return [ignored('Et varsel som ikke er sendt til NAV, hører ikke til saken.')];
    default:
      return [ignored(`Varselhenvisningen reagerer ikke på ${input.type}.`)];
  }
}
