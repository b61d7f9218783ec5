import { EventTypeMap, type RecordedEvent } from '@evp/event-store';
import { ProjectionGenerations, ProjectionMemo, applyBatch, type ReadModelDb } from '@evp/read-models';
import { dumpTables, openThrowawayPostgres, openThrowawaySqlite, type ThrowawayReadModelDb, buildGeneration } from '@evp/read-models/testing';
import { ReadModelReader } from '@evp/runtime';
import type { Caller } from '@evp/auth';
import { registerLedgerEventTypes } from './event-classes';
import { RentMonthsProjection, addMonths, lastDayOf } from './rent-months-projection';
import { RentMonthsHandler, RentMonthsQuery, RentPositionHandler, RentPositionQuery } from './rent-months-queries';

/** Literal ledger events as they stand in the log. */
let position = 0;
const revisions = new Map<string, number>();
const recorded = (tenancyId: string, type: string, data: Record<string, unknown>): RecordedEvent => {
  const streamName = `tenancy-5035-${tenancyId}`;
  const revision = (revisions.get(streamName) ?? -1) + 1;
  revisions.set(streamName, revision);
  const occurredAt = '2026-11-20T08:00:00.000Z';
  return {
    id: `00000000-0000-5000-8000-${String(++position).padStart(12, '0')}`,
    streamName,
    revision,
    position: String(position).padStart(12, '0'),
    type,
    data: data as RecordedEvent['data'],
    metadata: { correlationId: 'c', causationId: null, actor: { id: 'a_accounting', role: 'accounting' }, occurredAt, schemaVersion: 1 },
    recordedAt: occurredAt,
  };
};
const registered = (tenancyId: string, rent: number) =>
  recorded(tenancyId, 'ledger.TenancyRegistered', { municipalityNumber: '5035', tenancyId, address: 'Gate 1', monthlyRentOre: rent, landlordKind: 'municipal', navOffice: 'nav-stjordal', tenantPersonIds: ['p1'] });
const charge = (tenancyId: string, ref: string, dueDate: string, amountOre: number) => recorded(tenancyId, 'ledger.ChargePosted', { voucherRef: ref, date: '2026-08-15', dueDate, period: dueDate.slice(0, 7), amountOre });
const payment = (tenancyId: string, ref: string, date: string, amountOre: number) => recorded(tenancyId, 'ledger.PaymentPosted', { voucherRef: ref, date, amountOre });

/**
 * 100234 pays September on time and October late (the payment, dated 20 October, is posted after
 * November's charges); 100235 pays 7 000 of 10 000 kr; 100236 pays three months ahead.
 */
function history(): RecordedEvent[] {
  position = 0;
  revisions.clear();
  return [
    registered('100234', 1_000_000),
    registered('100235', 500_000),
    registered('100236', 500_000),
    charge('100234', 'F-09', '2026-09-01', 1_000_000),
    payment('100234', 'I-09', '2026-09-01', 1_000_000),
    charge('100234', 'F-10', '2026-10-01', 1_000_000),
    charge('100235', 'F-10', '2026-10-01', 500_000),
    payment('100235', 'I-10', '2026-10-01', 500_000),
    payment('100235', 'I-10b', '2026-10-05', 200_000),
    payment('100236', 'I-ahead', '2026-10-25', 1_500_000),
    charge('100234', 'F-11', '2026-11-02', 1_000_000),
    charge('100235', 'F-11', '2026-11-02', 500_000),
    charge('100236', 'F-11', '2026-11-02', 500_000),
    payment('100234', 'I-10-late', '2026-10-20', 1_000_000),
  ];
}

const team: Caller = { actorId: 'a_team', roles: ['arrears-team'], municipalities: ['5035'], navOffice: null, landlordId: null, landlordPersonId: null };
const nav: Caller = { ...team, roles: ['nav-adviser'], navOffice: 'nav-stjordal' };

describe('month arithmetic', () => {
  it('adds months across years and finds the last day', () => {
    expect([addMonths('2026-11', 2), addMonths('2026-01', -1), addMonths('2026-03', -14)]).toEqual(['2027-01', '2025-12', '2025-01']);
    expect([lastDayOf('2026-02'), lastDayOf('2028-02'), lastDayOf('2026-12')]).toEqual(['2026-02-28', '2028-02-29', '2026-12-31']);
  });
});

