import { StoredEvent, type EventTypeMap } from '@evp/event-store';
import type { ArrearsTeamMeetingHeld, CaseEscalatedToArrearsTeam, CaseOpened, CaseResolved, ContactRecorded, ReferredToNav, TeamDecisionRecorded, WarningAttached, WarningStepRecorded } from '@evp/cases-domain';

export class CaseOpenedEvent extends StoredEvent<CaseOpened['data']> {}
export class ContactRecordedEvent extends StoredEvent<ContactRecorded['data']> {}
export class CaseEscalatedToArrearsTeamEvent extends StoredEvent<CaseEscalatedToArrearsTeam['data']> {}
export class CaseResolvedEvent extends StoredEvent<CaseResolved['data']> {}
export class ReferredToNavEvent extends StoredEvent<ReferredToNav['data']> {}
export class TeamDecisionRecordedEvent extends StoredEvent<TeamDecisionRecorded['data']> {}
export class ArrearsTeamMeetingHeldEvent extends StoredEvent<ArrearsTeamMeetingHeld['data']> {}

export class WarningAttachedEvent extends StoredEvent<WarningAttached['data']> {}
export class WarningStepRecordedEvent extends StoredEvent<WarningStepRecorded['data']> {}

/** The cases context's stored type names and the classes `@nestjs/cqrs` handlers receive. */
export function registerCaseEventTypes(map: EventTypeMap): EventTypeMap {
  return map
    .register('cases.CaseOpened', CaseOpenedEvent)
    .register('cases.ContactRecorded', ContactRecordedEvent)
    .register('cases.CaseEscalatedToArrearsTeam', CaseEscalatedToArrearsTeamEvent)
    .register('cases.ReferredToNav', ReferredToNavEvent)
    .register('cases.CaseResolved', CaseResolvedEvent)
    .register('cases.TeamDecisionRecorded', TeamDecisionRecordedEvent)
    .register('cases.ArrearsTeamMeetingHeld', ArrearsTeamMeetingHeldEvent)
    .register('cases.WarningAttached', WarningAttachedEvent)
    .register('cases.WarningStepRecorded', WarningStepRecordedEvent);
}
