import { EventTypeMap, type RecordedEvent } from '@evp/event-store';
import { CompiledQuery } from 'kysely';
import { ProjectionGenerations, applyBatch, decodeCursor, keysetQuery, mapGeneration, type ReadModelDb } from '@evp/read-models';
import { dumpTables, openThrowawayPostgres, openThrowawaySqlite, type ThrowawayReadModelDb } from '@evp/read-models/testing';
import { ReadModelReader } from '@evp/runtime';
import type { Caller } from '@evp/auth';
import { CasesProjection, type CaseTables } from './cases-projection';
import {
  ArrearsTeamQueueHandler,
  ArrearsTeamQueueQuery,
  CASE_LIST_STATUSES,
  GetCaseHandler,
  GetCaseQuery,
  ListCasesHandler,
  ListCasesQuery,
  arrearsQueueQuery,
  caseByIdQuery,
  caseListQuery,
  caseTimelineQuery,
  type CaseListStatus,
} from './cases-queries';
import { registerCaseEventTypes } from './event-classes';

/** Literal events as they stand in the log. */
let position = 0;
const recorded = (streamName: string, revision: number, type: string, data: Record<string, unknown>, occurredAt: string, role = 'system'): RecordedEvent => ({
  id: `00000000-0000-5000-8000-${String(++position).padStart(12, '0')}`,
  streamName,
  revision,
  position: String(position).padStart(12, '0'),
  type,
  data: data as RecordedEvent['data'],
  metadata: { correlationId: 'c', causationId: null, actor: { id: 'workflow-cases-arrears', role }, occurredAt, schemaVersion: 1 },
  recordedAt: occurredAt,
});

const details = (navOffice: string) => ({ address: 'Gate 1', monthlyRentOre: 928200, landlordKind: 'municipal', navOffice, tenantPersonIds: ['p1'] });
const opened = (tenancyId: string, openedOn: string, deadline: string) => ({
  caseId: `5035-${tenancyId}-1`,
  caseNo: 1,
  municipalityNumber: '5035',
  tenancyId,
  navOffice: 'nav-stjordal',
  openedOn,
  firstContactDeadline: deadline,
  arrearsOre: 928200,
  monthlyRentOre: 928200,
  daysPastGrace: 1,
  reasons: [{ policy: 'arrearsReachMonthsOfRent', explanation: 'Restansen er 9 282,00 kr.' }],
});

function history(): RecordedEvent[] {
  position = 0;
  return [
    recorded('tenancy-5035-100234', 0, 'ledger.TenancyRegistered', { municipalityNumber: '5035', tenancyId: '100234', ...details('nav-stjordal') }, '2026-10-01T08:00:00.000Z', 'accounting'),
    recorded('tenancy-5035-100236', 0, 'ledger.TenancyRegistered', { municipalityNumber: '5035', tenancyId: '100236', ...details('nav-stjordal') }, '2026-10-01T08:00:00.000Z', 'accounting'),
    recorded('tenancy-5035-100237', 0, 'ledger.TenancyRegistered', { municipalityNumber: '5035', tenancyId: '100237', ...details('nav-stjordal') }, '2026-10-01T08:00:00.000Z', 'accounting'),
    recorded('tenancy-5035-100234', 1, 'ledger.ChargePosted', { voucherRef: 'F-1', date: '2026-10-15', dueDate: '2026-11-02', period: '2026-11', amountOre: 928200 }, '2026-10-15T08:00:00.000Z', 'accounting'),
    recorded('case-5035-100234', 0, 'cases.CaseOpened', opened('100234', '2026-11-06', '2026-11-13'), '2026-11-06T09:00:00.000Z'),
    recorded('case-5035-100236', 0, 'cases.CaseOpened', opened('100236', '2026-11-06', '2026-11-13'), '2026-11-06T09:00:00.000Z'),
    recorded('case-5035-100237', 0, 'cases.CaseOpened', opened('100237', '2026-11-09', '2026-11-16'), '2026-11-09T09:00:00.000Z'),
    recorded('case-5035-100236', 1, 'cases.ContactRecorded', { caseId: '5035-100236-1', contactId: 'c1', channel: 'phone', contactedOn: '2026-11-10', byRole: 'nav-adviser' }, '2026-11-10T09:00:00.000Z', 'nav-adviser'),
    recorded('case-5035-100234', 1, 'cases.CaseEscalatedToArrearsTeam', { caseId: '5035-100234-1', escalatedOn: '2026-11-16', reasons: [{ policy: 'noContactWithinDeadline', explanation: 'Ingen kontakt.' }] }, '2026-11-16T00:00:00.000Z'),
    // The tenancy moves to another NAV office: its case moves with it.
    recorded('tenancy-5035-100237', 1, 'ledger.TenancyDetailsChanged', details('nav-levanger'), '2026-11-17T08:00:00.000Z', 'accounting'),
    recorded('case-5035-100236', 2, 'cases.CaseResolved', { caseId: '5035-100236-1', resolvedOn: '2026-11-18', outcome: 'paid', explanation: 'Betalt.' }, '2026-11-18T09:00:00.000Z'),
  ];
}

