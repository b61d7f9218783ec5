import { addDays, osloDate, type Clock } from '@evp/shared-kernel';
import type { Deadline, DeadlineSource, ReadModelStore } from '@evp/runtime';
import { startOfOsloDay } from '@evp/shared-kernel';
import { arrearsEvaluationDue, type CasePolicy } from '@evp/cases-domain';
import { ACCOUNTS, ALL_UNPAID_INDEX, epochDay, type AccountDoc } from '@evp/ledger-application';
import type { Tenancy } from '@evp/ledger-domain';
import { CASES, FIRST_CONTACT_DUE, activeCaseDocId, type CaseDoc } from './cases-projection';
import { ESCALATE_IF_NO_CONTACT, EVALUATE_ARREARS, evaluationDeadlineId, firstContactDeadlineId, type CasesService } from './cases.service';
import { SAGA_ACTOR } from './arrears-saga';

const PAGE = 500;
export const EVALUATIONS = 'arrears-evaluations';

/** Every open case without contact should have its first-contact deadline. */
export class FirstContactDeadlines implements DeadlineSource {
  readonly name = 'first-contact';
  constructor(private readonly readModels: ReadModelStore) {}

  async pendingDeadlines(): Promise<Deadline[]> {
    const { ids } = await this.readModels.list(CASES, FIRST_CONTACT_DUE, { limit: 1_000_000 });
    const deadlines: Deadline[] = [];
    for (let i = 0; i < ids.length; i += PAGE) {
      for (const doc of await this.readModels.getMany<CaseDoc>(CASES, ids.slice(i, i + PAGE))) {
        if (!doc || doc.status !== 'open' || doc.contacts > 0) continue;
        deadlines.push({ id: firstContactDeadlineId(doc.caseId), dueAt: startOfOsloDay(addDays(doc.firstContactDeadline, 1)), command: { type: ESCALATE_IF_NO_CONTACT, payload: { caseId: doc.caseId } } });
      }
    }
    return deadlines;
  }
}

/**
 * Time alone can make a tenancy's rent arrears (a grace period ends, arrears grow old). Rather than
 * one timer per tenancy and charge, each sweep reads the tenancies that owe something and have no
 * active case, and schedules today's evaluation for those whose evaluation date has come since they
 * were last evaluated (STYLE.md: time-based work runs from a read model of what is due).
 */
export class DueArrearsEvaluations implements DeadlineSource {
  readonly name = 'arrears-evaluation';
  constructor(
    private readonly readModels: ReadModelStore,
    private readonly cases: CasesService,
    private readonly policy: CasePolicy,
    private readonly clock: Clock,
  ) {}

  async pendingDeadlines(): Promise<Deadline[]> {
    const now = this.clock.now();
    const today = osloDate(now);
    // Only tenancies whose oldest unpaid charge has fallen due can need an evaluation.
    const { ids } = await this.readModels.list(ACCOUNTS, ALL_UNPAID_INDEX, { limit: 1_000_000, maxScore: epochDay(today) - 1 });
    const deadlines: Deadline[] = [];
    for (let i = 0; i < ids.length; i += PAGE) {
      const keys = ids.slice(i, i + PAGE);
      const [accounts, active, evaluated] = await Promise.all([
        this.readModels.getMany<AccountDoc>(ACCOUNTS, keys),
        this.readModels.getMany<{ caseId: string }>(CASES, keys.map(activeCaseDocId)),
        this.readModels.getMany<{ on: string }>(EVALUATIONS, keys),
      ]);
      keys.forEach((key, j) => {
        const account = accounts[j];
        if (!account || account.state.status !== 'registered' || active[j]) return;
        const snapshot = this.cases.snapshot(account.state as Tenancy & { status: 'registered' }, today);
        if (!arrearsEvaluationDue(snapshot, this.policy, today, evaluated[j]?.on ?? null)) return;
        deadlines.push({ id: evaluationDeadlineId(key, today), dueAt: now, command: { type: EVALUATE_ARREARS, payload: { municipalityNumber: snapshot.municipalityNumber, tenancyId: snapshot.tenancyId } } });
      });
    }
    return deadlines;
  }
}

/** What the worker runs when a deadline fires. Each re-checks the state. */
export function timerHandlers(cases: CasesService, readModels: ReadModelStore, clock: Clock) {
  return {
    [ESCALATE_IF_NO_CONTACT]: async (deadline: Deadline) => {
      await cases.escalateIfNoContact(String(deadline.command.payload['caseId']), clock.now(), { id: `deadline-${deadline.id}`, correlationId: deadline.id, actor: SAGA_ACTOR });
    },
    [EVALUATE_ARREARS]: async (deadline: Deadline) => {
      const { municipalityNumber, tenancyId } = deadline.command.payload as { municipalityNumber: string; tenancyId: string };
      const now = clock.now();
      await cases.evaluate(municipalityNumber, tenancyId, now, { id: `deadline-${deadline.id}`, correlationId: deadline.id, actor: SAGA_ACTOR });
      await readModels.apply([{ kind: 'put', collection: EVALUATIONS, id: `${municipalityNumber}-${tenancyId}`, doc: { on: osloDate(now) } }]);
    },
  };
}
