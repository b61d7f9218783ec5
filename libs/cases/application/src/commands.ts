import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { osloDate, type LocalDate } from '@evp/shared-kernel';
import type { EventStore, EventTypeMap } from '@evp/event-store';
import { EVENT_STORE, EVENT_TYPES, decideAndAppend, type Causation, type Decider } from '@evp/runtime';
import { hasRole, mayActIn, type Caller } from '@evp/auth';
import { RENT_ACCOUNTS, type RentAccountPosition, type RentAccounts } from '@evp/ledger-contract';
import { NAV_HOLDS, type NavHold, type NavHolds, type NavOutcome } from '@evp/nav-contract';
import {
  CaseRuleError,
  caseStreamName,
  closeCase,
  escalateIfNoContact,
  evaluateArrears,
  evolveCases,
  findCase,
  initialTenancyCases,
  parseCaseId,
  recordContact,
  recordNavContact,
  type ArrearsSnapshot,
  type CaseEvent,
  type CasePolicy,
  type ContactChannel,
  type TenancyCases,
} from '@evp/cases-domain';

/** Injection token for the case policy (configuration, never a global: a what-if run passes its own). */
export const CASE_POLICY = 'cases.CasePolicy';

const casesDecider: Decider<TenancyCases, CaseEvent> = { initialState: initialTenancyCases, evolve: evolveCases };

/** What the case rules need of the ledger's published view, and of NAV's hold when it is known. */
export function snapshotOf(position: RentAccountPosition, hold?: NavHold): ArrearsSnapshot {
  return {
    ...(hold ? { onItsWayOre: hold.onItsWayOre, navPausedUntil: hold.pausedUntil } : {}),
    municipalityNumber: position.municipalityNumber,
    tenancyId: position.tenancyId,
    navOffice: position.navOffice,
    monthlyRentOre: position.monthlyRentOre,
    overdueOre: position.overdueOre,
    arrearsOre: position.arrearsOre,
    daysPastGrace: position.daysPastGrace,
    unpaidDueDates: position.unpaidDueDates,
  };
}

/**
 * Who may act on (and read) a case: accounting, the arrears team and admin in its municipality; a
 * NAV adviser only when the tenancy's CURRENT NAV office is theirs — a moved tenancy's case moves
 * with it. Landlords never see prevention cases.
 */
export function mayReadCase(caller: Caller, c: { municipalityNumber: string; navOffice: string }): boolean {
  if (!mayActIn(caller, c.municipalityNumber)) return false;
  if (hasRole(caller, 'accounting', 'arrears-team', 'admin')) return true;
  return hasRole(caller, 'nav-adviser') && caller.navOffice === c.navOffice;
}

/** Open or resolve the tenancy's case as its account requires. Sent by the arrears workflow. */
export class EvaluateArrearsCommand {
  constructor(
    readonly municipalityNumber: string,
    readonly tenancyId: string,
    readonly causation: Causation,
  ) {}
}

/** The first-contact deadline fired: settle a paid case first, then escalate if still nobody made contact. */
export class EscalateIfNoContactCommand {
  constructor(
    readonly caseId: string,
    readonly causation: Causation,
  ) {}
}

/** NAV concluded its follow-up with an outcome: close the case with it. Sent by the arrears workflow on `nav.FollowUpConcluded`. */
export class CloseCaseCommand {
  constructor(
    readonly caseId: string,
    readonly outcome: NavOutcome,
    readonly causation: Causation,
  ) {}
}

/** NAV recorded contact with the household: the case counts it as contact. Sent by the arrears workflow on `nav.ContactMade`. */
export class RecordNavContactCommand {
  constructor(
    readonly caseId: string,
    readonly navContactId: string,
    readonly contactedOn: LocalDate,
    readonly causation: Causation,
  ) {}
}

/** Someone reached the household. `caller` is checked against the case's current facts. */
export class RecordContactCommand {
  constructor(
    readonly caller: Caller,
    readonly caseId: string,
    readonly contact: { readonly contactId: string; readonly channel: ContactChannel; readonly contactedOn: LocalDate; readonly byRole: string },
    readonly causation: Causation,
  ) {}
}

/** Every case handler needs the same collaborators; Nest injects them through this constructor into each subclass. */
abstract class CaseCommandHandler {
  constructor(
    @Inject(EVENT_STORE) protected readonly store: EventStore,
    @Inject(EVENT_TYPES) protected readonly types: EventTypeMap,
    @Inject(RENT_ACCOUNTS) protected readonly accounts: RentAccounts,
    @Inject(CASE_POLICY) protected readonly policy: CasePolicy,
    @Inject(NAV_HOLDS) protected readonly holds: NavHolds,
  ) {}

