import type { LocalDate } from '@evp/shared-kernel';
import type { NavHold } from '@evp/nav-contract';
import type { NavHousehold } from './household';

/**
 * What NAV's follow-ups of a household hold back on `today` (published through NAV_HOLDS):
 * granted assistance counts as on its way up to and including its expected payment date; a
 * running pause holds until its last day. A concluded follow-up holds nothing.
 */
export function holdOf(state: NavHousehold, today: LocalDate): NavHold {
  let onItsWayOre = 0;
  let pausedUntil: LocalDate | null = null;
  for (const f of state.followUps) {
    if (f.concluded) continue;
    for (const a of f.assistance) {
      if (a.outcome === 'granted' && a.datePassedOn === null && a.expectedPaymentOn !== null && today <= a.expectedPaymentOn) onItsWayOre += a.amountOre;
    }
    const pause = f.pause;
    if (pause && pause.endedOn === null && today <= pause.until && (pausedUntil === null || pause.until > pausedUntil)) pausedUntil = pause.until;
  }
  return { onItsWayOre, pausedUntil };
}
