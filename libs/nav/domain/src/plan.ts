import { addDays, type LocalDate, type Ore } from '@evp/shared-kernel';
import type { IncomeManagement, PaymentPlan } from './household';

/**
 * When an instalment is checked: at the start of the day after its tolerance ran out. A payment on
 * the due date plus `toleranceDays` calendar days is still on time.
 */
export function instalmentCheckOn(dueOn: LocalDate, toleranceDays: number): LocalDate {
  return addDays(dueOn, toleranceDays + 1);
}

/** How many instalments have had their tolerance run out by `today`. */
export function instalmentsChecked(plan: PaymentPlan, today: LocalDate): number {
  return plan.instalments.filter((i) => instalmentCheckOn(i.dueOn, plan.toleranceDays) <= today).length;
}

/**
 * What the account should show as overdue once `k` instalments are due: the overdue amount when
 * the plan was agreed, less what the plan asked for so far. The plan presumes the running rent is
 * paid as it falls due, so unpaid new rent counts against it too.
 */
export function expectedOverdueOre(plan: PaymentPlan, k: number): Ore {
  const paidDown = plan.instalments.slice(0, k).reduce((sum, i) => sum + i.amountOre, 0);
  return Math.max(0, plan.startOverdueOre - paidDown);
}

/** The next day the plan must be checked after `today`, or null when every instalment has been. */
export function nextPlanCheck(plan: PaymentPlan, today: LocalDate): LocalDate | null {
  return plan.instalments.map((i) => instalmentCheckOn(i.dueOn, plan.toleranceDays)).find((d) => d > today) ?? null;
}

/** The next monthly check of income management after `today`: day `checkDay` of a month, from its start to its end. */
export function nextIncomeCheck(im: IncomeManagement, today: LocalDate, checkDay: number): LocalDate | null {
  if (im.withdrawnOn !== null) return null;
  const from = today >= im.startOn ? today : addDays(im.startOn, -1);
  let year = Number(from.slice(0, 4));
  let month = Number(from.slice(5, 7));
  for (let i = 0; i < 3; i++) {
    const candidate = `${year}-${String(month).padStart(2, '0')}-${String(checkDay).padStart(2, '0')}`;
    if (candidate > from) return im.endOn !== null && candidate > im.endOn ? null : candidate;
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
  }
  return null;
}
