import { addDays, osloDate, startOfOsloDay, type LocalDate } from '@evp/shared-kernel';

/**
 * `osloDate(now)` for a clock that keeps asking about the same day: the day's bounds are computed
 * once (on its first instant asked about, and again when an instant falls outside them), so a
 * request in the same day compares two numbers instead of formatting a date in a time zone
 * (Intl, which costs more than the rest of a cached list request's own work). Daylight saving
 * time is in the bounds: `startOfOsloDay` finds each day's real midnight.
 */
export class OsloToday {
  private day: { readonly from: number; readonly until: number; readonly date: LocalDate } | undefined;

  of(now: Date): LocalDate {
    const t = now.getTime();
    const day = this.day;
    if (day !== undefined && t >= day.from && t < day.until) return day.date;
    const date = osloDate(now);
    this.day = { from: startOfOsloDay(date).getTime(), until: startOfOsloDay(addDays(date, 1)).getTime(), date };
    return date;
  }
}
