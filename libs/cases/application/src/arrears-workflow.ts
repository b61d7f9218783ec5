import type { CommandBus } from '@nestjs/cqrs';
import type { LocalDate, WorkflowInput, WorkflowOutput } from '@evp/shared-kernel';
import type { BatchCache, Causation, WorkflowDefinition } from '@evp/runtime';
import { TENANCY_STREAM_PREFIX, parseTenancyStreamName, type RentAccounts } from '@evp/ledger-contract';
import { NAV_STREAM_PREFIX } from '@evp/nav-contract';
import type { EventFilter, EventStore, EventTypeMap, RecordedEvent } from '@evp/event-store';
import { CASE_STREAM_PREFIX, arrearsWorkflow, caseStreamName, type ArrearsWorkflowState, type CaseCommand, type CaseEvent, type CasePolicy } from '@evp/cases-domain';
import { CloseCaseCommand, EscalateIfNoContactCommand, EvaluateArrearsCommand, RecordNavContactCommand, snapshotOf } from './commands';

/** The arrears workflow reads every posting (each may open or close a case), its cases, and NAV's contacts. */
export const ARREARS_WORKFLOW_FILTER: EventFilter = { streamPrefixes: [TENANCY_STREAM_PREFIX, CASE_STREAM_PREFIX, NAV_STREAM_PREFIX] };

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
  // NAV's stream: NAV's contact with the household, a released hold and NAV's outcome concern the case (nothing else of NAV's does).
  readonly filter = ARREARS_WORKFLOW_FILTER;

  constructor(
    private readonly accounts: RentAccounts,
    private readonly policy: CasePolicy,
    private readonly commandBus: CommandBus,
    private readonly store: EventStore,
    private readonly types: EventTypeMap,
  ) {}

  /**
   * Reads the case streams of every tenancy the batch is about in one go (`readStreams`: a few
   * hundred per statement on SQLite), so deciding whether a payment can change a case costs no
   * read per event. The store is read as it is now, never behind the runner (see `ArrearsWorkflowState`).
   */
  async prepare(inputs: readonly WorkflowInput[], today: LocalDate, cache: BatchCache): Promise<void> {
    const tenancies = new Map<string, { municipalityNumber: string; tenancyId: string }>();
    for (const input of inputs) {
      const tenancy = tenancyOf(input);
      if (tenancy) tenancies.set(`${tenancy.municipalityNumber}-${tenancy.tenancyId}`, tenancy);
    }
    if (tenancies.size === 0) return;
    const keys = [...tenancies.keys()];
    const streams = await this.store.readStreams(keys.map(caseStreamName));
    for (const key of keys) cache.set(`cases:${key}`, Promise.resolve(this.decodeCases(streams.get(caseStreamName(key)) ?? [])));
    // The accounts too, when the ledger offers them in bulk: the same exactness as one by one.
    if (this.accounts.positions) {
      const positions = await this.accounts.positions([...tenancies.values()], today);
      for (const key of keys) {
        const p = positions.get(key);
        cache.set(`account:${key}`, Promise.resolve(p ? snapshotOf(p) : undefined));
      }
    }
  }

  async loadState(input: WorkflowInput, today: LocalDate, cache: BatchCache): Promise<ArrearsWorkflowState> {
    const tenancy = tenancyOf(input);
    if (!tenancy) return {};
    const key = `${tenancy.municipalityNumber}-${tenancy.tenancyId}`;
    let account = cache.get(`account:${key}`) as Promise<ArrearsWorkflowState['account']> | undefined;
    if (!account) {
      account = this.accounts.position(tenancy.municipalityNumber, tenancy.tenancyId, today).then((p) => (p ? snapshotOf(p) : undefined));
      cache.set(`account:${key}`, account);
    }
    let cases = cache.get(`cases:${key}`) as Promise<readonly CaseEvent[]> | undefined;
    if (!cases) {
      // A deadline firing (no `prepare`): read the one stream.
      cases = this.store.readStream(caseStreamName(key)).then((events) => this.decodeCases(events));
      cache.set(`cases:${key}`, cases);
    }
    const [snapshot, caseHistory] = await Promise.all([account, cases]);
    return snapshot ? { account: snapshot, caseHistory } : {};
  }

  private decodeCases(events: readonly RecordedEvent[]): CaseEvent[] {
    return events.map((e) => ({ type: e.type, data: this.types.dataOf(e) }) as CaseEvent);
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
      case 'cases.RecordNavContact':
        return this.commandBus.execute(new RecordNavContactCommand(command.caseId, command.navContactId, command.contactedOn, causation));
      default: {
        const never: never = command;
        throw new Error(`Unknown case command ${JSON.stringify(never)}`);
      }
    }
  }
}
