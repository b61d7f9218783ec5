import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { EventStore, EventTypeMap } from '@evp/event-store';
import { osloDate } from '@evp/shared-kernel';
import { APP_CONFIG, EVENT_STORE, EVENT_TYPES, ProcessorRegistry, READ_MODEL_DB, ReadModelReader, casePolicyFrom, type AppConfig } from '@evp/runtime';
import type { ReadModelDb } from '@evp/read-models';
import { RENT_ACCOUNTS, type RentAccounts } from '@evp/ledger-contract';
import { ACCOUNTS_PROJECTION, AccountsProjection, accountsProjectionVersion, registerLedgerEventTypes, rollAccounts, type AccountTables } from '@evp/ledger-application';
import { ArrearsWorkflow, CASE_COMMAND_HANDLERS, CASE_POLICY, CasesProjection, registerCaseEventTypes } from '@evp/cases-application';
import { RentAccountsModule } from './rent-accounts.module';
import { registerWebProjections } from './web-projections';

/**
 * What the worker runs for the ledger and the prevention cases: two SQL projections, the arrears
 * workflow with its deadlines, the ledger's daily roll, and the command handlers the workflow sends to.
 */
@Module({
  imports: [RentAccountsModule],
  providers: [
    { provide: EVENT_TYPES, inject: [ProcessorRegistry], useFactory: (registry: ProcessorRegistry) => registerCaseEventTypes(registerLedgerEventTypes(registry.types)) },
    { provide: CASE_POLICY, inject: [APP_CONFIG], useFactory: (config: AppConfig) => casePolicyFrom(config) },
    ...CASE_COMMAND_HANDLERS,
  ],
})
export class CasesWorkerModule implements OnModuleInit {
  constructor(
    private readonly registry: ProcessorRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EVENT_TYPES) private readonly types: EventTypeMap,
    @Inject(RENT_ACCOUNTS) private readonly accounts: RentAccounts,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODEL_DB) db: ReadModelDb,
    private readonly commandBus: CommandBus,
  ) {
    // No cached generation: right after a rebuild's switch it would roll the generation switched out.
    this.writer = new ReadModelReader(db, { generationCacheMs: 0, resultCacheWeight: 0 });
  }

  /** The active generation's tables on the writer's connection, for the daily roll, which writes them. */
  private readonly writer: ReadModelReader;

  onModuleInit(): void {
    const grace = this.config.POLICY_GRACE_WORKING_DAYS;
    this.registry.registerProjection(new AccountsProjection(this.types, grace, this.store));
    this.registry.registerProjection(new CasesProjection(this.types));
    registerWebProjections(this.registry, this.types, grace);
    this.registry.registerWorkflow(new ArrearsWorkflow(this.accounts, casePolicyFrom(this.config), this.commandBus, this.store, this.types));
    this.registry.registerPeriodicWork({
      name: 'ledger-accounts-roll',
      // It writes: through the writer's connection, not the worker's read-only reader.
      run: async (now) => rollAccounts(await this.writer.projection<AccountTables>(ACCOUNTS_PROJECTION, accountsProjectionVersion(grace)), osloDate(now), grace),
    });
  }
}
