import type { Kysely } from 'kysely';
import { addDays, osloDate, type LocalDate } from '@evp/shared-kernel';
import { EventStoreUnavailableError, type EventStore, type EventTypeMap, type RecordedEvent } from '@evp/event-store';
import { OFF_PATH_GATHER_MS, writeRows, type ApplyContext, type ProjectionMemo, type SqlProjection } from '@evp/read-models';
import {
  TENANCY_STREAM_PREFIX,
  addCharge,
  addReduction,
  compactAccount,
  compactPosition,
  emptyCompactAccount,
  graceEnd,
  type Charge,
  type CompactAccount,
  type Discrepancy,
  type LedgerEvent,
} from '@evp/ledger-domain';

/** A tenancy's account as the read model keeps it: what the lists sort on, plus the state to compute a view for any day. */
export interface RentAccountRow {
  tenancy_key: string;
  municipality: string;
  tenancy_id: string;
  address: string;
  /** The address folded for case-insensitive search (`addressKey`): the arrears list's «adresse inneholder». */
  address_key: string;
  monthly_rent_ore: number;
  landlord_kind: string;
  nav_office: string;
  tenant_count: number;
  /** Revision of the last tenancy event applied. */
  revision: number;
  /**
   * JSON of `StoredAccountState`: the account's compact form (what `accountPosition` needs for any
   * day: unsettled charges and two sums, see `CompactAccount`) and its discrepancies. The whole
   * history stays in the stream and, posting by posting, in `rent_account_transactions`.
   */
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

/** What the `state` column holds. */
export interface StoredAccountState {
  /** Revision of the tenancy's registration: the account's postings are the ones after it. */
  readonly registeredAt: number;
  readonly compact: CompactAccount;
  readonly discrepancies: readonly Discrepancy[];
}

/** A registered tenancy as the projection keeps it in memory while it applies a batch. */
interface ProjectedAccount {
  readonly details: Pick<RentAccountRow, 'municipality' | 'tenancy_id' | 'address' | 'monthly_rent_ore' | 'landlord_kind' | 'nav_office' | 'tenant_count'> | null;
  readonly state: StoredAccountState;
  readonly revision: number;
  readonly asOf: LocalDate | null;
}

const UNREGISTERED: ProjectedAccount = { details: null, state: { registeredAt: -1, compact: emptyCompactAccount(), discrepancies: [] }, revision: -1, asOf: null };

/** How an address is searched: Unicode-normalised and lower-cased (æ, ø and å too, which SQL's lower() does not fold on SQLite). */
export function addressKey(address: string): string {
  return address.normalize('NFC').toLowerCase();
}

export const ACCOUNTS_PROJECTION = 'ledger-accounts';

/**
 * The projection's version. The grace period is part of it: the stored amounts depend on it, so a
 * changed `POLICY_GRACE_WORKING_DAYS` rebuilds the accounts into a new generation at start.
 * 4 000: the postings' key became a unique index a rebuild creates after its bulk load.
 */
export const accountsProjectionVersion = (graceWorkingDays: number) => 4_000 + graceWorkingDays;

const CHUNK = 400;
/**
 * The memo's space for the accounts a build holds (`ProjectedAccount` by tenancy key): every
 * account of the generation, none written before the last flush (see `flush`).
 */
const MEMO_ACCOUNTS = 'accounts';
/** Postings the build has not written yet: one list per batch. */
const MEMO_POSTINGS = 'postings';
const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
/** Every column of a row, in one order: what `writeRows` binds. */
const ACCOUNT_COLUMNS = [
  'tenancy_key',
  'municipality',
  'tenancy_id',
  'address',
  'monthly_rent_ore',
  'landlord_kind',
  'nav_office',
  'tenant_count',
  'address_key',
  'revision',
  'state',
  'balance_ore',
  'overdue_ore',
  'arrears_ore',
  'oldest_unpaid_due_on',
  'as_of',
  'stale_from',
] as const satisfies ReadonlyArray<keyof RentAccountRow>;
const TRANSACTION_COLUMNS = ['tenancy_key', 'revision', 'voucher_ref', 'type', 'date', 'due_date', 'period', 'amount_ore', 'posted_at'] as const satisfies ReadonlyArray<keyof RentAccountTransactionRow>;

/**
 * Projects tenancy streams into `rent_accounts` (one row per tenancy, indexed for the arrears lists
 * by amount and by age) and `rent_account_transactions` (the postings, for the account page).
 */
export class AccountsProjection implements SqlProjection<AccountTables> {
  readonly name = ACCOUNTS_PROJECTION;
  readonly version: number;
  readonly filter = { streamPrefixes: [TENANCY_STREAM_PREFIX] };
  readonly gatherMs = OFF_PATH_GATHER_MS;
  readonly tables = ['rent_accounts', 'rent_account_transactions'] as const;

