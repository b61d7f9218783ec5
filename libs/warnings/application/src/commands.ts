import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { deterministicId, osloDate, type LocalDate, type Ore } from '@evp/shared-kernel';
import { WrongExpectedRevisionError, type EventStore, type EventTypeMap, type ExpectedRevision, type JsonObject, type StreamAppend } from '@evp/event-store';
import { APP_CONFIG, EVENT_STORE, EVENT_TYPES, personIdKey, type AppConfig, type Causation } from '@evp/runtime';
import { actingRole, hasRole, mayActIn, type Caller, type Role } from '@evp/auth';
import { RENT_ACCOUNTS, type RentAccounts } from '@evp/ledger-contract';
import {
  ObjectionRuleError,
  WarningRuleError,
  evolveObjection,
  evolveReservations,
  evolveWarning,
  forwardWarning,
  initialObjection,
  initialReservations,
  initialWarning,
  objectionStreamName,
  objectionsOnRecord,
  registerObjection,
  reportStep,
  reservationStreamName,
  stopIfPaid,
  submitWarning,
  warningIdOf,
  warningStreamName,
  warningTenancyIndexStreamName,
  withdrawObjection,
  type EvictionGround,
  type LandlordKind,
  type Objection,
  type ObjectionEvent,
  type ReportedStep,
  type Reservations,
  type Warning,
  type WarningDeadlinePolicy,
  type WarningEvent,
  type WarningSubmitted,
  type WarnedTenant,
} from '@evp/warnings-domain';
import { PEOPLE_DIRECTORY, type PeopleDirectory, type PersonToRecord } from '@evp/people-contract';
import { IdentityKeys, type PersonIdentity } from './people';

/** Injection tokens: the deadline engine's lengths, and which NAV office serves each municipality (configuration). */
export const WARNING_POLICY = 'warnings.DeadlinePolicy';
export const WARNING_NAV_OFFICES = 'warnings.NavOffices';

/** The roles that register objections on the tenant's behalf besides the landlord: the municipal services. */
export const MUNICIPAL_SERVICES: readonly Role[] = ['nav-adviser', 'nav-lead', 'arrears-team', 'admin'];

/** The submission refused as a whole, naming each field (422); nothing is stored. */
export class WarningInputError extends Error {
  override readonly name = 'WarningInputError';
  constructor(readonly errors: ReadonlyArray<{ line: number | null; column: string | null; reason: string }>) {
    super('warning input refused');
  }
}

/** A landlord's warning as the api validated it. */
export interface WarningSubmission {
  readonly landlord: { readonly kind: LandlordKind; readonly name: string; readonly organisationNumber: string | null };
  readonly municipalityNumber: string;
  readonly dwelling: { readonly address: string; readonly tenancyId: string | null };
  readonly tenants: ReadonlyArray<{ readonly identity: PersonIdentity & { readonly birthDate: LocalDate }; readonly noticeSentOn: LocalDate | null }>;
  readonly ground: EvictionGround;
  readonly arrearsOre: Ore;
  readonly arrearsMonths: readonly string[];
  readonly plannedPetitionOn: LocalDate;
  readonly declarations: { readonly tenantGotCopy: boolean; readonly noWrittenObjectionReceived: boolean };
}

export interface SubmitResult {
  readonly warningId: string;
  /** False when the very same warning was submitted before (a retry): nothing new was stored. */
  readonly created: boolean;
  readonly warning: Warning;
}

export class SubmitWarningCommand {
  constructor(
    readonly caller: Caller,
    readonly submission: WarningSubmission,
    readonly causation: Causation,
  ) {}
}

/** Sent by the warnings workflow for a received warning. */
export class ForwardWarningCommand {
  constructor(
    readonly warningId: string,
    readonly causation: Causation,
  ) {}
}

/** Sent by the warnings workflow when the municipal tenancy's account was reduced. */
export class StopEvictionIfPaidCommand {
  constructor(
    readonly warningId: string,
    readonly causation: Causation,
  ) {}
}

