import type { LocalDate, Ore } from '@evp/shared-kernel';
import type { NavReferralSource, PolicyReason } from '@evp/cases-contract';
import type { FollowUpConcluded, HoldReleased, NavOutcome } from '@evp/nav-contract';

/**
 * NAV's events, in the household's stream (`nav-<kommunenummer>-<leieforhold>`). Every step of
 * the follow-up is an event with its date, the acting person (in the metadata, and in the data
 * where the step is about a person: who has the referral) and its reason. Free text (notes,
 * reasons) is personal data: events carry only a reference to the sealed text (`…Ref`).
 */

/** An adviser or lead as the events name them: an opaque actor id and a role, never a name. */
export interface NavActor {
  readonly actorId: string;
  readonly role: string;
}

export type ContactChannel = 'phone' | 'meeting' | 'home-visit' | 'letter' | 'digital';

export type ReferralReceived = {
  readonly type: 'nav.ReferralReceived';
  readonly data: {
    readonly caseId: string;
    readonly referralId: string;
    readonly municipalityNumber: string;
    readonly tenancyId: string;
    readonly navOffice: string;
    readonly source: NavReferralSource;
    readonly referredOn: LocalDate;
    /** The last working day on which claiming it is in time (NAV_PICKUP_WORKING_DAYS after it arrived). */
    readonly pickupDueOn: LocalDate;
    readonly reasons: readonly PolicyReason[];
    readonly petitionOn: LocalDate | null;
    readonly evictionOn: LocalDate | null;
    /** Set when the household's follow-up was already claimed: the referral is picked up on arrival. */
    readonly pickedUpOn: LocalDate | null;
  };
};

export type ReferralClaimed = {
  readonly type: 'nav.ReferralClaimed';
  readonly data: { readonly caseId: string; readonly adviser: NavActor; readonly claimedOn: LocalDate; readonly pickedUp: readonly string[] };
};

/**
 * The adviser who had it, or the office lead, gave the follow-up back to the office's inbox. It
 * waits there as a referral of its own (`referralId`, source `release`) with a new pickup limit
 * counted from the release (NAV_PICKUP_WORKING_DAYS, as for any referral): claimed again in time,
 * or it escalates once. Schema version 2; a version-1 release (stored before releases had a pickup
 * limit) lacks both and reads with `referralId` and `pickupDueOn` null: nobody had it any more,
 * and nothing waited.
 */
export type ReferralReleased = {
  readonly type: 'nav.ReferralReleased';
  readonly data: {
    readonly caseId: string;
    readonly adviser: NavActor;
    readonly releasedOn: LocalDate;
    readonly by: NavActor;
    /** `<caseId>.release.<n>`; null for a release stored before releases had a pickup limit. */
    readonly referralId: string | null;
    /** The last working day on which claiming it again is in time; null as `referralId`. */
    readonly pickupDueOn: LocalDate | null;
  };
};

/**
 * The schema version `nav.ReferralReleased` is written with. Version 1 had no `referralId` and no
 * `pickupDueOn`; it is upcast to both null (see the application's event registration).
 */
export const REFERRAL_RELEASED_SCHEMA_VERSION = 2;

export type ReferralReassigned = {
  readonly type: 'nav.ReferralReassigned';
  readonly data: { readonly caseId: string; readonly from: NavActor | null; readonly to: NavActor; readonly reassignedOn: LocalDate; readonly by: NavActor; readonly pickedUp: readonly string[] };
};

/** Nobody claimed the referral in time: it escalates to the office lead and the husleierestanseteam, once. */
export type ReferralPickupOverdue = {
  readonly type: 'nav.ReferralPickupOverdue';
  readonly data: {
    readonly caseId: string;
    readonly referralId: string;
    readonly pickupDueOn: LocalDate;
    readonly escalatedOn: LocalDate;
    readonly escalatedTo: readonly ['nav-lead', 'arrears-team'];
    readonly reason: string;
  };
};

export type ContactMade = {
  readonly type: 'nav.ContactMade';
  readonly data: { readonly caseId: string; readonly contactId: string; readonly channel: ContactChannel; readonly contactedOn: LocalDate; readonly noteRef: string | null };
};

