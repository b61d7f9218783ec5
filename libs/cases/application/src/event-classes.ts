import { StoredEvent, type EventTypeMap } from '@evp/event-store';
import type { CaseEscalatedToArrearsTeam, CaseOpened, CaseResolved, ContactRecorded, ReferredToNav } from '@evp/cases-domain';

export class CaseOpenedEvent extends StoredEvent<CaseOpened['data']> {}
export class ContactRecordedEvent extends StoredEvent<ContactRecorded['data']> {}
export class CaseEscalatedToArrearsTeamEvent extends StoredEvent<CaseEscalatedToArrearsTeam['data']> {}
export class CaseResolvedEvent extends StoredEvent<CaseResolved['data']> {}
export class ReferredToNavEvent extends StoredEvent<ReferredToNav['data']> {}

/** The cases context's stored type names and the classes `@nestjs/cqrs` handlers receive. */
export function registerCaseEventTypes(map: EventTypeMap): EventTypeMap {
  return map
    .register('cases.CaseOpened', CaseOpenedEvent)
    .register('cases.ContactRecorded', ContactRecordedEvent)
    .register('cases.CaseEscalatedToArrearsTeam', CaseEscalatedToArrearsTeamEvent)
    .register('cases.ReferredToNav', ReferredToNavEvent)
    .register('cases.CaseResolved', CaseResolvedEvent);
}
