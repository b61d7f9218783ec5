/**
 * Calendar dates as `YYYY-MM-DD` strings, in Norwegian time (Europe/Oslo). A due date is a day,
 * not an instant; arithmetic is done on UTC midnights so that daylight saving never shifts a day.
 */
export type LocalDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const NORWEGIAN_DATE = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/;

export class DateFormatError extends Error {}

export function isLocalDate(value: unknown): value is LocalDate {
  if (typeof value !== 'string') return false;
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === value;
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