  /**
   * @param store where an account that must be compacted again reads its charges: its own tenancy
   *   stream, up to the event being applied (so a rebuild reads what the live projection read).
   */
  constructor(
    private readonly types: EventTypeMap,
    private readonly graceWorkingDays: number,
    private readonly store: Pick<EventStore, 'readStream'>,
  ) {
    this.version = accountsProjectionVersion(graceWorkingDays);
    this.changeDays = new ChangeDays(graceWorkingDays);
  }

  private readonly days = new OsloDays();
  private readonly changeDays: ChangeDays;

  async createTables(db: Kysely<AccountTables>): Promise<void> {
    await db.schema
      .createTable('rent_accounts')
      .addColumn('tenancy_key', 'text', (c) => c.primaryKey())
      .addColumn('municipality', 'text', (c) => c.notNull())
      .addColumn('tenancy_id', 'text', (c) => c.notNull())
      .addColumn('address', 'text', (c) => c.notNull())
      .addColumn('address_key', 'text', (c) => c.notNull())
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
      .execute();
  }

  /**
   * The postings' key and the arrears lists' indexes: a rebuild creates them after its bulk load.
   * The key is a unique index, not a primary key, for that reason: kept up to date posting by
   * posting, it was a quarter of rebuilding the accounts (1.2 M postings, `bench:rebuild`).
   */
  async createIndexes(db: Kysely<AccountTables>): Promise<void> {
    await db.schema.createIndex('rent_account_transactions_key').on('rent_account_transactions').columns(['tenancy_key', 'revision']).unique().execute();
    await db.schema.createIndex('rent_accounts_age_idx').on('rent_accounts').columns(['municipality', 'oldest_unpaid_due_on', 'tenancy_key']).execute();
    await db.schema.createIndex('rent_accounts_amount_idx').on('rent_accounts').columns(['municipality', 'overdue_ore', 'tenancy_key']).execute();
    // The lists of one NAV office (a NAV adviser's, or accounting's filter): the same walks within the office.
    await db.schema.createIndex('rent_accounts_office_age_idx').on('rent_accounts').columns(['municipality', 'nav_office', 'oldest_unpaid_due_on', 'tenancy_key']).execute();
    await db.schema.createIndex('rent_accounts_office_amount_idx').on('rent_accounts').columns(['municipality', 'nav_office', 'overdue_ore', 'tenancy_key']).execute();
    await db.schema.createIndex('rent_accounts_stale_idx').on('rent_accounts').columns(['stale_from']).execute();
  }

  /**
   * One read of the batch's accounts, the events applied in memory, one write per account. While
   * a rebuild builds the generation (`context.memo`), the accounts stay in memory and their rows
   * and postings are written by `flush`, once per account and in key order.
   */
  async apply(tx: Kysely<AccountTables>, events: readonly RecordedEvent[], context: ApplyContext = {}): Promise<void> {
    const { memo } = context;
    const current = new Map<string, ProjectedAccount>();
    const missing: string[] = [];
    for (const event of events) {
      const key = event.streamName.slice(TENANCY_STREAM_PREFIX.length);
      if (current.has(key)) continue;
      // The memo holds every account of the generation being built: one it lacks has no row.
      current.set(key, (memo && memo.get<ProjectedAccount>(MEMO_ACCOUNTS, key)) ?? UNREGISTERED);
      if (!memo) missing.push(key);
    }
    for (let i = 0; i < missing.length; i += CHUNK) {
      const rows = await tx.selectFrom('rent_accounts').select(STORED_COLUMNS).where('tenancy_key', 'in', missing.slice(i, i + CHUNK)).execute();
      for (const row of rows) {
        const { tenancy_key, state, revision, as_of, ...details } = row;
        current.set(tenancy_key, { details, state: JSON.parse(state) as StoredAccountState, revision, asOf: as_of });
      }
    }
    const transactions: RentAccountTransactionRow[] = [];
    const changed = new Set<string>();
    for (const event of events) {
      const key = event.streamName.slice(TENANCY_STREAM_PREFIX.length);
      const account = current.get(key) ?? UNREGISTERED;
      if (event.revision <= account.revision) continue; // applied before
      const ledgerEvent = { type: event.type, data: this.types.upcast(event) } as unknown as LedgerEvent;
      const eventDay = this.days.of(event.metadata.occurredAt);
      const next = evolveAccount(account, event.revision, ledgerEvent) ?? (await this.recompacted(key, account, event.revision, ledgerEvent));
      // Object literals of one shape, not spreads: V8 copies a spread property by property, and this
      // runs for every posting of a rebuild (a third of applying one, profiled).
      current.set(key, { details: next.details, state: next.state, revision: event.revision, asOf: account.asOf && account.asOf > eventDay ? account.asOf : eventDay });
      changed.add(key);
      const transaction = transactionOf(key, event, ledgerEvent);
      if (transaction) transactions.push(transaction);
    }
    if (memo) {
      for (const key of changed) memo.set(MEMO_ACCOUNTS, key, current.get(key));
      // One entry per batch, under its first posting's key (unique): sorted once, when written.
      const first = transactions[0];
      if (first) memo.set(MEMO_POSTINGS, `${first.tenancy_key}|${first.revision}`, transactions);
      return;
    }
    const rows: RentAccountRow[] = [];
    for (const key of changed) {
      const { details, state, revision, asOf } = current.get(key) as ProjectedAccount;
      if (details) rows.push(accountRow(key, details, state, revision, asOf as LocalDate, this.graceWorkingDays, this.changeDays));
    }
    await this.write(tx, rows, transactions, 'upsert');
  }

