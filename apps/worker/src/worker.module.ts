import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { LoggerModule } from 'nestjs-pino';
import { PlatformModule, ProcessingModule, loggerParams, type AppConfig } from '@evp/runtime';
import { CasesWorkerModule } from './cases-worker.module';

@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [LoggerModule.forRoot(loggerParams(config, 'worker')), PlatformModule.forRoot(config), CqrsModule.forRoot(), ProcessingModule, CasesWorkerModule],
    };
  }
}
