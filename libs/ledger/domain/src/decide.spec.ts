import type { LedgerEvent } from './events';
import { decidePostings, decideRegistration, LedgerRuleError, type Posting, type RegisterTenancy } from './decide';
import { accountPosition, evolveTenancy, initialTenancy, type Tenancy } from './tenancy';

const given = (...events: LedgerEvent[]): Tenancy => events.reduce(evolveTenancy, initialTenancy());

const registration: RegisterTenancy = {
  municipalityNumber: '5035',
  tenancyId: '100234',
  address: 'Kirkegata 1, 7500 Stjørdal',
  monthlyRentOre: 928200,
  landlordKind: 'municipal',
  navOffice: 'nav-stjordal',
  tenantPersonIds: ['p-1'],
};
const registered: LedgerEvent = { type: 'ledger.TenancyRegistered', data: registration };
const charge = (voucherRef: string, dueDate: string, amountOre = 928200): Posting => ({ kind: 'charge', voucherRef, date: dueDate.slice(0, 8) + '01', dueDate, period: dueDate.slice(0, 7), amountOre });
const chargeEvent = (p: Posting): LedgerEvent => ({ type: 'ledger.ChargePosted', data: { voucherRef: p.voucherRef, date: p.date, dueDate: (p as { dueDate: string }).dueDate, period: (p as { period: string }).period, amountOre: p.amountOre } });

describe('registering a tenancy', () => {
  it('given nothing, registers it', () => {
    expect(decideRegistration(initialTenancy(), registration)).toEqual([registered]);
  });
  it('given the same registration, does nothing', () => {
    expect(decideRegistration(given(registered), { ...registration, tenantPersonIds: ['p-1'] })).toEqual([]);
  });
  it('given other details, records the change', () => {
    expect(decideRegistration(given(registered), { ...registration, monthlyRentOre: 950000 })).toEqual([
      { type: 'ledger.TenancyDetailsChanged', data: { address: registration.address, monthlyRentOre: 950000, landlordKind: 'municipal', navOffice: 'nav-stjordal', tenantPersonIds: ['p-1'] } },
    ]);
  });
});

describe('posting to a tenancy account', () => {
  it('refuses postings to an unknown tenancy', () => {
    expect(() => decidePostings(initialTenancy(), [charge('F1', '2026-12-01')])).toThrow(LedgerRuleError);
  });

  it('posts a charge, a payment, a credit and a write-off', () => {
    const { events } = decidePostings(given(registered), [
      charge('F1', '2026-12-01'),
      { kind: 'payment', voucherRef: 'I1', date: '2026-12-02', amountOre: 500000 },
      { kind: 'credit', voucherRef: 'K1', date: '2026-12-03', amountOre: 10000 },
      { kind: 'write-off', voucherRef: 'A1', date: '2026-12-04', amountOre: 100 },
    ]);
    expect(events.map((e) => e.type)).toEqual(['ledger.ChargePosted', 'ledger.PaymentPosted', 'ledger.CreditPosted', 'ledger.WriteOffPosted']);
  });

  it('given a posted voucher, the same line again is a no-op', () => {
    const f1 = charge('F1', '2026-12-01');
    expect(decidePostings(given(registered, chargeEvent(f1)), [f1])).toEqual({ events: [], alreadyPosted: ['F1'] });
  });

  it('given a posted voucher, the same reference with other content is a conflict', () => {
    const f1 = charge('F1', '2026-12-01');
    expect(() => decidePostings(given(registered, chargeEvent(f1)), [{ ...f1, amountOre: 1 }])).toThrow(expect.objectContaining({ code: 'VOUCHER_CONFLICT', voucherRef: 'F1' }));
  });

  it('records a balance statement that agrees, and a discrepancy when it does not', () => {
    const state = given(registered, chargeEvent(charge('F1', '2026-12-01')));
    expect(decidePostings(state, [{ kind: 'balance', voucherRef: 'S1', date: '2026-12-05', amountOre: 928200 }]).events).toEqual([
      { type: 'ledger.BalanceStated', data: { voucherRef: 'S1', asOf: '2026-12-05', statedBalanceOre: 928200, computedBalanceOre: 928200 } },
    ]);
    expect(decidePostings(state, [{ kind: 'balance', voucherRef: 'S2', date: '2026-12-05', amountOre: 1000000 }]).events[1]).toEqual({
      type: 'ledger.BalanceDiscrepancyRecorded',
      data: { voucherRef: 'S2', asOf: '2026-12-05', statedBalanceOre: 1000000, computedBalanceOre: 928200, differenceOre: 71800 },
    });
  });
});

describe('account position', () => {
  const charges = [
    { voucherRef: 'F1', date: '2026-10-01', dueDate: '2026-10-01', period: '2026-10', amountOre: 928200 },
    { voucherRef: 'F2', date: '2026-11-01', dueDate: '2026-11-02', period: '2026-11', amountOre: 928200 },
    { voucherRef: 'F3', date: '2026-12-01', dueDate: '2026-12-01', period: '2026-12', amountOre: 928200 },
  ];

  it('settles the oldest charges first and counts arrears only after the grace period', () => {
    const position = accountPosition(charges, [{ voucherRef: 'I1', kind: 'payment', date: '2026-10-05', amountOre: 928200 }], '2026-11-04', 3);
    // F1 is paid; F2 fell due on Monday 2 November and its 3 working days of grace run to Thursday 5.
    expect(position).toMatchObject({ balanceOre: 1856400, overdueOre: 928200, arrearsOre: 0, oldestUnpaidDueDate: '2026-11-02', daysOverdue: 2, daysPastGrace: 0 });
    const later = accountPosition(charges, [{ voucherRef: 'I1', kind: 'payment', date: '2026-10-05', amountOre: 928200 }], '2026-11-20', 3);
    expect(later).toMatchObject({ arrearsOre: 928200, daysOverdue: 18, daysPastGrace: 15 });
  });

  it('a partial payment leaves the rest of the oldest charge unpaid', () => {
    const position = accountPosition(charges.slice(0, 1), [{ voucherRef: 'I1', kind: 'payment', date: '2026-10-05', amountOre: 28200 }], '2026-12-01', 3);
    expect(position.unpaidCharges).toEqual([expect.objectContaining({ voucherRef: 'F1', unpaidOre: 900000 })]);
  });
});
