import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { osloDate, type LocalDate } from '@evp/shared-kernel';
import type { EventStore, EventTypeMap } from '@evp/event-store';
import { EVENT_STORE, EVENT_TYPES, decideAndAppend, type Causation } from '@evp/runtime';
import { hasRole, mayActIn, type Caller } from '@evp/auth';
import { RENT_ACCOUNTS, type RentAccounts } from '@evp/ledger-contract';
import { parseCaseId } from '@evp/cases-contract';
import {
  NavRuleError,
  checkIncomeManagement,
  checkPaymentPlan,
  claim,
  endPause,
  escalateOverduePickup,
  navStreamName,
  noteCaseResolved,
  reassign,
  receiveReferral,
  recordStep,
  release,
  releaseAssistanceHold,
  transferFollowUp,
  type NavCommand,
  type NavEvent,
  type NavHousehold,
  type NavPerson,
  type NavPolicy,
  type NavStep,
} from '@evp/nav-domain';
import { navDecider } from './household-stream';
import { NAV_NOTES, type NavNoteVault } from './notes';
import { NAV_POLICY } from './policy';

/** The person acting, as NAV's rules see them: the lead role when they hold it, their own office. */
export function navPersonOf(caller: Caller): NavPerson {
  const role = hasRole(caller, 'nav-lead') ? 'nav-lead' : hasRole(caller, 'nav-adviser') ? 'nav-adviser' : (caller.roles[0] ?? 'unknown');
  return { actorId: caller.actorId, role, navOffice: caller.navOffice };
}

/** An adviser claims the household's follow-up. Exactly one of two simultaneous claims wins; the other is refused with who has it. */
export class ClaimReferralCommand {
  constructor(
    readonly caller: Caller,
    readonly caseId: string,
    readonly causation: Causation,
  ) {}
}

/** The adviser who has it, or the office lead, gives it back to the office's inbox, where the pickup limit runs again. */
export class ReleaseReferralCommand {
  constructor(
    readonly caller: Caller,
    readonly caseId: string,
    readonly causation: Causation,
  ) {}
}

/** The office lead gives the follow-up to an adviser, named by opaque actor id. */
export class ReassignReferralCommand {
  constructor(
    readonly caller: Caller,
    readonly caseId: string,
    readonly toActorId: string,
    readonly causation: Causation,
  ) {}
}

/**
 * One step of the follow-up. `texts` are the notes and reasons the step refers to by id (personal
 * data): stored through the note vault only when the step is accepted, before its events.
 */
export class RecordNavStepCommand {
  constructor(
    readonly caller: Caller,
    readonly caseId: string,
    readonly step: NavStep,
    readonly texts: ReadonlyArray<{ readonly noteId: string; readonly text: string }>,
    readonly causation: Causation,
  ) {}
}

/** What NAV's workflow sends: received referrals, escalations, checks, releases and transfers to the tenancy's new office. */
export class RunNavCommand {
  constructor(
    readonly command: NavCommand,
    readonly causation: Causation,
  ) {}
}

/** Nest injects these through this constructor into each subclass that declares none of its own. */
abstract class NavCommandHandler {
  constructor(
    @Inject(EVENT_STORE) protected readonly store: EventStore,
    @Inject(EVENT_TYPES) protected readonly types: EventTypeMap,
    @Inject(NAV_POLICY) protected readonly policy: NavPolicy,
  ) {}

  /** Load the household's stream → decide → append with the expected revision → on a conflict, again. */
  protected async run(
    household: { municipalityNumber: string; tenancyId: string },
    causation: Causation,
    decide: (state: NavHousehold, today: LocalDate) => readonly NavEvent[] | Promise<readonly NavEvent[]>,
  ): Promise<readonly NavEvent[]> {
    const today = osloDate(causation.now);
    const { events } = await decideAndAppend({
      store: this.store,
      types: this.types,
      streamName: navStreamName(household.municipalityNumber, household.tenancyId),
      decider: navDecider,
      causation,
      decide: (state) => decide(state, today),
    });
    return events;
  }

  /** The household of a case the caller may reach; out of reach (another municipality) answers as not found. */
  protected householdFor(caseId: string, caller?: Caller): { municipalityNumber: string; tenancyId: string } {
    const parsed = parseCaseId(caseId);
    if (!parsed || (caller && !mayActIn(caller, parsed.municipalityNumber))) throw new NavRuleError('NOT_FOUND', 'Finnes ikke');
    return parsed;
  }
}

@CommandHandler(ClaimReferralCommand)
export class ClaimReferralHandler extends NavCommandHandler implements ICommandHandler<ClaimReferralCommand> {
  execute(c: ClaimReferralCommand): Promise<readonly NavEvent[]> {
    return this.run(this.householdFor(c.caseId, c.caller), c.causation, (state, today) => claim(state, c.caseId, navPersonOf(c.caller), today));
  }
}

@CommandHandler(ReleaseReferralCommand)
export class ReleaseReferralHandler extends NavCommandHandler implements ICommandHandler<ReleaseReferralCommand> {
  execute(c: ReleaseReferralCommand): Promise<readonly NavEvent[]> {
    return this.run(this.householdFor(c.caseId, c.caller), c.causation, (state, today) => release(state, c.caseId, navPersonOf(c.caller), today, this.policy));
  }
}

