import { daysBetween, norwegianCalendar, type LocalDate, type Ore } from '@evp/shared-kernel';
import type { LedgerEvent, ReductionPosted, TenancyDetails } from './events';

export interface Charge {
  readonly voucherRef: string;
  readonly date: LocalDate;
  readonly dueDate: LocalDate;
  readonly period: string;
  readonly amountOre: Ore;
}

export interface Reduction {
  readonly voucherRef: string;
  readonly kind: 'payment' | 'credit' | 'write-off';
  readonly date: LocalDate;
  readonly amountOre: Ore;
}

export interface Discrepancy {
  readonly voucherRef: string;
  readonly asOf: LocalDate;
  readonly statedBalanceOre: Ore;
  readonly computedBalanceOre: Ore;
  readonly differenceOre: Ore;
}

export type Tenancy =
  | { readonly status: 'unregistered' }
  | ({
      readonly status: 'registered';
      readonly municipalityNumber: string;
      readonly tenancyId: string;
      /** voucherRef → fingerprint of its content: the ERP line a voucher stands for can never change. */
      readonly vouchers: Readonly<Record<string, string>>;
      readonly charges: readonly Charge[];
      readonly reductions: readonly Reduction[];
      readonly discrepancies: readonly Discrepancy[];
    } & TenancyDetails);

export const initialTenancy = (): Tenancy => ({ status: 'unregistered' });

const REDUCTION_KIND: Record<ReductionPosted['type'], Reduction['kind']> = {
  'ledger.PaymentPosted': 'payment',
  'ledger.CreditPosted': 'credit',
  'ledger.WriteOffPosted': 'write-off',
};

export function voucherFingerprint(event: LedgerEvent): string {
  return `${event.type}|${JSON.stringify(event.data)}`;
}

export function evolveTenancy(state: Tenancy, event: LedgerEvent): Tenancy {
  switch (event.type) {
    case 'ledger.TenancyRegistered': {
      const { municipalityNumber, tenancyId, ...details } = event.data;
      return { status: 'registered', municipalityNumber, tenancyId, ...details, vouchers: {}, charges: [], reductions: [], discrepancies: [] };
    }
    case 'ledger.TenancyDetailsChanged':
      return state.status === 'registered' ? { ...state, ...event.data } : state;
    case 'ledger.ChargePosted':
      if (state.status !== 'registered') return state;
      return { ...state, vouchers: { ...state.vouchers, [event.data.voucherRef]: voucherFingerprint(event) }, charges: [...state.charges, event.data] };
    case 'ledger.PaymentPosted':
    case 'ledger.CreditPosted':
    case 'ledger.WriteOffPosted':
      if (state.status !== 'registered') return state;
      return {
        ...state,
        vouchers: { ...state.vouchers, [event.data.voucherRef]: voucherFingerprint(event) },
        reductions: [...state.reductions, { ...event.data, kind: REDUCTION_KIND[event.type] }],
      };
    case 'ledger.BalanceStated':
      if (state.status !== 'registered') return state;
      return { ...state, vouchers: { ...state.vouchers, [event.data.voucherRef]: voucherFingerprint(event) } };
    case 'ledger.BalanceDiscrepancyRecorded':
      return state.status === 'registered' ? { ...state, discrepancies: [...state.discrepancies, event.data] } : state;
    default: {
      const never: never = event;
      return never;
    }
  }
}

/**
 * `events.reduce(evolveTenancy, state)` without copying the state at every event. `evolveTenancy`
 * copies the voucher record and the lists for each posting, so folding a stream that way costs
 * time quadratic in its length (a year of postings, for each of an import's tens of thousands of
 * tenancies). Here the first posting copies them once and the rest are added in place: the copies
 * are this call's own, and `state` (perhaps a cached fold) is never changed. The result equals the
 * reduce's (tenancy.spec.ts).
 */
export function foldTenancy(state: Tenancy, events: Iterable<LedgerEvent>): Tenancy {
  const fold = new TenancyFold(state);
  for (const event of events) fold.add(event);
  return fold.state;
}

/**
 * `foldTenancy` one event at a time, for a caller that looks at the state between events (deciding
 * a file's postings for one tenancy). `state` is never changed; the state it returns is this
 * fold's own until the next `add`, which may change it in place.
 */
export class TenancyFold {
  private current: Tenancy;
  // Whether `current`'s record and lists are this fold's own copies, which may be added to.
  private owned = false;

  constructor(state: Tenancy) {
    this.current = state;
  }

  get state(): Tenancy {
    return this.current;
  }

  add(event: LedgerEvent): void {
    switch (event.type) {
      case 'ledger.TenancyRegistered':
        this.current = evolveTenancy(this.current, event);
        this.owned = true; // fresh record and lists
        return;
      case 'ledger.TenancyDetailsChanged':
        this.current = evolveTenancy(this.current, event); // shares the record and lists it had
        return;
      case 'ledger.ChargePosted':
      case 'ledger.PaymentPosted':
      case 'ledger.CreditPosted':
      case 'ledger.WriteOffPosted':
      case 'ledger.BalanceStated':
      case 'ledger.BalanceDiscrepancyRecorded': {
        const current = this.current;
        if (current.status !== 'registered') return;
        if (!this.owned) {
          this.current = { ...current, vouchers: { ...current.vouchers }, charges: [...current.charges], reductions: [...current.reductions], discrepancies: [...current.discrepancies] };
          this.owned = true;
        }
        const own = this.current as Extract<Tenancy, { status: 'registered' }> & { vouchers: Record<string, string>; charges: Charge[]; reductions: Reduction[]; discrepancies: Discrepancy[] };
        if (event.type === 'ledger.BalanceDiscrepancyRecorded') {
          own.discrepancies.push(event.data);
          return;
        }
        own.vouchers[event.data.voucherRef] = voucherFingerprint(event);
        if (event.type === 'ledger.ChargePosted') own.charges.push(event.data);
        else if (event.type !== 'ledger.BalanceStated') own.reductions.push({ ...event.data, kind: REDUCTION_KIND[event.type] });
        return;
      }
      default: {
        const never: never = event;
        return never;
      }
    }
  }
}

