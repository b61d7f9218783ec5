import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { LoggerModule } from 'nestjs-pino';
import { PlatformModule, loggerParams, type AppConfig } from '@evp/runtime';

@Module({})
export class ApiModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [LoggerModule.forRoot(loggerParams(config, 'api')), PlatformModule.forRoot(config), CqrsModule.forRoot()],
    };
  }
}
