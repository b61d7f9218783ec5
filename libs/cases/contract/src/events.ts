import type { LocalDate, Ore } from '@evp/shared-kernel';

/** A named rule and, in bokmål, why it applied: what the arrears team sees on a case. */
export interface PolicyReason {
  readonly policy: string;
  readonly explanation: string;
}

/** How the household was reached; `nav`: NAV recorded contact in its own follow-up (how is NAV's, and stays there). */
export type ContactChannel = 'phone' | 'meeting' | 'home-visit' | 'letter' | 'digital' | 'nav';

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

/**
 * How a case ended: `paid` when the ledger shows nothing overdue any more; the others when NAV
 * concludes its follow-up with that outcome (`nav.FollowUpConcluded`).
 */
export type CaseOutcome = 'paid' | 'arrears-cleared' | 'plan-honoured' | 'moved' | 'rehoused' | 'evicted' | 'warning-withdrawn';

export type CaseResolved = {
  readonly type: 'cases.CaseResolved';
  readonly data: {
    readonly caseId: string;
    readonly resolvedOn: LocalDate;
    readonly outcome: CaseOutcome;
    readonly explanation: string;
    /**
     * When NAV closed the case with an outcome: what was due and unpaid that day (øre). The case is
     * not reopened for it; only arrears beyond it open a new one (`openingAfterNavClosed`, cases
     * domain). Absent on `paid` and on events recorded before it was kept.
     */
    readonly overdueAtClosingOre?: Ore;
  };
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

/**
 * The husleierestanseteam decided something about the case in a meeting (DOMAIN.md: decisions
 * taken in the meeting are recorded as events). Free text in bokmål, refused when it starts like a
 * spreadsheet formula or holds an identity number; one decision per case and meeting.
 */
export type TeamDecisionRecorded = {
  readonly type: 'cases.TeamDecisionRecorded';
  readonly data: { readonly caseId: string; readonly meetingId: string; readonly decision: string; readonly decidedOn: LocalDate };
};

/**
 * A landlord's § 9-11 warning, forwarded to NAV by the warnings context, attached to the
 * household's case: opened for it (reason: the warning) or the one already open. What the team
 * and NAV see of it: the ground and the dates, never the tenants' names.
 */
export type WarningAttached = {
  readonly type: 'cases.WarningAttached';
  readonly data: {
    readonly caseId: string;
    readonly warningId: string;
    readonly attachedOn: LocalDate;
    readonly ground: 'unpaid-rent' | 'lease-expired' | 'other-breach';
    readonly petitionOn: LocalDate;
    readonly evictionOn: LocalDate | null;
    /** The case was opened for this warning (a private lease has no ledger to open one). */
    readonly openedForIt: boolean;
    /** The household is a municipal tenancy with a ledger account (its payments are seen there). */
    readonly ledgerTenancy: boolean;
  };
};

/**
 * The landlord reported the next step of the legal path on an attached warning (petition filed,
 * eviction date set or postponed, carried out, paid, withdrawn, …). The dates raise NAV's priority.
 */
export type WarningStepRecorded = {
  readonly type: 'cases.WarningStepRecorded';
  readonly data: {
    readonly caseId: string;
    readonly warningId: string;
    readonly stepId: string;
    readonly step: string;
    readonly on: LocalDate | null;
    readonly petitionOn: LocalDate | null;
    readonly evictionOn: LocalDate | null;
    /** The warning ended with this step (paid, withdrawn, stopped by payment, eviction carried out). */
    readonly closesWarning: boolean;
    readonly explanation: string;
  };
};

export type CaseEvent = CaseOpened | ContactRecorded | CaseEscalatedToArrearsTeam | ReferredToNav | CaseResolved | TeamDecisionRecorded | WarningAttached | WarningStepRecorded;
export type CaseEventType = CaseEvent['type'];

export const CASE_EVENT_TYPES: readonly CaseEventType[] = ['cases.CaseOpened', 'cases.ContactRecorded', 'cases.CaseEscalatedToArrearsTeam', 'cases.ReferredToNav', 'cases.CaseResolved', 'cases.TeamDecisionRecorded', 'cases.WarningAttached', 'cases.WarningStepRecorded'];

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

/**
 * A meeting of the husleierestanseteam, recorded after its decisions (each in its case's stream):
 * the meeting's own event is the last write, so a meeting that is listed has all its decisions.
 * The decisions' text lives in the case streams only; the meeting names the cases.
 */
export type ArrearsTeamMeetingHeld = {
  readonly type: 'cases.ArrearsTeamMeetingHeld';
  readonly data: { readonly meetingId: string; readonly municipalityNumber: string; readonly heldOn: LocalDate; readonly caseIds: readonly string[] };
};

export const MEETING_STREAM_PREFIX = 'meeting-';

/**
 * `<kommunenummer>-<møtedato>-<8 hex>`: the municipality first, so operators' municipality scoping
 * reads it like every other stream; the date makes it readable in a URL; the hash tells two
 * meetings of one day apart.
 */
const MEETING_ID = /^(\d{4})-(\d{4}-\d{2}-\d{2})-([0-9a-f]{8})$/;

/** `meeting-<kommunenummer>-<møtedato>-<hash>`: one stream per meeting. */
export function meetingStreamName(meetingId: string): string {
  return `${MEETING_STREAM_PREFIX}${meetingId}`;
}

export function parseMeetingId(id: string): { municipalityNumber: string; heldOn: LocalDate } | undefined {
  const m = MEETING_ID.exec(id);
  return m ? { municipalityNumber: m[1] as string, heldOn: m[2] as string } : undefined;
}
