import type { LocalDate } from '@evp/shared-kernel';
import type {
  EvictionStoppedByPayment,
  ReportedStep,
  Ruling,
  StepKind,
  StepReported,
  WarningEvent,
  WarningForwarded,
  WarningNotForwarded,
  WarningSubmitted,
  WarnedTenant,
} from '@evp/warnings-contract';
import {
  EVICTION_DATE_BASIS,
  belongings,
  leadAfterNavNotice,
  noticePerTenant,
  objectionToNamsmann,
  outstandingStopsEviction,
  petitionAdvice,
  petitionCareful,
  petitionLegal,
  type WarningDeadlinePolicy,
} from './deadline-engine';

/**
 * One § 9-11 warning (husleieloven § 9-11) from submission to its end: whether it went on to NAV,
 * and where the landlord's legal path stands (DOMAIN.md, «The legal path»). Pure: every decision
 * takes `today` and the facts it needs; none reads a clock or a store.
 */

/** What the landlord sees: received, forwarded to NAV, not forwarded (the tenant objected), closed. */
export type WarningStatus = 'received' | 'forwarded' | 'not-forwarded' | 'closed';
export type EvictionStage = 'warned' | 'petition-filed' | 'letter-received' | 'objected-to-namsmann' | 'eviction-date-set' | 'evicted';
export type ClosureReason = 'withdrawn' | 'cancelled-paid' | 'stopped-by-payment' | 'evicted';

export interface Warning {
  readonly submitted: WarningSubmitted['data'] | null;
  readonly status: WarningStatus | null;
  readonly forwarded: { readonly on: LocalDate; readonly navOffice: string } | null;
  readonly notForwarded: WarningNotForwarded['data'] | null;
  readonly stage: EvictionStage;
  /** The § 4-18 notice per tenant (tenantRef → date), null while not known. */
  readonly notices: Readonly<Record<string, LocalDate | null>>;
  readonly petitionFiledOn: LocalDate | null;
  readonly letterReceivedOn: LocalDate | null;
  readonly objectedToNamsmannOn: LocalDate | null;
  readonly evictionOn: LocalDate | null;
  readonly evictedOn: LocalDate | null;
  readonly closure: { readonly reason: ClosureReason; readonly on: LocalDate } | null;
  readonly stepIds: readonly string[];
}

export const initialWarning = (): Warning => ({
  submitted: null,
  status: null,
  forwarded: null,
  notForwarded: null,
  stage: 'warned',
  notices: {},
  petitionFiledOn: null,
  letterReceivedOn: null,
  objectedToNamsmannOn: null,
  evictionOn: null,
  evictedOn: null,
  closure: null,
  stepIds: [],
});

const closed = (w: Warning, reason: ClosureReason, on: LocalDate): Warning => ({ ...w, status: 'closed', closure: { reason, on } });

export function evolveWarning(w: Warning, event: WarningEvent): Warning {
  switch (event.type) {
    case 'warnings.WarningSubmitted':
      return { ...w, submitted: event.data, status: 'received', notices: Object.fromEntries(event.data.tenants.map((t) => [t.tenantRef, t.noticeSentOn])) };
    case 'warnings.WarningForwarded':
      return { ...w, status: w.status === 'closed' ? 'closed' : 'forwarded', forwarded: { on: event.data.forwardedOn, navOffice: event.data.navOffice } };
    case 'warnings.WarningNotForwarded':
      return { ...w, status: w.status === 'closed' ? 'closed' : 'not-forwarded', notForwarded: event.data };
    case 'warnings.StepReported':
      return applyStep({ ...w, stepIds: [...w.stepIds, event.data.stepId] }, event.data.step);
    case 'warnings.EvictionStoppedByPayment':
      return closed(w, 'stopped-by-payment', event.data.stoppedOn);
    default: {
      const never: never = event;
      return never;
    }
  }
}

