import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { EventTypeMap } from '@evp/event-store';
import type { Clock } from '@evp/shared-kernel';
import type { EventStore } from '@evp/event-store';
import { APP_CONFIG, CLOCK, EVENT_STORE, EventBusBridge, ProcessingModule, ProcessingService, ProcessorRegistry, READ_MODELS, casePolicyFrom, personIdKey, type AppConfig, type ReadModelStore } from '@evp/runtime';
import { AccountsProjection, LedgerService, registerLedgerEventTypes } from '@evp/ledger-application';
import { ArrearsSaga, CasesProjection, CasesService, DueArrearsEvaluations, FirstContactDeadlines, registerCaseEventTypes, timerHandlers } from '@evp/cases-application';
import { TENANCY_STREAM_PREFIX } from '@evp/ledger-domain';
import { CASE_STREAM_PREFIX } from '@evp/cases-domain';
import { CaseActivityController, CaseActivityCounter } from './case-activity';

/** What the worker runs for the ledger and the prevention cases: two projections, one saga, their deadlines. */
@Module({ imports: [ProcessingModule], providers: [CaseActivityCounter], controllers: [CaseActivityController] })
export class CasesWorkerModule implements OnModuleInit {
  constructor(
    private readonly registry: ProcessorRegistry,
    private readonly processing: ProcessingService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODELS) private readonly readModels: ReadModelStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly eventBus: EventBus,
  ) {}

  onModuleInit(): void {
    const policy = casePolicyFrom(this.config);
    const ledger = new LedgerService(this.store, personIdKey(this.config));
    // The timer service exists once the processing service has started; reach it lazily.
    const scheduler = { schedule: (d: Parameters<ProcessingService['timers']['schedule']>[0]) => this.processing.timers.schedule(d), cancel: (id: string) => this.processing.timers.cancel(id) };
    const cases = new CasesService(this.store, ledger, policy, scheduler);
    this.registry.register(new AccountsProjection(this.readModels), 'read-model');
    this.registry.register(new CasesProjection(this.readModels), 'read-model');
    this.registry.register(new ArrearsSaga(cases, this.clock), 'durable');
    const types = registerCaseEventTypes(registerLedgerEventTypes(new EventTypeMap()));
    this.registry.register(new EventBusBridge(types, this.eventBus, { streamPrefixes: [TENANCY_STREAM_PREFIX, CASE_STREAM_PREFIX] }), 'read-model');
    this.registry.registerDeadlineSource(new FirstContactDeadlines(this.readModels));
    this.registry.registerDeadlineSource(new DueArrearsEvaluations(this.readModels, cases, policy, this.clock));
    for (const [type, handler] of Object.entries(timerHandlers(cases, this.readModels, this.clock))) this.registry.registerTimerHandler(type, handler);
  }
}
