import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { osloDate } from '@evp/shared-kernel';
import type { EventStore, EventTypeMap } from '@evp/event-store';
import { EVENT_STORE, EVENT_TYPES, decideAndAppend, type Causation, type Decider } from '@evp/runtime';
import { hasRole, mayActIn, type Caller } from '@evp/auth';
import {
  PeopleRuleError,
  archiveObligation,
  decideErasure,
  decideLiftRestriction,
  decideRestriction,
  evolvePerson,
  initialPerson,
  municipalitiesOf,
  personStreamName,
  type ArchivePolicy,
  type ErasureOutcome,
  type ErasureReason,
  type PeopleEvent,
  type Person,
  type RestrictionBasis,
  type RestrictionLiftReason,
} from '@evp/people-domain';
import { PersonKeyStore } from './person-key-store';
import { readArchiveFacts } from './person-streams';
import { PEOPLE_ARCHIVE_POLICY, PERSON_KEY_STORE } from './tokens';

const peopleDecider: Decider<Person, PeopleEvent> = { initialState: initialPerson, evolve: evolvePerson };

/** Erase a person's personal data (an `admin` decision). Refused and turned into a restriction when an archive obligation holds. */
export class ErasePersonCommand {
  constructor(
    readonly caller: Caller,
    readonly personId: string,
    readonly reason: ErasureReason,
    readonly causation: Causation,
  ) {}
}

/** Restrict a person's data to `admin` (an `admin` decision). */
export class RestrictPersonCommand {
  constructor(
    readonly caller: Caller,
    readonly personId: string,
    readonly basis: RestrictionBasis,
    readonly causation: Causation,
  ) {}
}

/** Lift a person's restriction (an `admin` decision, after the person was told: GDPR art. 18 (3)). */
export class LiftRestrictionCommand {
  constructor(
    readonly caller: Caller,
    readonly personId: string,
    readonly reason: RestrictionLiftReason,
    readonly subjectInformedOn: string,
    readonly causation: Causation,
  ) {}
}

const notFound = () => new PeopleRuleError('PERSON_NOT_FOUND', 'Finnes ikke');

/**
 * Only an admin of a municipality where the person has been a tenant reaches them (else 404). An
 * erasure destroys what every municipality holds on the person, and each municipality answers
 * for its own data, so it needs an admin of all of them.
 */
function authorise(caller: Caller, person: Person, all: boolean): void {
  if (!hasRole(caller, 'admin') || person.status === undefined) throw notFound();
  const municipalities = municipalitiesOf(person);
  if (!municipalities.some((m) => mayActIn(caller, m))) throw notFound();
  const outside = municipalities.filter((m) => !mayActIn(caller, m));
  if (all && outside.length) {
    throw new PeopleRuleError('OTHER_MUNICIPALITY', `Personen er også leietaker i kommune ${outside.join(', ')}, som du ikke har tilgang til; sletting må gjøres av en administrator med tilgang til alle kommunene`);
  }
}

@CommandHandler(ErasePersonCommand)
export class ErasePersonHandler implements ICommandHandler<ErasePersonCommand, ErasureOutcome> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(EVENT_TYPES) private readonly types: EventTypeMap,
    @Inject(PERSON_KEY_STORE) private readonly keys: PersonKeyStore,
    @Inject(PEOPLE_ARCHIVE_POLICY) private readonly policy: ArchivePolicy,
  ) {}

  async execute(command: ErasePersonCommand): Promise<ErasureOutcome> {
    const today = osloDate(command.causation.now);
    let result: ErasureOutcome = { outcome: 'already-erased' };
    const { state } = await decideAndAppend({
      store: this.store,
      types: this.types,
      streamName: personStreamName(command.personId),
      decider: peopleDecider,
      causation: command.causation,
      // The tenancies and their cases are read again on every attempt: a conflict means something changed.
      decide: async (person) => {
        authorise(command.caller, person, true);
        const obligation = person.status === 'erased' ? undefined : archiveObligation(command.personId, await readArchiveFacts(this.store, this.types, person), today, this.policy);
        const decision = decideErasure(person, { personId: command.personId, reason: command.reason, today, obligation });
        result = decision.result;
        return decision.events;
      },
    });
    // The event first, then the key: once PersonErased is stored every reader shows the
    // placeholder, and a crash before the delete is finished by the next erasure attempt (which
    // decides «already erased» and deletes again) or by the person's next registration.
    if (state.status === 'erased') await this.keys.delete(command.personId);
    return result;
  }
}

@CommandHandler(RestrictPersonCommand)
export class RestrictPersonHandler implements ICommandHandler<RestrictPersonCommand, { restricted: boolean }> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(EVENT_TYPES) private readonly types: EventTypeMap,
  ) {}

  async execute(command: RestrictPersonCommand): Promise<{ restricted: boolean }> {
    const { events } = await decideAndAppend({
      store: this.store,
      types: this.types,
      streamName: personStreamName(command.personId),
      decider: peopleDecider,
      causation: command.causation,
      decide: (person) => {
        authorise(command.caller, person, false);
        return decideRestriction(person, { personId: command.personId, basis: command.basis });
      },
    });
    return { restricted: events.length > 0 };
  }
}

@CommandHandler(LiftRestrictionCommand)
export class LiftRestrictionHandler implements ICommandHandler<LiftRestrictionCommand, { lifted: boolean }> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(EVENT_TYPES) private readonly types: EventTypeMap,
  ) {}

  async execute(command: LiftRestrictionCommand): Promise<{ lifted: boolean }> {
    const today = osloDate(command.causation.now);
    const { events } = await decideAndAppend({
      store: this.store,
      types: this.types,
      streamName: personStreamName(command.personId),
      decider: peopleDecider,
      causation: command.causation,
      decide: (person) => {
        authorise(command.caller, person, false);
        return decideLiftRestriction(person, { personId: command.personId, today, subjectInformedOn: command.subjectInformedOn, reason: command.reason });
      },
    });
    return { lifted: events.length > 0 };
  }
}

export const PEOPLE_COMMAND_HANDLERS = [ErasePersonHandler, RestrictPersonHandler, LiftRestrictionHandler];