function applyStep(w: Warning, step: ReportedStep): Warning {
  switch (step.kind) {
    case 'notice-sent':
      return { ...w, notices: { ...w.notices, [step.tenantRef]: step.sentOn } };
    case 'petition-filed':
      return { ...w, stage: 'petition-filed', petitionFiledOn: step.filedOn };
    case 'namsmann-letter-received':
      return { ...w, stage: 'letter-received', letterReceivedOn: step.receivedOn ?? w.letterReceivedOn };
    case 'tenant-objected-to-namsmann':
      return { ...w, stage: 'objected-to-namsmann', objectedToNamsmannOn: step.objectedOn };
    case 'eviction-date-set':
    case 'eviction-postponed':
      return { ...w, stage: 'eviction-date-set', evictionOn: step.evictionOn };
    case 'eviction-carried-out':
      return closed({ ...w, stage: 'evicted', evictedOn: step.evictedOn }, 'evicted', step.evictedOn);
    case 'cancelled-paid':
      return closed(w, 'cancelled-paid', step.paidOn);
    case 'withdrawn':
      return closed(w, 'withdrawn', step.withdrawnOn);
    default: {
      const never: never = step;
      return never;
    }
  }
}

export type WarningRuleCode = 'WARNING_NOT_FOUND' | 'CONFLICTING_RESUBMISSION' | 'STEP_REFUSED' | 'STEP_INVALID';

/**
 * A decision the warning refuses. `STEP_REFUSED`: the step cannot follow the current state (409,
 * with the reason); `STEP_INVALID`: the step's own data is wrong (422, naming the field).
 */
export class WarningRuleError extends Error {
  override readonly name = 'WarningRuleError';
  constructor(
    readonly code: WarningRuleCode,
    message: string,
    readonly field: string | null = null,
  ) {
    super(message);
  }
}

/** An objection on record that concerns one of the warning's tenants. */
export interface ObjectionMatch {
  readonly objectionId: string;
  readonly tenantRef: string;
}

/** «Leietaker 1 og 2»: how the landlord recognises their own tenants (in the order they listed them). */
export function tenantList(refs: readonly string[]): string {
  const numbers = [...new Set(refs)].map((r) => r.replace(/^t/, ''));
  if (numbers.length <= 1) return `leietaker ${numbers[0] ?? ''}`.trim();
  return `leietaker ${numbers.slice(0, -1).join(', ')} og ${numbers[numbers.length - 1]}`;
}

/**
 * Submit a warning. The same warning again (same landlord, tenants and notice dates, same content)
 * changes nothing; with other content it is refused. An objection already on record, or the
 * landlord's own declaration that one was received, stores it with the decision not to forward it
 * in the same write, so the submitter is told at once (husleieloven § 9-11; the reservation).
 */
export function submitWarning(state: Warning, data: WarningSubmitted['data'], objections: readonly ObjectionMatch[]): WarningEvent[] {
  if (state.submitted) {
    if (state.submitted.fingerprint === data.fingerprint) return [];
    throw new WarningRuleError(
      'CONFLICTING_RESUBMISSION',
      'Det finnes allerede et varsel fra deg for de samme leietakerne og de samme varslingsdatoene, med annet innhold. Meld endringer på det eksisterende varselet.',
    );
  }
  const submitted: WarningEvent = { type: 'warnings.WarningSubmitted', data };
  const blocked = notForwardedDecision(data, objections, data.submittedOn);
  return blocked ? [submitted, blocked] : [submitted];
}

