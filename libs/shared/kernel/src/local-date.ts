/**
 * Calendar dates as `YYYY-MM-DD` strings, in Norwegian time (Europe/Oslo). A due date is a day,
 * not an instant; arithmetic is done on UTC midnights so that daylight saving never shifts a day.
 */
export type LocalDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const NORWEGIAN_DATE = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/;

export class DateFormatError extends Error {}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * A real calendar day written `YYYY-MM-DD` (proleptic Gregorian, as `Date` counts; years before
 * 0100 are refused, as they always were here: `Date.UTC` reads them as 19xx). Arithmetic rather
 * than a `Date` round trip: an import checks two dates on each of 100 000 lines.
 */
export function isLocalDate(value: unknown): value is LocalDate {
  if (typeof value !== 'string') return false;
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year < 100 || month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number));
}

/** Accepts `YYYY-MM-DD` and `DD.MM.YYYY` (as Norwegian ERPs write it). */
export function parseLocalDate(text: string): LocalDate {
  const t = text.trim();
  const n = NORWEGIAN_DATE.exec(t);
  const candidate = n ? `${n[3]}-${(n[2] as string).padStart(2, '0')}-${(n[1] as string).padStart(2, '0')}` : t;
  if (!isLocalDate(candidate)) throw new DateFormatError(`"${text}" is not a date (YYYY-MM-DD or DD.MM.YYYY)`);
  return candidate;
}

const toUtc = (date: LocalDate): number => Date.parse(`${date}T00:00:00Z`);
const fromUtc = (ms: number): LocalDate => new Date(ms).toISOString().slice(0, 10);
const DAY = 86_400_000;

export function addDays(date: LocalDate, days: number): LocalDate {
  return fromUtc(toUtc(date) + days * DAY);
}

/** Whole days from `from` to `to` (positive when `to` is later). */
export function daysBetween(from: LocalDate, to: LocalDate): number {
  return Math.round((toUtc(to) - toUtc(from)) / DAY);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(date: LocalDate): number {
  return new Date(toUtc(date)).getUTCDay();
}

const osloFormatter = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Oslo', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The calendar date in Norway at an instant. */
export function osloDate(instant: Date): LocalDate {
  return osloFormatter.format(instant);
}

/** The instant a Norwegian calendar day starts (00:00 Europe/Oslo). */
export function startOfOsloDay(date: LocalDate): Date {
  // Oslo is UTC+1 or UTC+2; try both and keep the one that lands on the date's midnight.
  for (const offsetHours of [1, 2]) {
    const instant = new Date(toUtc(date) - offsetHours * 3_600_000);
    if (osloDate(instant) === date && osloDate(new Date(instant.getTime() - 1)) !== date) return instant;
  }
  return new Date(toUtc(date) - 3_600_000);
}
