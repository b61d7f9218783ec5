/** The api's answers as the pages read them (apps/api controllers and the contract with the backend). */

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
  readonly total?: number;
}

export interface PolicyReason {
  readonly policy: string;
  readonly explanation: string;
}

export interface CaseSummary {
  readonly caseId: string;
  readonly municipalityNumber: string;
  readonly tenancyId: string;
  readonly navOffice: string;
  readonly status: 'open' | 'escalated' | 'resolved';
  readonly openedOn: string;
  readonly firstContactDeadline: string;
  readonly arrearsOreAtOpening: number;
  readonly openingReasons: readonly PolicyReason[];
  readonly contacts: number;
  readonly lastContactOn: string | null;
  readonly escalatedOn: string | null;
  readonly escalationReasons: readonly PolicyReason[];
  readonly resolvedOn: string | null;
  readonly outcome: string | null;
}

export interface TimelineEntry {
  readonly at: string;
  readonly on: string;
  readonly type: string;
  readonly summary: string;
  readonly actorRole: string;
}

export interface CaseDetail extends CaseSummary {
  readonly timeline: readonly TimelineEntry[];
}

export interface ArrearsItem {
  readonly municipalityNumber: string;
  readonly tenancyId: string;
  readonly address: string;
  readonly navOffice: string;
  /** `municipal` (kommunal bolig) or `private-sublet` (innleid bolig). */
  readonly landlordKind: string;
  readonly monthlyRentOre: number;
  readonly overdueOre: number;
  readonly arrearsOre: number;
  readonly oldestUnpaidDueDate: string | null;
  readonly daysOverdue: number;
}

export interface ImportRecord {
  readonly importId: string;
  readonly kind: 'postings' | 'tenancies';
  readonly at: string;
  readonly lines: number;
  readonly eventsWritten: number;
  readonly noOp: boolean;
}

export interface PostingResult {
  readonly lines: number;
  readonly tenancies: number;
  readonly eventsWritten: number;
  readonly alreadyPosted: number;
  readonly noOp: boolean;
}

export interface RegistrationResult {
  readonly tenancies: number;
  readonly registered: number;
  readonly changed: number;
  readonly unchanged: number;
  readonly noOp: boolean;
}

export interface MeetingPackCase {
  readonly caseId: string;
  readonly tenancyId: string;
  readonly status: string;
  readonly reasons: readonly (PolicyReason | string)[];
  readonly changesSinceLastMeeting: ReadonlyArray<{ on: string; summary: string }>;
}

export interface MeetingPackFigures {
  readonly activeCases: number;
  readonly escalated: number;
  readonly openedSinceLastMeeting: number;
  readonly resolvedSinceLastMeeting: number;
  readonly arrearsOre: number;
}

export interface MeetingPack {
  readonly since: string | null;
  readonly cases: readonly MeetingPackCase[];
  readonly figures: MeetingPackFigures;
  /** More cases are at risk than one pack holds; the queue has them all. */
  readonly truncated: boolean;
}

export interface DashboardMonth {
  readonly month: string;
  readonly invoicedOre: number;
  readonly outstandingOre: number;
  /** Outstanding rent at the month's end as a share (0–1) of the rent invoiced over the twelve months ending with it: the housing plan's own measure. */
  readonly outstandingShare: number | null;
  /** How many months of invoicing the share rests on (scaled to a year when fewer than 12). */
  readonly shareBasisMonths?: number;
  readonly arrearsOre: number;
  readonly casesOpened: number;
  readonly casesResolved: number;
  readonly casesEscalated: number;
  readonly medianDaysToFirstContact: number | null;
  /** § 9-11 warnings received (by the day submitted) and forwarded to NAV. */
  readonly warningsReceived: number;
  readonly warningsForwarded: number;
  /** Petitions for eviction the landlords reported filed (by the filing date). */
  readonly petitionsFiled: number;
  /** Warnings ending in an eviction carried out, and ending without one (paid, withdrawn, stopped by payment): each warning once. */
  readonly evictionsCarriedOut: number;
  readonly evictionsAvoided: number;
  /** NAV, aggregates only: referrals into the offices' inboxes, picked up, and not picked up within the limit. */
  readonly referralsReceived: number;
  readonly referralsPickedUp: number;
  /** Median Norwegian working days from a referral's arrival to its pickup, over the month's pickups; null when none. */
  readonly medianPickupWorkingDays: number | null;
  readonly referralsPickupOverdue: number;
  /** § 17 economic advice started in the month; median calendar days from the request; starts later than the office's norm. */
  readonly adviceStarted: number;
  readonly medianDaysToAdviceStart: number | null;
  readonly adviceStartedLate: number;
}

