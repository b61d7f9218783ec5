import { randomUUID } from 'node:crypto';
import { EventTypeMap, SqliteEventStore, type NewEvent } from '@evp/event-store';
import { registerLedgerEventTypes } from './event-classes';
import { StreamRentAccounts } from './rent-accounts';

const event = (type: string, data: Record<string, unknown>): NewEvent => ({
  id: randomUUID(),
  type,
  data: data as NewEvent['data'],
  metadata: { correlationId: randomUUID(), causationId: null, actor: { id: 'test', role: 'accounting' }, occurredAt: '2026-11-01T08:00:00.000Z', schemaVersion: 1 },
});
const registered = (tenancyId: string) =>
  event('ledger.TenancyRegistered', { municipalityNumber: '5035', tenancyId, address: `Gate ${tenancyId}`, monthlyRentOre: 928200, landlordKind: 'municipal', navOffice: 'nav-stjordal', tenantPersonIds: ['p1'] });
const charge = (voucherRef: string, dueDate: string) => event('ledger.ChargePosted', { voucherRef, date: '2026-10-15', dueDate, period: dueDate.slice(0, 7), amountOre: 928200 });
const payment = (voucherRef: string) => event('ledger.PaymentPosted', { voucherRef, date: '2026-11-05', amountOre: 928200 });

describe('StreamRentAccounts', () => {
  it('a tenancy met again is brought up to date with what came since, exactly as a fresh read of its stream', async () => {
    const store = new SqliteEventStore({ file: ':memory:' });
    const types = registerLedgerEventTypes(new EventTypeMap());
    const accounts = new StreamRentAccounts(store, types, 3);
    const tenancies = [
      { municipalityNumber: '5035', tenancyId: '100234' },
      { municipalityNumber: '5035', tenancyId: '100235' },
      { municipalityNumber: '5035', tenancyId: '100236' }, // never registered
    ];
    try {
      await store.appendToStream('tenancy-5035-100234', [registered('100234'), charge('F-1', '2026-11-02')], { expectedRevision: 'no_stream' });
      await store.appendToStream('tenancy-5035-100235', [registered('100235')], { expectedRevision: 'no_stream' });
      const first = await accounts.positions(tenancies, '2026-11-20');
      expect([...first.keys()]).toEqual(['5035-100234', '5035-100235']);
      expect(first.get('5035-100234')).toMatchObject({ revision: 1, arrearsOre: 928200 });

      // Since then: a payment on one, a charge on the other, and the third registered.
      await store.appendToStream('tenancy-5035-100234', [payment('I-1')], { expectedRevision: 1 });
      await store.appendToStream('tenancy-5035-100235', [charge('F-2', '2026-11-02')], { expectedRevision: 0 });
      await store.appendToStream('tenancy-5035-100236', [registered('100236')], { expectedRevision: 'no_stream' });
      const again = await accounts.positions(tenancies, '2026-11-20');
      const fresh = await new StreamRentAccounts(store, types, 3).positions(tenancies, '2026-11-20');
      expect(again).toEqual(fresh);
      expect(again.get('5035-100234')).toMatchObject({ revision: 2, balanceOre: 0, arrearsOre: 0 });
      expect(again.get('5035-100235')).toMatchObject({ revision: 1, arrearsOre: 928200 });
      expect(again.get('5035-100236')).toMatchObject({ revision: 0, balanceOre: 0 });
      expect(await accounts.position('5035', '100234', '2026-11-20')).toEqual(fresh.get('5035-100234'));
    } finally {
      await store.close();
    }
  });
});