@CommandHandler(ReassignReferralCommand)
export class ReassignReferralHandler extends NavCommandHandler implements ICommandHandler<ReassignReferralCommand> {
  execute(c: ReassignReferralCommand): Promise<readonly NavEvent[]> {
    return this.run(this.householdFor(c.caseId, c.caller), c.causation, (state, today) => reassign(state, c.caseId, navPersonOf(c.caller), c.toActorId, today));
  }
}

@CommandHandler(RecordNavStepCommand)
export class RecordNavStepHandler extends NavCommandHandler implements ICommandHandler<RecordNavStepCommand> {
  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(EVENT_TYPES) types: EventTypeMap,
    @Inject(NAV_POLICY) policy: NavPolicy,
    @Inject(RENT_ACCOUNTS) private readonly accounts: RentAccounts,
    @Inject(NAV_NOTES) private readonly notes: NavNoteVault,
  ) {
    super(store, types, policy);
  }

  execute(c: RecordNavStepCommand): Promise<readonly NavEvent[]> {
    const household = this.householdFor(c.caseId, c.caller);
    return this.run(household, c.causation, async (state, today) => {
      let step = c.step;
      if (step.type === 'payment-plan-agreed') {
        // The plan is measured against the ledger's own view of what is overdue today, never a number typed in.
        const position = await this.accounts.position(household.municipalityNumber, household.tenancyId, today);
        step = { ...step, startOverdueOre: position?.overdueOre ?? 0 };
      }
      const events = recordStep(state, c.caseId, navPersonOf(c.caller), step, today, this.policy);
      const referenced = new Set(events.flatMap((e) => Object.entries(e.data).filter(([k, v]) => k.endsWith('Ref') && typeof v === 'string').map(([, v]) => v as string)));
      const texts = c.texts.filter((t) => referenced.has(t.noteId));
      if (texts.length) await this.notes.seal(texts, { caseId: c.caseId, causation: c.causation });
      return events;
    });
  }
}

@CommandHandler(RunNavCommand)
export class RunNavCommandHandler extends NavCommandHandler implements ICommandHandler<RunNavCommand> {
  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(EVENT_TYPES) types: EventTypeMap,
    @Inject(NAV_POLICY) policy: NavPolicy,
    @Inject(RENT_ACCOUNTS) private readonly accounts: RentAccounts,
  ) {
    super(store, types, policy);
  }

  async execute({ command, causation }: RunNavCommand): Promise<readonly NavEvent[]> {
    if (command.type === 'nav.ReceiveReferral') {
      const r = command.referral;
      return this.run(r, causation, async (state, today) => {
        // A household's first referral goes to the tenancy's office as the ledger has it now: the
        // referral may name the office the case read before a move NAV has already seen.
        const office = state.followUps.some((f) => f.caseId === r.caseId) ? r.navOffice : ((await this.accounts.position(r.municipalityNumber, r.tenancyId, today))?.navOffice ?? r.navOffice);
        return receiveReferral(state, { ...r, navOffice: office }, this.policy);
      });
    }
    const household = parseCaseId(command.caseId);
    if (!household) return [];
    switch (command.type) {
      case 'nav.EscalateOverduePickup':
        return this.run(household, causation, (state, today) => escalateOverduePickup(state, command.caseId, command.referralId, today, this.policy));
      case 'nav.NoteCaseResolved':
        return this.run(household, causation, (state) => noteCaseResolved(state, command.caseId, command.resolvedOn, command.outcome));
      case 'nav.CheckPaymentPlan':
        return this.run(household, causation, async (state, today) => checkPaymentPlan(state, command.caseId, await this.accounts.position(household.municipalityNumber, household.tenancyId, today), today));
      case 'nav.CheckIncomeManagement':
        return this.run(household, causation, async (state, today) => checkIncomeManagement(state, command.caseId, await this.accounts.position(household.municipalityNumber, household.tenancyId, today), today));
      case 'nav.ReleaseAssistanceHold':
        return this.run(household, causation, (state, today) => releaseAssistanceHold(state, command.caseId, command.assistanceId, today));
      case 'nav.EndPause':
        return this.run(household, causation, (state, today) => endPause(state, command.caseId, command.pauseId, today));
      case 'nav.TransferFollowUp':
        // The ledger's office now, not the one the event named: a redelivered or replayed older
        // change (A → B, then back to A) must not move the follow-up away from where the tenancy is.
        return this.run(household, causation, async (state, today) =>
          transferFollowUp(state, command.caseId, (await this.accounts.position(household.municipalityNumber, household.tenancyId, today))?.navOffice ?? command.toOffice, today, this.policy),
        );
      default: {
        const never: never = command;
        throw new Error(`Unknown NAV command ${JSON.stringify(never)}`);
      }
    }
  }
}

export const NAV_COMMAND_HANDLERS = [ClaimReferralHandler, ReleaseReferralHandler, ReassignReferralHandler, RecordNavStepHandler, RunNavCommandHandler];
