import type { CommandBus } from '@nestjs/cqrs';
import type { LocalDate, WorkflowInput, WorkflowOutput } from '@evp/shared-kernel';
import type { EventStore, EventTypeMap } from '@evp/event-store';
import type { BatchCache, Causation, WorkflowDefinition } from '@evp/runtime';
import { TENANCY_STREAM_PREFIX, parseTenancyStreamName } from '@evp/ledger-contract';
import { CASE_STREAM_PREFIX, parseCaseId } from '@evp/cases-contract';
import { NAV_STREAM_PREFIX, NAV_WORKFLOW_LEDGER_TYPES, navStreamName, navWorkflow, parseNavStreamName, type NavCommand, type NavPolicy, type NavWorkflowState } from '@evp/nav-domain';
import { OFF_PATH_GATHER_MS } from '@evp/read-models';
import { RunNavCommand } from './commands';
import { foldHousehold, loadHousehold } from './household-stream';

/** `case-<kommunenummer>-<leieforhold>` (cases' stream grammar). */
const CASE_STREAM = /^case-(\d{4})-([A-Za-z0-9][A-Za-z0-9_.]{0,39})$/;

/** Which household an input is about: the stream it came from, or the case a deadline names. */
function householdOf(input: WorkflowInput): { municipalityNumber: string; tenancyId: string } | undefined {
  if (input.kind === 'deadline') return parseCaseId(String(input.payload['caseId'] ?? ''));
  const caseStream = CASE_STREAM.exec(input.streamName);
  if (caseStream) return { municipalityNumber: caseStream[1] as string, tenancyId: caseStream[2] as string };
  return parseTenancyStreamName(input.streamName) ?? parseNavStreamName(input.streamName);
}

/**
 * NAV's workflow wired for the runner: its state is NAV's record of the household (the household's
 * stream, read once per household and batch); its commands go through the CommandBus.
 */
export class NavWorkflow implements WorkflowDefinition<NavWorkflowState, NavCommand> {
  readonly name = 'nav';
  // Of the ledger's postings only what the workflow acts on: a month's charges never reach it.
  readonly filter = { streamPrefixes: [CASE_STREAM_PREFIX, NAV_STREAM_PREFIX, TENANCY_STREAM_PREFIX], onlyTypes: { [TENANCY_STREAM_PREFIX]: NAV_WORKFLOW_LEDGER_TYPES } };
  readonly gatherMs = OFF_PATH_GATHER_MS;

  constructor(
    private readonly store: EventStore,
    private readonly types: EventTypeMap,
    private readonly policy: NavPolicy,
    private readonly commandBus: CommandBus,
  ) {}

  /** Every household the batch is about in one `readStreams` (a payment file names thousands), instead of one read each. */
  async prepare(inputs: readonly WorkflowInput[], _today: LocalDate, cache: BatchCache): Promise<void> {
    const streams = new Map<string, string>(); // cache key -> the household's stream
    for (const input of inputs) {
      if (input.type === 'cases.ReferredToNav') continue;
      const household = householdOf(input);
      if (household) streams.set(`nav:${household.municipalityNumber}-${household.tenancyId}`, navStreamName(household.municipalityNumber, household.tenancyId));
    }
    if (streams.size === 0) return;
    const read = await this.store.readStreams([...streams.values()]);
    for (const [key, name] of streams) {
      const h = foldHousehold(this.types, read.get(name) ?? []);
      cache.set(key, Promise.resolve(h.followUps.length ? { household: h } : {}));
    }
  }

  async loadState(input: WorkflowInput, _today: LocalDate, cache: BatchCache): Promise<NavWorkflowState> {
    // A referral needs no state; everything else looks at what NAV has recorded for the household.
    if (input.type === 'cases.ReferredToNav') return {};
    const household = householdOf(input);
    if (!household) return {};
    const key = `nav:${household.municipalityNumber}-${household.tenancyId}`;
    let loading = cache.get(key) as Promise<NavWorkflowState> | undefined;
    if (!loading) {
      loading = loadHousehold(this.store, this.types, household.municipalityNumber, household.tenancyId).then((h) => (h.followUps.length ? { household: h } : {}));
      cache.set(key, loading);
    }
    return loading;
  }

  decide(input: WorkflowInput, state: NavWorkflowState, today: LocalDate): readonly WorkflowOutput<NavCommand>[] {
    return navWorkflow(input, state, this.policy, today);
  }

  dispatch(command: NavCommand, causation: Causation): Promise<unknown> {
    return this.commandBus.execute(new RunNavCommand(command, causation));
  }
}