describe.each([
  ['SQLite', openThrowawaySqlite],
  ['PostgreSQL', openThrowawayPostgres],
])('ledger rent by month on %s', (_engine, open) => {
  const projection = new RentMonthsProjection(registerLedgerEventTypes(new EventTypeMap()), 3);
  let store: ThrowawayReadModelDb;
  let db: ReadModelDb;

  beforeAll(async () => {
    store = await open({ label: 'rentmonths' });
    db = store.db;
  });
  afterAll(async () => {
    await store.dispose();
  });

  const build = (batches: RecordedEvent[][]) => buildGeneration(db, projection, batches);
  // A fresh reader each time: a reader caches the active generation for a second, and each test builds its own.
  const reader = () => new ReadModelReader(db);
  const months = (today: string) => new RentMonthsHandler(reader(), 3).execute(new RentMonthsQuery(team, '5035', '2026-09', '2026-11', today));

  it('gives identical tables in any batching', async () => {
    const events = history();
    const whole = await build([events]);
    const single = await build(events.map((e) => [e]));
    const split = await build([events.slice(0, 5), events.slice(5, 11), events.slice(11)]);
    const dump = await dumpTables(db, whole.tables);
    expect(await dumpTables(db, single.tables)).toEqual(dump);
    expect(await dumpTables(db, split.tables)).toEqual(dump);
  });

  it('gives identical tables when a rebuild keeps the tenancies in memory and writes them at any flushes', async () => {
    const events = history();
    const dump = await dumpTables(db, (await build([events])).tables);
    const inMemory = async (batches: RecordedEvent[][], flushAfter: ReadonlySet<number>) => {
      const target = await new ProjectionGenerations(db).beginWithTables(projection, { deferIndexes: true });
      const memo = new ProjectionMemo();
      for (const [i, batch] of batches.entries()) await applyBatch(db, projection, target, batch, (batch[batch.length - 1] as RecordedEvent).position, { memo, flush: flushAfter.has(i) && 'partial' });
      await applyBatch(db, projection, target, [], (events[events.length - 1] as RecordedEvent).position, { memo, flush: true });
      return dumpTables(db, target.tables);
    };
    expect(await inMemory([events], new Set())).toEqual(dump);
    expect(await inMemory(events.map((e) => [e]), new Set([2, 5, 6, 11]))).toEqual(dump);
    expect(await inMemory([events.slice(0, 5), events.slice(5, 11), events.slice(11)], new Set([0, 1]))).toEqual(dump);
  });

  it('invoiced, outstanding at each month end (yesterday for the month in progress), arrears, and the plan’s share', async () => {
    await build([history()]);
    expect(await months('2026-11-20')).toEqual([
      { month: '2026-09', invoicedOre: 1_000_000, outstandingOre: 0, arrearsOre: 0, outstandingShare: 0, shareBasisMonths: 1 },
      { month: '2026-10', invoicedOre: 1_500_000, outstandingOre: 0, arrearsOre: 0, outstandingShare: 0, shareBasisMonths: 2 },
      // 100234 owes November (1 000 000), 100235 owes 300 000; 100236's advance offsets nobody else's debt.
      // Share: 1 300 000 / (4 500 000 invoiced in three months, scaled to a year: 18 000 000).
      { month: '2026-11', invoicedOre: 2_000_000, outstandingOre: 1_300_000, arrearsOre: 1_300_000, outstandingShare: 0.072222, shareBasisMonths: 3 },
    ]);
  });

  it('a payment posted late but dated in the past corrects the month it belongs to', async () => {
    const events = history();
    const target = await build([events.slice(0, -1)]);
    expect((await months('2026-11-20')).map((m) => [m.month, m.outstandingOre])).toEqual([
      ['2026-09', 0],
      ['2026-10', 1_000_000],
      ['2026-11', 2_300_000],
    ]);
    await applyBatch(db, projection, target, events.slice(-1), (events[events.length - 1] as RecordedEvent).position);
    expect((await months('2026-11-20')).map((m) => [m.month, m.outstandingOre])).toEqual([
      ['2026-09', 0],
      ['2026-10', 0],
      ['2026-11', 1_300_000],
    ]);
  });

  it('counts arrears only once the grace period is over', async () => {
    await build([history()]);
    // Due Monday 2 November; three working days of grace end Thursday 5th: outstanding on the 4th, arrears from the 5th's end.
    const position = new RentPositionHandler(reader(), 3);
    expect(await position.execute(new RentPositionQuery(team, '5035', '2026-11-05'))).toEqual({ asOf: '2026-11-04', outstandingOre: 1_300_000, arrearsOre: 0 });
    expect(await position.execute(new RentPositionQuery(team, '5035', '2026-11-06'))).toEqual({ asOf: '2026-11-05', outstandingOre: 1_300_000, arrearsOre: 1_300_000 });
  });

  it('answers nothing outside the caller’s roles or municipalities', async () => {
    expect(await new RentMonthsHandler(reader(), 3).execute(new RentMonthsQuery(nav, '5035', '2026-09', '2026-11', '2026-11-20'))).toEqual([]);
    expect(await new RentPositionHandler(reader(), 3).execute(new RentPositionQuery(team, '5037', '2026-11-20'))).toBeUndefined();
  });
});
