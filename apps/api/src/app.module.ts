import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { LoggerModule } from 'nestjs-pino';
import { EventTypeMap, type EventStore } from '@evp/event-store';
import { CLOCK, EVENT_STORE, EVENT_TYPES, PlatformModule, READ_MODEL_READER, casePolicyFrom, loggerParams, peopleArchivePolicyFrom, personIdKey, personKeysBackend, personKeysMasterKey, tokenVerifierOptionsFrom, type AppConfig, type ReadModelReader } from '@evp/runtime';
import type { Clock } from '@evp/shared-kernel';
import { AuthGuard, TokenVerifier } from '@evp/auth';
import { RENT_ACCOUNTS } from '@evp/ledger-contract';
import { AccountQueries, LEDGER_COMMAND_HANDLERS, LEDGER_QUERY_HANDLERS, LedgerService, StreamRentAccounts, registerLedgerEventTypes } from '@evp/ledger-application';
import { CASE_COMMAND_HANDLERS, CASE_POLICY, CASE_QUERY_HANDLERS, registerCaseEventTypes } from '@evp/cases-application';
import { HOUSEHOLD_NOTES, PEOPLE_RECORDS, type PeopleRecords } from '@evp/people-contract';
import { PEOPLE_ARCHIVE_POLICY, PEOPLE_COMMAND_HANDLERS, PEOPLE_QUERY_HANDLERS, PERSON_KEY_STORE, PersonKeyStore, StreamHouseholdNotes, StreamPeopleRecords, registerPeopleEventTypes } from '@evp/people-application';
import { ApiExceptionFilter } from './http/errors';
import { IdempotencyService } from './http/idempotency';
import { LedgerController } from './ledger/ledger.controller';
import { MeController } from './me/me.controller';
import { CasesController } from './cases/cases.controller';
import { NavApiModule } from './nav/nav-api.module';
import { webControllers, webProviders } from './web/web-wiring';
import { PeopleController } from './people/people.controller';
import { WarningsApiModule } from './warnings/warnings-api.module';

/**
 * The api: authenticates, validates, and turns requests into commands (CommandBus) and queries
 * (QueryBus). Commands append to the event store; queries read the SQL read models the worker keeps.
 */
@Module({})
export class ApiModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [LoggerModule.forRoot(loggerParams(config, 'api', { requestLog: 'hook' })), PlatformModule.forRoot(config, 'api'), CqrsModule.forRoot(), NavApiModule, WarningsApiModule],
      controllers: [LedgerController, CasesController, PeopleController, MeController, ...webControllers(config)],
      providers: [
        { provide: TokenVerifier, inject: [CLOCK], useFactory: (clock: Clock) => new TokenVerifier({ ...tokenVerifierOptionsFrom(config), clock }) },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        IdempotencyService,
        { provide: EVENT_TYPES, useFactory: () => registerPeopleEventTypes(registerCaseEventTypes(registerLedgerEventTypes(new EventTypeMap()))) },
        { provide: CASE_POLICY, useValue: casePolicyFrom(config) },
        { provide: LedgerService, inject: [EVENT_STORE, PEOPLE_RECORDS, EVENT_TYPES], useFactory: (store: EventStore, people: PeopleRecords, types: EventTypeMap) => new LedgerService(store, people, types) },
        // The person-key store: the api is its only writer (a new person's key before their event, erasure deletes it).
        { provide: PERSON_KEY_STORE, inject: [CLOCK], useFactory: (clock: Clock) => PersonKeyStore.open(personKeysBackend(config), personKeysMasterKey(config), { now: () => clock.now() }) },
        // `StreamPeopleRecords` is also the `PeopleDirectory` the warnings module resolves from here: the ledger's tenants and the warnings' people are the same persons, under the same keys.
        { provide: PEOPLE_RECORDS, inject: [EVENT_STORE, EVENT_TYPES, PERSON_KEY_STORE], useFactory: (store: EventStore, types: EventTypeMap, keys: PersonKeyStore) => new StreamPeopleRecords(store, types, keys, personIdKey(config)) },
        { provide: HOUSEHOLD_NOTES, inject: [EVENT_STORE, EVENT_TYPES, PERSON_KEY_STORE], useFactory: (store: EventStore, types: EventTypeMap, keys: PersonKeyStore) => new StreamHouseholdNotes(store, types, keys) },
        { provide: PEOPLE_ARCHIVE_POLICY, useValue: peopleArchivePolicyFrom(config) },
        { provide: RENT_ACCOUNTS, inject: [EVENT_STORE, EVENT_TYPES], useFactory: (store: EventStore, types: EventTypeMap) => new StreamRentAccounts(store, types, config.POLICY_GRACE_WORKING_DAYS) },
        { provide: AccountQueries, inject: [READ_MODEL_READER], useFactory: (reader: ReadModelReader) => new AccountQueries(reader, config.POLICY_GRACE_WORKING_DAYS) },
        ...LEDGER_COMMAND_HANDLERS,
        ...LEDGER_QUERY_HANDLERS,
        ...CASE_COMMAND_HANDLERS,
        ...CASE_QUERY_HANDLERS,
        ...PEOPLE_COMMAND_HANDLERS,
        ...PEOPLE_QUERY_HANDLERS,
        ...webProviders(config),
      ],
    };
  }
}