/** What a tenancy owes on a given day, charge by charge. */
export interface AccountPosition {
  /** Charges minus payments, credits and write-offs (negative: paid in advance). */
  readonly balanceOre: Ore;
  /** Unpaid on charges whose due date has passed. */
  readonly overdueOre: Ore;
  /** Unpaid on charges whose grace period has also passed: what arrears policies look at. */
  readonly arrearsOre: Ore;
  readonly unpaidCharges: ReadonlyArray<Charge & { readonly unpaidOre: Ore }>;
  readonly oldestUnpaidDueDate: LocalDate | null;
  /** Calendar days since the oldest unpaid due date (0 when nothing is overdue). */
  readonly daysOverdue: number;
  /** Calendar days since the oldest unpaid charge's grace period ended (0 when none has). */
  readonly daysPastGrace: number;
}

/**
 * Payments, credits and write-offs settle the oldest charges first. A charge counts as arrears
 * only after its grace period (working days after the due date), so that a payment on its way
 * does not make a tenant look in arrears (DOMAIN.md: «false arrears destroy trust»).
 */
export function accountPosition(charges: readonly Charge[], reductions: readonly Reduction[], today: LocalDate, graceWorkingDays: number): AccountPosition {
  const charged = charges.reduce((sum, c) => sum + c.amountOre, 0);
  const reduced = reductions.reduce((sum, r) => sum + r.amountOre, 0);
  return allocatedPosition([...charges].sort(compareCharges), reduced, charged - reduced, today, graceWorkingDays);
}

/** The order in which reductions settle charges: due date, then voucher reference. */
export function compareCharges(a: Pick<Charge, 'dueDate' | 'voucherRef'>, b: Pick<Charge, 'dueDate' | 'voucherRef'>): number {
  return a.dueDate === b.dueDate ? a.voucherRef.localeCompare(b.voucherRef) : a.dueDate < b.dueDate ? -1 : 1;
}

/**
 * `accountPosition`'s allocation: `available` settles the charges in the order given (already
 * sorted with `compareCharges`), oldest first. Shared with the compact account of the read model
 * (`compactPosition`), so both compute a position with the very same steps.
 */
export function allocatedPosition(sortedCharges: readonly Charge[], available: Ore, balanceOre: Ore, today: LocalDate, graceWorkingDays: number): AccountPosition {
  let left = available;
  const unpaidCharges: Array<Charge & { unpaidOre: Ore }> = [];
  for (const charge of sortedCharges) {
    const settled = Math.min(left, charge.amountOre);
    left -= settled;
    if (charge.amountOre - settled > 0) unpaidCharges.push({ ...charge, unpaidOre: charge.amountOre - settled });
  }
  const overdue = unpaidCharges.filter((c) => c.dueDate < today);
  const pastGrace = overdue.filter((c) => graceEnd(c.dueDate, graceWorkingDays) < today);
  const oldest = overdue[0]?.dueDate ?? null;
  const oldestPastGrace = pastGrace[0]?.dueDate ?? null;
  return {
    balanceOre,
    overdueOre: overdue.reduce((s, c) => s + c.unpaidOre, 0),
    arrearsOre: pastGrace.reduce((s, c) => s + c.unpaidOre, 0),
    unpaidCharges,
    oldestUnpaidDueDate: oldest,
    daysOverdue: oldest ? daysBetween(oldest, today) : 0,
    daysPastGrace: oldestPastGrace ? daysBetween(graceEnd(oldestPastGrace, graceWorkingDays), today) : 0,
  };
}

/** The last day of a charge's grace period. */
export function graceEnd(dueDate: LocalDate, graceWorkingDays: number): LocalDate {
  const key = `${dueDate}|${graceWorkingDays}`;
  let end = graceEnds.get(key);
  if (end === undefined) {
    // Lists and projections ask for the same few due dates over and over; the calendar is fixed.
    if (graceEnds.size >= GRACE_END_CACHE) graceEnds.clear();
    end = norwegianCalendar.addWorkingDays(dueDate, graceWorkingDays);
    graceEnds.set(key, end);
  }
  return end;
}

/** Memo of `graceEnd`: a pure function of its arguments (the holidays are computed, not configured). Bounded. */
const graceEnds = new Map<string, LocalDate>();
const GRACE_END_CACHE = 20_000;

/** The sum of postings dated on or before `asOf`: what the ERP's balance statement should say. */
export function balanceAsOf(charges: readonly Charge[], reductions: readonly Reduction[], asOf: LocalDate): Ore {
  return charges.filter((c) => c.date <= asOf).reduce((s, c) => s + c.amountOre, 0) - reductions.filter((r) => r.date <= asOf).reduce((s, r) => s + r.amountOre, 0);
}

