/**
 * NAV's policy numbers: configuration, never code (ARCHITECTURE.md). None is national law; each
 * names where it comes from (libs/nav/README.md, «Policy»).
 */
export interface NavPolicy {
  /** Working days after a referral arrives within which an adviser must claim it (the municipality's own limit). */
  readonly pickupWorkingDays: number;
  /** Working days after a § 17 request within which the office's norm says the advice starts. */
  readonly adviceStartNormWorkingDays: number;
  /** A payment plan's default tolerance: calendar days after an instalment's due date. */
  readonly planToleranceDays: number;
  /** Day of the month (1–28) of income management's monthly check. */
  readonly incomeCheckDay: number;
}
