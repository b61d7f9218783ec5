import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Kysely } from 'kysely';
import { hasRole, mayActIn, type Caller } from '@evp/auth';
import { keysetPage, type CursorValue, type KeysetOrder } from '@evp/read-models';
import { READ_MODEL_READER, type ReadModelReader } from '@evp/runtime';
import type { PolicyReason } from '@evp/cases-domain';
import { mayReadCase } from './commands';
import { CASES_PROJECTION, CASES_PROJECTION_VERSION, type CaseRow, type CaseStatus, type CaseTables } from './cases-projection';

export interface CaseSummary {
  readonly caseId: string;
  readonly tenancyKey: string;
  readonly municipalityNumber: string;
  readonly tenancyId: string;
  readonly navOffice: string;
  readonly status: CaseStatus;
  readonly openedOn: string;
  readonly firstContactDeadline: string;
  readonly arrearsOreAtOpening: number;
  readonly openingReasons: readonly PolicyReason[];
  readonly contacts: number;
  readonly lastContactOn: string | null;
  readonly escalatedOn: string | null;
  readonly escalationReasons: readonly PolicyReason[];
  readonly resolvedOn: string | null;
  readonly outcome: string | null;
}

export interface CaseDetail extends CaseSummary {
  readonly timeline: ReadonlyArray<{ at: string; on: string; type: string; summary: string; actorRole: string }>;
}

export const CASE_LIST_STATUSES = { open: ['open'], escalated: ['escalated'], resolved: ['resolved'], active: ['open', 'escalated'], all: ['open', 'escalated', 'resolved'] } as const;
export type CaseListStatus = keyof typeof CASE_LIST_STATUSES;

const summary = (r: CaseRow): CaseSummary => ({
  caseId: r.case_id,
  tenancyKey: r.tenancy_key,
  municipalityNumber: r.municipality,
  tenancyId: r.tenancy_id,
  navOffice: r.nav_office,
  status: r.status,
  openedOn: r.opened_on,
  firstContactDeadline: r.first_contact_deadline,
  arrearsOreAtOpening: Number(r.arrears_ore_at_opening),
  openingReasons: JSON.parse(r.opening_reasons) as PolicyReason[],
  contacts: r.contacts,
  lastContactOn: r.last_contact_on,
  escalatedOn: r.escalated_on,
  escalationReasons: JSON.parse(r.escalation_reasons) as PolicyReason[],
  resolvedOn: r.resolved_on,
  outcome: r.outcome,
});

const readers = (caller: Caller) => hasRole(caller, 'accounting', 'arrears-team', 'admin', 'nav-adviser');
/** NAV advisers see their own office's cases only; the others every case of their municipalities. */
const navOnly = (caller: Caller) => !hasRole(caller, 'accounting', 'arrears-team', 'admin');

/** One case with its whole timeline; `undefined` when it does not exist or is out of the caller's reach (a 404 either way). */
export class GetCaseQuery {
  constructor(
    readonly caller: Caller,
    readonly caseId: string,
  ) {}
}

/** Cases of one municipality, newest first (or by first-contact deadline), one keyset page at a time. */
export class ListCasesQuery {
  constructor(
    readonly caller: Caller,
    readonly municipalityNumber: string,
    readonly status: CaseListStatus,
    readonly sort: 'opened' | 'deadline',
    readonly after: readonly CursorValue[] | undefined,
    readonly limit: number,
  ) {}
}

/** The husleierestanseteam's queue: escalated, unresolved cases of one municipality, the longest-waiting first. */
export class ArrearsTeamQueueQuery {
  constructor(
    readonly caller: Caller,
    readonly municipalityNumber: string,
    readonly after: readonly CursorValue[] | undefined,
    readonly limit: number,
  ) {}
}

abstract class CaseQueryHandler {
  constructor(protected readonly readModels: ReadModelReader) {}

  protected db(): Promise<Kysely<CaseTables>> {
    return this.readModels.projection<CaseTables>(CASES_PROJECTION, CASES_PROJECTION_VERSION);
  }

