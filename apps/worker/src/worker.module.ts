import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { LoggerModule } from 'nestjs-pino';
import type { Clock } from '@evp/shared-kernel';
import { AuthGuard, TokenVerifier } from '@evp/auth';
import { CLOCK, PlatformModule, ProcessingModule, loggerParams, tokenVerifierOptionsFrom, type AppConfig } from '@evp/runtime';
import { CasesWorkerModule } from './cases-worker.module';
import { NavWorkerModule } from './nav-worker.module';
import { OperatorController } from './operator.controller';
import { WarningsWorkerModule } from './warnings-worker.module';

/** The worker: projections, workflows and deadlines; over HTTP only `/health` and the admin's operator endpoints. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [LoggerModule.forRoot(loggerParams(config, 'worker', { requestLog: 'hook' })), PlatformModule.forRoot(config, 'worker'), CqrsModule.forRoot(), ProcessingModule, CasesWorkerModule, NavWorkerModule, WarningsWorkerModule],
      controllers: [OperatorController],
      providers: [
        { provide: TokenVerifier, inject: [CLOCK], useFactory: (clock: Clock) => new TokenVerifier({ ...tokenVerifierOptionsFrom(config), clock }) },
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
    };
  }
}
