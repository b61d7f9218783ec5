/**
 * Norwegian formatting. Amounts arrive from the api as whole øre (integers) and are shown as kroner
 * with two decimals, a space as thousands separator and a decimal comma («9 282,00 kr»), built from
 * integer arithmetic so no float rounding touches an amount.
 */

const grouping = new Intl.NumberFormat('nb-NO', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('nb-NO', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const integer = new Intl.NumberFormat('nb-NO', { maximumFractionDigits: 0 });

/** «9 282,00 kr» from 928200; «−150,50 kr» from −15050. */
export function formatKroner(ore: number): string {
  const negative = ore < 0;
  const abs = Math.abs(Math.trunc(ore));
  const kroner = Math.floor(abs / 100);
  const rest = abs % 100;
  return `${negative ? '\u2212' : ''}${grouping.format(kroner)},${String(rest).padStart(2, '0')}\u00a0kr`;
}

/** Whole kroner for chart axes and compact figures: «1 831 079 kr». */
export function formatWholeKroner(ore: number): string {
  return `${grouping.format(Math.round(ore / 100))}\u00a0kr`;
}

export function formatInteger(n: number): string {
  return integer.format(n);
}

/** A share as a percentage with one decimal: 0.0331 → «3,3 %». */
export function formatShare(share: number): string {
  return `${oneDecimal.format(share * 100)}\u00a0%`;
}

/** A number with one decimal: «4,5». */
export function formatOneDecimal(n: number): string {
  return oneDecimal.format(n);
}

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `2026-11-02` → «02.11.2026» (the calendar date as given; no time zone involved). */
export function formatDate(date: string | null | undefined): string {
  if (!date) return '–';
  const m = LOCAL_DATE.exec(date);
  return m ? `${m[3]}.${m[2]}.${m[1]}` : date;
}

const dateTime = new Intl.DateTimeFormat('nb-NO', { timeZone: 'Europe/Oslo', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' });

/** An instant shown in Norwegian time: «02.11.2026, 09:00». */
export function formatDateTime(instant: string | null | undefined): string {
  if (!instant) return '–';
  const t = Date.parse(instant);
  return Number.isNaN(t) ? instant : dateTime.format(t);
}

const MONTHS = ['januar', 'februar', 'mars', 'april', 'mai', 'juni', 'juli', 'august', 'september', 'oktober', 'november', 'desember'];
const SHORT_MONTHS = ['jan.', 'feb.', 'mars', 'apr.', 'mai', 'juni', 'juli', 'aug.', 'sep.', 'okt.', 'nov.', 'des.'];

/** `2026-11` → «november 2026» (or «nov. 2026» when short). */
export function formatMonth(month: string, short = false): string {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m) return month;
  const index = Number(m[2]) - 1;
  const name = (short ? SHORT_MONTHS : MONTHS)[index];
  return name ? `${name} ${m[1]}` : month;
}

/** `YYYY-MM` plus `n` months (negative for earlier). */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) + n;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** Today's date in Norway as `YYYY-MM-DD`. */
export function osloToday(now: Date = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Oslo', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  return parts;
}

export function plural(n: number, one: string, many: string): string {
  return `${formatInteger(n)} ${n === 1 ? one : many}`;
}
