import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { LoggerModule } from 'nestjs-pino';
import type { EventStore } from '@evp/event-store';
import { EVENT_STORE, PlatformModule, READ_MODELS, authDevKeyEnabled, casePolicyFrom, loggerParams, personIdKey, type AppConfig, type ReadModelStore } from '@evp/runtime';
import { AuthGuard, TokenVerifier } from '@evp/auth';
import { AccountQueries, LedgerService } from '@evp/ledger-application';
import { CaseQueries, CasesService } from '@evp/cases-application';
import { ApiExceptionFilter } from './http/errors';
import { IdempotencyService } from './http/idempotency';
import { LedgerController } from './ledger/ledger.controller';
import { CasesController } from './cases/cases.controller';

@Module({})
export class ApiModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [LoggerModule.forRoot(loggerParams(config, 'api')), PlatformModule.forRoot(config), CqrsModule.forRoot()],
      controllers: [LedgerController, CasesController],
      providers: [
        {
          provide: TokenVerifier,
          useFactory: () =>
            new TokenVerifier({ issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE, jwksUrl: config.AUTH_JWKS_URL, publicKeyFile: config.AUTH_PUBLIC_KEY_FILE, devKey: authDevKeyEnabled(config) }),
        },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        IdempotencyService,
        { provide: LedgerService, inject: [EVENT_STORE], useFactory: (store: EventStore) => new LedgerService(store, personIdKey(config)) },
        { provide: CasesService, inject: [EVENT_STORE, LedgerService], useFactory: (store: EventStore, ledger: LedgerService) => new CasesService(store, ledger, casePolicyFrom(config)) },
        { provide: AccountQueries, inject: [READ_MODELS], useFactory: (rm: ReadModelStore) => new AccountQueries(rm, config.POLICY_GRACE_WORKING_DAYS) },
        { provide: CaseQueries, inject: [READ_MODELS], useFactory: (rm: ReadModelStore) => new CaseQueries(rm) },
      ],
    };
  }
}
