import type { LocalDate } from '@evp/shared-kernel';

/**
 * What NAV publishes to other contexts as events (invariant 15): only the facts the prevention
 * case needs to act on, never NAV's details. Everything else NAV records stays inside the NAV
 * context and behind its confidentiality rules.
 */

/** How NAV's follow-up of a household ended: the case closes with it. */
export const NAV_OUTCOMES = ['arrears-cleared', 'plan-honoured', 'moved', 'rehoused', 'evicted', 'warning-withdrawn'] as const;
export type NavOutcome = (typeof NAV_OUTCOMES)[number];

/**
 * What held back the case's escalation has ended: financial assistance did not arrive by its
 * expected date, or a pause ended (by itself or lifted). The case re-checks whether to escalate.
 */
export type HoldReleased = {
  readonly type: 'nav.HoldReleased';
  readonly data: {
    readonly caseId: string;
    readonly municipalityNumber: string;
    readonly tenancyId: string;
    readonly releasedOn: LocalDate;
    readonly cause: 'assistance-date-passed' | 'pause-ended' | 'pause-lifted';
  };
};

/** NAV concluded its follow-up with an outcome; the case closes with that outcome. */
export type FollowUpConcluded = {
  readonly type: 'nav.FollowUpConcluded';
  readonly data: {
    readonly caseId: string;
    readonly municipalityNumber: string;
    readonly tenancyId: string;
    readonly outcome: NavOutcome;
    readonly concludedOn: LocalDate;
    /** Reference to a sealed note (personal data, kept apart); never the note itself. */
    readonly noteRef: string | null;
  };
};

/**
 * NAV reached the household. Published as the fact and its day only: the case counts it as contact
 * (it stops the first-contact escalation). How, and NAV's note, stay NAV's: the full event in the
 * NAV context carries more fields, and other contexts may rely on these three alone.
 */
export type ContactMadePublished = {
  readonly type: 'nav.ContactMade';
  readonly data: {
    readonly caseId: string;
    readonly contactId: string;
    readonly contactedOn: LocalDate;
  };
};

export type NavPublishedEvent = HoldReleased | FollowUpConcluded | ContactMadePublished;

export const NAV_STREAM_PREFIX = 'nav-';

/**
 * One stream per household (tenancy): `nav-<kommunenummer>-<leieforhold>`, holding NAV's
 * follow-up of each of its cases one after the other (like the case streams). Every claim,
 * step and check of a household appends with the stream's expected revision.
 */
export function navStreamName(municipalityNumber: string, tenancyId: string): string {
  return `${NAV_STREAM_PREFIX}${municipalityNumber}-${tenancyId}`;
}

const NAV_STREAM = /^nav-(\d{4})-([A-Za-z0-9][A-Za-z0-9_.]{0,39})$/;

export function parseNavStreamName(streamName: string): { municipalityNumber: string; tenancyId: string } | undefined {
  const m = NAV_STREAM.exec(streamName);
  return m ? { municipalityNumber: m[1] as string, tenancyId: m[2] as string } : undefined;
}
