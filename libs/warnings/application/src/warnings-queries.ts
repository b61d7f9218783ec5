import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { EventStore, EventTypeMap } from '@evp/event-store';
import { keysetPage, type CursorValue, type KeysetOrder } from '@evp/read-models';
import { EVENT_STORE, EVENT_TYPES, READ_MODEL_READER, type ReadModelReader } from '@evp/runtime';
import { hasRole, type Caller } from '@evp/auth';
import {
  closureText,
  evolveObjection,
  initialObjection,
  objectionStreamName,
  petitionDates,
  possibleSteps,
  stageText,
  warningStreamName,
  type ClosureReason,
  type EvictionStage,
  type Objection,
  type ObjectionEvent,
  type Ruling,
  type Warning,
  type WarningDeadlinePolicy,
  type WarningEvent,
  type WarningStatus,
} from '@evp/warnings-domain';
import { WARNING_POLICY, mayHandleObjection } from './commands';
import { ERASED_PERSON_PLACEHOLDER, PEOPLE_DIRECTORY, type PeopleDirectory, type PersonDescription } from '@evp/people-contract';
import { renderTenantCopy } from './tenant-copy';
import type { WarningDetail, WarningSummary } from './warning-views';
import { WARNINGS_PROJECTION, WARNINGS_PROJECTION_VERSION, foldWarningView, type WarningHistoryRow, type WarningRow, type WarningTables } from './warnings-projection';

export function statusText(status: WarningStatus, forwardedOn: string | null, closure: ClosureReason | null): string {
  switch (status) {
    case 'received':
      return 'Mottatt – blir sendt til NAV';
    case 'forwarded':
      return `Sendt til NAV ${forwardedOn ?? ''}`.trim();
    case 'not-forwarded':
      return 'Ikke sendt til NAV – leietakeren har reservert seg skriftlig mot slike varsler';
    case 'closed':
      return `Avsluttet – ${closure ? closureText(closure) : ''}`;
    default: {
      const never: never = status;
      return never;
    }
  }
}

export function summaryOf(r: WarningRow): WarningSummary {
  const status = r.status as WarningStatus;
  const closure = r.closure as ClosureReason | null;
  return {
    warningId: r.warning_id,
    status,
    statusText: statusText(status, r.forwarded_on, closure),
    submittedOn: r.submitted_on,
    forwardedOn: r.forwarded_on,
    navOffice: r.nav_office,
    notForwardedReason: r.not_forwarded_text,
    closedOn: r.closed_on,
    closure,
    stage: r.stage as EvictionStage,
    stageText: stageText(r.stage as EvictionStage),
    municipalityNumber: r.municipality,
    address: r.address,
    ground: r.ground,
    arrearsOre: Number(r.arrears_ore),
    plannedPetitionOn: r.planned_petition_on,
    petitionFiledOn: r.petition_filed_on,
    evictionOn: r.eviction_on,
    tenantCount: r.tenant_count,
  };
}

export const WARNING_LIST_STATUSES = ['all', 'open', 'received', 'forwarded', 'not-forwarded', 'closed'] as const;
export type WarningListStatus = (typeof WARNING_LIST_STATUSES)[number];

/** The caller's own warnings, newest first, one keyset page at a time. */
export class ListWarningsQuery {
  constructor(
    readonly caller: Caller,
    readonly status: WarningListStatus,
    readonly after: readonly CursorValue[] | undefined,
    readonly limit: number,
  ) {}
}

/** One of the caller's own warnings; `undefined` when it does not exist or is another landlord's (a 404 either way). */
export class GetWarningQuery {
  constructor(
    readonly caller: Caller,
    readonly warningId: string,
  ) {}
}

/** The tenant's copy as a PDF (bokmål); `undefined` like `GetWarningQuery`. */
export class TenantCopyQuery {
  constructor(
    readonly caller: Caller,
    readonly warningId: string,
  ) {}
}

export interface ObjectionView {
  readonly objectionId: string;
  readonly status: 'on-record' | 'withdrawn';
  readonly statusText: string;
  readonly municipalityNumber: string;
  readonly receivedOn: string;
  readonly registeredOn: string;
  readonly withdrawnOn: string | null;
}

