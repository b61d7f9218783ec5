import type { LedgerEvent } from './events';
import { evolveTenancy, foldTenancy, initialTenancy, type Tenancy } from './tenancy';

const details = { address: 'Kirkegata 1, 7500 Stjørdal', monthlyRentOre: 928200, landlordKind: 'municipal', navOffice: 'nav-stjordal', tenantPersonIds: ['p-1'] } as const;

/** A year of a tenancy's life: every event type, a change of details in the middle, postings before and after it. */
const history: LedgerEvent[] = [
  { type: 'ledger.ChargePosted', data: { voucherRef: 'f-0', date: '2026-01-01', dueDate: '2026-01-20', period: '2026-01', amountOre: 1 } }, // before registration: ignored
  { type: 'ledger.TenancyRegistered', data: { municipalityNumber: '5035', tenancyId: '100234', ...details } },
  { type: 'ledger.ChargePosted', data: { voucherRef: 'f-1', date: '2026-01-01', dueDate: '2026-01-20', period: '2026-01', amountOre: 928200 } },
  { type: 'ledger.PaymentPosted', data: { voucherRef: 'i-1', date: '2026-01-19', amountOre: 928200 } },
  { type: 'ledger.ChargePosted', data: { voucherRef: 'f-2', date: '2026-02-01', dueDate: '2026-02-20', period: '2026-02', amountOre: 928200 } },
  { type: 'ledger.TenancyDetailsChanged', data: { ...details, address: 'Kirkegata 3, 7500 Stjørdal', monthlyRentOre: 950000 } },
  { type: 'ledger.CreditPosted', data: { voucherRef: 'k-1', date: '2026-02-22', amountOre: 100000 } },
  { type: 'ledger.WriteOffPosted', data: { voucherRef: 'a-1', date: '2026-02-28', amountOre: 28200 } },
  { type: 'ledger.BalanceStated', data: { voucherRef: 's-1', asOf: '2026-03-01', statedBalanceOre: 900000, computedBalanceOre: 800000 } },
  { type: 'ledger.BalanceDiscrepancyRecorded', data: { voucherRef: 's-1', asOf: '2026-03-01', statedBalanceOre: 900000, computedBalanceOre: 800000, differenceOre: 100000 } },
  { type: 'ledger.ChargePosted', data: { voucherRef: 'f-3', date: '2026-03-01', dueDate: '2026-03-20', period: '2026-03', amountOre: 950000 } },
];

/** Frozen all the way down: the fold may change neither the events nor a state it is given. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
deepFreeze(history);

const reduced = (from: Tenancy, events: readonly LedgerEvent[]): Tenancy => events.reduce(evolveTenancy, from);
const frozenCopy = (t: Tenancy): string => JSON.stringify(t);
/** Equal, and with the same key order (what a stored JSON of it would be). */
const same = (a: Tenancy, b: Tenancy) => {
  expect(a).toEqual(b);
  expect(JSON.stringify(a)).toBe(JSON.stringify(b));
};

describe('folding a tenancy stream', () => {
  it('gives what evolving event by event gives, for every prefix of a history', () => {
    for (let n = 0; n <= history.length; n++) same(foldTenancy(initialTenancy(), history.slice(0, n)), reduced(initialTenancy(), history.slice(0, n)));
  });

  it('starts afresh at a second registration after postings, on either side of a split', () => {
    const again: LedgerEvent = deepFreeze({ type: 'ledger.TenancyRegistered', data: { municipalityNumber: '5035', tenancyId: '100234', ...details, monthlyRentOre: 990000 } });
    const twice = [...history.slice(0, 5), again, ...history.slice(5)];
    for (let split = 0; split <= twice.length; split++) {
      const earlier = deepFreeze(foldTenancy(initialTenancy(), twice.slice(0, split)));
      same(foldTenancy(earlier, twice.slice(split)), reduced(initialTenancy(), twice));
    }
  });

  it('brings an earlier fold up to date without changing it (it may be a cached state others hold)', () => {
    for (let split = 0; split <= history.length; split++) {
      const earlier = foldTenancy(initialTenancy(), history.slice(0, split));
      const before = frozenCopy(earlier);
      // Frozen: a fold that wrote to a state it was given would throw here.
      const later = foldTenancy(deepFreeze(earlier), history.slice(split));
      same(later, reduced(initialTenancy(), history));
      expect(frozenCopy(earlier)).toBe(before);
    }
  });

  it('folds the same state twice to the same result (its copies are its own)', () => {
    const earlier = foldTenancy(initialTenancy(), history.slice(0, 4));
    const a = foldTenancy(earlier, history.slice(4, 7));
    const b = foldTenancy(earlier, history.slice(4));
    expect(a).toEqual(reduced(earlier, history.slice(4, 7)));
    expect(b).toEqual(reduced(earlier, history.slice(4)));
    expect(a.status === 'registered' && a.charges.map((c) => c.voucherRef)).toEqual(['f-1', 'f-2']);
  });

  it('keeps an unregistered tenancy unregistered whatever is posted to it, and returns the state itself for no events', () => {
    const postings = history.filter((e) => e.type !== 'ledger.TenancyRegistered' && e.type !== 'ledger.TenancyDetailsChanged');
    expect(foldTenancy(initialTenancy(), postings)).toEqual({ status: 'unregistered' });
    const registered = foldTenancy(initialTenancy(), history);
    expect(foldTenancy(registered, [])).toBe(registered);
  });
});