/** A request for economic advice (sosialtjenesteloven § 17); an oral request is a request too. */
export type EconomicAdviceRequested = {
  readonly type: 'nav.EconomicAdviceRequested';
  readonly data: {
    readonly caseId: string;
    readonly requestId: string;
    readonly requestedOn: LocalDate;
    readonly form: 'oral' | 'written';
    /** The office's norm for the start (NAV_ADVICE_START_NORM_WORKING_DAYS after the request). */
    readonly startNormDueOn: LocalDate;
    readonly noteRef: string | null;
  };
};

/** The written decision (enkeltvedtak) on a § 17 request; a refusal carries its reason (forvaltningsloven §§ 24–25). */
export type EconomicAdviceDecided = {
  readonly type: 'nav.EconomicAdviceDecided';
  readonly data: { readonly caseId: string; readonly requestId: string; readonly decidedOn: LocalDate; readonly outcome: 'granted' | 'refused'; readonly reasonRef: string | null };
};

export type EconomicAdviceStarted = {
  readonly type: 'nav.EconomicAdviceStarted';
  readonly data: {
    readonly caseId: string;
    readonly requestId: string;
    readonly startedOn: LocalDate;
    readonly startNormDueOn: LocalDate;
    /** Later than the norm: then `lateReasonRef` says why. */
    readonly late: boolean;
    readonly lateReasonRef: string | null;
  };
};

export type EconomicAdviceFollowedUp = {
  readonly type: 'nav.EconomicAdviceFollowedUp';
  readonly data: { readonly caseId: string; readonly requestId: string; readonly followedUpOn: LocalDate; readonly noteRef: string | null };
};

export type EconomicAdviceConcluded = {
  readonly type: 'nav.EconomicAdviceConcluded';
  readonly data: { readonly caseId: string; readonly requestId: string; readonly concludedOn: LocalDate; readonly noteRef: string | null };
};

export interface Instalment {
  readonly dueOn: LocalDate;
  readonly amountOre: Ore;
}

/** A payment plan (nedbetalingsavtale) on the arrears, measured against the ledger's overdue amount when it was agreed. */
export type PaymentPlanAgreed = {
  readonly type: 'nav.PaymentPlanAgreed';
  readonly data: {
    readonly caseId: string;
    readonly planId: string;
    readonly agreedOn: LocalDate;
    readonly instalments: readonly Instalment[];
    /** Calendar days after each due date within which a payment is still on time. */
    readonly toleranceDays: number;
    /** Overdue rent on the account (the ledger's view) on the day the plan was agreed. */
    readonly startOverdueOre: Ore;
  };
};

/** The account is further behind than the plan allows once an instalment's tolerance has run out. */
export type PaymentPlanBreached = {
  readonly type: 'nav.PaymentPlanBreached';
  readonly data: {
    readonly caseId: string;
    readonly planId: string;
    readonly breachNo: number;
    readonly detectedOn: LocalDate;
    /** 1-based: the instalment whose tolerance ran out. */
    readonly instalmentNo: number;
    readonly instalmentDueOn: LocalDate;
    readonly expectedOverdueOre: Ore;
    readonly actualOverdueOre: Ore;
  };
};

export type PaymentPlanBackOnTrack = {
  readonly type: 'nav.PaymentPlanBackOnTrack';
  readonly data: { readonly caseId: string; readonly planId: string; readonly breachNo: number; readonly on: LocalDate };
};

export type PaymentPlanKept = {
  readonly type: 'nav.PaymentPlanKept';
  readonly data: { readonly caseId: string; readonly planId: string; readonly keptOn: LocalDate };
};

export type PaymentPlanCancelled = {
  readonly type: 'nav.PaymentPlanCancelled';
  readonly data: { readonly caseId: string; readonly planId: string; readonly cancelledOn: LocalDate; readonly reasonRef: string | null };
};

/** What income management pays first: rent and electricity, then anything else agreed. */
export type IncomeCover = 'rent' | 'electricity' | 'other';

/** Frivillig forvaltning av inntekt: consented to, and withdrawable at any time. */
export type IncomeManagementAgreed = {
  readonly type: 'nav.IncomeManagementAgreed';
  readonly data: { readonly caseId: string; readonly consentOn: LocalDate; readonly covers: readonly IncomeCover[]; readonly startOn: LocalDate; readonly endOn: LocalDate | null };
};