  /** How many cases of these statuses the caller can see in the municipality: a sum over a few counter rows. */
  protected async total(db: Kysely<CaseTables>, caller: Caller, municipality: string, statuses: readonly CaseStatus[]): Promise<number> {
    let query = db.selectFrom('case_counts').select((eb) => eb.fn.coalesce(eb.fn.sum<number>('n'), eb.lit(0)).as('n')).where('municipality', '=', municipality).where('status', 'in', statuses);
    if (navOnly(caller)) query = query.where('nav_office', '=', caller.navOffice ?? '');
    return Number((await query.executeTakeFirst())?.n ?? 0);
  }
}

@QueryHandler(GetCaseQuery)
export class GetCaseHandler extends CaseQueryHandler implements IQueryHandler<GetCaseQuery, CaseDetail | undefined> {
  constructor(@Inject(READ_MODEL_READER) readModels: ReadModelReader) {
    super(readModels);
  }

  async execute({ caller, caseId }: GetCaseQuery): Promise<CaseDetail | undefined> {
    const db = await this.db();
    const row = await db.selectFrom('case_list').selectAll().where('case_id', '=', caseId).executeTakeFirst();
    if (!row || !readers(caller) || !mayReadCase(caller, { municipalityNumber: row.municipality, navOffice: row.nav_office })) return undefined;
    const timeline = await db.selectFrom('case_timeline').selectAll().where('case_id', '=', caseId).orderBy('revision').execute();
    return { ...summary(row), timeline: timeline.map((t) => ({ at: t.at, on: t.on, type: t.type, summary: t.summary, actorRole: t.actor_role })) };
  }
}

@QueryHandler(ListCasesQuery)
export class ListCasesHandler extends CaseQueryHandler implements IQueryHandler<ListCasesQuery> {
  constructor(@Inject(READ_MODEL_READER) readModels: ReadModelReader) {
    super(readModels);
  }

  async execute(q: ListCasesQuery): Promise<{ total: number; items: CaseSummary[]; nextCursor: string | null }> {
    if (!readers(q.caller) || !mayActIn(q.caller, q.municipalityNumber)) return { total: 0, items: [], nextCursor: null };
    const db = await this.db();
    const statuses = CASE_LIST_STATUSES[q.status];
    let query = db.selectFrom('case_list').selectAll().where('municipality', '=', q.municipalityNumber);
    if (navOnly(q.caller)) query = query.where('nav_office', '=', q.caller.navOffice ?? '');
    if (q.status === 'active') query = query.where('active', '=', 1);
    else if (q.status !== 'all') query = query.where('status', '=', q.status);
    const order: KeysetOrder[] =
      q.sort === 'deadline'
        ? [
            { column: 'first_contact_deadline', direction: 'asc' },
            { column: 'case_id', direction: 'asc' },
          ]
        : [
            { column: 'opened_on', direction: 'desc' },
            { column: 'case_id', direction: 'desc' },
          ];
    const [page, total] = await Promise.all([keysetPage(query, { order, ...(q.after ? { after: q.after } : {}), limit: q.limit }), this.total(db, q.caller, q.municipalityNumber, statuses)]);
    return { total, items: page.rows.map(summary), nextCursor: page.nextCursor };
  }
}

@QueryHandler(ArrearsTeamQueueQuery)
export class ArrearsTeamQueueHandler extends CaseQueryHandler implements IQueryHandler<ArrearsTeamQueueQuery> {
  constructor(@Inject(READ_MODEL_READER) readModels: ReadModelReader) {
    super(readModels);
  }

  async execute(q: ArrearsTeamQueueQuery): Promise<{ total: number; items: CaseSummary[]; nextCursor: string | null }> {
    if (!hasRole(q.caller, 'arrears-team', 'admin') || !mayActIn(q.caller, q.municipalityNumber)) return { total: 0, items: [], nextCursor: null };
    const db = await this.db();
    const query = db.selectFrom('case_list').selectAll().where('municipality', '=', q.municipalityNumber).where('status', '=', 'escalated');
    const order: KeysetOrder[] = [
      { column: 'escalated_on', direction: 'asc' },
      { column: 'case_id', direction: 'asc' },
    ];
    const [page, total] = await Promise.all([keysetPage(query, { order, ...(q.after ? { after: q.after } : {}), limit: q.limit }), this.total(db, q.caller, q.municipalityNumber, ['escalated'])]);
    return { total, items: page.rows.map(summary), nextCursor: page.nextCursor };
  }
}

export const CASE_QUERY_HANDLERS = [GetCaseHandler, ListCasesHandler, ArrearsTeamQueueHandler];
