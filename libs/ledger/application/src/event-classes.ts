import { StoredEvent, type EventTypeMap } from '@evp/event-store';
import type { BalanceDiscrepancyRecorded, BalanceStated, ChargePosted, ImportAccepted, ReductionPosted, TenancyDetailsChanged, TenancyRegistered } from '@evp/ledger-domain';

export class TenancyRegisteredEvent extends StoredEvent<TenancyRegistered['data']> {}
export class TenancyDetailsChangedEvent extends StoredEvent<TenancyDetailsChanged['data']> {}
export class ChargePostedEvent extends StoredEvent<ChargePosted['data']> {}
export class PaymentPostedEvent extends StoredEvent<ReductionPosted['data']> {}
export class CreditPostedEvent extends StoredEvent<ReductionPosted['data']> {}
export class WriteOffPostedEvent extends StoredEvent<ReductionPosted['data']> {}
export class BalanceStatedEvent extends StoredEvent<BalanceStated['data']> {}
export class BalanceDiscrepancyRecordedEvent extends StoredEvent<BalanceDiscrepancyRecorded['data']> {}
export class ImportAcceptedEvent extends StoredEvent<ImportAccepted['data']> {}

/** The ledger's stored type names and the classes `@nestjs/cqrs` handlers receive. */
export function registerLedgerEventTypes(map: EventTypeMap): EventTypeMap {
  return map
    .register('ledger.TenancyRegistered', TenancyRegisteredEvent)
    .register('ledger.TenancyDetailsChanged', TenancyDetailsChangedEvent)
    .register('ledger.ChargePosted', ChargePostedEvent)
    .register('ledger.PaymentPosted', PaymentPostedEvent)
    .register('ledger.CreditPosted', CreditPostedEvent)
    .register('ledger.WriteOffPosted', WriteOffPostedEvent)
    .register('ledger.BalanceStated', BalanceStatedEvent)
    .register('ledger.BalanceDiscrepancyRecorded', BalanceDiscrepancyRecordedEvent)
    .register('ledger.ImportAccepted', ImportAcceptedEvent);
}