function notForwardedDecision(data: WarningSubmitted['data'], objections: readonly ObjectionMatch[], today: LocalDate): WarningNotForwarded | null {
  if (objections.length > 0) {
    const tenantRefs = [...new Set(objections.map((o) => o.tenantRef))].sort();
    return {
      type: 'warnings.WarningNotForwarded',
      data: {
        warningId: data.warningId,
        decidedOn: today,
        basis: 'objection-on-record',
        objectionIds: [...new Set(objections.map((o) => o.objectionId))].sort(),
        tenantRefs,
        explanation: `Varselet er lagret, men blir ikke sendt til NAV: ${tenantList(tenantRefs)} har reservert seg skriftlig mot slike varsler (husleieloven § 9-11). Et varsel sendes aldri videre mens en reservasjon står.`,
      },
    };
  }
  if (!data.declarations.noWrittenObjectionReceived) {
    return {
      type: 'warnings.WarningNotForwarded',
      data: {
        warningId: data.warningId,
        decidedOn: today,
        basis: 'landlord-declared-objection',
        objectionIds: [],
        tenantRefs: data.tenants.map((t) => t.tenantRef),
        explanation: 'Varselet er lagret, men blir ikke sendt til NAV: du har oppgitt at leietakeren har reservert seg skriftlig mot slike varsler (husleieloven § 9-11).',
      },
    };
  }
  return null;
}

/**
 * Forward a received warning to the NAV office of the dwelling's municipality — unless an
 * objection is on record for any of its tenants now, which is checked again here because one may
 * have been registered after the warning came in. A warning already decided (or closed) is left as it is.
 */
export function forwardWarning(state: Warning, objections: readonly ObjectionMatch[], navOffice: string, today: LocalDate, policy: WarningDeadlinePolicy): WarningEvent[] {
  const data = state.submitted;
  if (!data || state.status !== 'received') return [];
  const blocked = notForwardedDecision(data, objections, today);
  if (blocked) return [blocked];
  const forwarded: WarningForwarded = {
    type: 'warnings.WarningForwarded',
    data: {
      warningId: data.warningId,
      forwardedOn: today,
      municipalityNumber: data.municipalityNumber,
      householdId: data.householdId,
      tenancyId: data.dwelling.tenancyId,
      navOffice,
      ground: data.ground,
      arrearsOre: data.arrearsOre,
      petitionOn: state.petitionFiledOn ?? data.plannedPetitionOn,
      evictionOn: state.evictionOn,
      tenantPersonIds: data.tenants.map((t) => t.personId),
      advice: petitionAdviceFor(state.petitionFiledOn ?? data.plannedPetitionOn, data.tenants, state.notices, today, policy),
    },
  };
  return [forwarded];
}

/**
 * Advice about a (planned or filed) petition date, per tenant: before the legal date, before the
 * careful date (policy), no § 4-18 notice known; and once for the household, inside the lead
 * after the NAV notice. Advice only: the landlord decides.
 */
export function petitionAdviceFor(petitionOn: LocalDate, tenants: readonly WarnedTenant[], notices: Readonly<Record<string, LocalDate | null>>, navNotifiedOn: LocalDate, policy: WarningDeadlinePolicy): Ruling[] {
  const advice: Ruling[] = [];
  for (const t of tenants) {
    const notice = notices[t.tenantRef] ?? null;
    if (notice === null) advice.push({ ...noticePerTenant(petitionOn), tenantRef: t.tenantRef });
    else for (const a of petitionAdvice(petitionOn, notice, navNotifiedOn, policy)) if (a.rule !== 'leadAfterNavNotice') advice.push({ ...a, tenantRef: t.tenantRef });
  }
  const lead = leadAfterNavNotice(navNotifiedOn, policy);
  if (petitionOn < lead.date) advice.push(lead);
  return advice;
}

/** The legal and the careful petition date per tenant with a known notice: what the landlord's status page shows. */
export function petitionDates(tenants: readonly WarnedTenant[], notices: Readonly<Record<string, LocalDate | null>>, policy: WarningDeadlinePolicy): Ruling[] {
  return tenants.flatMap((t) => {
    const notice = notices[t.tenantRef] ?? null;
    if (notice === null) return [];
    const careful = petitionCareful(notice, policy);
    return [
      { ...petitionLegal(notice, policy), tenantRef: t.tenantRef },
      { rule: careful.rule, date: careful.date, kind: careful.kind, basis: careful.basis, explanation: careful.explanation, tenantRef: t.tenantRef },
    ];
  });
}

