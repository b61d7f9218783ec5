import type { Kysely } from 'kysely';
import { addDays, type LocalDate } from '@evp/shared-kernel';
import type { EventTypeMap, RecordedEvent } from '@evp/event-store';
import { OFF_PATH_GATHER_MS, writeRows, type ApplyContext, type ProjectionMemo, type SqlProjection } from '@evp/read-models';
import { TENANCY_STREAM_PREFIX, graceEnd, parseTenancyStreamName, type LedgerEvent } from '@evp/ledger-domain';

/**
 * The ledger's figures for the dashboard (the housing plan's measure, «utestående husleie /
 * fakturert husleie», by month), kept as one row per municipality and day on which something
 * changed — so a month's figure at its end, or today's, is a sum over a few hundred rows, and a
 * payment posted late but dated in the past corrects the past months it belongs to.
 *
 * Per tenancy, on a day D (end of day):
 * - invoiced: charges (faktura) falling due on D, gross; credit notes, like payments and
 *   write-offs, reduce what is outstanding rather than what was invoiced;
 * - outstanding: rent fallen due on or before D and not paid, credited or written off by D. Payments
 *   settle the oldest charges first (as the rent account does), so it is
 *   max(0, charges due by D − reductions dated by D); a tenant who paid ahead owes nothing, and
 *   never offsets another tenant's arrears;
 * - arrears: the same for charges whose grace period (POLICY_GRACE_WORKING_DAYS working days after
 *   the due date) ended by D: what the case policies look at.
 * Each tenancy keeps the changes of its own step function; the municipality's table holds their sum.
 */
export interface RentDayRow {
  municipality: string;
  day: string;
  invoiced_ore: number;
  /** The change of the municipality's outstanding rent on this day. */
  outstanding_change_ore: number;
  arrears_change_ore: number;
}

export interface RentMonthTenancyRow {
  tenancy_key: string;
  municipality: string;
  revision: number;
  /** JSON `{ c: [[dueDate, øre]…], r: [[date, øre]…] }`: charges and reductions, nothing else. */
  history: string;
  /** JSON `[[day, invoiced, outstandingChange, arrearsChange]…]`: this tenancy's part of `rent_days`. */
  steps: string;
}

export interface RentMonthTables {
  rent_days: RentDayRow;
  rent_month_tenancies: RentMonthTenancyRow;
}

export const RENT_MONTHS_PROJECTION = 'ledger-rent-months';
/** The grace period is part of the version: the arrears figures depend on it. */
export const rentMonthsProjectionVersion = (graceWorkingDays: number) => 1_000 + graceWorkingDays;

interface RentHistory {
  readonly c: Array<[LocalDate, number]>;
  readonly r: Array<[LocalDate, number]>;
}

type Step = [day: LocalDate, invoiced: number, outstandingChange: number, arrearsChange: number];

/** A tenancy as a build keeps it in memory: `steps` are those its row (and so `rent_days`) holds, `history` may be ahead of them. */
interface MemoTenancy {
  readonly municipality: string;
  readonly revision: number;
  readonly history: RentHistory;
  readonly steps: Step[];
}