/** An objection, for whoever registered it or the municipal services; `undefined` otherwise. */
export class GetObjectionQuery {
  constructor(
    readonly caller: Caller,
    readonly objectionId: string,
  ) {}
}

export function objectionView(o: Objection): ObjectionView | undefined {
  const r = o.registered;
  if (!r) return undefined;
  return {
    objectionId: r.objectionId,
    status: o.withdrawnOn ? 'withdrawn' : 'on-record',
    statusText: o.withdrawnOn
      ? `Trukket tilbake ${o.withdrawnOn}: nye varsler om leietakeren kan sendes til NAV.`
      : 'Registrert: varsler om fravikelse for denne leietakeren blir lagret, men aldri sendt til NAV så lenge reservasjonen står.',
    municipalityNumber: r.municipalityNumber,
    receivedOn: r.receivedOn,
    registeredOn: r.registeredOn,
    withdrawnOn: o.withdrawnOn,
  };
}

const landlordOnly = (caller: Caller) => hasRole(caller, 'landlord') && caller.landlordId !== null;

@QueryHandler(ListWarningsQuery)
export class ListWarningsHandler implements IQueryHandler<ListWarningsQuery> {
  constructor(@Inject(READ_MODEL_READER) private readonly readModels: ReadModelReader) {}

  async execute(q: ListWarningsQuery): Promise<{ total: number; items: WarningSummary[]; nextCursor: string | null }> {
    if (!landlordOnly(q.caller)) return { total: 0, items: [], nextCursor: null };
    const db = await this.readModels.projection<WarningTables>(WARNINGS_PROJECTION, WARNINGS_PROJECTION_VERSION);
    let query = db.selectFrom('warning_list').selectAll().where('landlord_id', '=', q.caller.landlordId as string);
    let count = db.selectFrom('warning_list').select((eb) => eb.fn.countAll<number>().as('n')).where('landlord_id', '=', q.caller.landlordId as string);
    if (q.status === 'open') {
      query = query.where('status', '!=', 'closed');
      count = count.where('status', '!=', 'closed');
    } else if (q.status !== 'all') {
      query = query.where('status', '=', q.status);
      count = count.where('status', '=', q.status);
    }
    const order: KeysetOrder[] = [
      { column: 'submitted_on', direction: 'desc' },
      { column: 'warning_id', direction: 'desc' },
    ];
    const [page, total] = await Promise.all([keysetPage(query, { order, ...(q.after ? { after: q.after } : {}), limit: q.limit }), count.executeTakeFirst()]);
    return { total: Number(total?.n ?? 0), items: page.rows.map(summaryOf), nextCursor: page.nextCursor };
  }
}

/**
 * Reads a landlord's own warning from its stream, folded by the projection's own code: the status
 * page shows at once what a request just caused, and a warning is a handful of events.
 */
abstract class OwnWarningReader {
  constructor(
    protected readonly store: EventStore,
    protected readonly types: EventTypeMap,
    protected readonly people: PeopleDirectory,
    protected readonly policy: WarningDeadlinePolicy,
  ) {}

  protected async own(caller: Caller, warningId: string): Promise<{ detail: WarningDetail; state: Warning } | undefined> {
    if (!landlordOnly(caller)) return undefined;
    const recorded = await this.store.readStream(warningStreamName(warningId));
    const folded = foldWarningView(recorded.map((e) => ({ event: { type: e.type, data: this.types.upcast(e) } as unknown as WarningEvent, revision: e.revision, at: e.metadata.occurredAt })));
    if (!folded || folded.row.landlord_id !== caller.landlordId) return undefined;
    const state = JSON.parse(folded.row.state) as Warning;
    const data = state.submitted as NonNullable<Warning['submitted']>;
    const ids = [...data.tenants.map((t) => t.personId), ...(data.landlord.personId ? [data.landlord.personId] : [])];
    const names = await this.people.describe(ids);
    return { detail: detailOf(folded.row, folded.history, state, names, this.policy), state };
  }
}

