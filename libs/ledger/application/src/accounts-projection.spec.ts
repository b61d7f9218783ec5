import { randomUUID } from 'node:crypto';
import { EventTypeMap, SqliteEventStore, type RecordedEvent } from '@evp/event-store';
import { ProjectionGenerations, ProjectionMemo, applyBatch, createGenerationIndexes, mapGeneration, type ReadModelDb } from '@evp/read-models';
import { dumpTables, indexNames, openThrowawayPostgres, openThrowawaySqlite, type ThrowawayReadModelDb, buildGeneration } from '@evp/read-models/testing';
import { ReadModelReader } from '@evp/runtime';
import type { Caller } from '@evp/auth';
import { AccountsProjection, type AccountTables } from './accounts-projection';
import { AccountQueries, decodeArrearsCursor, rollAccounts, type ArrearsFilter, type ArrearsSort } from './accounts-queries';
import { registerLedgerEventTypes } from './event-classes';

/** Literal ledger events, as they stand in the log: nothing here is produced by the code under test. */
let position = 0;
const recorded = (streamName: string, revision: number, type: string, data: Record<string, unknown>, occurredAt: string): RecordedEvent => ({
  id: `00000000-0000-5000-8000-${String(++position).padStart(12, '0')}`,
  streamName,
  revision,
  position: String(position).padStart(12, '0'),
  type,
  data: data as RecordedEvent['data'],
  metadata: { correlationId: 'c', causationId: null, actor: { id: 'a_test', role: 'accounting' }, occurredAt, schemaVersion: 1 },
  recordedAt: occurredAt,
});

const registered = (tenancyId: string, rent: number, navOffice = 'nav-stjordal') =>
  recorded(`tenancy-5035-${tenancyId}`, 0, 'ledger.TenancyRegistered', { municipalityNumber: '5035', tenancyId, address: `Gate ${tenancyId}`, monthlyRentOre: rent, landlordKind: 'municipal', navOffice, tenantPersonIds: ['p1'] }, '2026-10-01T08:00:00.000Z');

function history(): RecordedEvent[] {
  position = 0;
  return [
    registered('100234', 928200),
    registered('100235', 627700),
    registered('100236', 1199700, 'nav-levanger'),
    recorded('tenancy-5035-100234', 1, 'ledger.ChargePosted', { voucherRef: 'F-11-234', date: '2026-10-15', dueDate: '2026-11-02', period: '2026-11', amountOre: 928200 }, '2026-10-15T08:00:00.000Z'),
    recorded('tenancy-5035-100235', 1, 'ledger.ChargePosted', { voucherRef: 'F-11-235', date: '2026-10-15', dueDate: '2026-11-02', period: '2026-11', amountOre: 627700 }, '2026-10-15T08:00:00.000Z'),
    recorded('tenancy-5035-100236', 1, 'ledger.ChargePosted', { voucherRef: 'F-11-236', date: '2026-10-15', dueDate: '2026-11-02', period: '2026-11', amountOre: 1199700 }, '2026-10-15T08:00:00.000Z'),
    recorded('tenancy-5035-100235', 2, 'ledger.PaymentPosted', { voucherRef: 'I-1', date: '2026-11-02', amountOre: 627700 }, '2026-11-02T10:00:00.000Z'),
    recorded('tenancy-5035-100236', 2, 'ledger.PaymentPosted', { voucherRef: 'I-2', date: '2026-11-03', amountOre: 200000 }, '2026-11-03T10:00:00.000Z'),
    recorded('tenancy-5035-100234', 2, 'ledger.BalanceStated', { voucherRef: 'S-1', asOf: '2026-11-03', statedBalanceOre: 928200, computedBalanceOre: 928200 }, '2026-11-03T10:00:00.000Z'),
  ];
}

