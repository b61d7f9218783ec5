import { Module } from '@nestjs/common';
import type { EventStore } from '@evp/event-store';
import { APP_CONFIG, EVENT_STORE, ProcessorRegistry, type AppConfig } from '@evp/runtime';
import { RENT_ACCOUNTS } from '@evp/ledger-contract';
import { StreamRentAccounts, registerLedgerEventTypes } from '@evp/ledger-application';

/**
 * The ledger's published account view (`RENT_ACCOUNTS`) for every context the worker runs: one
 * instance, so one memory of folded tenancy streams — the arrears workflow, the warnings' and NAV's
 * command handlers read the same tenancies, and each module's own instance folded them again.
 */
@Module({
  providers: [
    {
      provide: RENT_ACCOUNTS,
      inject: [EVENT_STORE, ProcessorRegistry, APP_CONFIG],
      useFactory: (store: EventStore, registry: ProcessorRegistry, config: AppConfig) => new StreamRentAccounts(store, registerLedgerEventTypes(registry.types), config.POLICY_GRACE_WORKING_DAYS),
    },
  ],
  exports: [RENT_ACCOUNTS],
})
export class RentAccountsModule {}
