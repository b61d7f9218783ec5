import type { AnyKysely } from './types';

/**
 * What the dashboard's month projections share: counters per municipality and month, and
 * histograms of day counts per municipality and month, gathered for a batch in memory and added
 * to their tables in a few multi-row upserts (a counter row gains the batch's increments).
 */

/** `YYYY-MM` of a `YYYY-MM-DD` day. */
export const monthOf = (day: string): string => day.slice(0, 7);

/** Rows per multi-row upsert. */
const ROWS_PER_STATEMENT = 100;

export type MonthCountRow<F extends string> = { municipality: string; month: string } & Record<F, number>;

/** A batch's increments to the counters `fields` of each municipality's months. */
export class MonthCounts<F extends string> {
  private readonly rows = new Map<string, MonthCountRow<F>>();

  constructor(private readonly fields: readonly F[]) {}

  add(municipality: string, day: string, field: F, delta = 1): void {
    const month = monthOf(day);
    const key = `${municipality}|${month}`;
    let row = this.rows.get(key);
    if (!row) {
      row = { municipality, month } as MonthCountRow<F>;
      for (const f of this.fields) (row as Record<string, unknown>)[f] = 0;
      this.rows.set(key, row);
    }
    (row as Record<string, number>)[field] = (row[field] as number) + delta;
  }

  /** Adds them to `table` (key: municipality, month). */
  async addTo(tx: AnyKysely, table: string): Promise<void> {
    const rows = [...this.rows.values()];
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      await tx
        .insertInto(table)
        .values(rows.slice(i, i + ROWS_PER_STATEMENT))
        .onConflict((oc) => oc.columns(['municipality', 'month']).doUpdateSet((eb) => Object.fromEntries(this.fields.map((f) => [f, eb(`${table}.${f}`, '+', eb.ref(`excluded.${f}`))]))))
        .execute();
    }
  }
}

export interface DayHistogramRow {
  municipality: string;
  month: string;
  /** The value counted (days waited, say). */
  days: number;
  n: number;
}

/** A batch's changes to a histogram of day counts per municipality and month. */
export class DayHistogram {
  private readonly rows = new Map<string, DayHistogramRow>();

  add(municipality: string, day: string, days: number, delta = 1): void {
    const month = monthOf(day);
    const key = `${municipality}|${month}|${days}`;
    const row = this.rows.get(key);
    if (row) row.n += delta;
    else this.rows.set(key, { municipality, month, days, n: delta });
  }

  /**
   * Adds them to `table` (key: municipality, month, days). A bucket a batch emptied (a value
   * taken back) is removed, so a rebuild in any batching gives the same rows.
   */
  async addTo(tx: AnyKysely, table: string): Promise<void> {
    const rows = [...this.rows.values()].filter((r) => r.n !== 0);
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      await tx
        .insertInto(table)
        .values(rows.slice(i, i + ROWS_PER_STATEMENT))
        .onConflict((oc) => oc.columns(['municipality', 'month', 'days']).doUpdateSet((eb) => ({ n: eb(`${table}.n`, '+', eb.ref('excluded.n')) })))
        .execute();
    }
    if (rows.some((r) => r.n < 0)) await tx.deleteFrom(table).where('n', '=', 0).execute();
  }
}

/** The median of a histogram sorted by value: the middle value, or the mean of the two middle ones; null when empty. */
export function histogramMedian(histogram: ReadonlyArray<{ days: number; n: number }>): number | null {
  const total = histogram.reduce((s, h) => s + h.n, 0);
  if (total === 0) return null;
  const at = (rank: number) => {
    let seen = 0;
    for (const h of histogram) {
      seen += h.n;
      if (seen >= rank) return h.days;
    }
    return (histogram[histogram.length - 1] as { days: number }).days;
  };
  return total % 2 === 1 ? at((total + 1) / 2) : (at(total / 2) + at(total / 2 + 1)) / 2;
}