/** Five households in arrears on 10 November 2026, with different offices, landlords, amounts, ages and addresses. */
function filterHistory(): RecordedEvent[] {
  position = 0;
  const tenancy = (id: string, address: string, landlordKind: string, navOffice: string) =>
    recorded(`tenancy-5035-${id}`, 0, 'ledger.TenancyRegistered', { municipalityNumber: '5035', tenancyId: id, address, monthlyRentOre: 900000, landlordKind, navOffice, tenantPersonIds: ['p1'] }, '2026-09-20T08:00:00.000Z');
  const charge = (id: string, revision: number, dueDate: string, amountOre: number) =>
    recorded(`tenancy-5035-${id}`, revision, 'ledger.ChargePosted', { voucherRef: `F-${dueDate}-${id}`, date: '2026-09-25', dueDate, period: dueDate.slice(0, 7), amountOre }, '2026-09-25T08:00:00.000Z');
  return [
    tenancy('200001', 'Kjøpmannsgata 3', 'municipal', 'nav-stjordal'),
    tenancy('200002', 'Øvre KJØPMANNSGATE 10', 'private-sublet', 'nav-stjordal'),
    tenancy('200003', 'Sandskogan 7', 'municipal', 'nav-levanger'),
    tenancy('200004', 'Gata_50%', 'private-sublet', 'nav-levanger'),
    tenancy('200005', 'Gata 500', 'municipal', 'nav-stjordal'),
    charge('200001', 1, '2026-10-01', 900000),
    charge('200002', 1, '2026-11-02', 500000),
    charge('200003', 1, '2026-10-01', 300000),
    charge('200003', 2, '2026-11-02', 300000),
    charge('200004', 1, '2026-11-02', 100000),
    charge('200005', 1, '2026-11-02', 200000),
  ];
}

const accounting: Caller = { actorId: 'a_accounting', roles: ['accounting'], municipalities: ['5035'], navOffice: null, landlordId: null, landlordPersonId: null };
const levangerNav: Caller = { ...accounting, actorId: 'a_nav', roles: ['nav-adviser'], navOffice: 'nav-levanger' };

