import type { LocalDate, Ore } from '@evp/shared-kernel';
import type { LedgerEvent, TenancyDetails } from './events';
import { TenancyFold, balanceAsOf, voucherFingerprint, type Tenancy } from './tenancy';

export interface RegisterTenancy extends TenancyDetails {
  readonly municipalityNumber: string;
  readonly tenancyId: string;
}

export type Posting =
  | { readonly kind: 'charge'; readonly voucherRef: string; readonly date: LocalDate; readonly dueDate: LocalDate; readonly period: string; readonly amountOre: Ore }
  | { readonly kind: 'payment' | 'credit' | 'write-off'; readonly voucherRef: string; readonly date: LocalDate; readonly amountOre: Ore }
  /** `amountOre` is the ERP's balance as of `date`. */
  | { readonly kind: 'balance'; readonly voucherRef: string; readonly date: LocalDate; readonly amountOre: Ore };

export type PostingKind = Posting['kind'];

export class LedgerRuleError extends Error {
  constructor(
    readonly code: 'UNKNOWN_TENANCY' | 'VOUCHER_CONFLICT',
    message: string,
    readonly voucherRef?: string,
  ) {
    super(message);
  }
}

/** Registering a tenancy again with the same details is a no-op; with other details it records the change. */
export function decideRegistration(state: Tenancy, command: RegisterTenancy): LedgerEvent[] {
  const { municipalityNumber, tenancyId, ...details } = command;
  if (state.status === 'unregistered') {
    return [{ type: 'ledger.TenancyRegistered', data: { municipalityNumber, tenancyId, ...details } }];
  }
  const current: TenancyDetails = {
    address: state.address,
    monthlyRentOre: state.monthlyRentOre,
    landlordKind: state.landlordKind,
    navOffice: state.navOffice,
    tenantPersonIds: state.tenantPersonIds,
  };
  const normalise = (d: TenancyDetails) => JSON.stringify({ ...d, tenantPersonIds: [...d.tenantPersonIds].sort() });
  return normalise(current) === normalise(details) ? [] : [{ type: 'ledger.TenancyDetailsChanged', data: details }];
}

export interface PostingDecision {
  readonly events: LedgerEvent[];
  /** Vouchers already posted with the same content: nothing to do. */
  readonly alreadyPosted: string[];
}

/**
 * Posts ERP lines to one tenancy's account. A voucher reference stands for one ERP line forever:
 * the same line again is a no-op; the same reference with other content is refused.
 */
export function decidePostings(state: Tenancy, postings: readonly Posting[]): PostingDecision {
  if (state.status === 'unregistered') throw new LedgerRuleError('UNKNOWN_TENANCY', 'ukjent leieforhold');
  const events: LedgerEvent[] = [];
  const alreadyPosted: string[] = [];
  // One copy of the state for the whole file's postings to this tenancy, not one per posting.
  const fold = new TenancyFold(state);
  for (const posting of postings) {
    const current = fold.state;
    const produced = toEvents(current, posting);
    const known = current.status === 'registered' ? current.vouchers[posting.voucherRef] : undefined;
    const fingerprint = voucherFingerprint(produced[0] as LedgerEvent);
    if (known !== undefined) {
      if (known !== fingerprint && !sameBalanceStatement(known, produced[0] as LedgerEvent)) {
        throw new LedgerRuleError('VOUCHER_CONFLICT', `bilag ${posting.voucherRef} er allerede bokført med annet innhold; en ERP-linje kan ikke endres`, posting.voucherRef);
      }
      alreadyPosted.push(posting.voucherRef);
      continue;
    }
    for (const event of produced) fold.add(event);
    events.push(...produced);
  }
  return { events, alreadyPosted };
}

function toEvents(state: Tenancy, posting: Posting): LedgerEvent[] {
  switch (posting.kind) {
    case 'charge':
      return [{ type: 'ledger.ChargePosted', data: { voucherRef: posting.voucherRef, date: posting.date, dueDate: posting.dueDate, period: posting.period, amountOre: posting.amountOre } }];
    case 'payment':
      return [{ type: 'ledger.PaymentPosted', data: { voucherRef: posting.voucherRef, date: posting.date, amountOre: posting.amountOre } }];
    case 'credit':
      return [{ type: 'ledger.CreditPosted', data: { voucherRef: posting.voucherRef, date: posting.date, amountOre: posting.amountOre } }];
    case 'write-off':
      return [{ type: 'ledger.WriteOffPosted', data: { voucherRef: posting.voucherRef, date: posting.date, amountOre: posting.amountOre } }];
    case 'balance': {
      const computed = state.status === 'registered' ? balanceAsOf(state.charges, state.reductions, posting.date) : 0;
      const base = { voucherRef: posting.voucherRef, asOf: posting.date, statedBalanceOre: posting.amountOre, computedBalanceOre: computed };
      const stated: LedgerEvent = { type: 'ledger.BalanceStated', data: base };
      return computed === posting.amountOre ? [stated] : [stated, { type: 'ledger.BalanceDiscrepancyRecorded', data: { ...base, differenceOre: posting.amountOre - computed } }];
    }
    default: {
      const never: never = posting;
      return never;
    }
  }
}

/**
 * A balance statement's identity is its voucher, date and stated amount; the computed side depends
 * on what was posted before it, so a re-post after later postings is still the same ERP line.
 */
function sameBalanceStatement(knownFingerprint: string, event: LedgerEvent): boolean {
  if (event.type !== 'ledger.BalanceStated') return false;
  if (!knownFingerprint.startsWith('ledger.BalanceStated|')) return false;
  const known = JSON.parse(knownFingerprint.slice('ledger.BalanceStated|'.length)) as { asOf: string; statedBalanceOre: number };
  return known.asOf === event.data.asOf && known.statedBalanceOre === event.data.statedBalanceOre;
}

