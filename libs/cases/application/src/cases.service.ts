import { deterministicId, osloDate, startOfOsloDay, type LocalDate } from '@evp/shared-kernel';
import { WrongExpectedRevisionError, type Actor, type EventStore, type JsonObject, type RecordedEvent } from '@evp/event-store';
import type { Deadline } from '@evp/runtime';
import { accountPosition, tenancyKey as makeTenancyKey, type Tenancy } from '@evp/ledger-domain';
import type { LedgerService } from '@evp/ledger-application';
import {
  CASE_EVENT_TYPES,
  CaseRuleError,
  activeCase,
  caseStreamName,
  escalateIfNoContact,
  escalationDueOn,
  evaluateArrears,
  evolveCases,
  initialTenancyCases,
  parseCaseId,
  recordContact,
  type ArrearsSnapshot,
  type CaseEvent,
  type CasePolicy,
  type ContactChannel,
  type TenancyCases,
} from '@evp/cases-domain';

/** What caused a reaction: a stored event, a fired deadline or a request. Becomes the events' metadata. */
export interface Causation {
  /** Unique per cause: the reaction's event ids derive from it, so reacting twice appends nothing new. */
  readonly id: string;
  readonly correlationId: string;
  readonly actor: Actor;
}

export interface DeadlineScheduler {
  schedule(deadline: Deadline): Promise<unknown>;
  cancel(id: string): Promise<unknown>;
}

export const ESCALATE_IF_NO_CONTACT = 'cases.EscalateIfNoContact';
export const EVALUATE_ARREARS = 'cases.EvaluateArrears';

export const firstContactDeadlineId = (caseId: string) => `case.${caseId}.first-contact`;
export const evaluationDeadlineId = (tenancyKey: string, date: LocalDate) => `tenancy.${tenancyKey}.evaluate.${date}`;

const MAX_CONFLICT_RETRIES = 5;

/**
 * The prevention-case workflow: loads a tenancy's account and its cases, decides with the domain
 * rules, appends with the expected revision, and keeps the case's deadlines in step. Every entry
 * point re-checks the state, so a duplicate delivery, a replay or an early/late timer is harmless.
 */
export class CasesService {
  constructor(
    private readonly store: EventStore,
    private readonly ledger: LedgerService,
    private readonly policy: CasePolicy,
    private readonly scheduler?: DeadlineScheduler,
  ) {}

  async loadCases(tenancyKey: string): Promise<{ state: TenancyCases; revision: number }> {
    const events = await this.store.readStream(caseStreamName(tenancyKey));
    return { state: events.reduce((s, e) => evolveCases(s, toCaseEvent(e)), initialTenancyCases()), revision: events.length - 1 };
  }

  snapshot(tenancy: Tenancy & { status: 'registered' }, today: LocalDate): ArrearsSnapshot {
    const position = accountPosition(tenancy.charges, tenancy.reductions, today, this.policy.graceWorkingDays);
    return {
      municipalityNumber: tenancy.municipalityNumber,
      tenancyId: tenancy.tenancyId,
      navOffice: tenancy.navOffice,
      monthlyRentOre: tenancy.monthlyRentOre,
      overdueOre: position.overdueOre,
      arrearsOre: position.arrearsOre,
      daysPastGrace: position.daysPastGrace,
      unpaidDueDates: position.unpaidCharges.map((c) => c.dueDate),
    };
  }

  /** Opens or resolves the tenancy's case as its account requires. */
  async evaluate(municipalityNumber: string, tenancyId: string, now: Date, cause: Causation): Promise<CaseEvent[]> {
    const today = osloDate(now);
    return this.decideAndAppend(municipalityNumber, tenancyId, now, cause, (cases, snapshot) => evaluateArrears(cases, snapshot, this.policy, today));
  }

  /** Fired by the first-contact deadline: settle a paid case first, then escalate if still nobody made contact. */
  async escalateIfNoContact(caseId: string, now: Date, cause: Causation): Promise<CaseEvent[]> {
    const parsed = parseCaseId(caseId);
    if (!parsed) return [];
    const today = osloDate(now);
    return this.decideAndAppend(parsed.municipalityNumber, parsed.tenancyId, now, cause, (cases, snapshot) => {
      const settled = evaluateArrears(cases, snapshot, this.policy, today).filter((e) => e.type === 'cases.CaseResolved');
      if (settled.length) return settled;
      return escalateIfNoContact(cases, caseId, today, this.policy);
    });
  }