/** The household withdrew its consent. Consequences: monitoring stops; the adviser who has the case is told. */
export type IncomeManagementConsentWithdrawn = {
  readonly type: 'nav.IncomeManagementConsentWithdrawn';
  readonly data: {
    readonly caseId: string;
    readonly withdrawnOn: LocalDate;
    readonly monitoringStopped: true;
    /** Who is told (the adviser who has the case), or null when nobody has it: then the office lead sees it. */
    readonly adviserTold: NavActor | null;
    /** A payment plan still running that income management was paying: now at risk. */
    readonly activePlanId: string | null;
  };
};

/** The monthly check: did the rent arrive from income management? */
export type IncomeManagementRentChecked = {
  readonly type: 'nav.IncomeManagementRentChecked';
  readonly data: { readonly caseId: string; readonly month: string; readonly checkedOn: LocalDate; readonly arrived: boolean; readonly unpaidDueDates: readonly LocalDate[] };
};

/** Økonomisk stønad (sosialtjenesteloven § 18 livsopphold, § 19 særlige tilfeller), as a grant or a loan. */
export type FinancialAssistanceDecided = {
  readonly type: 'nav.FinancialAssistanceDecided';
  readonly data: {
    readonly caseId: string;
    readonly assistanceId: string;
    readonly paragraph: '18' | '19';
    readonly form: 'grant' | 'loan';
    readonly amountOre: Ore;
    readonly decidedOn: LocalDate;
    readonly outcome: 'granted' | 'refused';
    /** Granted: the day the money is expected on the rent account; it counts as on its way until then. */
    readonly expectedPaymentOn: LocalDate | null;
    readonly reasonRef: string | null;
  };
};

export type FinancialAssistanceDatePassed = {
  readonly type: 'nav.FinancialAssistanceDatePassed';
  readonly data: { readonly caseId: string; readonly assistanceId: string; readonly expectedPaymentOn: LocalDate; readonly passedOn: LocalDate };
};

/** Startlån (refinancing) or bostøtte (Husbanken) applied for, with its outcome when known. Noted again when the outcome comes. */
export type HousingApplicationNoted = {
  readonly type: 'nav.HousingApplicationNoted';
  readonly data: {
    readonly caseId: string;
    readonly applicationId: string;
    readonly scheme: 'startlan' | 'bostotte';
    readonly appliedOn: LocalDate;
    readonly outcome: 'pending' | 'granted' | 'refused';
    readonly decidedOn: LocalDate | null;
  };
};

/** The household asked for an individual decision on housing assistance (boligsosialloven § 6). */
export type HousingDecisionRequested = {
  readonly type: 'nav.HousingDecisionRequested';
  readonly data: { readonly caseId: string; readonly requestId: string; readonly requestedOn: LocalDate };
};

export type HousingDecisionMade = {
  readonly type: 'nav.HousingDecisionMade';
  readonly data: { readonly caseId: string; readonly requestId: string; readonly decidedOn: LocalDate; readonly outcome: 'granted' | 'refused'; readonly reasonRef: string | null };
};

/** No escalation while paused; it resumes by itself the day after `until`. */
export type FollowUpPaused = {
  readonly type: 'nav.FollowUpPaused';
  readonly data: { readonly caseId: string; readonly pauseId: string; readonly pausedOn: LocalDate; readonly until: LocalDate; readonly reasonRef: string };
};

export type FollowUpResumed = {
  readonly type: 'nav.FollowUpResumed';
  readonly data: { readonly caseId: string; readonly pauseId: string; readonly resumedOn: LocalDate; readonly automatically: boolean };
};

/** Sensitive flags, for NAV only: they raise the referral's priority in the office's inbox. */
export type HouseholdFlagsSet = {
  readonly type: 'nav.HouseholdFlagsSet';
  readonly data: { readonly caseId: string; readonly vulnerable: boolean; readonly childrenInHousehold: boolean; readonly setOn: LocalDate };
};

/** The prevention case closed (in the cases context): NAV notes it, so nothing of NAV's escalates for a closed case. */
export type CaseResolvedNoted = {
  readonly type: 'nav.CaseResolvedNoted';
  readonly data: { readonly caseId: string; readonly resolvedOn: LocalDate; readonly outcome: string };
};

/**
 * The tenancy moved to another NAV office (the ledger's `navOffice`), and NAV's follow-up moved with
 * it: the new office handles it from now on, the old office sees nothing of it any more. Whoever had
 * it at the old office no longer does (`previousAdviser`): an adviser at the new office must claim
 * it. It waits in the new office's inbox as a referral of its own (`referralId`, source `transfer`)
 * with a new pickup limit counted from the transfer (NAV_PICKUP_WORKING_DAYS); referrals still
 * waiting at the old office wait no longer (`supersededReferrals`). Plans, income management,
 * assistance and pauses are about the household, not the office: they run on.
 */
