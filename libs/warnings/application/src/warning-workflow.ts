import type { CommandBus } from '@nestjs/cqrs';
import type { LocalDate, WorkflowInput, WorkflowOutput } from '@evp/shared-kernel';
import type { EventStore, EventTypeMap, RecordedEvent } from '@evp/event-store';
import type { BatchCache, Causation, WorkflowDefinition } from '@evp/runtime';
import { TENANCY_STREAM_PREFIX, isLedgerReduction, parseTenancyStreamName } from '@evp/ledger-contract';
import {
  WARNING_STREAM_PREFIX,
  WARNING_WORKFLOW_LEDGER_TYPES,
  evolveWarning,
  initialWarning,
  warningIdOfStream,
  warningStreamName,
  warningTenancyIndexStreamName,
  warningWorkflow,
  type Warning,
  type WarningCommand,
  type WarningEvent,
  type WarningFacts,
  type WarningWorkflowState,
} from '@evp/warnings-domain';
import { OFF_PATH_GATHER_MS } from '@evp/read-models';
import { ForwardWarningCommand, StopEvictionIfPaidCommand } from './commands';


/**
 * The warnings workflow wired for the runner: its state is read from the event store (the
 * warning's own stream; for a payment, the `warnings-of-…` index of the tenancy), never from a
 * read model that may lag the event being handled.
 */
export class WarningsWorkflow implements WorkflowDefinition<WarningWorkflowState, WarningCommand> {
  readonly name = 'warnings';
  // Of the ledger's postings only what the workflow acts on: a month's charges never reach it.
  readonly filter = { streamPrefixes: [WARNING_STREAM_PREFIX, TENANCY_STREAM_PREFIX], onlyTypes: { [TENANCY_STREAM_PREFIX]: WARNING_WORKFLOW_LEDGER_TYPES } };
  readonly gatherMs = OFF_PATH_GATHER_MS;

  constructor(
    private readonly store: EventStore,
    private readonly types: EventTypeMap,
    private readonly commandBus: CommandBus,
  ) {}

  private async facts(warningId: string, cache: BatchCache): Promise<WarningFacts | undefined> {
    const key = `warning:${warningId}`;
    let loading = cache.get(key) as Promise<WarningFacts | undefined> | undefined;
    if (!loading) {
      loading = this.store.readStream(warningStreamName(warningId)).then((events) => {
        const w: Warning = events.reduce((s, e) => evolveWarning(s, { type: e.type, data: this.types.upcast(e) } as unknown as WarningEvent), initialWarning());
        return w.submitted && w.status ? { warningId, status: w.status, ground: w.submitted.ground, stage: w.stage } : undefined;
      });
      cache.set(key, loading);
    }
    return loading;
  }

  /**
   * A payment file names thousands of tenancies: their warning indexes (`warnings-of-…`, almost
   * all empty) in one `readStreams`, instead of one read per payment.
   */
  async prepare(inputs: readonly WorkflowInput[], _today: LocalDate, cache: BatchCache): Promise<void> {
    const names = new Set<string>();
    for (const input of inputs) {
      if (input.kind !== 'event' || !isLedgerReduction(input.type)) continue;
      const tenancy = parseTenancyStreamName(input.streamName);
      if (tenancy) names.add(warningTenancyIndexStreamName(tenancy.municipalityNumber, tenancy.tenancyId));
    }
    if (names.size === 0) return;
    const streams = await this.store.readStreams([...names]);
    for (const name of names) cache.set(`index:${name}`, Promise.resolve(streams.get(name) ?? []));
  }

  async loadState(input: WorkflowInput, _today: LocalDate, cache: BatchCache): Promise<WarningWorkflowState> {
    if (input.kind !== 'event') return { warnings: [] };
    if (input.type === 'warnings.WarningSubmitted') {
      const warningId = warningIdOfStream(input.streamName);
      const facts = warningId ? await this.facts(warningId, cache) : undefined;
      return { warnings: facts ? [facts] : [] };
    }
    if (!isLedgerReduction(input.type)) return { warnings: [] };
    const tenancy = parseTenancyStreamName(input.streamName);
    if (!tenancy) return { warnings: [] };
    const indexName = warningTenancyIndexStreamName(tenancy.municipalityNumber, tenancy.tenancyId);
    const index = await ((cache.get(`index:${indexName}`) as Promise<RecordedEvent[]> | undefined) ?? this.store.readStream(indexName));
    const ids = [...new Set(index.map((e) => String((this.types.dataOf(e) as { warningId?: unknown }).warningId)))];
    const warnings = await Promise.all(ids.map((id) => this.facts(id, cache)));
    return { warnings: warnings.filter((w): w is WarningFacts => w !== undefined) };
  }

  decide(input: WorkflowInput, state: WarningWorkflowState): readonly WorkflowOutput<WarningCommand>[] {
    return warningWorkflow(input, state);
  }

  dispatch(command: WarningCommand, causation: Causation): Promise<unknown> {
    switch (command.type) {
      case 'warnings.ForwardWarning':
        return this.commandBus.execute(new ForwardWarningCommand(command.warningId, causation));
      case 'warnings.StopEvictionIfPaid':
        return this.commandBus.execute(new StopEvictionIfPaidCommand(command.warningId, causation));
      default: {
        const never: never = command;
        throw new Error(`Unknown warnings command ${JSON.stringify(never)}`);
      }
    }
  }
}
