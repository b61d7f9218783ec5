import { Module } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { EventTypeMap, type EventStore } from '@evp/event-store';
import { APP_CONFIG, EVENT_STORE, EVENT_TYPES, warningPolicyFrom, type AppConfig } from '@evp/runtime';
import { RENT_ACCOUNTS } from '@evp/ledger-contract';
import { StreamRentAccounts, registerLedgerEventTypes } from '@evp/ledger-application';
import { registerPeopleEventTypes } from '@evp/people-application';
import { PEOPLE_DIRECTORY } from '@evp/people-contract';
import { WARNING_API_COMMAND_HANDLERS, WARNING_NAV_OFFICES, WARNING_POLICY, WARNING_QUERY_HANDLERS, registerWarningEventTypes } from '@evp/warnings-application';
import { IdempotencyService } from '../http/idempotency';
import { ObjectionsController } from './objections.controller';
import { LazyPeopleDirectory } from './warning-people.adapter';
import { WarningsController } from './warnings.controller';

/**
 * § 9-11 warnings in the api: the landlords' endpoints and the objection register, with the
 * warnings context's own event-type map (warning, objection and register streams; the person
 * streams it records tenants in; the ledger's, for a municipal tenancy's account).
 */
@Module({
  controllers: [WarningsController, ObjectionsController],
  providers: [
    IdempotencyService,
    { provide: EVENT_TYPES, useFactory: () => registerWarningEventTypes(registerPeopleEventTypes(registerLedgerEventTypes(new EventTypeMap()))) },
    { provide: WARNING_POLICY, inject: [APP_CONFIG], useFactory: (config: AppConfig) => warningPolicyFrom(config) },
    { provide: WARNING_NAV_OFFICES, inject: [APP_CONFIG], useFactory: (config: AppConfig) => config.WARNING_NAV_OFFICES },
    { provide: RENT_ACCOUNTS, inject: [EVENT_STORE, EVENT_TYPES, APP_CONFIG], useFactory: (store: EventStore, types: EventTypeMap, config: AppConfig) => new StreamRentAccounts(store, types, config.POLICY_GRACE_WORKING_DAYS) },
    { provide: PEOPLE_DIRECTORY, inject: [ModuleRef], useFactory: (moduleRef: ModuleRef) => new LazyPeopleDirectory(moduleRef) },
    ...WARNING_API_COMMAND_HANDLERS,
    ...WARNING_QUERY_HANDLERS,
  ],
})
export class WarningsApiModule {}
