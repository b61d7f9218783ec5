import { StoredEvent, type EventTypeMap } from '@evp/event-store';
import type {
  EvictionStoppedByPayment,
  ForwardingChecked,
  ObjectionRegistered,
  ObjectionWithdrawn,
  ReservationLifted,
  ReservationRecorded,
  StepReported,
  WarningForwarded,
  WarningLinkedToTenancy,
  WarningNotForwarded,
  WarningSubmitted,
} from '@evp/warnings-domain';

export class WarningSubmittedEvent extends StoredEvent<WarningSubmitted['data']> {}
export class WarningForwardedEvent extends StoredEvent<WarningForwarded['data']> {}
export class WarningNotForwardedEvent extends StoredEvent<WarningNotForwarded['data']> {}
export class StepReportedEvent extends StoredEvent<StepReported['data']> {}
export class EvictionStoppedByPaymentEvent extends StoredEvent<EvictionStoppedByPayment['data']> {}
export class WarningLinkedToTenancyEvent extends StoredEvent<WarningLinkedToTenancy['data']> {}
export class ObjectionRegisteredEvent extends StoredEvent<ObjectionRegistered['data']> {}
export class ObjectionWithdrawnEvent extends StoredEvent<ObjectionWithdrawn['data']> {}
export class ReservationRecordedEvent extends StoredEvent<ReservationRecorded['data']> {}
export class ReservationLiftedEvent extends StoredEvent<ReservationLifted['data']> {}
export class ForwardingCheckedEvent extends StoredEvent<ForwardingChecked['data']> {}

/** The warnings context's stored type names and the classes `@nestjs/cqrs` handlers receive. */
export function registerWarningEventTypes(map: EventTypeMap): EventTypeMap {
  return map
    .register('warnings.WarningSubmitted', WarningSubmittedEvent)
    .register('warnings.WarningForwarded', WarningForwardedEvent)
    .register('warnings.WarningNotForwarded', WarningNotForwardedEvent)
    .register('warnings.StepReported', StepReportedEvent)
    .register('warnings.EvictionStoppedByPayment', EvictionStoppedByPaymentEvent)
    .register('warnings.WarningLinkedToTenancy', WarningLinkedToTenancyEvent)
    .register('warnings.ObjectionRegistered', ObjectionRegisteredEvent)
    .register('warnings.ObjectionWithdrawn', ObjectionWithdrawnEvent)
    .register('warnings.ReservationRecorded', ReservationRecordedEvent)
    .register('warnings.ReservationLifted', ReservationLiftedEvent)
    .register('warnings.ForwardingChecked', ForwardingCheckedEvent);
}