export class ReportStepCommand {
  constructor(
    readonly caller: Caller,
    readonly warningId: string,
    readonly stepId: string,
    readonly step: ReportedStep,
    readonly causation: Causation,
  ) {}
}

export interface StepResult {
  readonly recorded: boolean;
  readonly warning: Warning;
  readonly event: WarningEvent | undefined;
}

export class RegisterObjectionCommand {
  constructor(
    readonly caller: Caller,
    readonly objection: { readonly objectionId: string; readonly municipalityNumber: string; readonly identity: PersonIdentity & { readonly birthDate: LocalDate }; readonly receivedOn: LocalDate },
    readonly causation: Causation,
  ) {}
}

export class WithdrawObjectionCommand {
  constructor(
    readonly caller: Caller,
    readonly objectionId: string,
    readonly withdrawnOn: LocalDate,
    readonly causation: Causation,
  ) {}
}

export interface ObjectionResult {
  readonly objectionId: string;
  readonly changed: boolean;
  readonly objection: Objection;
}

/** Who may act on an objection: the landlord who registered it, or the municipal services of its municipality. Others: 404. */
export function mayHandleObjection(caller: Caller, objection: Objection): boolean {
  const registered = objection.registered;
  if (!registered) return false;
  if (hasRole(caller, ...MUNICIPAL_SERVICES) && mayActIn(caller, registered.municipalityNumber)) return true;
  return hasRole(caller, 'landlord') && caller.landlordId !== null && registered.registeredBy.landlordId === caller.landlordId;
}

const MAX_ATTEMPTS = 6;

interface PendingAppend {
  readonly streamName: string;
  readonly expectedRevision: ExpectedRevision;
  readonly events: ReadonlyArray<{ readonly id?: string; readonly type: string; readonly data: unknown; readonly schemaVersion?: number }>;
}

/**
 * The warnings context's command plumbing: load a stream through the one type map (upcasters
 * apply), decide, and append the decision across streams with their expected revisions; a conflict
 * reloads and decides again. Event ids derive from the stream, the cause and the position, so a
 * repeated cause appends nothing new (invariant 2).
 */
export abstract class WarningCommandBase {
  protected readonly keys: IdentityKeys;

  constructor(
    protected readonly store: EventStore,
    protected readonly types: EventTypeMap,
    config: AppConfig,
  ) {
    this.keys = new IdentityKeys(personIdKey(config));
  }

  protected async load<S, E>(streamName: string, initial: () => S, evolve: (s: S, e: E) => S): Promise<{ state: S; revision: number }> {
    const recorded = await this.store.readStream(streamName);
    const state = recorded.reduce((s, e) => evolve(s, { type: e.type, data: this.types.upcast(e) } as unknown as E), initial());
    return { state, revision: recorded.length - 1 };
  }

  protected loadWarning(warningId: string) {
    return this.load<Warning, WarningEvent>(warningStreamName(warningId), initialWarning, evolveWarning);
  }

  /** The register's streams for these keys, as they stand now, each with the revision read. */
  protected async reservations(keys: readonly string[]): Promise<Map<string, Reservations & { revision: number }>> {
    const unique = [...new Set(keys)];
    const loaded = await Promise.all(unique.map(async (key) => [key, await this.load(reservationStreamName(key), initialReservations, evolveReservations)] as const));
    return new Map(loaded.map(([key, { state, revision }]) => [key, { ...state, revision }]));
  }