export interface ParkedEntry {
  readonly eventId: string;
  readonly streamName: string;
  readonly revision: number;
  readonly position: string;
  readonly type: string;
  readonly reason: 'parked' | 'held';
  readonly error: string | null;
  readonly attempts: number;
  readonly at: string;
}

export interface SubscriptionStatus {
  readonly name: string;
  readonly state: string;
  readonly running: boolean;
  readonly handled: number;
  readonly lastError: string | null;
  readonly failingSince: string | null;
  readonly restarts: number;
  readonly parked: readonly ParkedEntry[];
}

export interface SubscriptionLag {
  readonly name: string;
  readonly state: string;
  readonly caughtUp: boolean;
  readonly behindSince: string | null;
  readonly parked: number;
  readonly lastError: string | null;
  readonly error?: string;
  /** A rebuild's new generation catching up: behind by design until it is switched in. */
  readonly building: boolean;
}

export interface RebuildProgress {
  readonly projection: string;
  readonly generation: number;
  readonly startedAt: string;
  readonly handled: number;
  readonly state: 'building' | 'switched' | 'failed';
  readonly finishedAt: string | null;
  readonly error: string | null;
  /** When the rebuild was last seen to move on through the log (its start until it first does). */
  readonly lastProgressAt: string;
}

export interface DeadlineView {
  readonly id: string;
  readonly workflow: string;
  readonly kind: string;
  readonly delivery: string;
  readonly dueOn: string;
  readonly dueAt: string;
  readonly status: string;
  readonly overdue: boolean;
  readonly changedAt: string;
}

export interface DeadlineOverview {
  readonly counts: ReadonlyArray<{ status: string; delivery: string; count: number }>;
  readonly overdue: number;
  readonly pending: readonly DeadlineView[];
  readonly recent: readonly DeadlineView[];
  readonly ignored: ReadonlyArray<{ workflow: string; reason: string; count: number; lastInputType: string; lastAt: string }>;
  readonly bullmq: Record<string, unknown>;
  readonly lastSweep: unknown;
}

export interface OidcProviderConfig {
  /** `staff` (Entra ID) or `landlord` (ID-porten). */
  readonly id?: string;
  /** As the api names it, e.g. «Ansatte (Entra ID)». */
  readonly label?: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly scope?: string;
  /** Where the provider sends the browser back; `/logg-inn/tilbake` when absent. */
  readonly redirectPath?: string;
  readonly authorizationEndpoint?: string;
  readonly tokenEndpoint?: string;
  readonly audience?: string;
}

export interface AppConfig {
  /** `development`, `test` or `production`. */
  readonly environment: string;
  /** Today in Norway by the api's clock (`YYYY-MM-DD`). */
  readonly today?: string;
  /** Whether `POST /api/dev/token` exists. */
  readonly devSignIn?: boolean;
  readonly oidc?: OidcProviderConfig | readonly OidcProviderConfig[] | null;
}

/** A dated rule result from the warnings' deadline engine (law, policy or advice). */
export interface Ruling {
  readonly rule: string;
  readonly date: string;
  readonly kind: 'law' | 'policy' | 'advice';
  readonly basis: string;
  readonly explanation: string;
  readonly tenantRef?: string;
}

export interface WarningSubmitResult {
  readonly warningId: string;
  readonly created: boolean;
  readonly status: string;
  readonly statusText: string;
  readonly message: string;
  readonly tenants: ReadonlyArray<{ tenantRef: string; identifiedBy: string; noticeSentOn: string | null; petitionLegalOn: string | null; petitionCarefulOn: string | null }>;
  readonly advice: readonly Ruling[];
}