  async recordContact(caseId: string, command: { contactId: string; channel: ContactChannel; contactedOn: LocalDate; byRole: string }, now: Date, cause: Causation): Promise<CaseEvent[]> {
    const parsed = parseCaseId(caseId);
    if (!parsed) throw new CaseRuleError('CASE_NOT_FOUND', 'saken finnes ikke');
    return this.decideAndAppend(parsed.municipalityNumber, parsed.tenancyId, now, cause, (cases) => recordContact(cases, { caseId, ...command }));
  }

  private async decideAndAppend(
    municipalityNumber: string,
    tenancyId: string,
    now: Date,
    cause: Causation,
    decide: (cases: TenancyCases, snapshot: ArrearsSnapshot) => CaseEvent[],
  ): Promise<CaseEvent[]> {
    const key = makeTenancyKey(municipalityNumber, tenancyId);
    const stream = caseStreamName(key);
    for (let attempt = 0; ; attempt++) {
      const { state: tenancy } = await this.ledger.loadTenancy(municipalityNumber, tenancyId);
      if (tenancy.status !== 'registered') return [];
      const { state: cases, revision } = await this.loadCases(key);
      const snapshot = this.snapshot(tenancy, osloDate(now));
      const events = decide(cases, snapshot);
      if (events.length) {
        try {
          await this.store.appendToStream(
            stream,
            events.map((e, i) => ({
              id: deterministicId(`${stream}|${cause.id}|${i}|${e.type}`),
              type: e.type,
              data: e.data as unknown as JsonObject,
              metadata: { correlationId: cause.correlationId, causationId: cause.id, actor: cause.actor, occurredAt: now.toISOString(), schemaVersion: 1 },
            })),
            { expectedRevision: revision < 0 ? 'no_stream' : revision },
          );
        } catch (error) {
          if (error instanceof WrongExpectedRevisionError && attempt < MAX_CONFLICT_RETRIES) continue;
          throw error;
        }
      }
      const after = events.reduce(evolveCases, cases);
      if (events.length) await this.syncDeadlines(after, new Set(events.map((e) => e.data.caseId)));
      return events;
    }
  }

  /**
   * The first-contact deadlines a tenancy's cases should have right now. (Re-evaluating arrears as
   * time passes is not one job per tenancy: `DueArrearsEvaluations` derives it from the read model.)
   */
  deadlinesFor(cases: TenancyCases, only?: ReadonlySet<string>): { schedule: Deadline[]; cancel: string[] } {
    const schedule: Deadline[] = [];
    const cancel: string[] = [];
    const active = activeCase(cases);
    for (const c of cases.cases) {
      if (only && !only.has(c.caseId)) continue;
      if (c === active && c.status === 'open' && c.contacts.length === 0) {
        schedule.push({
          id: firstContactDeadlineId(c.caseId),
          dueAt: startOfOsloDay(escalationDueOn(c.opened.firstContactDeadline)),
          command: { type: ESCALATE_IF_NO_CONTACT, payload: { caseId: c.caseId } },
        });
      } else {
        cancel.push(firstContactDeadlineId(c.caseId));
      }
    }
    return { schedule, cancel };
  }

  /** Only the cases the new events touched can have changed their deadline. */
  private async syncDeadlines(cases: TenancyCases, touched: ReadonlySet<string>): Promise<void> {
    if (!this.scheduler) return;
    const { schedule, cancel } = this.deadlinesFor(cases, touched);
    for (const d of schedule) await this.scheduler.schedule(d);
    for (const id of cancel) await this.scheduler.cancel(id);
  }
}

export function toCaseEvent(recorded: RecordedEvent): CaseEvent {
  if (!(CASE_EVENT_TYPES as readonly string[]).includes(recorded.type)) throw new Error(`Not a case event: ${recorded.type}`);
  return { type: recorded.type, data: recorded.data } as unknown as CaseEvent;
}
