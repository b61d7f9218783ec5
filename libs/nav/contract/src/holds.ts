import type { LocalDate, Ore } from '@evp/shared-kernel';

/**
 * What NAV's follow-up of a household means for the prevention case on a given day (DOMAIN.md:
 * arrears are computed net of payments known to be on their way; a case can be paused with a
 * reason). No amounts of what NAV decided, no notes: one sum and one date.
 */
export interface NavHold {
  /**
   * Financial assistance NAV has granted toward the arrears (sosialtjenesteloven §§ 18/19) whose
   * expected payment date is today or later: it counts as on its way until that date passes.
   */
  readonly onItsWayOre: Ore;
  /** The last day of a pause NAV set with a reason (inclusive); null when not paused today. */
  readonly pausedUntil: LocalDate | null;
}

export const NO_NAV_HOLD: NavHold = { onItsWayOre: 0, pausedUntil: null };

/** The port the cases context reads NAV's hold through. Exact: computed from NAV's stream when asked. */
export interface NavHolds {
  holdOn(municipalityNumber: string, tenancyId: string, today: LocalDate): Promise<NavHold>;
}

/** Injection token for `NavHolds`. */
export const NAV_HOLDS = 'nav.NavHolds';
