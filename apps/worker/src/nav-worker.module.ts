import { Global, Inject, Module, type OnModuleInit } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { EventStore, EventTypeMap } from '@evp/event-store';
import { APP_CONFIG, EVENT_STORE, EVENT_TYPES, ProcessorRegistry, type AppConfig } from '@evp/runtime';
import { NAV_HOLDS } from '@evp/nav-contract';
import { NAV_POLICY, NavProjection, NavWorkflow, RunNavCommandHandler, StreamNavHolds, navPolicyFrom, registerNavEventTypes } from '@evp/nav-application';
import { RentAccountsModule } from './rent-accounts.module';

/**
 * What the worker runs for NAV: the NAV projection (inbox, timeline, alerts, audit of reads), NAV's
 * workflow with its deadlines (pickup limit, plan checks, income management's monthly check,
 * assistance on its way, pauses), and the command handler it sends to. Global, to publish the hold
 * port (NAV_HOLDS) the cases context's handlers read.
 */
@Global()
@Module({
  imports: [RentAccountsModule],
  providers: [
    // NAV's types join the worker's one map, so every subscription decodes NAV's events through it.
    { provide: EVENT_TYPES, inject: [ProcessorRegistry], useFactory: (registry: ProcessorRegistry) => registerNavEventTypes(registry.types) },
    { provide: NAV_POLICY, inject: [APP_CONFIG], useFactory: (config: AppConfig) => navPolicyFrom(config) },
    { provide: NAV_HOLDS, inject: [EVENT_STORE, EVENT_TYPES], useFactory: (store: EventStore, types: EventTypeMap) => new StreamNavHolds(store, types) },
    RunNavCommandHandler,
  ],
  exports: [NAV_HOLDS],
})
export class NavWorkerModule implements OnModuleInit {
  constructor(
    private readonly registry: ProcessorRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(EVENT_TYPES) private readonly types: EventTypeMap,
    private readonly commandBus: CommandBus,
  ) {}

  onModuleInit(): void {
    this.registry.registerProjection(new NavProjection(this.types));
    this.registry.registerWorkflow(new NavWorkflow(this.store, this.types, navPolicyFrom(this.config), this.commandBus));
  }
}
