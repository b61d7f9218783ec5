import type { LocalDate, Ore } from '@evp/shared-kernel';

/**
 * The § 9-11 warnings context's events (husleieloven § 9-11, «varsel om fravikelse»), as other
 * contexts may read them: the cases context attaches a forwarded warning to the household's case
 * and refers it to NAV; NAV may read the dates. People appear only as opaque person ids and keyed
 * match keys: names, birth dates and identity numbers live in the people context (invariant 7).
 */

/** A private person, a company (organisasjonsnummer) or the municipality's own property unit. */
export type LandlordKind = 'private-person' | 'company' | 'municipal';

/**
 * What the eviction rests on. Only unpaid rent is stopped by paying (tvangsfullbyrdelsesloven
 * § 13-2 tredje ledd bokstav a); an expired or terminated lease (bokstav b) or another breach is not.
 */
export type EvictionGround = 'unpaid-rent' | 'lease-expired' | 'other-breach';
export const EVICTION_GROUNDS: readonly EvictionGround[] = ['unpaid-rent', 'lease-expired', 'other-breach'];

/** A dated rule result as stored: the rule's name, the date, whether law, policy or advice sets it, and its basis in bokmål. */
export interface Ruling {
  readonly rule: string;
  readonly date: LocalDate;
  readonly kind: 'law' | 'policy' | 'advice';
  readonly basis: string;
  readonly explanation: string;
  /** The tenant it concerns, when it concerns one (each tenant has a § 4-18 notice of their own). */
  readonly tenantRef?: string;
}

export interface WarnedTenant {
  /** `t1`, `t2`, … in the order the landlord listed them: how the landlord and the api name a tenant. */
  readonly tenantRef: string;
  /** Opaque (`p` + 32 hex): the people context holds who it is. */
  readonly personId: string;
  /**
   * Keyed hashes of the tenant's identity (of the identity number, and of name and birth date):
   * what an objection on record is matched against, whichever of the two either side knew.
   */
  readonly matchKeys: readonly string[];
  readonly identifiedBy: 'national-id' | 'name-and-birth-date';
  /** The § 4-18 notice to this tenant; null when the warning came first. */
  readonly noticeSentOn: LocalDate | null;
}

export type WarningSubmitted = {
  readonly type: 'warnings.WarningSubmitted';
  readonly data: {
    readonly warningId: string;
    readonly landlordId: string;
    readonly landlord: {
      readonly kind: LandlordKind;
      /** A company's or the municipality's name; null for a private person (personal data: see `personId`). */
      readonly name: string | null;
      readonly organisationNumber: string | null;
      /** A private person's opaque person id; their name lives in the people context. */
      readonly personId: string | null;
    };
    readonly municipalityNumber: string;
    readonly dwelling: {
      readonly address: string;
      /** The municipal tenancy (the ledger's leieforhold) when the dwelling is one. */
      readonly tenancyId: string | null;
    };
    /** The household's tenancy id in the cases context: the municipal tenancy, or a keyed id of a private lease. */
    readonly householdId: string;
    readonly tenants: readonly WarnedTenant[];
    readonly ground: EvictionGround;
    readonly arrearsOre: Ore;
    /** `YYYY-MM`, oldest first. */
    readonly arrearsMonths: readonly string[];
    readonly plannedPetitionOn: LocalDate;
    readonly declarations: { readonly tenantGotCopy: boolean; readonly noWrittenObjectionReceived: boolean };
    readonly submittedOn: LocalDate;
    /** A hash of what was submitted: the same warning again is a no-op, the same key with other content a conflict. */
    readonly fingerprint: string;
  };
};

/** Sent on to the NAV office of the dwelling's municipality. The cases context attaches it to the household's case and refers it. */
export type WarningForwarded = {
  readonly type: 'warnings.WarningForwarded';
  readonly data: {
    readonly warningId: string;
    readonly forwardedOn: LocalDate;
    readonly municipalityNumber: string;
    readonly householdId: string;
    readonly tenancyId: string | null;
    readonly navOffice: string;
    readonly ground: EvictionGround;
    readonly arrearsOre: Ore;
    /** The petition's date: filed when the landlord has reported it, planned otherwise. */
    readonly petitionOn: LocalDate;
    /** The eviction date, when the namsmann has set one before the warning went on. */
    readonly evictionOn: LocalDate | null;
    readonly tenantPersonIds: readonly string[];
    /** Advice to the landlord about the planned petition, as of the day NAV was notified. */
    readonly advice: readonly Ruling[];
  };
};

