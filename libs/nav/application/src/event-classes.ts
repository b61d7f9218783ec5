import { StoredEvent, type EventTypeMap, type JsonObject } from '@evp/event-store';
import { REFERRAL_RELEASED_SCHEMA_VERSION, type NavEvent, type NavRecordRead } from '@evp/nav-domain';

type DataOf<T extends NavEvent['type']> = Extract<NavEvent, { type: T }>['data'];

export class ReferralReceivedEvent extends StoredEvent<DataOf<'nav.ReferralReceived'>> {}
export class ReferralClaimedEvent extends StoredEvent<DataOf<'nav.ReferralClaimed'>> {}
export class ReferralReleasedEvent extends StoredEvent<DataOf<'nav.ReferralReleased'>> {}
export class ReferralReassignedEvent extends StoredEvent<DataOf<'nav.ReferralReassigned'>> {}
export class ReferralPickupOverdueEvent extends StoredEvent<DataOf<'nav.ReferralPickupOverdue'>> {}
export class ContactMadeEvent extends StoredEvent<DataOf<'nav.ContactMade'>> {}
export class EconomicAdviceRequestedEvent extends StoredEvent<DataOf<'nav.EconomicAdviceRequested'>> {}
export class EconomicAdviceDecidedEvent extends StoredEvent<DataOf<'nav.EconomicAdviceDecided'>> {}
export class EconomicAdviceStartedEvent extends StoredEvent<DataOf<'nav.EconomicAdviceStarted'>> {}
export class EconomicAdviceFollowedUpEvent extends StoredEvent<DataOf<'nav.EconomicAdviceFollowedUp'>> {}
export class EconomicAdviceConcludedEvent extends StoredEvent<DataOf<'nav.EconomicAdviceConcluded'>> {}
export class PaymentPlanAgreedEvent extends StoredEvent<DataOf<'nav.PaymentPlanAgreed'>> {}
export class PaymentPlanBreachedEvent extends StoredEvent<DataOf<'nav.PaymentPlanBreached'>> {}
export class PaymentPlanBackOnTrackEvent extends StoredEvent<DataOf<'nav.PaymentPlanBackOnTrack'>> {}
export class PaymentPlanKeptEvent extends StoredEvent<DataOf<'nav.PaymentPlanKept'>> {}
export class PaymentPlanCancelledEvent extends StoredEvent<DataOf<'nav.PaymentPlanCancelled'>> {}
export class IncomeManagementAgreedEvent extends StoredEvent<DataOf<'nav.IncomeManagementAgreed'>> {}
export class IncomeManagementConsentWithdrawnEvent extends StoredEvent<DataOf<'nav.IncomeManagementConsentWithdrawn'>> {}
export class IncomeManagementRentCheckedEvent extends StoredEvent<DataOf<'nav.IncomeManagementRentChecked'>> {}
export class FinancialAssistanceDecidedEvent extends StoredEvent<DataOf<'nav.FinancialAssistanceDecided'>> {}
export class FinancialAssistanceDatePassedEvent extends StoredEvent<DataOf<'nav.FinancialAssistanceDatePassed'>> {}
export class HousingApplicationNotedEvent extends StoredEvent<DataOf<'nav.HousingApplicationNoted'>> {}
export class HousingDecisionRequestedEvent extends StoredEvent<DataOf<'nav.HousingDecisionRequested'>> {}
export class HousingDecisionMadeEvent extends StoredEvent<DataOf<'nav.HousingDecisionMade'>> {}
export class FollowUpPausedEvent extends StoredEvent<DataOf<'nav.FollowUpPaused'>> {}
export class FollowUpResumedEvent extends StoredEvent<DataOf<'nav.FollowUpResumed'>> {}
export class HouseholdFlagsSetEvent extends StoredEvent<DataOf<'nav.HouseholdFlagsSet'>> {}
export class CaseResolvedNotedEvent extends StoredEvent<DataOf<'nav.CaseResolvedNoted'>> {}
export class FollowUpTransferredEvent extends StoredEvent<DataOf<'nav.FollowUpTransferred'>> {}
export class HoldReleasedEvent extends StoredEvent<DataOf<'nav.HoldReleased'>> {}
export class FollowUpConcludedEvent extends StoredEvent<DataOf<'nav.FollowUpConcluded'>> {}
export class NavRecordReadEvent extends StoredEvent<NavRecordRead['data']> {}
/**
 * A note's text in clear, as the interim vault wrote it (`navnote-<id>`) before notes moved under the
 * people context's encryption. Nothing writes it now; it stays mapped so a store that holds one
 * still decodes (that store is development data and should be discarded).
 */
