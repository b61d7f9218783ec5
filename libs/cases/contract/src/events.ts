import type { LocalDate, Ore } from '@evp/shared-kernel';

/** A named rule and, in bokmål, why it applied: what the arrears team sees on a case. */
export interface PolicyReason {
  readonly policy: string;
  readonly explanation: string;
}

export type ContactChannel = 'phone' | 'meeting' | 'home-visit' | 'letter' | 'digital';

export type CaseOpened = {
  readonly type: 'cases.CaseOpened';
  readonly data: {
    readonly caseId: string;
    readonly caseNo: number;
    readonly municipalityNumber: string;
    readonly tenancyId: string;
    readonly navOffice: string;
    readonly openedOn: LocalDate;
    readonly firstContactDeadline: LocalDate;
    readonly arrearsOre: Ore;
    readonly monthlyRentOre: Ore;
    readonly daysPastGrace: number;
    readonly reasons: readonly PolicyReason[];
  };
};

export type ContactRecorded = {
  readonly type: 'cases.ContactRecorded';
  readonly data: { readonly caseId: string; readonly contactId: string; readonly channel: ContactChannel; readonly contactedOn: LocalDate; readonly byRole: string };
};

export type CaseEscalatedToArrearsTeam = {
  readonly type: 'cases.CaseEscalatedToArrearsTeam';
  readonly data: { readonly caseId: string; readonly escalatedOn: LocalDate; readonly reasons: readonly PolicyReason[] };
};

export type CaseResolved = {
  readonly type: 'cases.CaseResolved';
  readonly data: { readonly caseId: string; readonly resolvedOn: LocalDate; readonly outcome: 'paid'; readonly explanation: string };
};

/** Where a referral to NAV came from: the arrears workflow's escalation, a landlord's § 9-11 warning, or accounting's «at risk» flag. */
export type NavReferralSource = 'escalation' | 'warning' | 'at-risk';

/**
 * The household is referred to the NAV office of the tenancy (its current office, as the ledger
 * publishes it). The NAV context builds each office's inbox from these; the referral id is
 * deterministic (`<caseId>.<source>.<n>`), so a repeated decision never refers twice.
 */
export type ReferredToNav = {
  readonly type: 'cases.ReferredToNav';
  readonly data: {
    readonly caseId: string;
    readonly referralId: string;
    readonly municipalityNumber: string;
    readonly tenancyId: string;
    readonly navOffice: string;
    readonly source: NavReferralSource;
    readonly referredOn: LocalDate;
    readonly reasons: readonly PolicyReason[];
    /** Dates that raise the referral's priority when known: the landlord's planned petition, the eviction date. */
    readonly petitionOn: LocalDate | null;
    readonly evictionOn: LocalDate | null;
  };
};

export type CaseEvent = CaseOpened | ContactRecorded | CaseEscalatedToArrearsTeam | ReferredToNav | CaseResolved;
export type CaseEventType = CaseEvent['type'];

export const CASE_EVENT_TYPES: readonly CaseEventType[] = ['cases.CaseOpened', 'cases.ContactRecorded', 'cases.CaseEscalatedToArrearsTeam', 'cases.ReferredToNav', 'cases.CaseResolved'];

export const CASE_STREAM_PREFIX = 'case-';

/**
 * One stream per tenancy holds its prevention cases one after the other (`case-<kommunenummer>-<leieforhold>`),
 * so the aggregate itself guarantees at most one open case per tenancy. A case's id is
 * `<kommunenummer>-<leieforhold>-<n>`.
 */
export function caseStreamName(tenancyKey: string): string {
  return `${CASE_STREAM_PREFIX}${tenancyKey}`;
}

export function caseId(tenancyKey: string, caseNo: number): string {
  return `${tenancyKey}-${caseNo}`;
}

const CASE_ID = /^(\d{4})-([A-Za-z0-9][A-Za-z0-9_.]{0,39})-(\d{1,6})$/;

export function parseCaseId(id: string): { municipalityNumber: string; tenancyId: string; tenancyKey: string; caseNo: number } | undefined {
  const m = CASE_ID.exec(id);
  if (!m) return undefined;
  return { municipalityNumber: m[1] as string, tenancyId: m[2] as string, tenancyKey: `${m[1]}-${m[2]}`, caseNo: Number(m[3]) };
}
