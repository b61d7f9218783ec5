import type { LocalDate, Ore } from '@evp/shared-kernel';
import { allocatedPosition, compareCharges, type AccountPosition, type Charge } from './tenancy';

/**
 * A rent account reduced to what `accountPosition` needs, for a read model that keeps one row per
 * tenancy and updates it on every posting.
 *
 * `accountPosition` pools every payment, credit and write-off (their dates play no part) and lets
 * the pool settle the charges oldest first (`compareCharges`). So:
 * - the reductions matter only through their sum (`reducedOre`);
 * - the oldest charges that the pool settles in full are settled whatever the day, and as long as
 *   the pool does not shrink and no later charge sorts before them, they stay settled and take
 *   exactly their amount from the pool. They are folded into `settledOre` (their sum) and
 *   `settledThrough` (the allocation key of the last of them).
 *
 * A charge that would sort at or before `settledThrough`, or a reduction that shrinks the pool below
 * `settledOre`, cannot be added to the compact form: `addCharge`/`addReduction` answer undefined and
 * the caller compacts again from every charge (`compactAccount`). Posted postings never do either
 * in the ordinary course (charges come month by month, amounts are positive), but the result stays
 * exact when they do. `compactPosition(compactAccount(charges, Σ reductions), day)` equals
 * `accountPosition(charges, reductions, day)` for every day (see compact-account.spec.ts).
 */
export interface CompactAccount {
  /** Sum of the folded charges: the oldest ones, each settled in full. */
  readonly settledOre: Ore;
  /** Allocation key of the last folded charge; null when none is folded. */
  readonly settledThrough: { readonly dueDate: LocalDate; readonly voucherRef: string } | null;
  /** Sum of every payment, credit and write-off. */
  readonly reducedOre: Ore;
  /** The charges not folded, in allocation order (`compareCharges`, ties in posting order). */
  readonly charges: readonly Charge[];
}

export const emptyCompactAccount = (): CompactAccount => ({ settledOre: 0, settledThrough: null, reducedOre: 0, charges: [] });

/** The compact form of an account's charges (in posting order) and the sum of its reductions. */
export function compactAccount(charges: readonly Charge[], reducedOre: Ore): CompactAccount {
  return fold({ settledOre: 0, settledThrough: null, reducedOre, charges: [...charges].sort(compareCharges) });
}

/** The account with one more charge (posted after every charge it holds); undefined when the compact form cannot take it. */
export function addCharge(account: CompactAccount, charge: Charge): CompactAccount | undefined {
  if (account.settledThrough !== null && compareCharges(charge, account.settledThrough) <= 0) return undefined;
  const { voucherRef, date, dueDate, period, amountOre } = charge;
  // Stable: a charge that ties with one it holds goes after it, as it does in accountPosition's sort of the whole history.
  return fold({ settledOre: account.settledOre, settledThrough: account.settledThrough, reducedOre: account.reducedOre, charges: [...account.charges, { voucherRef, date, dueDate, period, amountOre }].sort(compareCharges) });
}

/** The account with one more payment, credit or write-off; undefined when the compact form cannot take it. */
export function addReduction(account: CompactAccount, amountOre: Ore): CompactAccount | undefined {
  const reducedOre = account.reducedOre + amountOre;
  if (reducedOre < account.settledOre) return undefined;
  // Literals, not spreads: one shape, and far cheaper per posting (see accounts-projection.ts).
  return fold({ settledOre: account.settledOre, settledThrough: account.settledThrough, reducedOre, charges: account.charges });
}

/** The account's position on `today`: `accountPosition` of the whole history. */
export function compactPosition(account: CompactAccount, today: LocalDate, graceWorkingDays: number): AccountPosition {
  const charged = account.charges.reduce((sum, c) => sum + c.amountOre, account.settledOre);
  return allocatedPosition(account.charges, account.reducedOre - account.settledOre, charged - account.reducedOre, today, graceWorkingDays);
}

/**
 * Folds the oldest charges the pool settles in full. Only positive charges are folded: then the
 * folded charges stay settled exactly while the pool holds at least their sum (`addReduction`).
 */
function fold(account: CompactAccount): CompactAccount {
  let available = account.reducedOre - account.settledOre;
  let folded = 0;
  let settledOre = account.settledOre;
  for (const charge of account.charges) {
    if (charge.amountOre <= 0 || available < charge.amountOre) break;
    available -= charge.amountOre;
    settledOre += charge.amountOre;
    folded += 1;
  }
  if (folded === 0) return account;
  const last = account.charges[folded - 1] as Charge;
  return { settledOre, settledThrough: { dueDate: last.dueDate, voucherRef: last.voucherRef }, reducedOre: account.reducedOre, charges: account.charges.slice(folded) };
}