const CLOSURES: Record<ClosureReason, string> = {
  withdrawn: 'trukket tilbake',
  'cancelled-paid': 'avsluttet fordi alt er betalt',
  'stopped-by-payment': 'stanset fordi restansen er betalt',
  evicted: 'avsluttet etter at fravikelsen ble gjennomført',
};

const STAGES: Record<EvictionStage, string> = {
  warned: 'varslet',
  'petition-filed': 'begjæring sendt',
  'letter-received': 'brev fra namsmannen mottatt',
  'objected-to-namsmann': 'leietakeren har protestert til namsmannen',
  'eviction-date-set': 'dato for fravikelse er fastsatt',
  evicted: 'fravikelsen er gjennomført',
};

export const closureText = (reason: ClosureReason): string => CLOSURES[reason];
export const stageText = (stage: EvictionStage): string => STAGES[stage];

/**
 * Which steps can follow which stage: each a named rule explaining itself in bokmål, so a refusal
 * tells the landlord why (ddd-by-examples' PlacingOnHoldPolicy). Null: the step may follow.
 */
export const stepRules: Readonly<Record<StepKind, (w: Warning) => string | null>> = {
  'notice-sent': (w) => (w.stage === 'warned' ? null : `Begjæringen er allerede sendt (${stageText(w.stage)}); varsel etter tvangsfullbyrdelsesloven § 4-18 skal være sendt før begjæringen.`),
  'petition-filed': (w) => (w.stage === 'warned' ? null : w.petitionFiledOn ? `Begjæring om fravikelse er allerede meldt sendt ${w.petitionFiledOn}.` : `Saken er kommet lenger (${stageText(w.stage)}).`),
  'namsmann-letter-received': (w) =>
    w.stage === 'petition-filed' || (w.stage === 'letter-received' && w.letterReceivedOn === null)
      ? null
      : w.stage === 'warned'
        ? 'Namsmannens brev kommer først etter at begjæringen er sendt; meld «begjæring sendt» først.'
        : `Namsmannens brev er allerede meldt mottatt (${stageText(w.stage)}).`,
  'tenant-objected-to-namsmann': (w) =>
    w.stage === 'petition-filed' || w.stage === 'letter-received'
      ? null
      : w.stage === 'warned'
        ? 'Leietakeren kan først protestere til namsmannen etter at begjæringen er sendt (tvangsfullbyrdelsesloven § 13-6).'
        : `Saken er kommet lenger (${stageText(w.stage)}).`,
  'eviction-date-set': (w) =>
    w.stage === 'petition-filed' || w.stage === 'letter-received' || w.stage === 'objected-to-namsmann'
      ? null
      : w.stage === 'warned'
        ? 'Namsmannen fastsetter dato for fravikelse først etter at begjæringen er sendt (tvangsfullbyrdelsesloven § 13-12).'
        : `Dato for fravikelse er allerede fastsatt (${w.evictionOn ?? ''}); meld «utsatt» hvis utleier har flyttet den.`,
  // Only the landlord can postpone an eviction; the namsmann cannot without the landlord (DOMAIN.md).
  'eviction-postponed': (w) => (w.stage === 'eviction-date-set' ? null : 'Det er ingen fastsatt dato for fravikelse å utsette.'),
  'eviction-carried-out': (w) => (w.stage === 'eviction-date-set' ? null : 'Fravikelsen kan bare gjennomføres på en dato namsmannen har fastsatt; meld datoen først.'),
  'cancelled-paid': (w) =>
    w.submitted?.ground === 'unpaid-rent'
      ? null
      : 'Betaling stanser bare en fravikelse som gjelder ubetalt husleie (tvangsfullbyrdelsesloven § 13-2 tredje ledd bokstav a). Meld «trukket tilbake» hvis du avslutter saken likevel.',
  withdrawn: () => null,
};

/** The steps the landlord can report now: what the status page offers. */
export function possibleSteps(w: Warning): StepKind[] {
  if (!w.submitted || w.closure) return [];
  return (Object.keys(stepRules) as StepKind[]).filter((k) => stepRules[k](w) === null);
}

