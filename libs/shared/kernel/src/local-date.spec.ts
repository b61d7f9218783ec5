import { isLocalDate, parseLocalDate } from './local-date';

/** What isLocalDate answered before it did its own arithmetic: a round trip through Date. */
function byRoundTrip(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).toISOString().slice(0, 10) === value;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

describe('isLocalDate', () => {
  it('answers as a round trip through Date does, for every day, month and year field of the years around leap-year rules', () => {
    const years = [0, 1, 4, 99, 100, 104, 200, 400, 1600, 1700, 1899, 1900, 1999, 2000, 2024, 2025, 2026, 2100, 2400, 9999];
    let checked = 0;
    let valid = 0;
    const differing: string[] = [];
    for (const year of years) {
      for (let month = 0; month <= 13; month++) {
        for (let day = 0; day <= 32; day++) {
          const text = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
          if (isLocalDate(text) !== byRoundTrip(text)) differing.push(text);
          if (isLocalDate(text)) valid++;
          checked++;
        }
      }
    }
    expect(differing).toEqual([]);
    expect(checked).toBe(years.length * 14 * 33);
    // 16 of the years are 0100 or later; six of those are leap years (104, 400, 1600, 2000, 2024, 2400).
    expect(valid).toBe(16 * 365 + 6);
  });

  it('knows the leap days', () => {
    expect(isLocalDate('2024-02-29')).toBe(true);
    expect(isLocalDate('2000-02-29')).toBe(true);
    expect(isLocalDate('2026-02-29')).toBe(false);
    expect(isLocalDate('2100-02-29')).toBe(false);
  });

  it('refuses what is not a YYYY-MM-DD string', () => {
    for (const value of [undefined, null, 20260101, '2026-1-01', '2026-01-1', ' 2026-01-01', '2026-01-01T00:00:00Z', '01.01.2026', '']) expect(isLocalDate(value)).toBe(false);
  });

  it('parses the Norwegian form into the ISO one, and refuses a day that does not exist', () => {
    expect(parseLocalDate('1.2.2026')).toBe('2026-02-01');
    expect(parseLocalDate(' 2026-03-31 ')).toBe('2026-03-31');
    expect(() => parseLocalDate('31.04.2026')).toThrow('is not a date');
  });
});