  protected async append(appends: readonly PendingAppend[], causation: Causation): Promise<void> {
    const metadata = (type: string, schemaVersion: number | undefined) => ({
      correlationId: causation.correlationId,
      causationId: causation.id,
      actor: causation.actor,
      occurredAt: causation.now.toISOString(),
      schemaVersion: schemaVersion ?? this.types.schemaVersionOf(type),
    });
    const streams: StreamAppend[] = appends
      .filter((a) => a.events.length > 0)
      .map((a) => ({
        streamName: a.streamName,
        expectedRevision: a.expectedRevision,
        events: a.events.map((e, i) => ({
          id: e.id ?? deterministicId(`${a.streamName}|${causation.id}|${i}|${e.type}`),
          type: e.type,
          data: e.data as JsonObject,
          metadata: metadata(e.type, e.schemaVersion),
        })),
      }));
    if (streams.length > 0) await this.store.appendToStreams(streams);
  }

  protected async retrying<T>(attempt: () => Promise<T>): Promise<T> {
    for (let i = 0; ; i++) {
      try {
        return await attempt();
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError) || i >= MAX_ATTEMPTS - 1) throw error;
      }
    }
  }
}

const revisionOf = (revision: number): ExpectedRevision => (revision < 0 ? 'no_stream' : revision);

@CommandHandler(SubmitWarningCommand)
export class SubmitWarningHandler extends WarningCommandBase implements ICommandHandler<SubmitWarningCommand, SubmitResult> {
  constructor(@Inject(EVENT_STORE) store: EventStore, @Inject(EVENT_TYPES) types: EventTypeMap, @Inject(APP_CONFIG) config: AppConfig, @Inject(PEOPLE_DIRECTORY) private readonly people: PeopleDirectory) {
    super(store, types, config);
  }

  async execute({ caller, submission, causation }: SubmitWarningCommand): Promise<SubmitResult> {
    const landlordId = caller.landlordId;
    if (!hasRole(caller, 'landlord') || !landlordId) throw new WarningRuleError('WARNING_NOT_FOUND', 'Bare en utleier kan sende varsel om fravikelse');
    const tenants: WarnedTenant[] = submission.tenants.map((t, i) => ({
      tenantRef: `t${i + 1}`,
      personId: this.keys.personId(t.identity),
      matchKeys: this.keys.matchKeys(t.identity),
      identifiedBy: t.identity.nationalId ? 'national-id' : 'name-and-birth-date',
      noticeSentOn: t.noticeSentOn,
    }));
    const seen = new Map<string, number>();
    const duplicates = tenants.flatMap((t, i) => {
      const first = seen.get(t.personId);
      seen.set(t.personId, first ?? i);
      return first === undefined ? [] : [{ line: null, column: `tenants.${i}`, reason: `er samme person som leietaker ${first + 1}` }];
    });
    if (duplicates.length) throw new WarningInputError(duplicates);

    const landlordPersonId = submission.landlord.kind === 'private-person' ? (caller.landlordPersonId ?? this.keys.landlordPersonId(landlordId)) : null;
    const warningId = warningIdOf(landlordId, tenants);
    const today = osloDate(causation.now);
    const householdId = submission.dwelling.tenancyId ?? this.keys.householdId(landlordId, submission.municipalityNumber, submission.dwelling.address);
    const content = {
      landlord: { ...submission.landlord, personId: landlordPersonId },
      municipalityNumber: submission.municipalityNumber,
      dwelling: submission.dwelling,
      tenants,
      ground: submission.ground,
      arrearsOre: submission.arrearsOre,
      arrearsMonths: submission.arrearsMonths,
      plannedPetitionOn: submission.plannedPetitionOn,
      declarations: submission.declarations,
    };
    const data: WarningSubmitted['data'] = {
      warningId,
      landlordId,
      // A private person's name is personal data: it goes to the people context, never into the event.
      landlord: { kind: submission.landlord.kind, name: landlordPersonId ? null : submission.landlord.name, organisationNumber: submission.landlord.organisationNumber, personId: landlordPersonId },
      municipalityNumber: submission.municipalityNumber,
      dwelling: submission.dwelling,
      householdId,
      tenants,
      ground: submission.ground,
      arrearsOre: submission.arrearsOre,
      arrearsMonths: submission.arrearsMonths,
      plannedPetitionOn: submission.plannedPetitionOn,
      declarations: submission.declarations,
      submittedOn: today,
      fingerprint: this.keys.fingerprint(content),
    };
    // Each person linked to the warning's household: what lets the people context find the
    // household's tenants (NAV's notes are sealed for them) and the admin who may erase them.
    const household = (role: 'tenant' | 'landlord') => ({ municipalityNumber: submission.municipalityNumber, householdId, warningId, role });
    const tenancy = submission.dwelling.tenancyId ? { municipalityNumber: submission.municipalityNumber, tenancyId: submission.dwelling.tenancyId } : null;
    const toRecord: PersonToRecord[] = submission.tenants.map((t, i) => ({ personId: (tenants[i] as WarnedTenant).personId, ...t.identity, tenancy, household: household('tenant') }));
    if (landlordPersonId) toRecord.push({ personId: landlordPersonId, nationalId: null, name: submission.landlord.name, birthDate: null, tenancy: null, household: household('landlord') });

    return this.retrying(async () => {
      const { state, revision } = await this.loadWarning(warningId);
      const register = await this.reservations(tenants.flatMap((t) => t.matchKeys));
      const events = submitWarning(state, data, objectionsOnRecord(tenants, register));
      if (events.length === 0) return { warningId, created: false, warning: state };
      // People first, the warning last: on EventStoreDB (no atomic multi-stream append) a crash in
      // between leaves data nobody refers to yet, and the retry completes it with the same ids.
      const people = await this.people.preparePeople(toRecord);
      const tenancyId = submission.dwelling.tenancyId;
      await this.append(
        [
          ...people,
          ...(tenancyId
            ? [
                {
                  streamName: warningTenancyIndexStreamName(submission.municipalityNumber, tenancyId),
                  expectedRevision: 'any' as const,
                  events: [{ id: deterministicId(`warnings-of|${submission.municipalityNumber}-${tenancyId}|${warningId}`), type: 'warnings.WarningLinkedToTenancy', data: { warningId } }],
                },
              ]
            : []),
          { streamName: warningStreamName(warningId), expectedRevision: revisionOf(revision), events },
        ],
        causation,
      );
      return { warningId, created: true, warning: events.reduce(evolveWarning, state) };
    });
  }
}

