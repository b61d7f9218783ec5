/**
 * Money is a whole number of øre. No floating point ever touches an amount: kroner text is parsed
 * digit by digit into øre, and sums stay integers (safe up to ±90 trillion kroner).
 */
export type Ore = number;

export class MoneyFormatError extends Error {}

/**
 * Parses kroner as Norwegian ERPs export them: "9 282,00", "9282.50", "-1 200", "1.234,56",
 * "1,234.56". Spaces (also non-breaking) group thousands in threes; when both a point and a
 * comma occur, the last one is the decimal mark. At most two decimals.
 */
export function parseKroner(text: string): Ore {
  const compact = text.trim().replace(/[\u00a0\u202f]/g, ' ');
  if (!/^[+-]?\d{1,3}(?: \d{3})*(?:[.,]\d+)*$|^[+-]?\d+(?:[.,]\d+)*$/.test(compact)) {
    throw new MoneyFormatError(`"${text}" is not an amount in kroner (e.g. 9 282,00)`);
  }
  let t = compact.replace(/ /g, '');
  const lastPoint = t.lastIndexOf('.');
  const lastComma = t.lastIndexOf(',');
  if (lastPoint >= 0 && lastComma >= 0) {
    const thousands = lastPoint > lastComma ? ',' : '.';
    const groups = t.slice(0, Math.max(lastPoint, lastComma)).replace(/^[+-]/, '').split(thousands);
    if (groups.slice(1).some((g) => g.length !== 3) || (groups[0] as string).length > 3) {
      throw new MoneyFormatError(`"${text}" has misplaced thousands separators`);
    }
    t = t.split(thousands).join('');
  }
  const m = /^([+-]?)(\d+)(?:[.,](\d{1,2}))?$/.exec(t);
  if (!m) throw new MoneyFormatError(`"${text}" is not an amount in kroner with at most two decimals (e.g. 9 282,00)`);
  const [, sign, kroner, decimals = ''] = m as unknown as [string, string, string, string | undefined];
  const ore = Number(kroner) * 100 + Number(decimals.padEnd(2, '0'));
  if (!Number.isSafeInteger(ore)) throw new MoneyFormatError(`"${text}" is too large`);
  return sign === '-' && ore !== 0 ? -ore : ore;
}

/** "9 282,00 kr" style, for user-facing text (bokmål). */
export function formatKroner(ore: Ore): string {
  const sign = ore < 0 ? '-' : '';
  const abs = Math.abs(ore);
  const kroner = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0');
  return `${sign}${kroner},${String(abs % 100).padStart(2, '0')}`;
}