/**
 * Stored, and never sent to NAV: a tenant has reserved themselves in writing against such notices
 * (the objections named, from the register), or the landlord declared that such an objection was received.
 */
export type WarningNotForwarded = {
  readonly type: 'warnings.WarningNotForwarded';
  readonly data: {
    readonly warningId: string;
    readonly decidedOn: LocalDate;
    readonly basis: 'objection-on-record' | 'landlord-declared-objection';
    readonly objectionIds: readonly string[];
    readonly tenantRefs: readonly string[];
    readonly explanation: string;
  };
};

/** What the landlord reports next. Each kind is one step of the legal path (DOMAIN.md, «The legal path»). */
export type ReportedStep =
  | { readonly kind: 'notice-sent'; readonly tenantRef: string; readonly sentOn: LocalDate }
  | { readonly kind: 'petition-filed'; readonly filedOn: LocalDate }
  | { readonly kind: 'namsmann-letter-received'; readonly receivedOn: LocalDate | null }
  | { readonly kind: 'tenant-objected-to-namsmann'; readonly objectedOn: LocalDate }
  | { readonly kind: 'eviction-date-set'; readonly evictionOn: LocalDate }
  | { readonly kind: 'eviction-postponed'; readonly evictionOn: LocalDate }
  | { readonly kind: 'eviction-carried-out'; readonly evictedOn: LocalDate }
  | { readonly kind: 'cancelled-paid'; readonly paidOn: LocalDate }
  | { readonly kind: 'withdrawn'; readonly withdrawnOn: LocalDate };

export type StepKind = ReportedStep['kind'];
export const STEP_KINDS: readonly StepKind[] = [
  'notice-sent',
  'petition-filed',
  'namsmann-letter-received',
  'tenant-objected-to-namsmann',
  'eviction-date-set',
  'eviction-postponed',
  'eviction-carried-out',
  'cancelled-paid',
  'withdrawn',
];

export type StepReported = {
  readonly type: 'warnings.StepReported';
  readonly data: {
    readonly warningId: string;
    readonly stepId: string;
    readonly reportedOn: LocalDate;
    readonly step: ReportedStep;
    readonly municipalityNumber: string;
    readonly householdId: string;
    /**
     * Whether the step goes on to NAV's case: only for a forwarded warning, and never once any of
     * its tenants has an objection on record (`withheldBecause` names them).
     */
    readonly passedToNav: boolean;
    readonly withheldBecause: readonly string[];
    /** The dates the step sets running, and advice (e.g. a petition filed before the legal date). */
    readonly rulings: readonly Ruling[];
  };
};

/**
 * The ledger shows everything fallen due paid before the lock was changed, on a warning for unpaid
 * rent of a municipal tenancy: the eviction stops (tvangsfullbyrdelsesloven § 13-2 tredje ledd bokstav a).
 */
export type EvictionStoppedByPayment = {
  readonly type: 'warnings.EvictionStoppedByPayment';
  readonly data: {
    readonly warningId: string;
    readonly stoppedOn: LocalDate;
    readonly municipalityNumber: string;
    readonly householdId: string;
    readonly tenancyId: string;
    /** The ledger's view it rests on: revision of the tenancy stream and the day it was computed. */
    readonly ledgerRevision: number;
    readonly asOf: LocalDate;
    readonly basis: string;
    readonly explanation: string;
  };
};

/** Index: a warning about this municipal tenancy (`warnings-of-<kommunenr>-<leieforhold>`), for reacting to its payments. */
export type WarningLinkedToTenancy = {
  readonly type: 'warnings.WarningLinkedToTenancy';
  readonly data: { readonly warningId: string };
};

