import fc from 'fast-check';
import { addDays, type LocalDate } from '@evp/shared-kernel';
import { addCharge, addReduction, compactAccount, compactPosition, emptyCompactAccount, type CompactAccount } from './compact-account';
import { accountPosition, type Charge, type Reduction } from './tenancy';

const GRACE = 3;
/** Due dates around Christmas, New Year and Easter 2027: weekends and holidays inside the grace periods. */
const DUE_DATES: LocalDate[] = ['2026-12-01', '2026-12-22', '2026-12-24', '2027-01-01', '2027-01-04', '2027-02-01', '2027-03-01', '2027-03-24', '2027-04-01'];
/** Every day from before the first due date to well after the last grace period. */
const DAYS: LocalDate[] = Array.from({ length: 150 }, (_, i) => addDays('2026-11-25', i));

type Posting = { kind: 'charge'; charge: Charge } | { kind: 'reduction'; reduction: Reduction };

const charge = fc.record({
  voucherRef: fc.constantFrom('F-1', 'F-2', 'F-10', 'f-2', 'F-3', 'Å-1'),
  dueDate: fc.constantFrom(...DUE_DATES),
  // Mostly rent-sized, sometimes small, rarely zero or negative (the input refuses those, the events could hold them).
  amountOre: fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 1, max: 1_000_000 }) }, { weight: 2, arbitrary: fc.constantFrom(100, 500_000) }, { weight: 1, arbitrary: fc.integer({ min: -200_000, max: 0 }) }),
});
const posting: fc.Arbitrary<Posting> = fc.oneof(
  { weight: 5, arbitrary: charge.map((c) => ({ kind: 'charge' as const, charge: { ...c, date: addDays(c.dueDate, -14), period: c.dueDate.slice(0, 7) } })) },
  {
    weight: 5,
    arbitrary: fc
      .oneof({ weight: 9, arbitrary: fc.integer({ min: 1, max: 1_500_000 }) }, { weight: 1, arbitrary: fc.integer({ min: -500_000, max: 0 }) })
      .map((amountOre) => ({ kind: 'reduction' as const, reduction: { voucherRef: 'I', kind: 'payment' as const, date: '2026-12-01', amountOre } })),
  },
);

/** Applies postings one at a time, as the projection does: the compact form when it can take the posting, else compacted again from the whole history. */
function replay(postings: readonly Posting[], check: (charges: readonly Charge[], reductions: readonly Reduction[], compact: CompactAccount) => void): { recompacted: number } {
  const charges: Charge[] = [];
  const reductions: Reduction[] = [];
  let compact = emptyCompactAccount();
  let recompacted = 0;
  for (const p of postings) {
    let next: CompactAccount | undefined;
    if (p.kind === 'charge') {
      charges.push(p.charge);
      next = addCharge(compact, p.charge);
    } else {
      reductions.push(p.reduction);
      next = addReduction(compact, p.reduction.amountOre);
    }
    if (next === undefined) {
      recompacted += 1;
      next = compactAccount(
        charges,
        reductions.reduce((s, r) => s + r.amountOre, 0),
      );
    }
    // What the read model stores is the JSON text of the compact form.
    compact = JSON.parse(JSON.stringify(next)) as CompactAccount;
    check(charges, reductions, compact);
  }
  return { recompacted };
}

describe('the compact account of the read model', () => {
  it('given any sequence of postings, gives the position of the whole history on every day', () => {
    fc.assert(
      fc.property(fc.array(posting, { maxLength: 30 }), (postings) => {
        replay(postings, (charges, reductions, compact) => {
          for (const day of DAYS) {
            const compacted = compactPosition(compact, day, GRACE);
            const whole = accountPosition(charges, reductions, day, GRACE);
            // A cheap comparison first; the deep one (with its diff) only when they differ.
            if (JSON.stringify(compacted) !== JSON.stringify(whole)) expect(compacted).toEqual(whole);
          }
        });
      }),
      { numRuns: 300 },
    );
  });

  it('given monthly rent paid on time, keeps only what is not yet settled and never compacts again', () => {
    const postings: Posting[] = [];
    for (let month = 1; month <= 36; month += 1) {
      const dueDate = `${2024 + Math.floor((month - 1) / 12)}-${String(((month - 1) % 12) + 1).padStart(2, '0')}-01`;
      postings.push({ kind: 'charge', charge: { voucherRef: `F-${month}`, date: addDays(dueDate, -14), dueDate, period: dueDate.slice(0, 7), amountOre: 928_200 } });
      if (month !== 35) postings.push({ kind: 'reduction', reduction: { voucherRef: `I-${month}`, kind: 'payment', date: dueDate, amountOre: 928_200 } });
    }
    let last = emptyCompactAccount();
    const { recompacted } = replay(postings, (_c, _r, compact) => (last = compact));
    expect(recompacted).toBe(0);
    // Three years of postings, one month unpaid: payments settle the oldest charges first, so the last charge is all that is kept.
    expect(last.charges.map((c) => c.voucherRef)).toEqual(['F-36']);
    expect(last).toMatchObject({ settledOre: 35 * 928_200, settledThrough: { dueDate: '2026-11-01', voucherRef: 'F-35' }, reducedOre: 35 * 928_200 });
    expect(compactPosition(last, '2026-12-10', GRACE)).toMatchObject({ overdueOre: 928_200, arrearsOre: 928_200, balanceOre: 928_200, oldestUnpaidDueDate: '2026-12-01' });
  });

  it('given a charge that sorts before the folded ones, answers undefined: the caller compacts again', () => {
    const paid = compactAccount([{ voucherRef: 'F-2', date: '2027-01-15', dueDate: '2027-02-01', period: '2027-02', amountOre: 1000 }], 1000);
    expect(paid).toMatchObject({ settledOre: 1000, charges: [] });
    expect(addCharge(paid, { voucherRef: 'F-1', date: '2026-12-15', dueDate: '2027-01-01', period: '2027-01', amountOre: 1000 })).toBeUndefined();
    expect(addCharge(paid, { voucherRef: 'F-3', date: '2027-02-15', dueDate: '2027-03-01', period: '2027-03', amountOre: 1000 })).toMatchObject({ settledOre: 1000, charges: [{ voucherRef: 'F-3' }] });
    expect(addReduction(paid, -1)).toBeUndefined();
  });
});
