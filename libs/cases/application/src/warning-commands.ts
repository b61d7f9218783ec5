import { Inject } from '@nestjs/common';
import { CommandHandler, type CommandBus, type ICommandHandler } from '@nestjs/cqrs';
import { osloDate, type LocalDate, type WorkflowInput, type WorkflowOutput } from '@evp/shared-kernel';
import type { EventStore, EventTypeMap } from '@evp/event-store';
import { EVENT_STORE, EVENT_TYPES, decideAndAppend, type BatchCache, type Causation, type Decider, type WorkflowDefinition } from '@evp/runtime';
import { RENT_ACCOUNTS, type RentAccounts } from '@evp/ledger-contract';
import { WARNING_STREAM_PREFIX } from '@evp/warnings-contract';
import {
  attachWarning,
  caseStreamName,
  evolveWarningCases,
  initialWarningCases,
  recordWarningStep,
  warningReferralWorkflow,
  type AttachWarning,
  type CaseEvent,
  type CasePolicy,
  type RecordWarningStep,
  type WarningCaseCommand,
  type WarningCases,
} from '@evp/cases-domain';
import { CASE_POLICY } from './commands';

const warningCasesDecider: Decider<WarningCases, CaseEvent> = { initialState: initialWarningCases, evolve: evolveWarningCases };

/** A forwarded § 9-11 warning: attach it to the household's case (or open one) and refer to NAV. Sent by the warning referral workflow. */
export class AttachWarningCommand {
  constructor(
    readonly command: AttachWarning,
    readonly causation: Causation,
  ) {}
}

/** A landlord's step on an attached warning. Sent by the warning referral workflow. */
export class RecordWarningStepCommand {
  constructor(
    readonly command: RecordWarningStep,
    readonly causation: Causation,
  ) {}
}

@CommandHandler(AttachWarningCommand)
export class AttachWarningHandler implements ICommandHandler<AttachWarningCommand, readonly CaseEvent[]> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(EVENT_TYPES) private readonly types: EventTypeMap,
    @Inject(RENT_ACCOUNTS) private readonly accounts: RentAccounts,
    @Inject(CASE_POLICY) private readonly policy: CasePolicy,
  ) {}

  async execute({ command, causation }: AttachWarningCommand): Promise<readonly CaseEvent[]> {
    const today = osloDate(causation.now);
    const { events } = await decideAndAppend({
      store: this.store,
      types: this.types,
      streamName: caseStreamName(`${command.municipalityNumber}-${command.tenancyId}`),
      decider: warningCasesDecider,
      causation,
      decide: async (state) => {
        // A municipal tenancy's current NAV office and arrears come from the ledger's published view.
        const account = command.ledgerTenancy ? await this.accounts.position(command.municipalityNumber, command.tenancyId, today) : undefined;
        return attachWarning(state, command, account, this.policy, today);
      },
    });
    return events;
  }
}

@CommandHandler(RecordWarningStepCommand)
export class RecordWarningStepHandler implements ICommandHandler<RecordWarningStepCommand, readonly CaseEvent[]> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(EVENT_TYPES) private readonly types: EventTypeMap,
  ) {}

  async execute({ command, causation }: RecordWarningStepCommand): Promise<readonly CaseEvent[]> {
    const today = osloDate(causation.now);
    const { events } = await decideAndAppend({
      store: this.store,
      types: this.types,
      streamName: caseStreamName(`${command.municipalityNumber}-${command.tenancyId}`),
      decider: warningCasesDecider,
      causation,
      decide: (state) => {
        // Attached by the command before it for the same warning (dispatch keeps their order); if
        // not, fail so the batch is retried rather than the step lost.
        if (!state.attached[command.warningId]) throw new Error(`Warning ${command.warningId} is not attached to a case yet`);
        return recordWarningStep(state, command, today);
      },
    });
    return events;
  }
}

/**
 * The warning referral workflow wired for the runner: it needs no state besides the case stream,
 * which its commands read. Commands about one warning run one after the other, in the order they
 * were decided (the runner dispatches a batch concurrently): a step must find its warning attached.
 */
export class WarningReferralWorkflow implements WorkflowDefinition<Record<string, never>, WarningCaseCommand> {
  readonly name = 'cases-warnings';
  readonly filter = { streamPrefixes: [WARNING_STREAM_PREFIX] };
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(private readonly commandBus: CommandBus) {}

  async loadState(_input: WorkflowInput, _today: LocalDate, _cache: BatchCache): Promise<Record<string, never>> {
    return {};
  }

  decide(input: WorkflowInput): readonly WorkflowOutput<WarningCaseCommand>[] {
    return warningReferralWorkflow(input);
  }

  dispatch(command: WarningCaseCommand, causation: Causation): Promise<unknown> {
    const previous = this.chains.get(command.warningId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.execute(command, causation));
    this.chains.set(command.warningId, next);
    void next.finally(() => {
      if (this.chains.get(command.warningId) === next) this.chains.delete(command.warningId);
    }).catch(() => undefined);
    return next;
  }

  private execute(command: WarningCaseCommand, causation: Causation): Promise<unknown> {
    switch (command.type) {
      case 'cases.AttachWarning':
        return this.commandBus.execute(new AttachWarningCommand(command, causation));
      case 'cases.RecordWarningStep':
        return this.commandBus.execute(new RecordWarningStepCommand(command, causation));
      default: {
        const never: never = command;
        throw new Error(`Unknown warning case command ${JSON.stringify(never)}`);
      }
    }
  }
}

export const WARNING_CASE_COMMAND_HANDLERS = [AttachWarningHandler, RecordWarningStepHandler];