@CommandHandler(ForwardWarningCommand)
export class ForwardWarningHandler extends WarningCommandBase implements ICommandHandler<ForwardWarningCommand, readonly WarningEvent[]> {
  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(EVENT_TYPES) types: EventTypeMap,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(WARNING_POLICY) private readonly policy: WarningDeadlinePolicy,
    @Inject(WARNING_NAV_OFFICES) private readonly navOffices: Readonly<Record<string, string>>,
  ) {
    super(store, types, config);
  }

  async execute({ warningId, causation }: ForwardWarningCommand): Promise<readonly WarningEvent[]> {
    const today = osloDate(causation.now);
    return this.retrying(async () => {
      const { state, revision } = await this.loadWarning(warningId);
      const data = state.submitted;
      if (!data) return [];
      const navOffice = this.navOffices[data.municipalityNumber];
      if (!navOffice) throw new Error(`No NAV office configured for municipality ${data.municipalityNumber} (WARNING_NAV_OFFICES)`);
      const register = await this.reservations(data.tenants.flatMap((t) => t.matchKeys));
      const events = forwardWarning(state, objectionsOnRecord(data.tenants, register), navOffice, today, this.policy);
      if (events.length === 0) return [];
      const forwarded = events.some((e) => e.type === 'warnings.WarningForwarded');
      // The register's streams are written with the revisions read: an objection registered since
      // makes this append conflict, and the decision is taken again with it on record.
      const checked = forwarded
        ? [...register].map(([key, r]) => ({ streamName: reservationStreamName(key), expectedRevision: revisionOf(r.revision), events: [{ type: 'warnings.ForwardingChecked', data: { warningId } }] }))
        : [];
      await this.append([...checked, { streamName: warningStreamName(warningId), expectedRevision: revisionOf(revision), events }], causation);
      return events;
    });
  }
}

