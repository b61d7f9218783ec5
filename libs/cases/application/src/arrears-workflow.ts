import type { CommandBus } from '@nestjs/cqrs';
import type { LocalDate, WorkflowInput, WorkflowOutput } from '@evp/shared-kernel';
import type { BatchCache, Causation, WorkflowDefinition } from '@evp/runtime';
import { TENANCY_STREAM_PREFIX, parseTenancyStreamName, type RentAccounts } from '@evp/ledger-contract';
import { NAV_STREAM_PREFIX } from '@evp/nav-contract';
import { CASE_STREAM_PREFIX, arrearsWorkflow, type ArrearsWorkflowState, type CaseCommand, type CasePolicy } from '@evp/cases-domain';
import { CloseCaseCommand, EscalateIfNoContactCommand, EvaluateArrearsCommand, snapshotOf } from './commands';

/** Which tenancy an input is about: a ledger event's stream, or the payload of a time-driven evaluation. */
function tenancyOf(input: WorkflowInput): { municipalityNumber: string; tenancyId: string } | undefined {
  if (input.kind === 'event') return parseTenancyStreamName(input.streamName);
  if (input.type === 'deadline.cases.arrears-evaluation') {
    const { municipalityNumber, tenancyId } = input.payload as { municipalityNumber?: unknown; tenancyId?: unknown };
    if (typeof municipalityNumber === 'string' && typeof tenancyId === 'string') return { municipalityNumber, tenancyId };
  }
  return undefined;
}

/**
 * The arrears workflow wired for the runner: the state it needs is the tenancy's account from the
 * ledger's published view (read once per tenancy and batch); its commands go through the CommandBus.
 */
export class ArrearsWorkflow implements WorkflowDefinition<ArrearsWorkflowState, CaseCommand> {
  readonly name = 'cases-arrears';
  // NAV's stream: a released hold and NAV's outcome concern the case (nothing else of NAV's does).
  readonly filter = { streamPrefixes: [TENANCY_STREAM_PREFIX, CASE_STREAM_PREFIX, NAV_STREAM_PREFIX] };

  constructor(
    private readonly accounts: RentAccounts,
    private readonly policy: CasePolicy,
    private readonly commandBus: CommandBus,
  ) {}

  async loadState(input: WorkflowInput, today: LocalDate, cache: BatchCache): Promise<ArrearsWorkflowState> {
    const tenancy = tenancyOf(input);
    if (!tenancy) return {};
    const key = `account:${tenancy.municipalityNumber}-${tenancy.tenancyId}`;
    let loading = cache.get(key) as Promise<ArrearsWorkflowState> | undefined;
    if (!loading) {
      loading = this.accounts.position(tenancy.municipalityNumber, tenancy.tenancyId, today).then((p) => (p ? { account: snapshotOf(p) } : {}));
      cache.set(key, loading);
    }
    return loading;
  }

  decide(input: WorkflowInput, state: ArrearsWorkflowState, today: LocalDate): readonly WorkflowOutput<CaseCommand>[] {
    return arrearsWorkflow(input, state, this.policy, today);
  }

  dispatch(command: CaseCommand, causation: Causation): Promise<unknown> {
    switch (command.type) {
      case 'cases.EvaluateArrears':
        return this.commandBus.execute(new EvaluateArrearsCommand(command.municipalityNumber, command.tenancyId, causation));
      case 'cases.EscalateIfNoContact':
        return this.commandBus.execute(new EscalateIfNoContactCommand(command.caseId, causation));
      case 'cases.CloseCase':
        return this.commandBus.execute(new CloseCaseCommand(command.caseId, command.outcome, causation));
      default: {
        const never: never = command;
        throw new Error(`Unknown case command ${JSON.stringify(never)}`);
      }
    }
  }
}
