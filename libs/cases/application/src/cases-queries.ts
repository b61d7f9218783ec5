import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { CompiledQuery, Kysely } from 'kysely';
import { hasRole, mayActIn, type Caller } from '@evp/auth';
import { keysetPage, type CursorValue, type KeysetOrder } from '@evp/read-models';
import { READ_MODEL_READER, type ReadModelReader } from '@evp/runtime';
import type { PolicyReason } from '@evp/cases-domain';
import { mayReadCase } from './commands';
import { CASES_PROJECTION, CASES_PROJECTION_VERSION, type CaseRow, type CaseStatus, type CaseTables, type TimelineRow } from './cases-projection';

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

export interface CasePage {
  readonly total: number;
  readonly items: CaseSummary[];
  readonly nextCursor: string | null;
}

/** A page's weight in the reader's result cache: its rows. */
const pageWeight = (page: CasePage) => page.items.length + 1;
/** A case's: its row and its timeline's. */
const caseWeight = (found: CaseDetail | null) => 1 + (found?.timeline.length ?? 0);

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
    if (!readers(caller)) return undefined;
    // The case as stored, the same for every caller (so keyed by its id alone), from the reader's
    // result cache while no row changed; who may see it is decided below, on every request.
    const key = JSON.stringify(['case', caseId]);
    const found = await this.readModels.cached<CaseTables, CaseDetail | null>(CASES_PROJECTION, CASES_PROJECTION_VERSION, key, (db) => this.load(db, caseId), caseWeight);
    if (!found || !mayReadCase(caller, { municipalityNumber: found.municipalityNumber, navOffice: found.navOffice })) return undefined;
    return found;
  }

  private async load(db: Kysely<CaseTables>, caseId: string): Promise<CaseDetail | null> {
    const queries = compiledCaseQueries(db);
    const [row] = (await db.executeQuery(withCaseId(queries.row, caseId))).rows;
    if (!row) return null;
    const timeline = (await db.executeQuery(withCaseId(queries.timeline, caseId))).rows;
    return { ...summary(row), timeline: timeline.map((t) => ({ at: t.at, on: t.on, type: t.type, summary: t.summary, actorRole: t.actor_role })) };
  }
}

@QueryHandler(ListCasesQuery)
export class ListCasesHandler extends CaseQueryHandler implements IQueryHandler<ListCasesQuery> {
  constructor(@Inject(READ_MODEL_READER) readModels: ReadModelReader) {
    super(readModels);
  }

  async execute(q: ListCasesQuery): Promise<CasePage> {
    if (!readers(q.caller) || !mayActIn(q.caller, q.municipalityNumber)) return { total: 0, items: [], nextCursor: null };
    // Everything the page depends on besides the rows: the caller's reach is the municipality (checked above) and, for a NAV adviser, the office.
    const office = navOnly(q.caller) ? (q.caller.navOffice ?? '') : null;
    const key = JSON.stringify(['cases', q.municipalityNumber, office, q.status, q.sort, q.after ?? null, q.limit]);
    return this.readModels.cached<CaseTables, CasePage>(CASES_PROJECTION, CASES_PROJECTION_VERSION, key, (db) => this.page(db, q), pageWeight);
  }

  private async page(db: Kysely<CaseTables>, q: ListCasesQuery): Promise<CasePage> {
    const { query, order } = caseListQuery(db, q);
    const [page, total] = await Promise.all([keysetPage(query, { order, ...(q.after ? { after: q.after } : {}), limit: q.limit }), this.total(db, q.caller, q.municipalityNumber, CASE_LIST_STATUSES[q.status])]);
    return { total, items: page.rows.map(summary), nextCursor: page.nextCursor };
  }
}

/** Stands for the case id in the case page's compiled queries. */
const CASE_ID_PLACEHOLDER = '\u0000case-id';
const compiled = new WeakMap<Kysely<CaseTables>, { row: CompiledQuery<CaseRow>; timeline: CompiledQuery<TimelineRow> }>();

/**
 * The case page's two queries, built and compiled once per mapped database (the reader keeps one
 * per active generation, so these go with it) with a placeholder for the id: building, mapping
 * and compiling them cost more than running them.
 */
function compiledCaseQueries(db: Kysely<CaseTables>) {
  let queries = compiled.get(db);
  if (queries === undefined) {
    queries = { row: caseByIdQuery(db, CASE_ID_PLACEHOLDER).compile(), timeline: caseTimelineQuery(db, CASE_ID_PLACEHOLDER).compile() };
    compiled.set(db, queries);
  }
  return queries;
}

function withCaseId<R>(query: CompiledQuery<R>, caseId: string): CompiledQuery<R> {
  return { ...query, parameters: query.parameters.map((p) => (p === CASE_ID_PLACEHOLDER ? caseId : p)) };
}

/** One case's row: a primary-key look-up. */
export const caseByIdQuery = (db: Kysely<CaseTables>, caseId: string) => db.selectFrom('case_list').selectAll().where('case_id', '=', caseId);

/** One case's timeline in order: a range of the timeline's primary key. */
export const caseTimelineQuery = (db: Kysely<CaseTables>, caseId: string) => db.selectFrom('case_timeline').selectAll().where('case_id', '=', caseId).orderBy('revision');

/**
 * The case list's query and order, before the keyset condition and limit: every combination of
 * status, sort and NAV office is one range of an index of `case_list` read in its order (see the
 * projection's indexes), never a sort.
 */
export function caseListQuery(db: Kysely<CaseTables>, q: Pick<ListCasesQuery, 'caller' | 'municipalityNumber' | 'status' | 'sort'>) {
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
  return { query, order };
}

/** The husleierestanseteam's queue's query and order (see `caseListQuery`). */
export function arrearsQueueQuery(db: Kysely<CaseTables>, municipalityNumber: string) {
  const query = db.selectFrom('case_list').selectAll().where('municipality', '=', municipalityNumber).where('status', '=', 'escalated');
  const order: KeysetOrder[] = [
    { column: 'escalated_on', direction: 'asc' },
    { column: 'case_id', direction: 'asc' },
  ];
  return { query, order };
}

@QueryHandler(ArrearsTeamQueueQuery)
export class ArrearsTeamQueueHandler extends CaseQueryHandler implements IQueryHandler<ArrearsTeamQueueQuery> {
  constructor(@Inject(READ_MODEL_READER) readModels: ReadModelReader) {
    super(readModels);
  }

  async execute(q: ArrearsTeamQueueQuery): Promise<CasePage> {
    if (!hasRole(q.caller, 'arrears-team', 'admin') || !mayActIn(q.caller, q.municipalityNumber)) return { total: 0, items: [], nextCursor: null };
    // The queue is the same for everyone allowed to see it (arrears team and admins see every office).
    const key = JSON.stringify(['queue', q.municipalityNumber, q.after ?? null, q.limit]);
    return this.readModels.cached<CaseTables, CasePage>(CASES_PROJECTION, CASES_PROJECTION_VERSION, key, (db) => this.page(db, q), pageWeight);
  }

  private async page(db: Kysely<CaseTables>, q: ArrearsTeamQueueQuery): Promise<CasePage> {
    const { query, order } = arrearsQueueQuery(db, q.municipalityNumber);
    const [page, total] = await Promise.all([keysetPage(query, { order, ...(q.after ? { after: q.after } : {}), limit: q.limit }), this.total(db, q.caller, q.municipalityNumber, ['escalated'])]);
    return { total, items: page.rows.map(summary), nextCursor: page.nextCursor };
  }
}

export const CASE_QUERY_HANDLERS = [GetCaseHandler, ListCasesHandler, ArrearsTeamQueueHandler];
