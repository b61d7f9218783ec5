import multipart from '@fastify/multipart';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import type { AppConfig } from '@evp/runtime';
import { ApiModule } from './app.module';

export async function createApi(config: AppConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ bodyLimit: config.MAX_IMPORT_BYTES });
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(config), adapter, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  const fastify = app.getHttpAdapter().getInstance();
  // CSV files arrive raw (text/csv) or as a multipart form; both are read as bytes so the encoding can be detected.
  fastify.addContentTypeParser(['text/csv', 'application/csv', 'text/plain'], { parseAs: 'buffer', bodyLimit: config.MAX_IMPORT_BYTES }, (_req, body, done) => done(null, body));
  await app.register(multipart as never, { limits: { fileSize: config.MAX_IMPORT_BYTES, files: 1, fields: 10 }, throwFileSizeLimit: true });
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Eviction prevention api')
      .setDescription('Rent arrears from municipal accounting, prevention cases and their escalation to the rent-arrears team. Errors: `{error, message, errors[{line, column, reason}]}`; user-facing text is bokmål.')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/openapi.json' });
  return app;
}