@CommandHandler(StopEvictionIfPaidCommand)
export class StopEvictionIfPaidHandler extends WarningCommandBase implements ICommandHandler<StopEvictionIfPaidCommand, readonly WarningEvent[]> {
  constructor(@Inject(EVENT_STORE) store: EventStore, @Inject(EVENT_TYPES) types: EventTypeMap, @Inject(APP_CONFIG) config: AppConfig, @Inject(RENT_ACCOUNTS) private readonly accounts: RentAccounts) {
    super(store, types, config);
  }

  async execute({ warningId, causation }: StopEvictionIfPaidCommand): Promise<readonly WarningEvent[]> {
    const today = osloDate(causation.now);
    return this.retrying(async () => {
      const { state, revision } = await this.loadWarning(warningId);
      const data = state.submitted;
      if (!data?.dwelling.tenancyId) return [];
      // Read again on every attempt: the ledger's view of the account, exact as of now.
      const position = await this.accounts.position(data.municipalityNumber, data.dwelling.tenancyId, today);
      const events = stopIfPaid(state, position ? { overdueOre: position.overdueOre, asOf: position.asOf, revision: position.revision } : undefined, today);
      await this.append([{ streamName: warningStreamName(warningId), expectedRevision: revisionOf(revision), events }], causation);
      return events;
    });
  }
}

/** A landlord's own warning, or not found (the same answer for another landlord's and for none). */
export function isOwnWarning(caller: Caller, warning: Warning): boolean {
  return hasRole(caller, 'landlord') && caller.landlordId !== null && warning.submitted?.landlordId === caller.landlordId;
}

@CommandHandler(ReportStepCommand)
export class ReportStepHandler extends WarningCommandBase implements ICommandHandler<ReportStepCommand, StepResult> {
  constructor(@Inject(EVENT_STORE) store: EventStore, @Inject(EVENT_TYPES) types: EventTypeMap, @Inject(APP_CONFIG) config: AppConfig, @Inject(WARNING_POLICY) private readonly policy: WarningDeadlinePolicy) {
    super(store, types, config);
  }

  async execute({ caller, warningId, stepId, step, causation }: ReportStepCommand): Promise<StepResult> {
    const today = osloDate(causation.now);
    return this.retrying(async () => {
      const { state, revision } = await this.loadWarning(warningId);
      if (!state.submitted || !isOwnWarning(caller, state)) throw new WarningRuleError('WARNING_NOT_FOUND', 'Finnes ikke');
      const register = await this.reservations(state.submitted.tenants.flatMap((t) => t.matchKeys));
      const events = reportStep(state, { stepId, step, today, objections: objectionsOnRecord(state.submitted.tenants, register) }, this.policy);
      await this.append([{ streamName: warningStreamName(warningId), expectedRevision: revisionOf(revision), events }], causation);
      return { recorded: events.length > 0, warning: events.reduce(evolveWarning, state), event: events[0] };
    });
  }
}

@CommandHandler(RegisterObjectionCommand)
export class RegisterObjectionHandler extends WarningCommandBase implements ICommandHandler<RegisterObjectionCommand, ObjectionResult> {
  constructor(@Inject(EVENT_STORE) store: EventStore, @Inject(EVENT_TYPES) types: EventTypeMap, @Inject(APP_CONFIG) config: AppConfig, @Inject(PEOPLE_DIRECTORY) private readonly people: PeopleDirectory) {
    super(store, types, config);
  }