  /** The account's snapshot with NAV's hold on it (assistance on its way, a pause), read now. */
  protected async snapshot(account: RentAccountPosition, today: LocalDate): Promise<ArrearsSnapshot> {
    return snapshotOf(account, await this.holds.holdOn(account.municipalityNumber, account.tenancyId, today));
  }

  protected run(municipalityNumber: string, tenancyId: string, causation: Causation, decide: (cases: TenancyCases, account: RentAccountPosition | undefined, today: LocalDate) => readonly CaseEvent[] | Promise<readonly CaseEvent[]>) {
    const today = osloDate(causation.now);
    return decideAndAppend({
      store: this.store,
      types: this.types,
      streamName: caseStreamName(`${municipalityNumber}-${tenancyId}`),
      decider: casesDecider,
      causation,
      // The account is read again on every attempt: a conflict means something changed.
      decide: async (cases) => await decide(cases, await this.accounts.position(municipalityNumber, tenancyId, today), today),
    });
  }
}

@CommandHandler(EvaluateArrearsCommand)
export class EvaluateArrearsHandler extends CaseCommandHandler implements ICommandHandler<EvaluateArrearsCommand> {
  async execute(command: EvaluateArrearsCommand): Promise<readonly CaseEvent[]> {
    const { events } = await this.run(command.municipalityNumber, command.tenancyId, command.causation, async (cases, account, today) =>
      account ? evaluateArrears(cases, await this.snapshot(account, today), this.policy, today) : [],
    );
    return events;
  }
}

@CommandHandler(EscalateIfNoContactCommand)
export class EscalateIfNoContactHandler extends CaseCommandHandler implements ICommandHandler<EscalateIfNoContactCommand> {
  async execute(command: EscalateIfNoContactCommand): Promise<readonly CaseEvent[]> {
    const parsed = parseCaseId(command.caseId);
    if (!parsed) return [];
    const { events } = await this.run(parsed.municipalityNumber, parsed.tenancyId, command.causation, async (cases, account, today) => {
      if (!account) return [];
      const snapshot = await this.snapshot(account, today);
      const settled = evaluateArrears(cases, snapshot, this.policy, today).filter((e) => e.type === 'cases.CaseResolved');
      return settled.length ? settled : escalateIfNoContact(cases, command.caseId, today, this.policy, account.navOffice, snapshot);
    });
    return events;
  }
}

@CommandHandler(RecordContactCommand)
export class RecordContactHandler extends CaseCommandHandler implements ICommandHandler<RecordContactCommand> {
  async execute(command: RecordContactCommand): Promise<readonly CaseEvent[]> {
    const parsed = parseCaseId(command.caseId);
    if (!parsed) throw new CaseRuleError('CASE_NOT_FOUND', 'saken finnes ikke');
    const { events } = await this.run(parsed.municipalityNumber, parsed.tenancyId, command.causation, (cases, account) => {
      // Authorised against the case itself and the tenancy's current office, not a read model that may lag.
      const found = findCase(cases, command.caseId);
      if (!found || !mayReadCase(command.caller, { municipalityNumber: found.opened.municipalityNumber, navOffice: account?.navOffice ?? found.opened.navOffice })) {
        throw new CaseRuleError('CASE_NOT_FOUND', 'saken finnes ikke');
      }
      return recordContact(cases, { caseId: command.caseId, ...command.contact });
    });
    return events;
  }
}

@CommandHandler(CloseCaseCommand)
export class CloseCaseHandler extends CaseCommandHandler implements ICommandHandler<CloseCaseCommand> {
  async execute(command: CloseCaseCommand): Promise<readonly CaseEvent[]> {
    const parsed = parseCaseId(command.caseId);
    if (!parsed) return [];
    // What is overdue today is recorded with the closing: NAV's conclusion covers it, so only
    // arrears beyond it open a new case (`openingAfterNavClosed`, issue 10).
    const { events } = await this.run(parsed.municipalityNumber, parsed.tenancyId, command.causation, (cases, account, today) =>
      closeCase(cases, command.caseId, command.outcome, today, account?.overdueOre),
    );
    return events;
  }
}

@CommandHandler(RecordNavContactCommand)
export class RecordNavContactHandler extends CaseCommandHandler implements ICommandHandler<RecordNavContactCommand> {
  async execute(command: RecordNavContactCommand): Promise<readonly CaseEvent[]> {
    const parsed = parseCaseId(command.caseId);
    if (!parsed) return [];
    const { events } = await this.run(parsed.municipalityNumber, parsed.tenancyId, command.causation, (cases) =>
      recordNavContact(cases, { caseId: command.caseId, navContactId: command.navContactId, contactedOn: command.contactedOn }),
    );
    return events;
  }
}

export const CASE_COMMAND_HANDLERS = [EvaluateArrearsHandler, EscalateIfNoContactHandler, RecordContactHandler, CloseCaseHandler, RecordNavContactHandler];