  /**
   * Writes the postings a build kept in memory, in key order, and — at the last flush only — every
   * account it holds: the memo holds every account anyway, and a partial flush that wrote them
   * rewrote each account of a municipality at every flush (50 000 rows per 100 000 events). The
   * last flush runs once, before the switch; were it run again, it would upsert the same rows.
   */
  async flush(tx: Kysely<AccountTables>, memo: ProjectionMemo, options: { readonly partial?: boolean } = {}): Promise<void> {
    const accounts = options.partial ? [] : [...memo.entries<ProjectedAccount>(MEMO_ACCOUNTS)].sort(([a], [b]) => byCodeUnits(a, b));
    const rows: RentAccountRow[] = [];
    for (const [key, { details, state, revision, asOf }] of accounts) {
      if (details) rows.push(accountRow(key, details, state, revision, asOf as LocalDate, this.graceWorkingDays, this.changeDays));
    }
    const batches = [...memo.entries<RentAccountTransactionRow[]>(MEMO_POSTINGS)];
    const transactions = batches.flatMap(([, list]) => list).sort((a, b) => byCodeUnits(a.tenancy_key, b.tenancy_key) || a.revision - b.revision);
    for (const [key] of batches) memo.delete(MEMO_POSTINGS, key);
    // A build's postings are new to its tables, which have no unique index until the switch.
    await this.write(tx, rows, transactions, 'insert');
  }

