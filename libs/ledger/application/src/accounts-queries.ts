import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { addDays, type LocalDate } from '@evp/shared-kernel';
import { hasRole, mayActIn, type Caller } from '@evp/auth';
import { decodeCursor, encodeCursor, keysetPage, type CursorValue } from '@evp/read-models';
import type { ReadModelReader } from '@evp/runtime';
import { compactPosition, tenancyKey, type LandlordKind } from '@evp/ledger-domain';
import { ACCOUNTS_PROJECTION, accountAmounts, accountsProjectionVersion, addressKey, rolledAsOf, type AccountTables, type RentAccountRow, type StoredAccountState } from './accounts-projection';

export interface AccountSummary {
  readonly municipalityNumber: string;
  readonly tenancyId: string;
  readonly address: string;
  readonly monthlyRentOre: number;
  readonly landlordKind: string;
  readonly navOffice: string;
  readonly tenantCount: number;
  readonly asOf: LocalDate;
  readonly balanceOre: number;
  readonly overdueOre: number;
  readonly arrearsOre: number;
  readonly oldestUnpaidDueDate: LocalDate | null;
  readonly daysOverdue: number;
  readonly unpaidCharges: ReadonlyArray<{ voucherRef: string; dueDate: LocalDate; period: string; amountOre: number; unpaidOre: number }>;
  readonly discrepancies: ReadonlyArray<{ voucherRef: string; asOf: LocalDate; statedBalanceOre: number; computedBalanceOre: number; differenceOre: number }>;
}

export interface AccountView extends AccountSummary {
  readonly transactions: ReadonlyArray<{ voucherRef: string; type: string; date: LocalDate; dueDate?: LocalDate; period?: string; amountOre: number; postedAt: string }>;
}

/**
 * Who may read a tenancy's account: accounting, the arrears team and admin in their
 * municipalities; a NAV adviser only for the tenancy's current NAV office; a landlord never.
 */
export function mayReadAccount(caller: Caller, account: { municipality: string; nav_office: string }): boolean {
  if (!mayActIn(caller, account.municipality)) return false;
  if (hasRole(caller, 'accounting', 'arrears-team', 'admin')) return true;
  return hasRole(caller, 'nav-adviser') && caller.navOffice === account.nav_office;
}

const SUMMARY_COLUMNS = ['tenancy_key', 'municipality', 'tenancy_id', 'address', 'monthly_rent_ore', 'landlord_kind', 'nav_office', 'tenant_count', 'state', 'overdue_ore', 'oldest_unpaid_due_on'] as const;
type SummaryRow = Pick<RentAccountRow, (typeof SUMMARY_COLUMNS)[number]>;

export type ArrearsSort = 'amount' | 'age';

/** The arrears list's filters; an absent one does not filter. */
/** One page of the arrears list. */
export interface ArrearsPage {
  readonly items: AccountSummary[];
  readonly nextCursor: string | null;
}

export interface ArrearsFilter {
  readonly navOffice?: string;
  readonly landlordKind?: LandlordKind;
  /** Overdue (as the list sorts it) at least this many øre. */
  readonly minOverdueOre?: number;
  /** The oldest unpaid charge fell due at least this many days ago. */
  readonly minDaysOverdue?: number;
  /** The address contains this text, whatever the case. */
  readonly addressContains?: string;
}

/**
 * What a page cursor of the arrears list carries beside the last row's keys: a digest of the
 * municipality, the sort and the filters it was made for. It holds no filter text (an address is
 * not put in a cursor), and a cursor replayed with other filters is refused, not misread.
 */
export function arrearsListFingerprint(municipalityNumber: string, sort: ArrearsSort, filter: ArrearsFilter): string {
  const canonical = JSON.stringify([
    municipalityNumber,
    sort,
    filter.navOffice ?? null,
    filter.landlordKind ?? null,
    filter.minOverdueOre ?? null,
    filter.minDaysOverdue ?? null,
    filter.addressContains === undefined ? null : addressKey(filter.addressContains),
  ]);
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
}

