import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { EventStore, EventTypeMap } from '@evp/event-store';
import { APP_CONFIG, EVENT_STORE, EVENT_TYPES, ProcessorRegistry, casePolicyFrom, warningPolicyFrom, type AppConfig } from '@evp/runtime';
import { registerLedgerEventTypes } from '@evp/ledger-application';
import { CASE_POLICY, WARNING_CASE_COMMAND_HANDLERS, WarningReferralWorkflow, registerCaseEventTypes } from '@evp/cases-application';
import { WARNING_NAV_OFFICES, WARNING_POLICY, WARNING_WORKER_COMMAND_HANDLERS, WarningsProjection, WarningsWorkflow, registerWarningEventTypes } from '@evp/warnings-application';
import { RentAccountsModule } from './rent-accounts.module';

/**
 * What the worker runs for § 9-11 warnings: the landlords' read model; the warnings workflow
 * (forward a received warning after checking the objection register again; stop an eviction for
 * unpaid rent when the municipal tenancy's account is paid up); and the cases' warning referral
 * (attach the forwarded warning to the household's case and refer it to NAV), with the command
 * handlers both send to.
 */
@Module({
  imports: [RentAccountsModule],
  providers: [
    {
      provide: EVENT_TYPES,
      inject: [ProcessorRegistry],
      // The worker's one type map: the same instance every module registers into.
      useFactory: (registry: ProcessorRegistry) => registerWarningEventTypes(registerCaseEventTypes(registerLedgerEventTypes(registry.types))),
    },
    { provide: CASE_POLICY, inject: [APP_CONFIG], useFactory: (config: AppConfig) => casePolicyFrom(config) },
    { provide: WARNING_POLICY, inject: [APP_CONFIG], useFactory: (config: AppConfig) => warningPolicyFrom(config) },
    { provide: WARNING_NAV_OFFICES, inject: [APP_CONFIG], useFactory: (config: AppConfig) => config.WARNING_NAV_OFFICES },
    ...WARNING_WORKER_COMMAND_HANDLERS,
    ...WARNING_CASE_COMMAND_HANDLERS,
  ],
})
export class WarningsWorkerModule implements OnModuleInit {
  constructor(
    private readonly registry: ProcessorRegistry,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(EVENT_TYPES) private readonly types: EventTypeMap,
    private readonly commandBus: CommandBus,
  ) {}

  onModuleInit(): void {
    this.registry.registerProjection(new WarningsProjection(this.types));
    this.registry.registerWorkflow(new WarningsWorkflow(this.store, this.types, this.commandBus));
    this.registry.registerWorkflow(new WarningReferralWorkflow(this.commandBus));
  }
}