/** A step that is already in effect exactly as reported: reporting it again changes nothing. */
function inEffect(w: Warning, step: ReportedStep): boolean {
  switch (step.kind) {
    case 'notice-sent':
      return w.notices[step.tenantRef] === step.sentOn;
    case 'petition-filed':
      return w.petitionFiledOn === step.filedOn;
    case 'namsmann-letter-received':
      return w.stage !== 'petition-filed' && w.stage !== 'warned' && w.letterReceivedOn === step.receivedOn;
    case 'tenant-objected-to-namsmann':
      return w.objectedToNamsmannOn === step.objectedOn;
    case 'eviction-date-set':
    case 'eviction-postponed':
      return w.evictionOn === step.evictionOn;
    case 'eviction-carried-out':
      return w.evictedOn === step.evictedOn;
    case 'cancelled-paid':
      return w.closure?.reason === 'cancelled-paid' && w.closure.on === step.paidOn;
    case 'withdrawn':
      return w.closure?.reason === 'withdrawn' && w.closure.on === step.withdrawnOn;
    default: {
      const never: never = step;
      return never;
    }
  }
}

/** The step's own dates: facts are never in the future; a new eviction date comes after the old one. */
function invalidData(w: Warning, step: ReportedStep, today: LocalDate): { field: string; reason: string } | null {
  const future = (field: string, date: LocalDate | null) => (date !== null && date > today ? { field, reason: 'kan ikke være frem i tid' } : null);
  switch (step.kind) {
    case 'notice-sent':
      if (!(step.tenantRef in w.notices)) return { field: 'tenantRef', reason: 'er ikke en av leietakerne i varselet' };
      return future('sentOn', step.sentOn);
    case 'petition-filed':
      return future('filedOn', step.filedOn);
    case 'namsmann-letter-received':
      return future('receivedOn', step.receivedOn);
    case 'tenant-objected-to-namsmann':
      return future('objectedOn', step.objectedOn);
    case 'eviction-date-set':
      return null;
    case 'eviction-postponed':
      return w.evictionOn !== null && step.evictionOn <= w.evictionOn ? { field: 'evictionOn', reason: `må være etter dagens fastsatte dato ${w.evictionOn}` } : null;
    case 'eviction-carried-out':
      return future('evictedOn', step.evictedOn) ?? (w.evictionOn !== null && step.evictedOn < w.evictionOn ? { field: 'evictedOn', reason: `kan ikke være før den fastsatte datoen ${w.evictionOn}` } : null);
    case 'cancelled-paid':
      return future('paidOn', step.paidOn);
    case 'withdrawn':
      return future('withdrawnOn', step.withdrawnOn);
    default: {
      const never: never = step;
      return never;
    }
  }
}

/** The dates a step sets running, and advice it calls for. */
function rulingsFor(w: Warning, step: ReportedStep, policy: WarningDeadlinePolicy): Ruling[] {
  const data = w.submitted as WarningSubmitted['data'];
  switch (step.kind) {
    case 'notice-sent': {
      const tenant = data.tenants.filter((t) => t.tenantRef === step.tenantRef);
      return petitionDates(tenant, { [step.tenantRef]: step.sentOn }, policy);
    }
    case 'petition-filed':
      return petitionAdviceFor(step.filedOn, data.tenants, w.notices, w.forwarded?.on ?? data.submittedOn, policy);
    case 'namsmann-letter-received':
      return step.receivedOn ? [objectionToNamsmann(step.receivedOn, policy)] : [];
    case 'eviction-date-set':
    case 'eviction-postponed':
      return [
        {
          rule: 'evictionDate',
          date: step.evictionOn,
          kind: 'law',
          basis: EVICTION_DATE_BASIS,
          explanation: `Namsmannen har fastsatt fravikelse ${step.evictionOn}.${data.ground === 'unpaid-rent' ? ' Betales restanse, husleie forfalt siden, renter og kostnader før låsen skiftes, stanses fravikelsen.' : ''}`,
        },
      ];
    case 'eviction-carried-out':
      return [belongings(step.evictedOn, policy)];
    case 'tenant-objected-to-namsmann':
    case 'cancelled-paid':
    case 'withdrawn':
      return [];
    default: {
      const never: never = step;
      return never;
    }
  }
}

