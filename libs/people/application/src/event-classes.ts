import { StoredEvent, type EventTypeMap, type JsonObject } from '@evp/event-store';
import { PERSON_RECORDED_SCHEMA_VERSION, type HouseholdNoteSealed, type HouseholdPersonLinked, type PersonErased, type PersonLinkedToHousehold, type PersonLinkedToTenancy, type PersonRecorded, type PersonRestricted, type RestrictionLifted } from '@evp/people-domain';

export class PersonRecordedEvent extends StoredEvent<PersonRecorded['data']> {}
export class PersonLinkedToTenancyEvent extends StoredEvent<PersonLinkedToTenancy['data']> {}
export class PersonErasedEvent extends StoredEvent<PersonErased['data']> {}
export class PersonRestrictedEvent extends StoredEvent<PersonRestricted['data']> {}
export class RestrictionLiftedEvent extends StoredEvent<RestrictionLifted['data']> {}
export class PersonLinkedToHouseholdEvent extends StoredEvent<PersonLinkedToHousehold['data']> {}
export class HouseholdPersonLinkedEvent extends StoredEvent<HouseholdPersonLinked['data']> {}
export class HouseholdNoteSealedEvent extends StoredEvent<HouseholdNoteSealed['data']> {}

/**
 * Version 1 of `people.PersonRecorded` (before crypto-shredding) held the identity number and name
 * in clear. An upcaster cannot encrypt (it is pure and has no key), and serving clear data that
 * can never be erased is what this context exists to stop: it reads as a record nobody can open,
 * so readers show the placeholder and the person's next registration records them encrypted. A
 * store that holds version-1 events is development data and should be discarded.
 */
const unreadableLegacyRecord = (): JsonObject => ({ personId: '', keyId: 'legacy-v1', encrypted: { iv: '', tag: '', data: '' } });

/** The people context's stored type names and the classes `@nestjs/cqrs` handlers receive. */
export function registerPeopleEventTypes(map: EventTypeMap): EventTypeMap {
  return map
    .register('people.PersonRecorded', PersonRecordedEvent, { schemaVersion: PERSON_RECORDED_SCHEMA_VERSION, upcasters: { 1: unreadableLegacyRecord } })
    .register('people.PersonLinkedToTenancy', PersonLinkedToTenancyEvent)
    .register('people.PersonErased', PersonErasedEvent)
    .register('people.PersonRestricted', PersonRestrictedEvent)
    .register('people.RestrictionLifted', RestrictionLiftedEvent)
    .register('people.PersonLinkedToHousehold', PersonLinkedToHouseholdEvent)
    .register('people.HouseholdPersonLinked', HouseholdPersonLinkedEvent)
    .register('people.HouseholdNoteSealed', HouseholdNoteSealedEvent);
}