export type WarningEvent = WarningSubmitted | WarningForwarded | WarningNotForwarded | StepReported | EvictionStoppedByPayment;
export type WarningEventType = WarningEvent['type'];

/**
 * A tenant's written objection to § 9-11 notices (reservasjon; `NotificationOptOut` in DOMAIN.md),
 * registered by the landlord or by the municipal services on the tenant's behalf.
 */
export type ObjectionRegistered = {
  readonly type: 'warnings.ObjectionRegistered';
  readonly data: {
    readonly objectionId: string;
    readonly municipalityNumber: string;
    readonly personId: string;
    readonly matchKeys: readonly string[];
    readonly receivedOn: LocalDate;
    readonly registeredOn: LocalDate;
    readonly registeredBy: { readonly role: string; readonly landlordId: string | null };
  };
};

export type ObjectionWithdrawn = {
  readonly type: 'warnings.ObjectionWithdrawn';
  readonly data: { readonly objectionId: string; readonly withdrawnOn: LocalDate; readonly byRole: string };
};

export type ObjectionEvent = ObjectionRegistered | ObjectionWithdrawn;

/**
 * The register as the forwarding decision reads it: one stream per match key
 * (`reservations-<key>`). An objection is recorded in each of its keys' streams before its own
 * stream, and lifted there last, so a crash in between errs on the tenant's side. A forwarding
 * decision appends `ForwardingChecked` with the revision it read: an objection registered in the
 * meantime makes the append conflict, and the decision is taken again.
 */
export type ReservationRecorded = { readonly type: 'warnings.ReservationRecorded'; readonly data: { readonly objectionId: string } };
export type ReservationLifted = { readonly type: 'warnings.ReservationLifted'; readonly data: { readonly objectionId: string } };
export type ForwardingChecked = { readonly type: 'warnings.ForwardingChecked'; readonly data: { readonly warningId: string } };
export type ReservationEvent = ReservationRecorded | ReservationLifted | ForwardingChecked;

export const WARNING_EVENT_TYPES: readonly string[] = [
  'warnings.WarningSubmitted',
  'warnings.WarningForwarded',
  'warnings.WarningNotForwarded',
  'warnings.StepReported',
  'warnings.EvictionStoppedByPayment',
  'warnings.WarningLinkedToTenancy',
  'warnings.ObjectionRegistered',
  'warnings.ObjectionWithdrawn',
  'warnings.ReservationRecorded',
  'warnings.ReservationLifted',
  'warnings.ForwardingChecked',
];

export const WARNING_STREAM_PREFIX = 'warning-';
export const WARNING_TENANCY_INDEX_PREFIX = 'warnings-of-';
export const OBJECTION_STREAM_PREFIX = 'objection-';
export const RESERVATION_STREAM_PREFIX = 'reservations-';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Warning and objection ids are UUIDs: opaque, in URLs, never derived from a name or number in a way that can be reversed. */
export function isWarningId(id: string): boolean {
  return UUID.test(id);
}

export const isObjectionId = isWarningId;

/** `warning-<id>`: one stream per warning. */
export function warningStreamName(warningId: string): string {
  return `${WARNING_STREAM_PREFIX}${warningId}`;
}

export function warningIdOfStream(streamName: string): string | undefined {
  if (!streamName.startsWith(WARNING_STREAM_PREFIX)) return undefined;
  const id = streamName.slice(WARNING_STREAM_PREFIX.length);
  return isWarningId(id) ? id : undefined;
}

/** `warnings-of-<kommunenr>-<leieforhold>`: the warnings about one municipal tenancy. */
export function warningTenancyIndexStreamName(municipalityNumber: string, tenancyId: string): string {
  return `${WARNING_TENANCY_INDEX_PREFIX}${municipalityNumber}-${tenancyId}`;
}

export function objectionStreamName(objectionId: string): string {
  return `${OBJECTION_STREAM_PREFIX}${objectionId}`;
}

/** `reservations-<key>`: a match key is opaque (`p…` or `n…` + hex), never a number or a name. */
export function reservationStreamName(matchKey: string): string {
  return `${RESERVATION_STREAM_PREFIX}${matchKey}`;
}