export type FollowUpTransferred = {
  readonly type: 'nav.FollowUpTransferred';
  readonly data: {
    readonly caseId: string;
    readonly fromOffice: string;
    readonly toOffice: string;
    readonly transferredOn: LocalDate;
    readonly previousAdviser: NavActor | null;
    readonly referralId: string;
    /** The last working day on which claiming it at the new office is in time. */
    readonly pickupDueOn: LocalDate;
    readonly supersededReferrals: readonly string[];
  };
};

export type NavEvent =
  | ReferralReceived
  | ReferralClaimed
  | ReferralReleased
  | ReferralReassigned
  | ReferralPickupOverdue
  | ContactMade
  | EconomicAdviceRequested
  | EconomicAdviceDecided
  | EconomicAdviceStarted
  | EconomicAdviceFollowedUp
  | EconomicAdviceConcluded
  | PaymentPlanAgreed
  | PaymentPlanBreached
  | PaymentPlanBackOnTrack
  | PaymentPlanKept
  | PaymentPlanCancelled
  | IncomeManagementAgreed
  | IncomeManagementConsentWithdrawn
  | IncomeManagementRentChecked
  | FinancialAssistanceDecided
  | FinancialAssistanceDatePassed
  | HousingApplicationNoted
  | HousingDecisionRequested
  | HousingDecisionMade
  | FollowUpPaused
  | FollowUpResumed
  | HouseholdFlagsSet
  | CaseResolvedNoted
  | FollowUpTransferred
  | HoldReleased
  | FollowUpConcluded;

export type NavEventType = NavEvent['type'];

export const NAV_EVENT_TYPES: readonly NavEventType[] = [
  'nav.ReferralReceived',
  'nav.ReferralClaimed',
  'nav.ReferralReleased',
  'nav.ReferralReassigned',
  'nav.ReferralPickupOverdue',
  'nav.ContactMade',
  'nav.EconomicAdviceRequested',
  'nav.EconomicAdviceDecided',
  'nav.EconomicAdviceStarted',
  'nav.EconomicAdviceFollowedUp',
  'nav.EconomicAdviceConcluded',
  'nav.PaymentPlanAgreed',
  'nav.PaymentPlanBreached',
  'nav.PaymentPlanBackOnTrack',
  'nav.PaymentPlanKept',
  'nav.PaymentPlanCancelled',
  'nav.IncomeManagementAgreed',
  'nav.IncomeManagementConsentWithdrawn',
  'nav.IncomeManagementRentChecked',
  'nav.FinancialAssistanceDecided',
  'nav.FinancialAssistanceDatePassed',
  'nav.HousingApplicationNoted',
  'nav.HousingDecisionRequested',
  'nav.HousingDecisionMade',
  'nav.FollowUpPaused',
  'nav.FollowUpResumed',
  'nav.HouseholdFlagsSet',
  'nav.CaseResolvedNoted',
  'nav.FollowUpTransferred',
  'nav.HoldReleased',
  'nav.FollowUpConcluded',
];

/** A read of NAV's records by a person: who, when, which cases, what they saw. In `navaudit-<kommunenummer>-reads`. */
export type NavRecordRead = {
  readonly type: 'nav.RecordRead';
  readonly data: {
    readonly municipalityNumber: string;
    /** The office whose records were asked for. */
    readonly navOffice: string;
    readonly caseIds: readonly string[];
    readonly view: 'inbox' | 'record' | 'summary';
    /** `shown`: NAV's details; `summary`: the team's summary; `denied`: nothing (answered 404). */
    readonly outcome: 'shown' | 'summary' | 'denied';
    readonly reader: { readonly actorId: string; readonly role: string; readonly navOffice: string | null };
    readonly readAt: string;
  };
};

export const NAV_AUDIT_STREAM_PREFIX = 'navaudit-';

/** `navaudit-<kommunenummer>-reads`: the municipality after the prefix, as operators' scoping reads every stream name. */
export function navAuditStreamName(municipalityNumber: string): string {
  return `${NAV_AUDIT_STREAM_PREFIX}${municipalityNumber}-reads`;
}

export type { NavOutcome };
