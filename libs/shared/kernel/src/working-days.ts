import Holidays from 'date-holidays';
import { addDays, weekday, type LocalDate } from './local-date';

/**
 * Norwegian working days (virkedager): Monday to Friday except public holidays
 * (helligdager and the statutory 1 and 17 May). Holidays come from `date-holidays`, which
 * computes the movable feasts (Easter, Ascension, Whit Monday) from the Easter date rather than
 * listing them per year. Christmas Eve and New Year's Eve are bank holidays, not public ones: they
 * count as working days, as in the law's sense.
 */
export class NorwegianCalendar {
  private readonly holidays = new Holidays('NO');
  private readonly cache = new Map<number, Set<LocalDate>>();

  publicHolidays(year: number): Set<LocalDate> {
    let set = this.cache.get(year);
    if (!set) {
      set = new Set(
        this.holidays
          .getHolidays(year)
          .filter((h) => h.type === 'public')
          .map((h) => h.date.slice(0, 10)),
      );
      this.cache.set(year, set);
    }
    return set;
  }

  isWorkingDay(date: LocalDate): boolean {
    const day = weekday(date);
    if (day === 0 || day === 6) return false;
    return !this.publicHolidays(Number(date.slice(0, 4))).has(date);
  }

  /** The `n`th working day after `date` (n ≥ 1); `date` itself never counts. */
  addWorkingDays(date: LocalDate, n: number): LocalDate {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`working days must be a whole number >= 0, got ${n}`);
    let current = date;
    let left = n;
    while (left > 0) {
      current = addDays(current, 1);
      if (this.isWorkingDay(current)) left -= 1;
    }
    return current;
  }

  /** Working days after `from` up to and including `to`. */
  workingDaysBetween(from: LocalDate, to: LocalDate): number {
    let count = 0;
    for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) if (this.isWorkingDay(d)) count += 1;
    return count;
  }
}

export const norwegianCalendar = new NorwegianCalendar();