const UNAVAILABLE: PersonDescription = { name: ERASED_PERSON_PLACEHOLDER, birthDate: null, available: false };

export function detailOf(row: WarningRow, history: readonly WarningHistoryRow[], state: Warning, names: ReadonlyMap<string, PersonDescription>, policy: WarningDeadlinePolicy): WarningDetail {
  const data = state.submitted as NonNullable<Warning['submitted']>;
  const dates = petitionDates(data.tenants, state.notices, policy);
  const dateOf = (tenantRef: string, rule: string) => dates.find((d) => d.tenantRef === tenantRef && d.rule === rule)?.date ?? null;
  return {
    ...summaryOf(row),
    landlord: {
      kind: data.landlord.kind,
      name: data.landlord.name ?? (names.get(data.landlord.personId ?? '') ?? UNAVAILABLE).name,
      organisationNumber: data.landlord.organisationNumber,
    },
    arrearsMonths: data.arrearsMonths,
    declarations: data.declarations,
    tenants: data.tenants.map((t) => {
      const person = names.get(t.personId) ?? UNAVAILABLE;
      return {
        tenantRef: t.tenantRef,
        name: person.name,
        birthDate: person.birthDate,
        identifiedBy: t.identifiedBy,
        noticeSentOn: state.notices[t.tenantRef] ?? null,
        petitionLegalOn: dateOf(t.tenantRef, 'petitionLegal'),
        petitionCarefulOn: dateOf(t.tenantRef, 'petitionCareful'),
      };
    }),
    advice: JSON.parse(row.advice) as Ruling[],
    deadlines: JSON.parse(row.deadlines) as Ruling[],
    possibleSteps: possibleSteps(state),
    history: history.map((h) => ({ on: h.on, kind: h.kind, text: h.text })),
  };
}

@QueryHandler(GetWarningQuery)
export class GetWarningHandler extends OwnWarningReader implements IQueryHandler<GetWarningQuery, WarningDetail | undefined> {
  constructor(@Inject(EVENT_STORE) store: EventStore, @Inject(EVENT_TYPES) types: EventTypeMap, @Inject(PEOPLE_DIRECTORY) people: PeopleDirectory, @Inject(WARNING_POLICY) policy: WarningDeadlinePolicy) {
    super(store, types, people, policy);
  }

  async execute({ caller, warningId }: GetWarningQuery): Promise<WarningDetail | undefined> {
    return (await this.own(caller, warningId))?.detail;
  }
}

@QueryHandler(TenantCopyQuery)
export class TenantCopyHandler extends OwnWarningReader implements IQueryHandler<TenantCopyQuery, Buffer | undefined> {
  constructor(@Inject(EVENT_STORE) store: EventStore, @Inject(EVENT_TYPES) types: EventTypeMap, @Inject(PEOPLE_DIRECTORY) people: PeopleDirectory, @Inject(WARNING_POLICY) policy: WarningDeadlinePolicy) {
    super(store, types, people, policy);
  }

  async execute({ caller, warningId }: TenantCopyQuery): Promise<Buffer | undefined> {
    const own = await this.own(caller, warningId);
    return own ? renderTenantCopy(own.detail, this.policy) : undefined;
  }
}

@QueryHandler(GetObjectionQuery)
export class GetObjectionHandler implements IQueryHandler<GetObjectionQuery, ObjectionView | undefined> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(EVENT_TYPES) private readonly types: EventTypeMap,
  ) {}

  async execute({ caller, objectionId }: GetObjectionQuery): Promise<ObjectionView | undefined> {
    const recorded = await this.store.readStream(objectionStreamName(objectionId));
    const state = recorded.reduce((s, e) => evolveObjection(s, { type: e.type, data: this.types.upcast(e) } as unknown as ObjectionEvent), initialObjection());
    return mayHandleObjection(caller, state) ? objectionView(state) : undefined;
  }
}

export const WARNING_QUERY_HANDLERS = [ListWarningsHandler, GetWarningHandler, TenantCopyHandler, GetObjectionHandler];
