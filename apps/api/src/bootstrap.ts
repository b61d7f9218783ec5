import multipart from '@fastify/multipart';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger, PinoLogger } from 'nestjs-pino';
import { installRequestLog, type AppConfig } from '@evp/runtime';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_BASE, TokenVerifier, installHttpEdge, problemFrameworkErrors } from '@evp/auth';
import { ApiModule } from './app.module';
import { CSV_MEDIA_TYPES, MAX_FORM_FIELD_BYTES, MAX_JSON_BYTES, MAX_JSON_DEPTH, isPublicRoute, maxBodyFor, routeBodyLimit } from './http/limits';
import { registerApiMetrics } from './metrics/register-api-metrics';
import { registerQueuesBoard } from './operator-proxy/register-queues-board';
import { isWebPublicRoute } from './web/public-routes';
import { registerWeb } from './web/register-web';
import { withProblemDetails } from './http/openapi';

export async function createApi(config: AppConfig): Promise<NestFastifyApplication> {
  // The server-wide limit is the JSON one: only the CSV parser and the multipart file limit go higher.
  const adapter = new FastifyAdapter({ bodyLimit: MAX_JSON_BYTES, frameworkErrors: problemFrameworkErrors });
  // No CORS (the web app is served from the api's own origin), and no Nest body parsers: the edge
  // installs the only JSON parser, with its size and nesting limits.
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(config), adapter, { bufferLogs: true, bodyParser: false, cors: false });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  const fastify = app.getHttpAdapter().getInstance();
  // Before the edge, so refused requests are timed too.
  registerApiMetrics(app, config);
  // One line per request from a hook (see loggerParams): refused requests are logged too.
  installRequestLog(fastify, () => PinoLogger.root);
  // Before any route exists (Swagger's below, Nest's at init): the hooks and the route limits apply to all of them.
  installHttpEdge(fastify, {
    verifier: app.get(TokenVerifier),
    // The web app, its config, the dev token, /metrics and the queue board each check access themselves.
    isPublic: (route, method) => isPublicRoute(route, method) || isWebPublicRoute(route, method),
    maxBody: maxBodyFor(config.MAX_IMPORT_BYTES),
    routeBodyLimit,
    json: { maxBytes: MAX_JSON_BYTES, maxDepth: MAX_JSON_DEPTH },
  });
  // CSV files arrive raw (text/csv) or as a multipart form; both are read as bytes so the encoding can be detected.
  fastify.addContentTypeParser([...CSV_MEDIA_TYPES], { parseAs: 'buffer', bodyLimit: config.MAX_IMPORT_BYTES }, (_req, body, done) => done(null, body));
  await app.register(multipart as never, {
    limits: { fileSize: config.MAX_IMPORT_BYTES, files: 1, fields: 10, fieldSize: MAX_FORM_FIELD_BYTES, parts: 20, headerPairs: 100 },
    throwFileSizeLimit: true,
  });
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Eviction prevention api')
      .setDescription(
        `Rent arrears from municipal accounting, prevention cases and their escalation to the rent-arrears team. ` +
          `Every error is problem details (RFC 9457, \`${PROBLEM_CONTENT_TYPE}\`): \`type\` (a stable URI under ${PROBLEM_TYPE_BASE}), \`title\`, \`status\`, \`detail\`, \`instance\`, ` +
          `and for input errors \`errors[{line, column, reason}]\` (at most 200) with \`total\` when there were more. User-facing text is bokmål. ` +
          `Every endpoint but the documentation and /health needs a bearer token, checked before the body is read. JSON bodies up to 1 MiB; files up to ${config.MAX_IMPORT_BYTES} bytes.`,
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, withProblemDetails(document), { jsonDocumentUrl: 'api/openapi.json' });
  await registerQueuesBoard(app, config);
  await registerWeb(app, config);
  return app;
}