/** A page cursor of the arrears list: the keys to continue after, or why it cannot be used with this list. */
export function decodeArrearsCursor(cursor: string, municipalityNumber: string, sort: ArrearsSort, filter: ArrearsFilter): { after: CursorValue[] } | { error: 'malformed' | 'other-list' } {
  const values = decodeCursor(cursor, 3);
  if (!values) return { error: 'malformed' };
  const [first, second, fingerprint] = values as [CursorValue, CursorValue, CursorValue];
  if (fingerprint !== arrearsListFingerprint(municipalityNumber, sort, filter)) return { error: 'other-list' };
  // The keys' types are the sort's: a date and a key for age, an amount and a key for amount.
  if (typeof second !== 'string' || (sort === 'age' ? typeof first !== 'string' : typeof first !== 'number')) return { error: 'malformed' };
  return { after: [first, second] };
}

/** A LIKE pattern matching text that contains `text`, its own `%`, `_` and backslash escaped with a backslash. */
function likeContaining(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export class AccountQueries {
  private readonly version: number;

  constructor(
    private readonly readModels: ReadModelReader,
    private readonly graceWorkingDays: number,
  ) {
    this.version = accountsProjectionVersion(graceWorkingDays);
  }

  private db(): Promise<Kysely<AccountTables>> {
    return this.readModels.projection<AccountTables>(ACCOUNTS_PROJECTION, this.version);
  }

  /** `undefined` both when the tenancy does not exist and when the caller may not see it: a 404 gives nothing away. */
  async account(caller: Caller, municipalityNumber: string, tenancyId: string, today: LocalDate): Promise<AccountView | undefined> {
    const db = await this.db();
    const key = tenancyKey(municipalityNumber, tenancyId);
    const row = await db.selectFrom('rent_accounts').select(SUMMARY_COLUMNS).where('tenancy_key', '=', key).executeTakeFirst();
    if (!row || !mayReadAccount(caller, row)) return undefined;
    const transactions = await db.selectFrom('rent_account_transactions').selectAll().where('tenancy_key', '=', key).orderBy('revision').execute();
    return {
      ...this.summary(row, today),
      transactions: transactions.map((t) => ({
        voucherRef: t.voucher_ref,
        type: t.type,
        date: t.date,
        ...(t.due_date ? { dueDate: t.due_date } : {}),
        ...(t.period ? { period: t.period } : {}),
        amountOre: Number(t.amount_ore),
        postedAt: t.posted_at,
      })),
    };
  }

  /**
   * Tenancies with overdue rent in one municipality, one page at a time: by amount (largest
   * first) or by age (oldest unpaid due date first), filtered. Both are index range scans, within
   * one NAV office too (its own indexes); the other filters are checked on the rows of that walk,
   * which never leaves the municipality's accounts with something overdue. Nothing loads the
   * municipality into memory. `after` comes from `decodeArrearsCursor`; `nextCursor` remembers
   * the list it belongs to.
   */
  async inArrears(caller: Caller, municipalityNumber: string, today: LocalDate, sort: ArrearsSort, filter: ArrearsFilter, after: readonly CursorValue[] | undefined, limit: number) {
    if (!mayActIn(caller, municipalityNumber) || !hasRole(caller, 'accounting', 'arrears-team', 'admin', 'nav-adviser')) return { items: [] as AccountSummary[], nextCursor: null };
    // Everything the page depends on besides the rows: the municipality (checked above), a NAV
    // adviser's office, the day (the amounts are today's), the sort, the filters and the cursor.
    const office = hasRole(caller, 'accounting', 'arrears-team', 'admin') ? null : (caller.navOffice ?? '');
    const f = filter;
    const key = JSON.stringify(['arrears', municipalityNumber, office, today, sort, f.navOffice ?? null, f.landlordKind ?? null, f.minOverdueOre ?? null, f.minDaysOverdue ?? null, f.addressContains ?? null, after ?? null, limit]);
    return this.readModels.cached<AccountTables, ArrearsPage>(ACCOUNTS_PROJECTION, this.version, key, (db) => this.arrearsPage(db, office, municipalityNumber, today, sort, filter, after, limit), (page) => page.items.length);
  }

  private async arrearsPage(
    db: Kysely<AccountTables>,
    office: string | null,
    municipalityNumber: string,
    today: LocalDate,
    sort: ArrearsSort,
    filter: ArrearsFilter,
    after: readonly CursorValue[] | undefined,
    limit: number,
  ): Promise<ArrearsPage> {
    let query = db.selectFrom('rent_accounts').select(SUMMARY_COLUMNS).where('municipality', '=', municipalityNumber);
    if (office !== null) query = query.where('nav_office', '=', office);
    if (filter.navOffice !== undefined) query = query.where('nav_office', '=', filter.navOffice);
    if (filter.landlordKind !== undefined) query = query.where('landlord_kind', '=', filter.landlordKind);
    if (filter.minOverdueOre !== undefined) query = query.where('overdue_ore', '>=', filter.minOverdueOre);
    // daysOverdue = days from the oldest unpaid due date to today.
    if (filter.minDaysOverdue !== undefined) query = query.where('oldest_unpaid_due_on', '<=', addDays(today, -filter.minDaysOverdue));
    if (filter.addressContains !== undefined) query = query.where(sql<boolean>`address_key like ${likeContaining(addressKey(filter.addressContains))} escape '\\'`);
    const page =
      sort === 'age'
        ? // The oldest unpaid charge fell due before today: something is overdue, whatever day it is.
          await keysetPage(query.where('oldest_unpaid_due_on', '<', today), {
            order: [
              { column: 'oldest_unpaid_due_on', direction: 'asc' },
              { column: 'tenancy_key', direction: 'asc' },
            ],
            ...(after ? { after } : {}),
            limit,
          })
        : // Both keys descending: one backward walk of the (municipality, overdue_ore, tenancy_key) index,
          // where mixed directions made SQLite sort every tenancy in arrears on each request.
          await keysetPage(query.where('overdue_ore', '>', 0), {
            order: [
              { column: 'overdue_ore', direction: 'desc' },
              { column: 'tenancy_key', direction: 'desc' },
            ],
            ...(after ? { after } : {}),
            limit,
          });
    const nextCursor = page.nextCursor === null ? null : encodeCursor([...(decodeCursor(page.nextCursor, 2) as CursorValue[]), arrearsListFingerprint(municipalityNumber, sort, filter)]);
    return { items: page.rows.map((r) => this.summary(r, today)), nextCursor };
  }

  private summary(row: SummaryRow, today: LocalDate): AccountSummary {
    const state = JSON.parse(row.state) as StoredAccountState;
    const position = compactPosition(state.compact, today, this.graceWorkingDays);
    return {
      municipalityNumber: row.municipality,
      tenancyId: row.tenancy_id,
      address: row.address,
      monthlyRentOre: Number(row.monthly_rent_ore),
      landlordKind: row.landlord_kind,
      navOffice: row.nav_office,
      tenantCount: row.tenant_count,
      asOf: today,
      balanceOre: position.balanceOre,
      overdueOre: position.overdueOre,
      arrearsOre: position.arrearsOre,
      oldestUnpaidDueDate: position.oldestUnpaidDueDate,
      daysOverdue: position.daysOverdue,
      unpaidCharges: position.unpaidCharges.map((c) => ({ voucherRef: c.voucherRef, dueDate: c.dueDate, period: c.period, amountOre: c.amountOre, unpaidOre: c.unpaidOre })),
      discrepancies: state.discrepancies,
    };
  }
}

/**
 * The daily roll: rows whose amounts time alone has changed since they were written (a charge fell
 * due, a grace period ended) are recomputed for today, so the list by amount sorts on today's
 * figures. A row that an event changed meanwhile is left to that event's write.
 */
export async function rollAccounts(db: Kysely<AccountTables>, today: LocalDate, graceWorkingDays: number): Promise<number> {
  let rolled = 0;
  for (;;) {
    const stale = await db.selectFrom('rent_accounts').select(['tenancy_key', 'state', 'revision', 'as_of']).where('stale_from', '<=', today).orderBy('stale_from').orderBy('tenancy_key').limit(500).execute();
    if (stale.length === 0) return rolled;
    // One transaction per page: one durable commit for 500 rows.
    rolled += await db.transaction().execute(async (tx) => {
      let changed = 0;
      for (const row of stale) {
        const { compact } = JSON.parse(row.state) as StoredAccountState;
        const next = accountAmounts(compact, rolledAsOf(compact, row.as_of, today, graceWorkingDays), graceWorkingDays);
        const result = await tx
          .updateTable('rent_accounts')
          .set({ overdue_ore: next.overdue_ore, arrears_ore: next.arrears_ore, as_of: next.as_of, stale_from: next.stale_from })
          .where('tenancy_key', '=', row.tenancy_key)
          .where('revision', '=', row.revision)
          .executeTakeFirst();
        changed += Number(result.numUpdatedRows);
      }
      return changed;
    });
    if (stale.length < 500) return rolled;
    // Let requests and timers in between pages (SQLite answers synchronously).
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