const team: Caller = { actorId: 'a_team', roles: ['arrears-team'], municipalities: ['5035'], navOffice: null, landlordId: null, landlordPersonId: null };
const stjordalNav: Caller = { ...team, actorId: 'a_nav1', roles: ['nav-adviser'], navOffice: 'nav-stjordal' };
const levangerNav: Caller = { ...team, actorId: 'a_nav2', roles: ['nav-adviser'], navOffice: 'nav-levanger' };
const landlord: Caller = { ...team, actorId: 'a_landlord', roles: ['landlord'], landlordId: 'enhet-bygg' };

describe.each([
  ['SQLite', openThrowawaySqlite],
  ['PostgreSQL', openThrowawayPostgres],
])('cases projection on %s', (_engine, open) => {
  const types = registerCaseEventTypes(new EventTypeMap());
  const projection = new CasesProjection(types);
  let store: ThrowawayReadModelDb;
  let db: ReadModelDb;
  let reader: ReadModelReader;

  beforeAll(async () => {
    store = await open({ label: 'cases' });
    db = store.db;
    reader = new ReadModelReader(db);
    const generations = new ProjectionGenerations(db);
    const target = await generations.beginWithTables(projection);
    const events = history();
    await applyBatch(db, projection, target, events.slice(0, 5), (events[4] as RecordedEvent).position);
    await applyBatch(db, projection, target, events.slice(5), (events[events.length - 1] as RecordedEvent).position);
    await generations.switchTo('cases', target.generation);
  });
  afterAll(async () => {
    await store.dispose();
  });

  it('a rebuild, in any batching, gives identical tables', async () => {
    const generations = new ProjectionGenerations(db);
    const active = (await generations.active('cases')) as { tables: Record<string, string> };
    const events = history();
    const rebuilt = await generations.beginWithTables(projection);
    for (const e of events) await applyBatch(db, projection, rebuilt, [e], e.position);
    expect(await dumpTables(db, rebuilt.tables)).toEqual(await dumpTables(db, active.tables));
    // In one batch the counters' deltas cancel out where event by event they fall to zero: no zero rows either way.
    const whole = await generations.beginWithTables(projection);
    await applyBatch(db, projection, whole, events, (events[events.length - 1] as RecordedEvent).position);
    expect(await dumpTables(db, whole.tables)).toEqual(await dumpTables(db, active.tables));
  });

  it('lists active cases newest first, one keyset page at a time, with the total from the counters', async () => {
    const list = new ListCasesHandler(reader);
    const first = await list.execute(new ListCasesQuery(team, '5035', 'active', 'opened', undefined, 1));
    expect(first.total).toBe(2);
    expect(first.items.map((c) => c.caseId)).toEqual(['5035-100237-1']);
    const second = await list.execute(new ListCasesQuery(team, '5035', 'active', 'opened', decodeCursor(first.nextCursor, 2), 1));
    expect(second.items.map((c) => [c.caseId, c.status])).toEqual([['5035-100234-1', 'escalated']]);
    expect(second.nextCursor).toBeNull();
    expect((await list.execute(new ListCasesQuery(team, '5035', 'all', 'opened', undefined, 10))).total).toBe(3);
    expect((await list.execute(new ListCasesQuery(team, '5035', 'resolved', 'opened', undefined, 10))).items.map((c) => c.caseId)).toEqual(['5035-100236-1']);
  });

  it("a NAV adviser sees the cases of the tenancy's current office only: a moved tenancy's case moves with it", async () => {
    const list = new ListCasesHandler(reader);
    const get = new GetCaseHandler(reader);
    expect((await list.execute(new ListCasesQuery(levangerNav, '5035', 'active', 'opened', undefined, 10))).items.map((c) => c.caseId)).toEqual(['5035-100237-1']);
    expect((await list.execute(new ListCasesQuery(stjordalNav, '5035', 'active', 'opened', undefined, 10))).items.map((c) => c.caseId)).toEqual(['5035-100234-1']);
    expect(await get.execute(new GetCaseQuery(stjordalNav, '5035-100237-1'))).toBeUndefined();
    expect((await get.execute(new GetCaseQuery(levangerNav, '5035-100237-1')))?.navOffice).toBe('nav-levanger');
    expect(await get.execute(new GetCaseQuery(landlord, '5035-100234-1'))).toBeUndefined();
    expect((await list.execute(new ListCasesQuery(landlord, '5035', 'all', 'opened', undefined, 10))).items).toEqual([]);
  });

  it("the husleierestanseteam's queue holds the escalated case with its reasons; a case shows its whole timeline", async () => {
    const queue = await new ArrearsTeamQueueHandler(reader).execute(new ArrearsTeamQueueQuery(team, '5035', undefined, 50));
    expect(queue.total).toBe(1);
    expect(queue.items.map((c) => [c.caseId, c.escalatedOn, c.escalationReasons[0]?.policy])).toEqual([['5035-100234-1', '2026-11-16', 'noContactWithinDeadline']]);
    const resolved = await new GetCaseHandler(reader).execute(new GetCaseQuery(team, '5035-100236-1'));
    expect(resolved?.timeline.map((t) => [t.on, t.type, t.actorRole])).toEqual([
      ['2026-11-06', 'cases.CaseOpened', 'system'],
      ['2026-11-10', 'cases.ContactRecorded', 'nav-adviser'],
      ['2026-11-18', 'cases.CaseResolved', 'system'],
    ]);
    expect(resolved?.timeline[1]?.summary).toBe('Kontakt registrert (telefon).');
  });

  it("through the api's result cache (a read-only connection), each caller still gets their own reach, whoever asked first", async () => {
    const api = new ReadModelReader(await store.openAnother({ readonly: true }));
    const list = new ListCasesHandler(api);
    const ids = async (caller: Caller, municipality = '5035') => (await list.execute(new ListCasesQuery(caller, municipality, 'all', 'opened', undefined, 10))).items.map((c) => c.caseId);
    const queue = async (caller: Caller) => (await new ArrearsTeamQueueHandler(api).execute(new ArrearsTeamQueueQuery(caller, '5035', undefined, 10))).items.map((c) => c.caseId);
    for (let round = 1; round <= 2; round++) {
      expect(await ids(team)).toEqual(['5035-100237-1', '5035-100236-1', '5035-100234-1']);
      expect(await ids(stjordalNav)).toEqual(['5035-100236-1', '5035-100234-1']);
      expect(await ids(levangerNav)).toEqual(['5035-100237-1']);
      expect(await ids({ ...levangerNav, navOffice: null })).toEqual([]);
      expect(await ids(landlord)).toEqual([]);
      expect(await ids({ ...team, municipalities: ['5037'] })).toEqual([]);
      expect(await queue(team)).toEqual(['5035-100234-1']);
      expect(await queue(stjordalNav)).toEqual([]);
    }
    // The second round came from the cache on SQLite (the same page object); PostgreSQL has none.
    const page = () => list.execute(new ListCasesQuery(stjordalNav, '5035', 'all', 'opened', undefined, 10));
    if (db.dialect === 'sqlite') expect(await page()).toBe(await page());
    else expect(await page()).not.toBe(await page());
  });

  it('every case list (each status, order and NAV office, first page or after a cursor), the queue and the case page read one index range in order: no table scan, no sort', async () => {
    // A generation of its own with a few thousand rows over several municipalities, offices and statuses, with statistics: planners choose by them.
    const active = await new ProjectionGenerations(db).beginWithTables(projection);
    const cases = mapGeneration<CaseTables>(db.kysely, active);
    const rows = Array.from({ length: 4000 }, (_, i) => {
      const status = (['open', 'escalated', 'resolved', 'resolved'] as const)[i % 4] as 'open' | 'escalated' | 'resolved';
      const day = (n: number) => `2026-${String(1 + (n % 12)).padStart(2, '0')}-${String(1 + (n % 28)).padStart(2, '0')}`;
      return {
        case_id: `${5035 + (i % 5)}-${100000 + i}-1`,
        tenancy_key: `${5035 + (i % 5)}-${100000 + i}`,
        municipality: String(5035 + (i % 5)),
        tenancy_id: String(100000 + i),
        nav_office: ['nav-stjordal', 'nav-levanger', 'nav-meraker', 'nav-frosta'][(i >> 2) % 4] as string,
        status,
        active: status === 'resolved' ? 0 : 1,
        opened_on: day(i * 7),
        first_contact_deadline: day(i * 7 + 5),
        arrears_ore_at_opening: 928200,
        opening_reasons: '[]',
        contacts: 0,
        last_contact_on: null,
        escalated_on: status === 'escalated' ? day(i * 7 + 9) : null,
        escalation_reasons: '[]',
        resolved_on: status === 'resolved' ? day(i * 7 + 20) : null,
        outcome: null,
        stream_revision: 0,
      };
    });
    for (let i = 0; i < rows.length; i += 500) await cases.insertInto('case_list').values(rows.slice(i, i + 500)).execute();
    await db.kysely.executeQuery(CompiledQuery.raw(`analyze ${active.tables['case_list'] as string}`));
    const shapes: Array<{ name: string; index: string; query: CompiledQuery }> = [];
    for (const caller of [team, stjordalNav]) {
      const nav = caller === stjordalNav ? 'nav_' : '';
      for (const status of Object.keys(CASE_LIST_STATUSES) as CaseListStatus[]) {
        for (const sort of ['opened', 'deadline'] as const) {
          const filter = status === 'active' ? 'active_' : status === 'all' ? 'all_' : 'status_';
          // The indexes of the municipality-wide lists by opened date kept their first names.
          const index = `case_list_${nav}${filter}${sort === 'deadline' ? 'deadline_' : ''}idx`
            .replace('case_list_status_deadline_idx', 'case_list_deadline_idx')
            .replace('case_list_nav_active_idx', 'case_list_nav_idx');
          const { query, order } = caseListQuery(cases, { caller, municipalityNumber: '5035', status, sort });
          for (const after of [undefined, ['2026-11-06', '5035-100234-1']]) {
            shapes.push({ name: `${caller.actorId} ${status} ${sort}${after ? ' after' : ''}`, index, query: keysetQuery(query, { order, ...(after ? { after } : {}), limit: 50 }).compile() });
          }
        }
      }
    }
    const queue = arrearsQueueQuery(cases, '5035');
    shapes.push({ name: 'queue', index: 'case_list_queue_idx', query: keysetQuery(queue.query, { order: queue.order, limit: 50 }).compile() });
    shapes.push({ name: 'queue after', index: 'case_list_queue_idx', query: keysetQuery(queue.query, { order: queue.order, after: ['2026-11-16', '5035-100234-1'], limit: 50 }).compile() });
    const suffix = `__g${active.generation}`;
    // The primary keys' indexes, as each engine names them.
    const [caseKey, timelineKey] = db.dialect === 'sqlite' ? [`sqlite_autoindex_case_list${suffix}_1`, `sqlite_autoindex_case_timeline${suffix}_1`] : [`case_list${suffix}_pkey`, `case_timeline_pk${suffix}`];
    shapes.push({ name: 'case', index: caseKey, query: caseByIdQuery(cases, '5035-100234-1').compile() });
    shapes.push({ name: 'timeline', index: timelineKey, query: caseTimelineQuery(cases, '5035-100234-1').compile() });

    for (const { name, index, query } of shapes) {
      const used = await indexesUsed(db, query);
      // A plan that fell back to a scan, a sort, another index, or one that leaves a filter column to a row-by-row check fails here, with the shape's name.
      expect({ name, ...used }).toEqual({ name, scans: [], sorts: 0, rowFilters: [], indexes: [index.endsWith(suffix) || index.endsWith('_pkey') || index.endsWith('_1') ? index : `${index}${suffix}`] });
    }
  });
});

