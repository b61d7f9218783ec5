import type { Kysely } from 'kysely';
import { addDays, osloDate, type LocalDate } from '@evp/shared-kernel';
import type { EventTypeMap, RecordedEvent } from '@evp/event-store';
import type { SqlProjection } from '@evp/read-models';
import { TENANCY_STREAM_PREFIX, accountPosition, evolveTenancy, graceEnd, initialTenancy, type LedgerEvent, type Tenancy } from '@evp/ledger-domain';

/** A tenancy's account as the read model keeps it: what the lists sort on, plus the state to compute a view for any day. */
export interface RentAccountRow {
  tenancy_key: string;
  municipality: string;
  tenancy_id: string;
  address: string;
  monthly_rent_ore: number;
  landlord_kind: string;
  nav_office: string;
  tenant_count: number;
  /** Revision of the last tenancy event applied. */
  revision: number;
  /** JSON of the account's charges, reductions and discrepancies (the voucher fingerprints stay in the stream). */
  state: string;
  balance_ore: number;
  /**
   * Overdue and arrears as of `as_of`; the daily roll moves `as_of` forward when time alone changes
   * them. Business time only moves forward (events carry the injected clock's time and the roll
   * runs with it), which is what makes a rolled generation equal a rebuilt and rolled one.
   */
  overdue_ore: number;
  arrears_ore: number;
  /** Due date of the oldest unpaid charge, whatever the day: time-independent, so the list by age is exact. */
  oldest_unpaid_due_on: string | null;
  as_of: string;
  /** The first day after `as_of` on which time alone changes `overdue_ore` or `arrears_ore`; null when nothing can. */
  stale_from: string | null;
}

export interface RentAccountTransactionRow {
  tenancy_key: string;
  revision: number;
  voucher_ref: string;
  type: string;
  date: string;
  due_date: string | null;
  period: string | null;
  amount_ore: number;
  posted_at: string;
}

export interface AccountTables {
  rent_accounts: RentAccountRow;
  rent_account_transactions: RentAccountTransactionRow;
}

export type RegisteredTenancy = Tenancy & { status: 'registered' };

export const ACCOUNTS_PROJECTION = 'ledger-accounts';

/**
 * The projection's version. The grace period is part of it: the stored amounts depend on it, so a
 * changed `POLICY_GRACE_WORKING_DAYS` rebuilds the accounts into a new generation at start.
 */
export const accountsProjectionVersion = (graceWorkingDays: number) => 2_000 + graceWorkingDays;

const CHUNK = 400;

/**
 * Projects tenancy streams into `rent_accounts` (one row per tenancy, indexed for the arrears lists
 * by amount and by age) and `rent_account_transactions` (the postings, for the account page).
 */
export class AccountsProjection implements SqlProjection<AccountTables> {
  readonly name = ACCOUNTS_PROJECTION;
  readonly version: number;
  readonly filter = { streamPrefixes: [TENANCY_STREAM_PREFIX] };
  readonly tables = ['rent_accounts', 'rent_account_transactions'] as const;

  constructor(
    private readonly types: EventTypeMap,
    private readonly graceWorkingDays: number,
  ) {
    this.version = accountsProjectionVersion(graceWorkingDays);
  }