const CHUNK = 400;
const MEMO_TENANCIES = 'tenancies';
/** Tenancy keys whose row and days the build has not written yet. */
const MEMO_UNWRITTEN = 'unwritten';
const TENANCY_COLUMNS = ['tenancy_key', 'municipality', 'revision', 'history', 'steps'] as const satisfies ReadonlyArray<keyof RentMonthTenancyRow>;
const DAY_COLUMNS = ['municipality', 'day', 'invoiced_ore', 'outstanding_change_ore', 'arrears_change_ore'] as const satisfies ReadonlyArray<keyof RentDayRow>;
const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export class RentMonthsProjection implements SqlProjection<RentMonthTables> {
  readonly name = RENT_MONTHS_PROJECTION;
  readonly version: number;
  readonly filter = { streamPrefixes: [TENANCY_STREAM_PREFIX] };
  readonly gatherMs = OFF_PATH_GATHER_MS;
  readonly tables = ['rent_days', 'rent_month_tenancies'] as const;
  private readonly graceEnds = new Map<LocalDate, LocalDate>();

  constructor(
    private readonly types: EventTypeMap,
    private readonly graceWorkingDays: number,
  ) {
    this.version = rentMonthsProjectionVersion(graceWorkingDays);
  }

  async createTables(db: Kysely<RentMonthTables>): Promise<void> {
    await db.schema
      .createTable('rent_days')
      .addColumn('municipality', 'text', (c) => c.notNull())
      .addColumn('day', 'text', (c) => c.notNull())
      .addColumn('invoiced_ore', 'bigint', (c) => c.notNull())
      .addColumn('outstanding_change_ore', 'bigint', (c) => c.notNull())
      .addColumn('arrears_change_ore', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('rent_days_pk', ['municipality', 'day'])
      .execute();
    await db.schema
      .createTable('rent_month_tenancies')
      .addColumn('tenancy_key', 'text', (c) => c.primaryKey())
      .addColumn('municipality', 'text', (c) => c.notNull())
      .addColumn('revision', 'integer', (c) => c.notNull())
      .addColumn('history', 'text', (c) => c.notNull())
      .addColumn('steps', 'text', (c) => c.notNull())
      .execute();
  }

  async apply(tx: Kysely<RentMonthTables>, events: readonly RecordedEvent[], context: ApplyContext = {}): Promise<void> {
    if (context.memo) return this.applyInMemory(context.memo, events);
    const keys = [...new Set(events.map((e) => e.streamName.slice(TENANCY_STREAM_PREFIX.length)))];
    const current = new Map<string, { municipality: string; revision: number; history: RentHistory; steps: Step[] }>();
    for (let i = 0; i < keys.length; i += CHUNK) {
      const rows = await tx.selectFrom('rent_month_tenancies').selectAll().where('tenancy_key', 'in', keys.slice(i, i + CHUNK)).execute();
      for (const row of rows) current.set(row.tenancy_key, { municipality: row.municipality, revision: row.revision, history: JSON.parse(row.history) as RentHistory, steps: JSON.parse(row.steps) as Step[] });
    }
    const before = new Map<string, Step[]>();
    for (const event of events) {
      const tenancy = parseTenancyStreamName(event.streamName);
      if (!tenancy) continue;
      const key = `${tenancy.municipalityNumber}-${tenancy.tenancyId}`;
      const entry = current.get(key) ?? { municipality: tenancy.municipalityNumber, revision: -1, history: { c: [], r: [] }, steps: [] };
      if (event.revision <= entry.revision) continue; // applied before
      if (!before.has(key)) before.set(key, entry.steps);
      const ledgerEvent = { type: event.type, data: this.types.upcast(event) } as unknown as LedgerEvent;
      current.set(key, { municipality: entry.municipality, revision: event.revision, history: withEvent(entry.history, ledgerEvent), steps: entry.steps });
    }
    const days = new Map<string, RentDayRow>();
    const tenancyRows: RentMonthTenancyRow[] = [];
    for (const [key, old] of before) {
      const entry = current.get(key) as { municipality: string; revision: number; history: RentHistory };
      tenancyRows.push(this.changed(key, entry, old, days).row);
    }
    await this.write(tx, tenancyRows, days);
  }

  /** While a rebuild builds the generation: the histories in memory, rows and days written by `flush`. */
  private applyInMemory(memo: ProjectionMemo, events: readonly RecordedEvent[]): void {
    const touched = new Map<string, MemoTenancy>();
    for (const event of events) {
      const tenancy = parseTenancyStreamName(event.streamName);
      if (!tenancy) continue;
      const key = `${tenancy.municipalityNumber}-${tenancy.tenancyId}`;
      // The memo holds every tenancy of the generation being built: one it lacks has no row.
      const entry = touched.get(key) ?? memo.get<MemoTenancy>(MEMO_TENANCIES, key) ?? { municipality: tenancy.municipalityNumber, revision: -1, history: { c: [], r: [] }, steps: [] };
      if (event.revision <= entry.revision) continue; // applied before
      const ledgerEvent = { type: event.type, data: this.types.upcast(event) } as unknown as LedgerEvent;
      // Literals, not spreads: one shape, and far cheaper for every posting of a rebuild.
      touched.set(key, { municipality: entry.municipality, revision: event.revision, history: withEvent(entry.history, ledgerEvent), steps: entry.steps });
    }
    for (const [key, entry] of touched) {
      memo.set(MEMO_TENANCIES, key, entry);
      memo.set(MEMO_UNWRITTEN, key, true);
    }
  }

  /** Writes the tenancies a build changed since its last flush, and their change to the days, in key order. */
  async flush(tx: Kysely<RentMonthTables>, memo: ProjectionMemo, options: { readonly partial?: boolean } = {}): Promise<void> {
    // The memo holds every tenancy's history anyway: written once, at the last flush, not
    // rewritten (with its days' changes) at every partial one.
    if (options.partial) return;
    const keys = [...memo.entries<true>(MEMO_UNWRITTEN)].map(([key]) => key).sort(byCodeUnits);
    const days = new Map<string, RentDayRow>();
    const tenancyRows: RentMonthTenancyRow[] = [];
    for (const key of keys) {
      const entry = memo.get<MemoTenancy>(MEMO_TENANCIES, key) as MemoTenancy;
      const { row, steps } = this.changed(key, entry, entry.steps, days);
      tenancyRows.push(row);
      memo.set(MEMO_TENANCIES, key, { municipality: entry.municipality, revision: entry.revision, history: entry.history, steps });
      memo.delete(MEMO_UNWRITTEN, key);
    }
    await this.write(tx, tenancyRows, days);
  }

  /** The tenancy's row, and its new steps' change against `old` added to `days`. */
  private changed(key: string, entry: { municipality: string; revision: number; history: RentHistory }, old: readonly Step[], days: Map<string, RentDayRow>): { row: RentMonthTenancyRow; steps: Step[] } {
    const steps = this.steps(entry.history);
    for (const [day, invoiced, outstanding, arrears] of diff(old, steps)) {
      const id = `${entry.municipality}|${day}`;
      // `days` is this call's own: its rows are added to in place.
      const row = days.get(id);
      if (row === undefined) days.set(id, { municipality: entry.municipality, day, invoiced_ore: invoiced, outstanding_change_ore: outstanding, arrears_change_ore: arrears });
      else {
        row.invoiced_ore += invoiced;
        row.outstanding_change_ore += outstanding;
        row.arrears_change_ore += arrears;
      }
    }
    return { row: { tenancy_key: key, municipality: entry.municipality, revision: entry.revision, history: JSON.stringify(entry.history), steps: JSON.stringify(steps) }, steps };
  }

  private async write(tx: Kysely<RentMonthTables>, tenancyRows: readonly RentMonthTenancyRow[], days: ReadonlyMap<string, RentDayRow>): Promise<void> {
    await writeRows(tx, tenancyRows, TENANCY_COLUMNS, 100, (chunk) =>
      tx
        .insertInto('rent_month_tenancies')
        .values(chunk)
        .onConflict((oc) => oc.column('tenancy_key').doUpdateSet((eb) => ({ revision: eb.ref('excluded.revision'), history: eb.ref('excluded.history'), steps: eb.ref('excluded.steps') }))),
    );
    const changes = [...days.values()].filter((d) => d.invoiced_ore !== 0 || d.outstanding_change_ore !== 0 || d.arrears_change_ore !== 0);
    await writeRows(tx, changes, DAY_COLUMNS, 100, (chunk) =>
      tx
        .insertInto('rent_days')
        .values(chunk)
        .onConflict((oc) =>
          oc.columns(['municipality', 'day']).doUpdateSet((eb) => ({
            invoiced_ore: eb('rent_days.invoiced_ore', '+', eb.ref('excluded.invoiced_ore')),
            outstanding_change_ore: eb('rent_days.outstanding_change_ore', '+', eb.ref('excluded.outstanding_change_ore')),
            arrears_change_ore: eb('rent_days.arrears_change_ore', '+', eb.ref('excluded.arrears_change_ore')),
          })),
        ),
    );
    // A day whose changes cancelled out holds nothing: remove it, so a rebuild in any batching gives the same rows.
    const byMunicipality = new Map<string, string[]>();
    for (const d of changes) {
      const list = byMunicipality.get(d.municipality);
      if (list) list.push(d.day);
      else byMunicipality.set(d.municipality, [d.day]);
    }
    for (const [municipality, touched] of byMunicipality) {
      for (let i = 0; i < touched.length; i += CHUNK) {
        await tx
          .deleteFrom('rent_days')
          .where('municipality', '=', municipality)
          .where('day', 'in', touched.slice(i, i + CHUNK))
          .where('invoiced_ore', '=', 0)
          .where('outstanding_change_ore', '=', 0)
          .where('arrears_change_ore', '=', 0)
          .execute();
      }
    }
  }

  /** The tenancy's step function: on each day something changes, by how much. */
  private steps(history: RentHistory): Step[] {
    const byDay = new Map<LocalDate, { invoiced: number; due: number; pastGrace: number; reduced: number }>();
    const at = (day: LocalDate) => {
      let entry = byDay.get(day);
      if (!entry) byDay.set(day, (entry = { invoiced: 0, due: 0, pastGrace: 0, reduced: 0 }));
      return entry;
    };
    for (const [due, amount] of history.c) {
      at(due).invoiced += amount;
      at(due).due += amount;
      at(this.graceEnd(due)).pastGrace += amount;
    }
    for (const [date, amount] of history.r) at(date).reduced += amount;
    const steps: Step[] = [];
    let due = 0;
    let pastGrace = 0;
    let reduced = 0;
    let outstanding = 0;
    let arrears = 0;
    for (const day of [...byDay.keys()].sort()) {
      const change = byDay.get(day) as { invoiced: number; due: number; pastGrace: number; reduced: number };
      due += change.due;
      pastGrace += change.pastGrace;
      reduced += change.reduced;
      const nextOutstanding = Math.max(0, due - reduced);
      const nextArrears = Math.max(0, pastGrace - reduced);
      if (change.invoiced !== 0 || nextOutstanding !== outstanding || nextArrears !== arrears) steps.push([day, change.invoiced, nextOutstanding - outstanding, nextArrears - arrears]);
      outstanding = nextOutstanding;
      arrears = nextArrears;
    }
    return steps;
  }

  private graceEnd(due: LocalDate): LocalDate {
    let end = this.graceEnds.get(due);
    if (!end) this.graceEnds.set(due, (end = graceEnd(due, this.graceWorkingDays)));
    return end;
  }
}

function withEvent(history: RentHistory, event: LedgerEvent): RentHistory {
  switch (event.type) {
    case 'ledger.ChargePosted':
      return { c: [...history.c, [event.data.dueDate, event.data.amountOre]], r: history.r };
    case 'ledger.PaymentPosted':
    case 'ledger.CreditPosted':
    case 'ledger.WriteOffPosted':
      return { c: history.c, r: [...history.r, [event.data.date, event.data.amountOre]] };
    default:
      // Registration, details and the ERP's balance statements change no amount owed.
      return history;
  }
}

/** What must be added to the municipality's days to turn the old steps into the new. */
function diff(old: readonly Step[], next: readonly Step[]): Step[] {
  const byDay = new Map<LocalDate, Step>();
  const add = (steps: readonly Step[], sign: 1 | -1) => {
    for (const [day, invoiced, outstanding, arrears] of steps) {
      const entry = byDay.get(day) ?? [day, 0, 0, 0];
      byDay.set(day, [day, entry[1] + sign * invoiced, entry[2] + sign * outstanding, entry[3] + sign * arrears]);
    }
  };
  add(old, -1);
  add(next, 1);
  return [...byDay.values()].filter(([, a, b, c]) => a !== 0 || b !== 0 || c !== 0);
}

/** `YYYY-MM` of a day. */
export const monthOf = (day: LocalDate): string => day.slice(0, 7);

/** `YYYY-MM` plus `n` months (negative: back). */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) + n;
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

export const lastDayOf = (month: string): LocalDate => addDays(`${addMonths(month, 1)}-01`, -1);