export interface ReportStep {
  /** Deterministic (from the request's Idempotency-Key or content): the same report twice is one step. */
  readonly stepId: string;
  readonly step: ReportedStep;
  readonly today: LocalDate;
  /** Objections on record now for any of the warning's tenants: while one stands, nothing more goes to NAV. */
  readonly objections: readonly ObjectionMatch[];
}

/**
 * The landlord reports the next step. Refused, with the reason, when it cannot follow the current
 * state; a step already in effect changes nothing. It goes on to NAV's case only for a forwarded
 * warning and only while none of its tenants has an objection on record.
 */
export function reportStep(state: Warning, command: ReportStep, policy: WarningDeadlinePolicy): WarningEvent[] {
  const data = state.submitted;
  if (!data) throw new WarningRuleError('WARNING_NOT_FOUND', 'Finnes ikke');
  if (state.stepIds.includes(command.stepId) || inEffect(state, command.step)) return [];
  if (state.closure) throw new WarningRuleError('STEP_REFUSED', `Varselet er ${closureText(state.closure.reason)} (${state.closure.on}); ingen flere steg kan meldes.`, 'kind');
  const refusal = stepRules[command.step.kind](state);
  if (refusal) throw new WarningRuleError('STEP_REFUSED', refusal, 'kind');
  const invalid = invalidData(state, command.step, command.today);
  if (invalid) throw new WarningRuleError('STEP_INVALID', invalid.reason, invalid.field);
  const withheldBecause = [...new Set(command.objections.map((o) => o.objectionId))].sort();
  const reported: StepReported = {
    type: 'warnings.StepReported',
    data: {
      warningId: data.warningId,
      stepId: command.stepId,
      reportedOn: command.today,
      step: command.step,
      municipalityNumber: data.municipalityNumber,
      householdId: data.householdId,
      passedToNav: state.forwarded !== null && withheldBecause.length === 0,
      withheldBecause,
      rulings: rulingsFor(state, command.step, policy),
    },
  };
  return [reported];
}

/** What the ledger publishes of the tenancy's account, as this rule needs it. */
export interface AccountFacts {
  /** Unpaid on everything fallen due (arrears and rent fallen due since). */
  readonly overdueOre: number;
  readonly asOf: LocalDate;
  readonly revision: number;
}

/**
 * The tenancy's account shows nothing owed: an eviction for unpaid rent stops, until the lock is
 * changed (tvangsfullbyrdelsesloven § 13-2 tredje ledd bokstav a). Not for an expired lease or
 * another breach, and not after the lock was changed. Re-checked on every call, so an early,
 * late or doubled call is harmless.
 */
export function stopIfPaid(state: Warning, account: AccountFacts | undefined, today: LocalDate): WarningEvent[] {
  const data = state.submitted;
  if (!data || state.closure || !data.dwelling.tenancyId || !account) return [];
  const ruling = outstandingStopsEviction({ ground: data.ground, lockChangedOn: state.evictedOn, clearedOn: today, outstandingOre: account.overdueOre, calculatedOn: account.asOf });
  if (!ruling.stops) return [];
  const stopped: EvictionStoppedByPayment = {
    type: 'warnings.EvictionStoppedByPayment',
    data: {
      warningId: data.warningId,
      stoppedOn: today,
      municipalityNumber: data.municipalityNumber,
      householdId: data.householdId,
      tenancyId: data.dwelling.tenancyId,
      ledgerRevision: account.revision,
      asOf: account.asOf,
      basis: ruling.basis,
      explanation: ruling.explanation,
    },
  };
  return [stopped];
}
