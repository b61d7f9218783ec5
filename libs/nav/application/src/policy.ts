import type { AppConfig } from '@evp/runtime';
import type { NavPolicy } from '@evp/nav-domain';

/** Injection token for NAV's policy (configuration, never a global: a what-if run passes its own). */
export const NAV_POLICY = 'nav.NavPolicy';

export function navPolicyFrom(config: AppConfig): NavPolicy {
  return {
    pickupWorkingDays: config.NAV_PICKUP_WORKING_DAYS,
    adviceStartNormWorkingDays: config.NAV_ADVICE_START_NORM_WORKING_DAYS,
    planToleranceDays: config.PAYMENT_PLAN_TOLERANCE_DAYS,
    incomeCheckDay: config.NAV_INCOME_MANAGEMENT_CHECK_DAY,
  };
}