export interface WarningSummary {
  readonly warningId: string;
  readonly status: 'received' | 'forwarded' | 'not-forwarded' | 'closed';
  readonly statusText: string;
  readonly submittedOn: string;
  readonly forwardedOn: string | null;
  readonly navOffice: string | null;
  readonly notForwardedReason: string | null;
  readonly closedOn: string | null;
  readonly stage: string;
  readonly stageText: string;
  readonly municipalityNumber: string;
  readonly address: string;
  readonly ground: string;
  readonly arrearsOre: number;
  readonly plannedPetitionOn: string;
  readonly petitionFiledOn: string | null;
  readonly evictionOn: string | null;
  readonly tenantCount: number;
}

export interface WarningDetail extends WarningSummary {
  readonly landlord: { readonly kind: string; readonly name: string; readonly organisationNumber: string | null };
  readonly arrearsMonths: readonly string[];
  readonly tenants: ReadonlyArray<{ tenantRef: string; name: string; birthDate: string | null; identifiedBy: string; noticeSentOn: string | null; petitionLegalOn: string | null; petitionCarefulOn: string | null }>;
  readonly advice: readonly Ruling[];
  readonly deadlines: readonly Ruling[];
  readonly possibleSteps: readonly string[];
  readonly history: ReadonlyArray<{ readonly on: string; readonly kind: string; readonly text: string }>;
}

export interface NavReferral {
  readonly referralId: string;
  readonly source: string;
  readonly referredOn: string;
  readonly pickupDueOn: string;
  readonly pickedUpOn: string | null;
  readonly pickupOverdue: boolean;
  readonly petitionOn: string | null;
  readonly evictionOn: string | null;
}

export interface NavInboxItem {
  readonly caseId: string;
  readonly municipalityNumber: string;
  readonly tenancyId: string;
  readonly status: string;
  readonly assignee: { readonly actorId: string; readonly role: string } | null;
  readonly mine: boolean;
  readonly referrals: readonly NavReferral[];
  readonly pickupDueOn: string | null;
  readonly pickupOverdue: boolean;
  readonly priority: number;
  readonly priorityReasons: readonly string[];
  readonly planBreached: boolean;
  readonly paused: boolean;
}

export interface NavRecord extends NavInboxItem {
  readonly nextDate: string | null;
  readonly helpOnItsWay: boolean;
  readonly navOffice: string;
  readonly contacts: ReadonlyArray<{ contactId: string; channel: string; contactedOn: string }>;
  readonly economicAdvice: ReadonlyArray<{
    requestId: string;
    requestedOn: string;
    form: 'oral' | 'written';
    writtenDecision: { decidedOn: string; outcome: 'granted' | 'refused'; reason: string | null } | null;
    startNormDueOn: string;
    startedOn: string | null;
    startedInTime: boolean | null;
    lateReason: string | null;
    concludedOn: string | null;
  }>;
  readonly auditAnswers: {
    requests: number;
    withWrittenDecision: number;
    awaitingDecision: ReadonlyArray<{ requestId: string; requestedOn: string }>;
    startedInTime: number;
    startedLate: number;
    notStartedPastNorm: ReadonlyArray<{ requestId: string; startNormDueOn: string }>;
  };
  readonly paymentPlans: ReadonlyArray<{ planId: string; agreedOn: string; instalments: ReadonlyArray<{ dueOn: string; amountOre: number }>; toleranceDays: number; status: string; breach: unknown; breaches: number; nextCheckOn: string | null }>;
  readonly incomeManagement: { consentOn: string; covers: readonly string[]; startOn: string; endOn: string | null; withdrawnOn: string | null } | null;
  readonly financialAssistance: ReadonlyArray<{ assistanceId: string; paragraph: string; form: string; amountOre: number; decidedOn: string; outcome: string; expectedPaymentOn: string | null; reason: string | null; onItsWay: boolean }>;
  readonly concluded: { outcome: string; concludedOn: string } | null;
  readonly timeline: ReadonlyArray<{ on: string; at: string; type: string; summary: string; actor: { actorId: string; role: string }; notes: readonly string[] }>;
}

export interface NavSummary {
  readonly caseId: string;
  readonly navHasIt: boolean;
  readonly status: 'awaiting-pickup' | 'followed-up' | 'concluded';
  readonly nextDate: string | null;
  readonly helpOnItsWay: boolean;
  readonly pickupOverdue: boolean;
  readonly planBreached: boolean;
}
