import type { ClosureReason, EvictionStage, LandlordKind, Ruling, StepKind, WarningStatus } from '@evp/warnings-domain';

/*
 * What the warning queries answer with (the landlord's list and one warning), on its own so the
 * tenant's copy (./tenant-copy) can render a WarningDetail without importing the query handlers
 * that call it.
 */

/** A warning in the landlord's list: its status and where the legal path stands. Nothing of NAV's. */
export interface WarningSummary {
  readonly warningId: string;
  readonly status: WarningStatus;
  /** The status in bokmål, for the page as it is. */
  readonly statusText: string;
  readonly submittedOn: string;
  readonly forwardedOn: string | null;
  /** The NAV office the warning went to (the municipality's), never what NAV did with it. */
  readonly navOffice: string | null;
  readonly notForwardedReason: string | null;
  readonly closedOn: string | null;
  readonly closure: ClosureReason | null;
  readonly stage: EvictionStage;
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

export interface WarningTenantView {
  readonly tenantRef: string;
  readonly name: string;
  readonly birthDate: string | null;
  readonly identifiedBy: 'national-id' | 'name-and-birth-date';
  readonly noticeSentOn: string | null;
  /** tvangsfullbyrdelsesloven § 4-18: two weeks after the notice was sent (null until it is known). */
  readonly petitionLegalOn: string | null;
  /** Policy, not law: receipt assumed, then the 14 days, then the next working day. */
  readonly petitionCarefulOn: string | null;
}

export interface WarningDetail extends WarningSummary {
  readonly landlord: { readonly kind: LandlordKind; readonly name: string; readonly organisationNumber: string | null };
  readonly arrearsMonths: readonly string[];
  readonly declarations: { readonly tenantGotCopy: boolean; readonly noWrittenObjectionReceived: boolean };
  readonly tenants: readonly WarningTenantView[];
  readonly advice: readonly Ruling[];
  readonly deadlines: readonly Ruling[];
  /** The steps the landlord can report now. */
  readonly possibleSteps: readonly StepKind[];
  readonly history: ReadonlyArray<{ readonly on: string; readonly kind: string; readonly text: string }>;
}