/**
 * The plan of `query`: the indexes it searches, the tables it scans whole and its sort steps.
 * PostgreSQL plans a handful of rows as a scan and sort whatever the indexes, so it is asked with
 * scans, bitmap scans and sorts priced out: it still picks one of those only where no index gives
 * the rows in order.
 */
async function indexesUsed(db: ReadModelDb, query: CompiledQuery): Promise<{ scans: string[]; sorts: number; indexes: string[]; rowFilters: string[] }> {
  if (db.dialect === 'sqlite') {
    const plan = await db.kysely.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]));
    const details = plan.rows.map((r) => r.detail);
    return {
      scans: details.filter((d) => /^SCAN /.test(d)),
      sorts: details.filter((d) => /TEMP B-TREE/.test(d)).length,
      indexes: details.flatMap((d) => /^SEARCH \S+ USING (?:COVERING )?INDEX (\S+)/.exec(d)?.[1] ?? []),
      // SQLite names the index columns it searches; a list's equality filters are all of its index's leading columns (checked by name above).
      rowFilters: [],
    };
  }
  return db.transaction(async (tx) => {
    for (const setting of ['enable_seqscan', 'enable_bitmapscan', 'enable_sort']) await tx.executeQuery(CompiledQuery.raw(`set local ${setting} = off`));
    const plan = await tx.executeQuery<{ 'QUERY PLAN': unknown }>(CompiledQuery.raw(`explain (format json) ${query.sql}`, [...query.parameters]));
    const nodes: Array<Record<string, unknown>> = [];
    const walk = (node: Record<string, unknown>) => {
      nodes.push(node);
      for (const child of (node['Plans'] as Array<Record<string, unknown>> | undefined) ?? []) walk(child);
    };
    const root = (plan.rows[0]?.['QUERY PLAN'] as Array<{ Plan: Record<string, unknown> }>)[0]?.Plan;
    if (root) walk(root);
    return {
      scans: nodes.filter((n) => n['Node Type'] === 'Seq Scan').map((n) => String(n['Relation Name'])),
      sorts: nodes.filter((n) => /Sort/.test(String(n['Node Type']))).length,
      indexes: nodes.filter((n) => /Index/.test(String(n['Node Type']))).map((n) => String(n['Index Name'])),
      // Conditions checked row by row on an equality column: the index used does not lead with the list's filter. The keyset condition on the order columns may stay a filter.
      rowFilters: nodes.flatMap((n) => (typeof n['Filter'] === 'string' && /\b(municipality|nav_office|status|active|case_id)\b =/.test(n['Filter'].replace(/\(case_id [<>]/g, '')) ? [n['Filter']] : [])),
    };
  });
}
