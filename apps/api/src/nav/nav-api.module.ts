import { Global, Module } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Clock } from '@evp/shared-kernel';
import { EventTypeMap, type EventStore } from '@evp/event-store';
import { APP_CONFIG, CLOCK, EVENT_STORE, EVENT_TYPES, type AppConfig } from '@evp/runtime';
import { RENT_ACCOUNTS } from '@evp/ledger-contract';
import { StreamRentAccounts, registerLedgerEventTypes } from '@evp/ledger-application';
import { NAV_HOLDS } from '@evp/nav-contract';
import { NAV_COMMAND_HANDLERS, NAV_NOTES, NAV_POLICY, NAV_QUERY_HANDLERS, NavReadAudit, PeopleNoteVault, StreamNavHolds, navPolicyFrom, registerNavEventTypes } from '@evp/nav-application';
import { IdempotencyService } from '../http/idempotency';
import { LazyHouseholdNotes } from './household-notes.adapter';
import { NavController } from './nav.controller';

/**
 * NAV in the api: its controller, commands and queries, with NAV's own event-type map (a NAV
 * stream holds NAV's events only). Global, to publish the hold port (NAV_HOLDS) the cases
 * context's command handlers read — the one thing of NAV's other contexts use.
 */
@Global()
@Module({
  controllers: [NavController],
  providers: [
    IdempotencyService,
    { provide: EVENT_TYPES, useFactory: () => registerNavEventTypes(new EventTypeMap()) },
    { provide: NAV_POLICY, inject: [APP_CONFIG], useFactory: (config: AppConfig) => navPolicyFrom(config) },
    {
      provide: RENT_ACCOUNTS,
      inject: [EVENT_STORE, APP_CONFIG],
      useFactory: (store: EventStore, config: AppConfig) => new StreamRentAccounts(store, registerLedgerEventTypes(new EventTypeMap()), config.POLICY_GRACE_WORKING_DAYS),
    },
    { provide: NAV_HOLDS, inject: [EVENT_STORE, EVENT_TYPES], useFactory: (store: EventStore, types: EventTypeMap) => new StreamNavHolds(store, types) },
    // NAV's notes under the people context's encryption (the api module owns the key store and the `HouseholdNotes`).
    { provide: NAV_NOTES, inject: [ModuleRef], useFactory: (moduleRef: ModuleRef) => new PeopleNoteVault(new LazyHouseholdNotes(moduleRef)) },
    { provide: NavReadAudit, inject: [EVENT_STORE, CLOCK], useFactory: (store: EventStore, clock: Clock) => new NavReadAudit(store, clock) },
    ...NAV_COMMAND_HANDLERS,
    ...NAV_QUERY_HANDLERS,
  ],
  exports: [NAV_HOLDS],
})
export class NavApiModule {}