describe.each([
  ['SQLite', openThrowawaySqlite],
  ['PostgreSQL', openThrowawayPostgres],
])('ledger accounts projection on %s', (_engine, open) => {
  const types = registerLedgerEventTypes(new EventTypeMap());
  /** The event log the projection reads a tenancy's charges from when it compacts an account again. */
  const log = new SqliteEventStore({ file: ':memory:' });
  const projection = new AccountsProjection(types, 3, log);
  let store: ThrowawayReadModelDb;
  let db: ReadModelDb;

  beforeAll(async () => {
    store = await open({ label: 'accounts' });
    db = store.db;
  });
  afterAll(async () => {
    await store.dispose();
    await log.close();
  });

  /**
   * Puts the tests' literal events into the log (each stream's revisions in order; a stream that
   * holds them already is left as it is: the tests reuse `history()`).
   */
  const logged = async (events: readonly RecordedEvent[]) => {
    for (const event of events) {
      const length = (await log.readStream(event.streamName)).length;
      if (event.revision < length) continue;
      if (event.revision > length) throw new Error(`${event.streamName}: revision ${event.revision} given before ${length}`);
      await log.appendToStream(event.streamName, [{ id: randomUUID(), type: event.type, data: event.data, metadata: event.metadata }], { expectedRevision: length === 0 ? 'no_stream' : length - 1 });
    }
  };

  const build = async (batches: RecordedEvent[][]) => {
    await logged(batches.flat());
    return buildGeneration(db, projection, batches, { switchIn: false });
  };

  it('gives the same tables whether the log comes in one batch or event by event, and on every rebuild', async () => {
    const events = history();
    const whole = await build([events]);
    const single = await build(events.map((e) => [e]));
    const again = await build([events.slice(0, 4), events.slice(4)]);
    const dump = await dumpTables(db, whole.tables);
    expect(await dumpTables(db, single.tables)).toEqual(dump);
    expect(await dumpTables(db, again.tables)).toEqual(dump);
    expect(dump['rent_account_transactions']).toHaveLength(6);
  });

  /** As a rebuild builds: the accounts in memory, rows written at the flushes (after the given batches) and at the end, indexes last. */
  const buildInMemory = async (batches: RecordedEvent[][], flushAfter: ReadonlySet<number> = new Set()) => {
    await logged(batches.flat());
    const generations = new ProjectionGenerations(db);
    const target = await generations.beginWithTables(projection, { deferIndexes: true });
    const memo = new ProjectionMemo();
    for (const [i, batch] of batches.entries()) await applyBatch(db, projection, target, batch, (batch[batch.length - 1] as RecordedEvent).position, { memo, flush: flushAfter.has(i) && 'partial' });
    const last = batches[batches.length - 1] as RecordedEvent[];
    await applyBatch(db, projection, target, [], (last[last.length - 1] as RecordedEvent).position, { memo, flush: true });
    await createGenerationIndexes(db, projection, target);
    return target;
  };

  it('a build that keeps the accounts in memory and writes them at its flushes gives the same tables and indexes', async () => {
    const events = history();
    const whole = await build([events]);
    const dump = await dumpTables(db, whole.tables);
    const single = await buildInMemory(events.map((e) => [e]));
    const flushed = await buildInMemory(events.map((e) => [e]), new Set([0, 3, 4, 7]));
    const halves = await buildInMemory([events.slice(0, 4), events.slice(4)], new Set([0]));
    for (const target of [single, flushed, halves]) expect(await dumpTables(db, target.tables)).toEqual(dump);
    const indexes = async (target: typeof whole) => (await indexNames(db, target.tables['rent_accounts'] as string)).map((name) => name.replace(/__g\d+/, ''));
    expect(await indexes(single)).toEqual(await indexes(whole));
    expect(await indexes(single)).toContain('rent_accounts_amount_idx');
  });

  it('a failed batch of an in-memory build leaves nothing of it behind in memory', async () => {
    const events = history();
    const whole = await build([events]);
    const generations = new ProjectionGenerations(db);
    const target = await generations.beginWithTables(projection, { deferIndexes: true });
    const memo = new ProjectionMemo();
    await applyBatch(db, projection, target, events.slice(0, 5), (events[4] as RecordedEvent).position, { memo });
    // A poison event after good ones: the batch rolls back, and is then handled event by event.
    const poison = { ...(events[5] as RecordedEvent), revision: 2, type: 'ledger.NoSuchEvent' };
    await expect(applyBatch(db, projection, target, [events[5] as RecordedEvent, poison], poison.position, { memo, flush: true })).rejects.toThrow();
    for (const event of events.slice(5)) await applyBatch(db, projection, target, [event], event.position, { memo });
    await applyBatch(db, projection, target, [], (events[events.length - 1] as RecordedEvent).position, { memo, flush: true });
    expect(await dumpTables(db, target.tables)).toEqual(await dumpTables(db, whole.tables));
  });

  it('lists arrears by amount and by age with keyset pages, and computes each row for today', async () => {
    const target = await build([history()]);
    await new ProjectionGenerations(db).switchTo('ledger-accounts', target.generation);
    const queries = new AccountQueries(new ReadModelReader(db), 3);
    const today = '2026-11-10';
    const byAmount = await queries.inArrears(accounting, '5035', today, 'amount', {}, undefined, 1);
    expect(byAmount.items.map((i) => [i.tenancyId, i.overdueOre, i.arrearsOre])).toEqual([['100236', 999700, 999700]]);
    expect(byAmount.nextCursor).not.toBeNull();
    const cursor = decodeArrearsCursor(byAmount.nextCursor as string, '5035', 'amount', {});
    if (!('after' in cursor)) throw new Error('the next cursor does not decode');
    const next = await queries.inArrears(accounting, '5035', today, 'amount', {}, cursor.after, 1);
    expect(next.items.map((i) => i.tenancyId)).toEqual(['100234']);
    expect(next.nextCursor).toBeNull();
    const byAge = await queries.inArrears(accounting, '5035', today, 'age', {}, undefined, 10);
    expect(byAge.items.map((i) => i.tenancyId)).toEqual(['100234', '100236']);
    // A NAV adviser sees the tenancies of their own office only.
    expect((await queries.inArrears(levangerNav, '5035', today, 'amount', {}, undefined, 10)).items.map((i) => i.tenancyId)).toEqual(['100236']);
    expect(await queries.account(levangerNav, '5035', '100234', today)).toBeUndefined();
    const account = await queries.account(accounting, '5035', '100234', today);
    expect(account?.transactions.map((t) => t.voucherRef)).toEqual(['F-11-234', 'S-1']);
  });

  it('the daily roll moves stale amounts to the day they changed, and a rebuild rolls to the same rows', async () => {
    const events = history();
    const live = await build([events.slice(0, 6)]);
    const tables = mapGeneration<AccountTables>(db.kysely, live);
    // Charges posted 15 October, due 2 November: nothing is overdue as of the posting day.
    expect((await tables.selectFrom('rent_accounts').select(['tenancy_key', 'overdue_ore', 'stale_from']).orderBy('tenancy_key').execute()).map((r) => [r.tenancy_key, Number(r.overdue_ore), r.stale_from])).toEqual([
      ['5035-100234', 0, '2026-11-03'],
      ['5035-100235', 0, '2026-11-03'],
      ['5035-100236', 0, '2026-11-03'],
    ]);
    // Business time only moves forward: each roll runs after the day's postings.
    await applyBatch(db, projection, live, events.slice(6, 7), (events[6] as RecordedEvent).position);
    expect(await rollAccounts(tables, '2026-11-03', 3)).toBe(2); // 100235 paid on the due date
    await applyBatch(db, projection, live, events.slice(7), (events[events.length - 1] as RecordedEvent).position);
    expect(await rollAccounts(tables, '2026-11-20', 3)).toBe(2);
    const rebuilt = await build([events]);
    await rollAccounts(mapGeneration<AccountTables>(db.kysely, rebuilt), '2026-11-20', 3);
    expect(await dumpTables(db, rebuilt.tables)).toEqual(await dumpTables(db, live.tables));
    const row = await tables.selectFrom('rent_accounts').selectAll().where('tenancy_key', '=', '5035-100236').executeTakeFirstOrThrow();
    // Grace of 3 working days after Monday 2 November ends Thursday 5th: arrears from Friday 6th.
    expect([Number(row.overdue_ore), Number(row.arrears_ore), row.as_of, row.stale_from]).toEqual([999700, 999700, '2026-11-06', null]);
  });

  it('filters the arrears list by NAV office, landlord, least amount, least age and address, and a cursor belongs to its filters', async () => {
    const target = await build([filterHistory()]);
    await rollAccounts(mapGeneration<AccountTables>(db.kysely, target), '2026-11-10', 3);
    await new ProjectionGenerations(db).switchTo('ledger-accounts', target.generation);
    const queries = new AccountQueries(new ReadModelReader(db), 3);
    const list = async (sort: ArrearsSort, filter: ArrearsFilter) => (await queries.inArrears(accounting, '5035', '2026-11-10', sort, filter, undefined, 50)).items.map((i) => i.tenancyId);

    expect(await list('amount', {})).toEqual(['200001', '200003', '200002', '200005', '200004']);
    expect(await list('amount', { navOffice: 'nav-levanger' })).toEqual(['200003', '200004']);
    expect(await list('age', { navOffice: 'nav-stjordal' })).toEqual(['200001', '200002', '200005']);
    expect(await list('amount', { landlordKind: 'private-sublet' })).toEqual(['200002', '200004']);
    expect(await list('amount', { minOverdueOre: 500000 })).toEqual(['200001', '200003', '200002']);
    expect(await list('age', { minOverdueOre: 500001 })).toEqual(['200001', '200003']);
    // Due 1 October: 40 days on 10 November; due 2 November: 8 days.
    expect(await list('age', { minDaysOverdue: 40 })).toEqual(['200001', '200003']);
    expect(await list('amount', { minDaysOverdue: 41 })).toEqual([]);
    expect(await list('amount', { minDaysOverdue: 8 })).toEqual(['200001', '200003', '200002', '200005', '200004']);
    // Whatever the case, æ/ø/å included; LIKE's % and _ are plain text.
    expect(await list('amount', { addressContains: 'kjøpmannsgat' })).toEqual(['200001', '200002']);
    expect(await list('amount', { addressContains: 'KJØPMANNSGATA' })).toEqual(['200001']);
    expect(await list('amount', { addressContains: '50%' })).toEqual(['200004']);
    expect(await list('amount', { addressContains: 'a_5' })).toEqual(['200004']);
    expect(await list('amount', { navOffice: 'nav-stjordal', landlordKind: 'municipal', minDaysOverdue: 30 })).toEqual(['200001']);

    // Pages of a filtered list; the cursor is refused with other filters or another sort.
    const municipal: ArrearsFilter = { landlordKind: 'municipal' };
    const first = await queries.inArrears(accounting, '5035', '2026-11-10', 'amount', municipal, undefined, 2);
    expect(first.items.map((i) => i.tenancyId)).toEqual(['200001', '200003']);
    const cursor = decodeArrearsCursor(first.nextCursor as string, '5035', 'amount', { landlordKind: 'municipal' });
    if (!('after' in cursor)) throw new Error('the cursor does not decode with its own filters');
    const second = await queries.inArrears(accounting, '5035', '2026-11-10', 'amount', municipal, cursor.after, 2);
    expect([second.items.map((i) => i.tenancyId), second.nextCursor]).toEqual([['200005'], null]);
    expect(decodeArrearsCursor(first.nextCursor as string, '5035', 'amount', {})).toEqual({ error: 'other-list' });
    expect(decodeArrearsCursor(first.nextCursor as string, '5035', 'amount', { landlordKind: 'private-sublet' })).toEqual({ error: 'other-list' });
    expect(decodeArrearsCursor(first.nextCursor as string, '5035', 'age', municipal)).toEqual({ error: 'other-list' });
    expect(decodeArrearsCursor(first.nextCursor as string, '5036', 'amount', municipal)).toEqual({ error: 'other-list' });
    expect(decodeArrearsCursor(Buffer.from('[1,"x"]').toString('base64url'), '5035', 'amount', municipal)).toEqual({ error: 'malformed' });
  });

  /** The late-charge log of one tenancy: F-10, posted last, sorts before the settled F-11, so the account is compacted again. */
  const lateChargeLog = () => {
    position = 0;
    const stream = 'tenancy-5035-300002';
    return [
      recorded(stream, 0, 'ledger.TenancyRegistered', { municipalityNumber: '5035', tenancyId: '300002', address: 'Gate 2', monthlyRentOre: 500000, landlordKind: 'municipal', navOffice: 'nav-stjordal', tenantPersonIds: ['p1'] }, '2026-09-20T08:00:00.000Z'),
      recorded(stream, 1, 'ledger.ChargePosted', { voucherRef: 'F-11', date: '2026-10-15', dueDate: '2026-11-02', period: '2026-11', amountOre: 500000 }, '2026-10-15T08:00:00.000Z'),
      recorded(stream, 2, 'ledger.PaymentPosted', { voucherRef: 'I-1', date: '2026-11-02', amountOre: 500000 }, '2026-11-02T10:00:00.000Z'),
      recorded(stream, 3, 'ledger.ChargePosted', { voucherRef: 'F-12', date: '2026-11-15', dueDate: '2026-12-01', period: '2026-12', amountOre: 500000 }, '2026-11-15T08:00:00.000Z'),
      recorded(stream, 4, 'ledger.ChargePosted', { voucherRef: 'F-10', date: '2026-09-15', dueDate: '2026-10-01', period: '2026-10', amountOre: 300000 }, '2026-11-16T08:00:00.000Z'),
    ];
  };

  /** An in-memory build of the late-charge log up to its flushing last batch, whose commit `commitOutcome` makes fail for its caller. */
  const flushFailingOnce = async (commitOutcome: 'committed' | 'not committed') => {
    const events = lateChargeLog();
    const whole = await build([events]);
    const target = await new ProjectionGenerations(db).beginWithTables(projection, { deferIndexes: true });
    const memo = new ProjectionMemo();
    await applyBatch(db, projection, target, events.slice(0, 3), (events[2] as RecordedEvent).position, { memo });
    await applyBatch(db, projection, target, events.slice(3, 4), (events[3] as RecordedEvent).position, { memo });
    const commit = db.transaction.bind(db);
    const lost = jest.spyOn(db, 'transaction').mockImplementationOnce(async (fn) => {
      if (commitOutcome === 'committed') await commit(fn);
      throw new Error('connection lost during COMMIT');
    });
    const flushed = applyBatch(db, projection, target, events.slice(4), (events[4] as RecordedEvent).position, { memo, flush: 'partial' });
    return { events, whole, target, memo, flushed: flushed.finally(() => lost.mockRestore()) };
  };

  it('a flushing batch of an in-memory build whose commit landed although its caller heard of an error counts as applied, its postings once', async () => {
    const { events, whole, target, memo, flushed } = await flushFailingOnce('committed');
    // The checkpoint moved on with the batch: it committed, and the memo keeps it.
    await expect(flushed).resolves.toBeUndefined();
    await applyBatch(db, projection, target, [], (events[4] as RecordedEvent).position, { memo, flush: true });
    await createGenerationIndexes(db, projection, target);
    expect(await dumpTables(db, target.tables)).toEqual(await dumpTables(db, whole.tables));
  });

  it('a flushing batch of an in-memory build that did not commit fails, and applied again gives the same tables', async () => {
    const { events, whole, target, memo, flushed } = await flushFailingOnce('not committed');
    await expect(flushed).rejects.toThrow('connection lost during COMMIT');
    // The runner applies the batch again; F-10 compacts the account from the log's charges.
    await applyBatch(db, projection, target, events.slice(4), (events[4] as RecordedEvent).position, { memo, flush: 'partial' });
    await applyBatch(db, projection, target, [], (events[4] as RecordedEvent).position, { memo, flush: true });
    await createGenerationIndexes(db, projection, target);
    expect(await dumpTables(db, target.tables)).toEqual(await dumpTables(db, whole.tables));
  });

  it('keeps a compact account, and a charge posted late for an earlier month is allocated as if it had come first', async () => {
    position = 0;
    const stream = 'tenancy-5035-300001';
    const events = [
      recorded(stream, 0, 'ledger.TenancyRegistered', { municipalityNumber: '5035', tenancyId: '300001', address: 'Gate 1', monthlyRentOre: 500000, landlordKind: 'municipal', navOffice: 'nav-stjordal', tenantPersonIds: ['p1'] }, '2026-09-20T08:00:00.000Z'),
      recorded(stream, 1, 'ledger.ChargePosted', { voucherRef: 'F-11', date: '2026-10-15', dueDate: '2026-11-02', period: '2026-11', amountOre: 500000 }, '2026-10-15T08:00:00.000Z'),
      recorded(stream, 2, 'ledger.PaymentPosted', { voucherRef: 'I-1', date: '2026-11-02', amountOre: 500000 }, '2026-11-02T10:00:00.000Z'),
      // October's rent, forgotten and posted on 9 November: the payment settles it first (oldest due date), so November's is now unpaid.
      recorded(stream, 3, 'ledger.ChargePosted', { voucherRef: 'F-10', date: '2026-09-15', dueDate: '2026-10-01', period: '2026-10', amountOre: 300000 }, '2026-11-09T08:00:00.000Z'),
    ];
    const whole = await build([events]);
    const single = await build(events.map((e) => [e]));
    const tables = mapGeneration<AccountTables>(db.kysely, single);
    expect(await dumpTables(db, single.tables)).toEqual(await dumpTables(db, whole.tables));
    // In memory, the late charge recompacts from the postings the build holds, written or not.
    for (const flushes of [[], [1], [2]]) expect(await dumpTables(db, (await buildInMemory(events.map((e) => [e]), new Set(flushes))).tables)).toEqual(await dumpTables(db, whole.tables));
    const row = await tables.selectFrom('rent_accounts').selectAll().where('tenancy_key', '=', '5035-300001').executeTakeFirstOrThrow();
    expect([Number(row.balance_ore), Number(row.overdue_ore), Number(row.arrears_ore), row.oldest_unpaid_due_on, row.as_of]).toEqual([300000, 300000, 300000, '2026-11-02', '2026-11-09']);
    // Only the unsettled charge is kept, with the sums of what is settled.
    expect(JSON.parse(row.state)).toEqual({
      registeredAt: 0,
      compact: { settledOre: 300000, settledThrough: { dueDate: '2026-10-01', voucherRef: 'F-10' }, reducedOre: 500000, charges: [{ voucherRef: 'F-11', date: '2026-10-15', dueDate: '2026-11-02', period: '2026-11', amountOre: 500000 }] },
      discrepancies: [],
    });
    await new ProjectionGenerations(db).switchTo('ledger-accounts', single.generation);
    const account = await new AccountQueries(new ReadModelReader(db), 3).account(accounting, '5035', '300001', '2026-11-10');
    expect(account).toMatchObject({ balanceOre: 300000, overdueOre: 300000, oldestUnpaidDueDate: '2026-11-02', daysOverdue: 8, unpaidCharges: [{ voucherRef: 'F-11', unpaidOre: 300000 }] });
  });
});
