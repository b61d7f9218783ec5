import type { SyntheticKind } from './national-id';

/**
 * Synthetic identity numbers for tests, fixtures and benchmarks: Tenor numbers (month + 80) and
 * Dolly numbers (month + 40), with random dates and individual numbers and correct check digits.
 * They cannot be a real person's fødselsnummer or d-nummer, because no real month is above 12.
 * Never take a fixture from a real person, and never write an ordinary-format number in a test.
 */
const K1 = [3, 7, 6, 1, 8, 9, 4, 5, 2];
const K2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];

const MONTH_OFFSET: Record<SyntheticKind, number> = { tenor: 80, dolly: 40 };

function checkDigit(digits: number[], weights: number[]): number | undefined {
  const sum = weights.reduce((acc, w, i) => acc + w * (digits[i] as number), 0);
  const r = 11 - (sum % 11);
  if (r === 11) return 0;
  if (r === 10) return undefined;
  return r;
}

export interface SyntheticNationalIdOptions {
  /** Which test-data scheme; by default a mix of both. */
  readonly kind?: SyntheticKind | 'mixed';
}

/**
 * `count` distinct synthetic numbers. `seed` makes the sequence reproducible.
 */
export function syntheticNationalIds(count: number, seed = 1, options: SyntheticNationalIdOptions = {}): string[] {
  const kind = options.kind ?? 'mixed';
  let state = seed >>> 0 || 1;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const out = new Set<string>();
  while (out.size < count) {
    const scheme: SyntheticKind = kind === 'mixed' ? (next() < 0.5 ? 'tenor' : 'dolly') : kind;
    const year = 1940 + Math.floor(next() * 60); // born 1940–1999: individual number 000–499
    const month = 1 + Math.floor(next() * 12) + MONTH_OFFSET[scheme];
    const day = 1 + Math.floor(next() * 28);
    const individual = Math.floor(next() * 500);
    const base = `${String(day).padStart(2, '0')}${String(month).padStart(2, '0')}${String(year % 100).padStart(2, '0')}${String(individual).padStart(3, '0')}`;
    const digits = base.split('').map(Number);
    const k1 = checkDigit(digits, K1);
    if (k1 === undefined) continue;
    const k2 = checkDigit([...digits, k1], K2);
    if (k2 === undefined) continue;
    out.add(`${base}${k1}${k2}`);
  }
  return [...out];
}