export class NavNoteWrittenEvent extends StoredEvent<{ noteId: string; caseId: string; text: string }> {}

/**
 * Version 1 of `nav.ReferralReleased` was stored before a release had a pickup limit: it carried no
 * referral of its own and no pickup date. It reads with both null — «released before releases had
 * a pickup limit» — so the fold adds no waiting referral for it and the workflow sets no deadline.
 */
const releasedWithoutPickupLimit = (data: JsonObject): JsonObject => ({ ...data, referralId: null, pickupDueOn: null });

/** NAV's stored type names and the classes `@nestjs/cqrs` handlers receive. Stable strings, never class names. */
export function registerNavEventTypes(map: EventTypeMap): EventTypeMap {
  return map
    .register('nav.ReferralReceived', ReferralReceivedEvent)
    .register('nav.ReferralClaimed', ReferralClaimedEvent)
    .register('nav.ReferralReleased', ReferralReleasedEvent, { schemaVersion: REFERRAL_RELEASED_SCHEMA_VERSION, upcasters: { 1: releasedWithoutPickupLimit } })
    .register('nav.ReferralReassigned', ReferralReassignedEvent)
    .register('nav.ReferralPickupOverdue', ReferralPickupOverdueEvent)
    .register('nav.ContactMade', ContactMadeEvent)
    .register('nav.EconomicAdviceRequested', EconomicAdviceRequestedEvent)
    .register('nav.EconomicAdviceDecided', EconomicAdviceDecidedEvent)
    .register('nav.EconomicAdviceStarted', EconomicAdviceStartedEvent)
    .register('nav.EconomicAdviceFollowedUp', EconomicAdviceFollowedUpEvent)
    .register('nav.EconomicAdviceConcluded', EconomicAdviceConcludedEvent)
    .register('nav.PaymentPlanAgreed', PaymentPlanAgreedEvent)
    .register('nav.PaymentPlanBreached', PaymentPlanBreachedEvent)
    .register('nav.PaymentPlanBackOnTrack', PaymentPlanBackOnTrackEvent)
    .register('nav.PaymentPlanKept', PaymentPlanKeptEvent)
    .register('nav.PaymentPlanCancelled', PaymentPlanCancelledEvent)
    .register('nav.IncomeManagementAgreed', IncomeManagementAgreedEvent)
    .register('nav.IncomeManagementConsentWithdrawn', IncomeManagementConsentWithdrawnEvent)
    .register('nav.IncomeManagementRentChecked', IncomeManagementRentCheckedEvent)
    .register('nav.FinancialAssistanceDecided', FinancialAssistanceDecidedEvent)
    .register('nav.FinancialAssistanceDatePassed', FinancialAssistanceDatePassedEvent)
    .register('nav.HousingApplicationNoted', HousingApplicationNotedEvent)
    .register('nav.HousingDecisionRequested', HousingDecisionRequestedEvent)
    .register('nav.HousingDecisionMade', HousingDecisionMadeEvent)
    .register('nav.FollowUpPaused', FollowUpPausedEvent)
    .register('nav.FollowUpResumed', FollowUpResumedEvent)
    .register('nav.HouseholdFlagsSet', HouseholdFlagsSetEvent)
    .register('nav.CaseResolvedNoted', CaseResolvedNotedEvent)
    .register('nav.FollowUpTransferred', FollowUpTransferredEvent)
    .register('nav.HoldReleased', HoldReleasedEvent)
    .register('nav.FollowUpConcluded', FollowUpConcludedEvent)
    .register('nav.RecordRead', NavRecordReadEvent)
    .register('nav.NoteWritten', NavNoteWrittenEvent);
}
