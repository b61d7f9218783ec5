import { EventTypeMap, type RecordedEvent } from '@evp/event-store';
import { ProjectionGenerations, applyBatch, mapGeneration, type ReadModelDb } from '@evp/read-models';
import { dumpTables, openThrowawayPostgres, openThrowawaySqlite, type ThrowawayReadModelDb } from '@evp/read-models/testing';
import { ReadModelReader } from '@evp/runtime';
import type { Caller } from '@evp/auth';
import { AccountsProjection, type AccountTables } from './accounts-projection';
import { AccountQueries, rollAccounts } from './accounts-queries';
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

const accounting: Caller = { actorId: 'a_accounting', roles: ['accounting'], municipalities: ['5035'], navOffice: null, landlordId: null, landlordPersonId: null };
const levangerNav: Caller = { ...accounting, actorId: 'a_nav', roles: ['nav-adviser'], navOffice: 'nav-levanger' };

describe.each([
  ['SQLite', openThrowawaySqlite],
  ['PostgreSQL', openThrowawayPostgres],
])('ledger accounts projection on %s', (_engine, open) => {
  const types = registerLedgerEventTypes(new EventTypeMap());
  const projection = new AccountsProjection(types, 3);
  let store: ThrowawayReadModelDb;
  let db: ReadModelDb;

  beforeAll(async () => {
    store = await open({ label: 'accounts' });
    db = store.db;
  });
  afterAll(async () => {
    await store.dispose();
  });

  const build = async (batches: RecordedEvent[][]) => {
    const generations = new ProjectionGenerations(db);
    const target = await generations.beginWithTables(projection);
    for (const batch of batches) await applyBatch(db, projection, target, batch, (batch[batch.length - 1] as RecordedEvent).position);
    return target;
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

  it('lists arrears by amount and by age with keyset pages, and computes each row for today', async () => {
    const target = await build([history()]);
    await new ProjectionGenerations(db).switchTo('ledger-accounts', target.generation);
    const queries = new AccountQueries(new ReadModelReader(db), 3);
    const today = '2026-11-10';
    const byAmount = await queries.inArrears(accounting, '5035', today, 'amount', undefined, 1);
    expect(byAmount.items.map((i) => [i.tenancyId, i.overdueOre, i.arrearsOre])).toEqual([['100236', 999700, 999700]]);
    expect(byAmount.nextCursor).not.toBeNull();
    const next = await queries.inArrears(accounting, '5035', today, 'amount', JSON.parse(Buffer.from(byAmount.nextCursor as string, 'base64url').toString()), 1);
    expect(next.items.map((i) => i.tenancyId)).toEqual(['100234']);
    expect(next.nextCursor).toBeNull();
    const byAge = await queries.inArrears(accounting, '5035', today, 'age', undefined, 10);
    expect(byAge.items.map((i) => i.tenancyId)).toEqual(['100234', '100236']);
    // A NAV adviser sees the tenancies of their own office only.
    expect((await queries.inArrears(levangerNav, '5035', today, 'amount', undefined, 10)).items.map((i) => i.tenancyId)).toEqual(['100236']);
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
});