  /**
   * `upsert`: a posting already there is left as it is (a live generation, which has its unique
   * index). `insert`: a build's, whose every posting is new (`applyBatch` keeps a flush that
   * committed despite an error from being written again; the unique index checks it at the switch).
   */
  private async write(tx: Kysely<AccountTables>, rows: readonly RentAccountRow[], transactions: readonly RentAccountTransactionRow[], postings: 'upsert' | 'insert'): Promise<void> {
    await writeRows(tx, rows, ACCOUNT_COLUMNS, CHUNK / 4, (chunk) =>
      tx
        .insertInto('rent_accounts')
        .values(chunk)
        .onConflict((oc) =>
          oc.column('tenancy_key').doUpdateSet((eb) => ({
            address: eb.ref('excluded.address'),
            address_key: eb.ref('excluded.address_key'),
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
        ),
    );
    await writeRows(tx, transactions, TRANSACTION_COLUMNS, CHUNK / 4, (chunk) =>
      postings === 'insert'
        ? tx.insertInto('rent_account_transactions').values(chunk)
        : tx
            .insertInto('rent_account_transactions')
            .values(chunk)
            .onConflict((oc) => oc.columns(['tenancy_key', 'revision']).doNothing()),
    );
  }

  /**
   * The account with a posting its compact form could not take (a charge due before charges
   * already settled, or a reduction that shrinks the pool): compacted again from every charge
   * since the registration, read from the tenancy's stream up to the event being applied. The
   * stream, not the postings table: it is exact whatever a build has written so far, and a
   * build's table has no index to find an account's postings by until its switch.
   */
  private async recompacted(key: string, account: ProjectedAccount, revision: number, event: LedgerEvent): Promise<Pick<ProjectedAccount, 'details' | 'state'>> {
    const { registeredAt, compact } = account.state;
    const between = revision - registeredAt - 1;
    const earlier = between > 0 ? await this.store.readStream(`${TENANCY_STREAM_PREFIX}${key}`, { fromRevision: registeredAt + 1, maxCount: between }) : [];
    // The event applied came from the store, so every earlier one is there: a short read is a store
    // behind (an EventStoreDB follower), retried as unavailable, never parked as the event's fault.
    if (earlier.length !== between) throw new EventStoreUnavailableError(`Tenancy stream ${key} read ${earlier.length} events between revisions ${registeredAt} and ${revision}, not ${between}`);
    const charges: Charge[] = [];
    for (const e of earlier) {
      if (e.type !== 'ledger.ChargePosted') continue;
      const { voucherRef, date, dueDate, period, amountOre } = this.types.upcast(e) as Extract<LedgerEvent, { type: 'ledger.ChargePosted' }>['data'];
      charges.push({ voucherRef, date, dueDate, period, amountOre });
    }
    let reducedOre = compact.reducedOre;
    if (event.type === 'ledger.ChargePosted') {
      const { voucherRef, date, dueDate, period, amountOre } = event.data;
      charges.push({ voucherRef, date, dueDate, period, amountOre });
    } else if (event.type === 'ledger.PaymentPosted' || event.type === 'ledger.CreditPosted' || event.type === 'ledger.WriteOffPosted') {
      reducedOre += event.data.amountOre;
    } else {
      throw new Error(`${event.type} is applied without recompacting`);
    }
    return { details: account.details, state: { ...account.state, compact: compactAccount(charges, reducedOre) } };
  }
}

/**
 * The event applied to the account, as `evolveTenancy` does for the parts the read model keeps;
 * undefined when the compact form cannot take a posting (see `CompactAccount`).
 */
function evolveAccount(account: ProjectedAccount, revision: number, event: LedgerEvent): Pick<ProjectedAccount, 'details' | 'state'> | undefined {
  if (event.type === 'ledger.TenancyRegistered') {
    const d = event.data;
    return {
      details: { municipality: d.municipalityNumber, tenancy_id: d.tenancyId, address: d.address, monthly_rent_ore: d.monthlyRentOre, landlord_kind: d.landlordKind, nav_office: d.navOffice, tenant_count: d.tenantPersonIds.length },
      state: { registeredAt: revision, compact: emptyCompactAccount(), discrepancies: [] },
    };
  }
  const { details, state } = account;
  if (!details) return account; // as evolveTenancy: nothing but a registration counts before it
  switch (event.type) {
    case 'ledger.TenancyDetailsChanged': {
      const d = event.data;
      return { details: { ...details, address: d.address, monthly_rent_ore: d.monthlyRentOre, landlord_kind: d.landlordKind, nav_office: d.navOffice, tenant_count: d.tenantPersonIds.length }, state };
    }
    case 'ledger.ChargePosted': {
      const compact = addCharge(state.compact, event.data);
      return compact && { details, state: { registeredAt: state.registeredAt, compact, discrepancies: state.discrepancies } };
    }
    case 'ledger.PaymentPosted':
    case 'ledger.CreditPosted':
    case 'ledger.WriteOffPosted': {
      const compact = addReduction(state.compact, event.data.amountOre);
      return compact && { details, state: { registeredAt: state.registeredAt, compact, discrepancies: state.discrepancies } };
    }
    case 'ledger.BalanceStated':
      return account;
    case 'ledger.BalanceDiscrepancyRecorded':
      return { details, state: { registeredAt: state.registeredAt, compact: state.compact, discrepancies: [...state.discrepancies, event.data] } };
    default: {
      const never: never = event;
      return never;
    }
  }
}

const STORED_COLUMNS = ['tenancy_key', 'municipality', 'tenancy_id', 'address', 'monthly_rent_ore', 'landlord_kind', 'nav_office', 'tenant_count', 'state', 'revision', 'as_of'] as const;

/** The account's row as of `asOf`, its keys in `ACCOUNT_COLUMNS` order. */
function accountRow(
  key: string,
  details: NonNullable<ProjectedAccount['details']>,
  state: StoredAccountState,
  revision: number,
  asOf: LocalDate,
  graceWorkingDays: number,
  days?: ChangeDays,
): RentAccountRow {
  const amounts = accountAmounts(state.compact, asOf, graceWorkingDays, days);
  return {
    tenancy_key: key,
    municipality: details.municipality,
    tenancy_id: details.tenancy_id,
    address: details.address,
    monthly_rent_ore: Number(details.monthly_rent_ore),
    landlord_kind: details.landlord_kind,
    nav_office: details.nav_office,
    tenant_count: details.tenant_count,
    address_key: addressKey(details.address),
    revision,
    state: JSON.stringify(state),
    balance_ore: amounts.balance_ore,
    overdue_ore: amounts.overdue_ore,
    arrears_ore: amounts.arrears_ore,
    oldest_unpaid_due_on: amounts.oldest_unpaid_due_on,
    as_of: amounts.as_of,
    stale_from: amounts.stale_from,
  };
}

/** The amounts of an account's row as of `asOf`. Also what the daily roll writes when time alone has moved them. */
export function accountAmounts(
  compact: CompactAccount,
  asOf: LocalDate,
  graceWorkingDays: number,
  days: ChangeDays = new ChangeDays(graceWorkingDays),
): Pick<RentAccountRow, 'balance_ore' | 'overdue_ore' | 'arrears_ore' | 'oldest_unpaid_due_on' | 'as_of' | 'stale_from'> {
  const position = compactPosition(compact, asOf, graceWorkingDays);
  return {
    balance_ore: position.balanceOre,
    overdue_ore: position.overdueOre,
    arrears_ore: position.arrearsOre,
    oldest_unpaid_due_on: position.unpaidCharges[0]?.dueDate ?? null,
    as_of: asOf,
    stale_from: staleFrom(position.unpaidCharges, asOf, days),
  };
}

/**
 * The days on which time alone changes an account with a charge due on a day: the day after the
 * due date (overdue) and the day after its grace (arrears). Remembered per due date: a batch's
 * accounts share a few, and the working-day arithmetic is dear.
 */
class ChangeDays {
  private readonly byDueDate = new Map<LocalDate, readonly [LocalDate, LocalDate]>();
  constructor(private readonly graceWorkingDays: number) {}

  of(dueDate: LocalDate): readonly [LocalDate, LocalDate] {
    let days = this.byDueDate.get(dueDate);
    if (days === undefined) {
      days = [addDays(dueDate, 1), addDays(graceEnd(dueDate, this.graceWorkingDays), 1)];
      if (this.byDueDate.size >= 10_000) this.byDueDate.clear();
      this.byDueDate.set(dueDate, days);
    }
    return days;
  }
}

/** The days on which time alone changes an account: the day after each unpaid charge's due date (overdue) and after its grace (arrears). */
function changeDays(unpaid: ReadonlyArray<{ dueDate: LocalDate }>, graceWorkingDays: number): LocalDate[] {
  return unpaid.flatMap(({ dueDate }) => [addDays(dueDate, 1), addDays(graceEnd(dueDate, graceWorkingDays), 1)]);
}

/** The first day after `asOf` when the amounts change by time alone. */
function staleFrom(unpaid: ReadonlyArray<{ dueDate: LocalDate }>, asOf: LocalDate, days: ChangeDays): LocalDate | null {
  let first: LocalDate | null = null;
  for (const { dueDate } of unpaid) {
    for (const day of days.of(dueDate)) if (day > asOf && (first === null || day < first)) first = day;
  }
  return first;
}

/**
 * The day a stale row's amounts became what they are on `today`: the latest change day up to
 * today. Using it (not `today`) as the new `as_of` makes a rolled row independent of when the
 * roll ran, so a rebuilt generation rolls to exactly the same rows.
 */
export function rolledAsOf(compact: CompactAccount, asOf: LocalDate, today: LocalDate, graceWorkingDays: number): LocalDate {
  // Which charges are unpaid does not depend on the day; only whether they are overdue does.
  const unpaid = compactPosition(compact, asOf, graceWorkingDays).unpaidCharges;
  return changeDays(unpaid, graceWorkingDays).reduce((latest, day) => (day <= today && day > latest ? day : latest), asOf);
}

/**
 * Oslo's calendar day of an event's time, remembered by the UTC hour it falls in (Oslo is a whole
 * number of hours from UTC): a batch's events mostly share a few hours, and Intl's formatting is
 * the dearest step of applying a posting.
 */
class OsloDays {
  private readonly byHour = new Map<string, LocalDate>();
  of(occurredAt: string): LocalDate {
    const hour = occurredAt.slice(0, 13);
    let day = this.byHour.get(hour);
    if (day === undefined) {
      day = osloDate(new Date(occurredAt));
      if (!occurredAt.endsWith('Z') || !/^\d{4}-\d{2}-\d{2}T\d{2}$/.test(hour)) return day; // not UTC ISO text: not remembered
      if (this.byHour.size >= 10_000) this.byHour.clear();
      this.byHour.set(hour, day);
    }
    return day;
  }
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
