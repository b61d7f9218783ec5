import type { LocalDate, Ore } from '@evp/shared-kernel';
import type { LandlordKind } from './events';

/**
 * The ledger's published view of one rent account on a given day: what other contexts (cases,
 * NAV) may know of a tenancy's money. Computed by the ledger from its own stream, so it is exact
 * at the moment it is read — other contexts never compute it from the ledger's internals.
 */
export interface RentAccountPosition {
  readonly municipalityNumber: string;
  readonly tenancyId: string;
  /** The tenancy's current NAV office: access and referrals follow it. */
  readonly navOffice: string;
  readonly landlordKind: LandlordKind;
  readonly monthlyRentOre: Ore;
  /** Charges minus payments, credits and write-offs (negative: paid in advance). */
  readonly balanceOre: Ore;
  /** Unpaid on charges whose due date has passed. */
  readonly overdueOre: Ore;
  /** Unpaid on charges whose grace period has also passed. */
  readonly arrearsOre: Ore;
  /** Calendar days since the oldest unpaid charge's grace period ended (0 when none has). */
  readonly daysPastGrace: number;
  /** Due dates of charges not yet paid, oldest first (including charges not yet due). */
  readonly unpaidDueDates: readonly LocalDate[];
  readonly asOf: LocalDate;
  /** Revision of the tenancy stream this was computed from. */
  readonly revision: number;
}

/** The port other contexts use to read a rent account. Implemented by the ledger application. */
export interface RentAccounts {
  /** `undefined` when no such tenancy is registered. */
  position(municipalityNumber: string, tenancyId: string, today: LocalDate): Promise<RentAccountPosition | undefined>;
  /**
   * Many accounts at once (a workflow's batch): keyed `<kommunenummer>-<leieforhold>`, registered
   * tenancies only. Each as exact as `position`; not one snapshot across them.
   */
  positions?(tenancies: ReadonlyArray<{ readonly municipalityNumber: string; readonly tenancyId: string }>, today: LocalDate): Promise<Map<string, RentAccountPosition>>;
}

/** Injection token for `RentAccounts`. */
export const RENT_ACCOUNTS = 'ledger.RentAccounts';