  async execute({ caller, objection, causation }: RegisterObjectionCommand): Promise<ObjectionResult> {
    const allowed: Role[] = ['landlord', ...MUNICIPAL_SERVICES];
    const role = actingRole(caller, allowed);
    const landlordId = role === 'landlord' ? caller.landlordId : null;
    if (role === 'landlord' && !landlordId) throw new ObjectionRuleError('OBJECTION_NOT_FOUND', 'Finnes ikke');
    const personId = this.keys.personId(objection.identity);
    const matchKeys = this.keys.matchKeys(objection.identity);
    const data = {
      objectionId: objection.objectionId,
      municipalityNumber: objection.municipalityNumber,
      personId,
      matchKeys,
      receivedOn: objection.receivedOn,
      registeredOn: osloDate(causation.now),
      registeredBy: { role, landlordId },
    };
    return this.retrying(async () => {
      const stream = objectionStreamName(objection.objectionId);
      const { state, revision } = await this.load<Objection, ObjectionEvent>(stream, initialObjection, evolveObjection);
      if (state.registered && !mayHandleObjection(caller, state)) throw new ObjectionRuleError('OBJECTION_CONFLICT', 'Det finnes allerede en reservasjon med samme nøkkel og annet innhold.');
      const events = registerObjection(state, data);
      if (events.length === 0) return { objectionId: objection.objectionId, changed: false, objection: state };
      // An objection names no household: the person is recorded, linked to nothing.
      const people = await this.people.preparePeople([{ personId, ...objection.identity, tenancy: null, household: null }]);
      // The register's streams before the objection's own: a crash in between leaves the
      // objection standing where decisions look for it (the tenant's side), and the retry completes it.
      const recorded = matchKeys.map((key) => ({
        streamName: reservationStreamName(key),
        expectedRevision: 'any' as const,
        events: [{ id: deterministicId(`${reservationStreamName(key)}|recorded|${objection.objectionId}`), type: 'warnings.ReservationRecorded', data: { objectionId: objection.objectionId } }],
      }));
      await this.append([...people, ...recorded, { streamName: stream, expectedRevision: revisionOf(revision), events }], causation);
      return { objectionId: objection.objectionId, changed: true, objection: events.reduce(evolveObjection, state) };
    });
  }
}

@CommandHandler(WithdrawObjectionCommand)
export class WithdrawObjectionHandler extends WarningCommandBase implements ICommandHandler<WithdrawObjectionCommand, ObjectionResult> {
  constructor(@Inject(EVENT_STORE) store: EventStore, @Inject(EVENT_TYPES) types: EventTypeMap, @Inject(APP_CONFIG) config: AppConfig) {
    super(store, types, config);
  }

  async execute({ caller, objectionId, withdrawnOn, causation }: WithdrawObjectionCommand): Promise<ObjectionResult> {
    return this.retrying(async () => {
      const stream = objectionStreamName(objectionId);
      const { state, revision } = await this.load<Objection, ObjectionEvent>(stream, initialObjection, evolveObjection);
      if (!mayHandleObjection(caller, state)) throw new ObjectionRuleError('OBJECTION_NOT_FOUND', 'Finnes ikke');
      const events = withdrawObjection(state, { withdrawnOn, byRole: actingRole(caller, ['landlord', ...MUNICIPAL_SERVICES]) });
      if (events.length === 0) return { objectionId, changed: false, objection: state };
      // The objection's own stream first and the register's last: until the lift is written the
      // objection still stands where decisions look for it.
      const lifted = (state.registered?.matchKeys ?? []).map((key) => ({
        streamName: reservationStreamName(key),
        expectedRevision: 'any' as const,
        events: [{ id: deterministicId(`${reservationStreamName(key)}|lifted|${objectionId}`), type: 'warnings.ReservationLifted', data: { objectionId } }],
      }));
      await this.append([{ streamName: stream, expectedRevision: revisionOf(revision), events }, ...lifted], causation);
      return { objectionId, changed: true, objection: events.reduce(evolveObjection, state) };
    });
  }
}

export const WARNING_API_COMMAND_HANDLERS = [SubmitWarningHandler, ReportStepHandler, RegisterObjectionHandler, WithdrawObjectionHandler];
export const WARNING_WORKER_COMMAND_HANDLERS = [ForwardWarningHandler, StopEvictionIfPaidHandler];
