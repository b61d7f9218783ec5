import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger, PinoLogger } from 'nestjs-pino';
import { ProblemDetailsFilter, TokenVerifier, installHttpEdge, problemFrameworkErrors } from '@evp/auth';
import { isWorkerMetricsRoute, registerWorkerMetrics } from './register-worker-metrics';
import { installRequestLog, isTransientError, type AppConfig } from '@evp/runtime';
import { WorkerModule } from './worker.module';

/** The operator endpoints take no body; anything sent is refused above this. */
const MAX_BODY_BYTES = 16 * 1024;

/** Only `/health` answers without a token (the load balancer's probe); the operator endpoints need an admin's. */
function isPublicRoute(route: string | undefined, method: string): boolean {
  return (method === 'GET' || method === 'HEAD') && (route === '/health' || route === '/health/live');
}

/** The worker serves only `/health` and the operator endpoints over HTTP; its real work is the subscriptions and timers. */
export async function createWorker(config: AppConfig): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(WorkerModule.forRoot(config), new FastifyAdapter({ bodyLimit: MAX_BODY_BYTES, frameworkErrors: problemFrameworkErrors }), {
    bufferLogs: true,
    bodyParser: false,
    cors: false,
  });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  const fastify = app.getHttpAdapter().getInstance();
  // One line per request, as in the api, but lines its handlers log carry no `req`: binding them
  // takes an AsyncLocalStorage, whose async hooks every subscription's promises would then pay for.
  installRequestLog(fastify, () => PinoLogger.root, { bindLines: false });
  // The token is checked before anything else, as in the api; AuthGuard then checks the admin role.
  installHttpEdge(fastify, {
    verifier: app.get(TokenVerifier),
    isPublic: (route, method) => isPublicRoute(route, method) || isWorkerMetricsRoute(route, method),
    maxBody: () => ({ bytes: MAX_BODY_BYTES }),
    routeBodyLimit: () => MAX_BODY_BYTES,
    json: { maxBytes: MAX_BODY_BYTES, maxDepth: 32 },
  });
  // Errors as problem details (the readiness check's 503 keeps its own body, which says what is down).
  app.useGlobalFilters(new ProblemDetailsFilter({ isUnavailable: isTransientError, passThrough503Routes: ['/health'] }));
  registerWorkerMetrics(app, config);
  return app;
}