  async createTables(db: Kysely<AccountTables>): Promise<void> {
    await db.schema
      .createTable('rent_accounts')
      .addColumn('tenancy_key', 'text', (c) => c.primaryKey())
      .addColumn('municipality', 'text', (c) => c.notNull())
      .addColumn('tenancy_id', 'text', (c) => c.notNull())
      .addColumn('address', 'text', (c) => c.notNull())
      .addColumn('monthly_rent_ore', 'bigint', (c) => c.notNull())
      .addColumn('landlord_kind', 'text', (c) => c.notNull())
      .addColumn('nav_office', 'text', (c) => c.notNull())
      .addColumn('tenant_count', 'integer', (c) => c.notNull())
      .addColumn('revision', 'integer', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('balance_ore', 'bigint', (c) => c.notNull())
      .addColumn('overdue_ore', 'bigint', (c) => c.notNull())
      .addColumn('arrears_ore', 'bigint', (c) => c.notNull())
      .addColumn('oldest_unpaid_due_on', 'text')
      .addColumn('as_of', 'text', (c) => c.notNull())
      .addColumn('stale_from', 'text')
      .execute();
    await db.schema.createIndex('rent_accounts_age_idx').on('rent_accounts').columns(['municipality', 'oldest_unpaid_due_on', 'tenancy_key']).execute();
    await db.schema.createIndex('rent_accounts_amount_idx').on('rent_accounts').columns(['municipality', 'overdue_ore', 'tenancy_key']).execute();
    await db.schema.createIndex('rent_accounts_stale_idx').on('rent_accounts').columns(['stale_from']).execute();
    await db.schema
      .createTable('rent_account_transactions')
      .addColumn('tenancy_key', 'text', (c) => c.notNull())
      .addColumn('revision', 'integer', (c) => c.notNull())
      .addColumn('voucher_ref', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('date', 'text', (c) => c.notNull())
      .addColumn('due_date', 'text')
      .addColumn('period', 'text')
      .addColumn('amount_ore', 'bigint', (c) => c.notNull())
      .addColumn('posted_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('rent_account_transactions_pk', ['tenancy_key', 'revision'])
      .execute();
  }

  /** One read of the batch's accounts, the events applied in memory, one write per account. */
  async apply(tx: Kysely<AccountTables>, events: readonly RecordedEvent[]): Promise<void> {
    const keys = [...new Set(events.map((e) => e.streamName.slice(TENANCY_STREAM_PREFIX.length)))];
    const current = new Map<string, { state: Tenancy; revision: number; asOf: LocalDate | null }>();
    for (let i = 0; i < keys.length; i += CHUNK) {
      const rows = await tx.selectFrom('rent_accounts').select(['tenancy_key', 'state', 'revision', 'as_of']).where('tenancy_key', 'in', keys.slice(i, i + CHUNK)).execute();
      for (const row of rows) current.set(row.tenancy_key, { state: JSON.parse(row.state) as Tenancy, revision: row.revision, asOf: row.as_of });
    }
    const transactions: RentAccountTransactionRow[] = [];
    const changed = new Set<string>();
    for (const event of events) {
      const key = event.streamName.slice(TENANCY_STREAM_PREFIX.length);
      const account = current.get(key) ?? { state: initialTenancy(), revision: -1, asOf: null };
      if (event.revision <= account.revision) continue; // applied before
      const ledgerEvent = { type: event.type, data: this.types.upcast(event) } as unknown as LedgerEvent;
      const eventDay = osloDate(new Date(event.metadata.occurredAt));
      current.set(key, {
        state: withoutVouchers(evolveTenancy(account.state, ledgerEvent)),
        revision: event.revision,
        asOf: account.asOf && account.asOf > eventDay ? account.asOf : eventDay,
      });
      changed.add(key);
      const transaction = transactionOf(key, event, ledgerEvent);
      if (transaction) transactions.push(transaction);
    }
    const rows: RentAccountRow[] = [];
    for (const key of changed) {
      const { state, revision, asOf } = current.get(key) as { state: Tenancy; revision: number; asOf: LocalDate };
      if (state.status === 'registered') rows.push(accountRow(key, state, revision, asOf, this.graceWorkingDays));
    }
    for (let i = 0; i < rows.length; i += CHUNK / 4) {
      const chunk = rows.slice(i, i + CHUNK / 4);
      await tx
        .insertInto('rent_accounts')
        .values(chunk)
        .onConflict((oc) =>
          oc.column('tenancy_key').doUpdateSet((eb) => ({
            address: eb.ref('excluded.address'),
            monthly_rent_ore: eb.ref('excluded.monthly_rent_ore'),
            landlord_kind: eb.ref('excluded.landlord_kind'),
            nav_office: eb.ref('excluded.nav_office'),
            tenant_count: eb.ref('excluded.tenant_count'),
            revision: eb.ref('excluded.revision'),
            state: eb.ref('excluded.state'),
            balance_ore: eb.ref('excluded.balance_ore'),
            overdue_ore: eb.ref('excluded.overdue_ore'),
            arrears_ore: eb.ref('excluded.arrears_ore'),
            oldest_unpaid_due_on: eb.ref('excluded.oldest_unpaid_due_on'),
            as_of: eb.ref('excluded.as_of'),
            stale_from: eb.ref('excluded.stale_from'),
          })),
        )
        .execute();
    }
    for (let i = 0; i < transactions.length; i += CHUNK / 4) {
      await tx
        .insertInto('rent_account_transactions')
        .values(transactions.slice(i, i + CHUNK / 4))
        .onConflict((oc) => oc.columns(['tenancy_key', 'revision']).doNothing())
        .execute();
    }
  }
}

/** The fingerprints exist for idempotency in the write model; the read model does not need them. */
function withoutVouchers(state: Tenancy): Tenancy {
  return state.status === 'registered' ? { ...state, vouchers: {} } : state;
}

/** The account's row as of `asOf`. Also what the daily roll writes when time alone has moved the amounts. */
export function accountRow(key: string, state: RegisteredTenancy, revision: number, asOf: LocalDate, graceWorkingDays: number): RentAccountRow {
  const position = accountPosition(state.charges, state.reductions, asOf, graceWorkingDays);
  return {
    tenancy_key: key,
    municipality: state.municipalityNumber,
    tenancy_id: state.tenancyId,
    address: state.address,
    monthly_rent_ore: state.monthlyRentOre,
    landlord_kind: state.landlordKind,
    nav_office: state.navOffice,
    tenant_count: state.tenantPersonIds.length,
    revision,
    state: JSON.stringify(state),
    balance_ore: position.balanceOre,
    overdue_ore: position.overdueOre,
    arrears_ore: position.arrearsOre,
    oldest_unpaid_due_on: position.unpaidCharges[0]?.dueDate ?? null,
    as_of: asOf,
    stale_from: staleFrom(position.unpaidCharges, asOf, graceWorkingDays),
  };
}

/** The days on which time alone changes an account: the day after each unpaid charge's due date (overdue) and after its grace (arrears). */
function changeDays(unpaid: ReadonlyArray<{ dueDate: LocalDate }>, graceWorkingDays: number): LocalDate[] {
  return unpaid.flatMap(({ dueDate }) => [addDays(dueDate, 1), addDays(graceEnd(dueDate, graceWorkingDays), 1)]);
}

/** The first day after `asOf` when the amounts change by time alone. */
function staleFrom(unpaid: ReadonlyArray<{ dueDate: LocalDate }>, asOf: LocalDate, graceWorkingDays: number): LocalDate | null {
  return changeDays(unpaid, graceWorkingDays).reduce<LocalDate | null>((first, day) => (day > asOf && (first === null || day < first) ? day : first), null);
}

/**
 * The day a stale row's amounts became what they are on `today`: the latest change day up to
 * today. Using it (not `today`) as the new `as_of` makes a rolled row independent of when the
 * roll ran, so a rebuilt generation rolls to exactly the same rows.
 */
export function rolledAsOf(state: RegisteredTenancy, asOf: LocalDate, today: LocalDate, graceWorkingDays: number): LocalDate {
  const unpaid = accountPosition(state.charges, state.reductions, asOf, graceWorkingDays).unpaidCharges;
  return changeDays(unpaid, graceWorkingDays).reduce((latest, day) => (day <= today && day > latest ? day : latest), asOf);
}

function transactionOf(key: string, event: RecordedEvent, ledgerEvent: LedgerEvent): RentAccountTransactionRow | undefined {
  switch (ledgerEvent.type) {
    case 'ledger.ChargePosted': {
      const d = ledgerEvent.data;
      return { tenancy_key: key, revision: event.revision, voucher_ref: d.voucherRef, type: ledgerEvent.type, date: d.date, due_date: d.dueDate, period: d.period, amount_ore: d.amountOre, posted_at: event.metadata.occurredAt };
    }
    case 'ledger.PaymentPosted':
    case 'ledger.CreditPosted':
    case 'ledger.WriteOffPosted': {
      const d = ledgerEvent.data;
      return { tenancy_key: key, revision: event.revision, voucher_ref: d.voucherRef, type: ledgerEvent.type, date: d.date, due_date: null, period: null, amount_ore: d.amountOre, posted_at: event.metadata.occurredAt };
    }
    case 'ledger.BalanceStated': {
      const d = ledgerEvent.data;
      return { tenancy_key: key, revision: event.revision, voucher_ref: d.voucherRef, type: ledgerEvent.type, date: d.asOf, due_date: null, period: null, amount_ore: d.statedBalanceOre, posted_at: event.metadata.occurredAt };
    }
    default:
      return undefined;
  }
}
