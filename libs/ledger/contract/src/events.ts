import type { LocalDate, Ore } from '@evp/shared-kernel';

/**
 * The ledger's events: a tenancy's rent account as accounting (Værnesregionen Regnskap) posts it.
 * Stored type names are stable strings (`ledger.…`); people appear only as opaque person ids.
 */
export type LandlordKind = 'municipal' | 'private-sublet';

export interface TenancyDetails {
  readonly address: string;
  readonly monthlyRentOre: Ore;
  readonly landlordKind: LandlordKind;
  readonly navOffice: string;
  /** Opaque ids; identity numbers and names live in the erasable `person-…` streams. */
  readonly tenantPersonIds: readonly string[];
}

export type TenancyRegistered = {
  readonly type: 'ledger.TenancyRegistered';
  readonly data: { readonly municipalityNumber: string; readonly tenancyId: string } & TenancyDetails;
};

export type TenancyDetailsChanged = {
  readonly type: 'ledger.TenancyDetailsChanged';
  readonly data: TenancyDetails;
};

/** faktura */
export type ChargePosted = {
  readonly type: 'ledger.ChargePosted';
  readonly data: { readonly voucherRef: string; readonly date: LocalDate; readonly dueDate: LocalDate; readonly period: string; readonly amountOre: Ore };
};

/** innbetaling, kreditnota, avskrivning: each reduces what is owed. */
export type ReductionPosted = {
  readonly type: 'ledger.PaymentPosted' | 'ledger.CreditPosted' | 'ledger.WriteOffPosted';
  readonly data: { readonly voucherRef: string; readonly date: LocalDate; readonly amountOre: Ore };
};

/** saldo: the ERP's balance as of a date, from its arrears list. */
export type BalanceStated = {
  readonly type: 'ledger.BalanceStated';
  readonly data: { readonly voucherRef: string; readonly asOf: LocalDate; readonly statedBalanceOre: Ore; readonly computedBalanceOre: Ore };
};

/** The ERP's balance disagrees with the account: shown to accounting, never silently overwritten. */
export type BalanceDiscrepancyRecorded = {
  readonly type: 'ledger.BalanceDiscrepancyRecorded';
  readonly data: { readonly voucherRef: string; readonly asOf: LocalDate; readonly statedBalanceOre: Ore; readonly computedBalanceOre: Ore; readonly differenceOre: Ore };
};

export type LedgerEvent = TenancyRegistered | TenancyDetailsChanged | ChargePosted | ReductionPosted | BalanceStated | BalanceDiscrepancyRecorded;
export type LedgerEventType = LedgerEvent['type'];

/** Every type of `LedgerEvent`: the record lists each exactly once, or this does not compile. */
const LEDGER_TYPE_RECORD: { readonly [T in LedgerEventType]: true } = {
  'ledger.TenancyRegistered': true,
  'ledger.TenancyDetailsChanged': true,
  'ledger.ChargePosted': true,
  'ledger.PaymentPosted': true,
  'ledger.CreditPosted': true,
  'ledger.WriteOffPosted': true,
  'ledger.BalanceStated': true,
  'ledger.BalanceDiscrepancyRecorded': true,
};

export const LEDGER_EVENT_TYPES: readonly LedgerEventType[] = Object.keys(LEDGER_TYPE_RECORD) as LedgerEventType[];

/** Postings that lower what a household owes: a payment, a credit note, a write-off. */
export const LEDGER_REDUCTION_TYPES = ['ledger.PaymentPosted', 'ledger.CreditPosted', 'ledger.WriteOffPosted'] as const satisfies readonly LedgerEventType[];

/** Whether an event type is one of `LEDGER_REDUCTION_TYPES`. */
export const isLedgerReduction = (type: string): boolean => (LEDGER_REDUCTION_TYPES as readonly string[]).includes(type);

export const TENANCY_STREAM_PREFIX = 'tenancy-';

/** `tenancy-<kommunenummer>-<leieforhold>`: the ERP's tenancy number is not personal data. */
export function tenancyStreamName(municipalityNumber: string, tenancyId: string): string {
  return `${TENANCY_STREAM_PREFIX}${tenancyKey(municipalityNumber, tenancyId)}`;
}

export function tenancyKey(municipalityNumber: string, tenancyId: string): string {
  return `${municipalityNumber}-${tenancyId}`;
}

export const MUNICIPALITY_NUMBER = /^\d{4}$/;
export const TENANCY_ID = /^[A-Za-z0-9][A-Za-z0-9_.]{0,39}$/;
export const VOUCHER_REF = /^[A-Za-z0-9][A-Za-z0-9_./-]{0,59}$/;

/** `tenancy-5035-100234` → its kommunenummer and leieforhold; undefined for any other stream. */
export function parseTenancyStreamName(streamName: string): { municipalityNumber: string; tenancyId: string } | undefined {
  if (!streamName.startsWith(TENANCY_STREAM_PREFIX)) return undefined;
  const key = streamName.slice(TENANCY_STREAM_PREFIX.length);
  const municipalityNumber = key.slice(0, 4);
  const tenancyId = key.slice(5);
  return MUNICIPALITY_NUMBER.test(municipalityNumber) && key[4] === '-' && TENANCY_ID.test(tenancyId) ? { municipalityNumber, tenancyId } : undefined;
}

/**
 * Accounting's import history: one accepted input (a CSV file or a JSON request of postings or
 * tenancies), recorded in the same atomic write as what it changed. Counts only: the lines stay in
 * the tenancy streams, and no identity number or name is ever in this event.
 */
export type ImportAccepted = {
  readonly type: 'ledger.ImportAccepted';
  readonly data: {
    readonly importId: string;
    readonly kind: 'postings' | 'tenancies';
    /** Kommunenumre the lines covered: whose history the import belongs to (invariant 12). */
    readonly municipalities: readonly string[];
    /** Postings: ERP lines. Tenancies: tenant lines (one per tenant, as in the file). */
    readonly lines: number;
    readonly tenancies: number;
    /** Ledger events the import wrote to tenancy streams. */
    readonly eventsWritten: number;
    /** Postings: lines whose voucher was posted before with the same content. Tenancies: tenancies left unchanged. */
    readonly alreadyPosted: number;
    readonly noOp: boolean;
    /**
     * SHA-256 of the accepted content in a canonical form (the parsed lines, so one ERP export sent
     * as UTF-8 or Windows-1252, with or without BOM, CSV or JSON, hashes the same). Tenants'
     * identity numbers and names enter it only as keyed hashes, so it cannot confirm a guessed number.
     */
    readonly fileSha256: string;
  };
};

/** `import-<importId>`: one stream per accepted import. */
export const LEDGER_IMPORT_STREAM_PREFIX = 'import-';

export function ledgerImportStreamName(importId: string): string {
  return `${LEDGER_IMPORT_STREAM_PREFIX}${importId}`;
}

