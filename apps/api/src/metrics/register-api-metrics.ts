import { createHash, timingSafeEqual } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { metricsToken, type AppConfig } from '@evp/runtime';

const STARTED = Symbol('evp.requestStarted');

/**
 * `/metrics` for Prometheus: request durations by route pattern (never the URL, which holds ids and
 * would grow without bound) and the process's own figures. Behind a bearer scrape token, not a
 * user's token: a scraper has no identity provider. Without a token (production with no
 * METRICS_TOKEN) the route does not exist. Call before `listen`.
 */
export function registerApiMetrics(app: NestFastifyApplication, config: AppConfig): Registry | undefined {
  const token = metricsToken(config);
  if (!token) return undefined;
  const register = new Registry();
  register.setDefaultLabels({ service: 'api' });
  collectDefaultMetrics({ register });
  const duration = new Histogram({
    name: 'evp_http_request_duration_seconds',
    help: 'Time from request to response, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [register],
  });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', async (request) => {
    (request as unknown as Record<symbol, bigint>)[STARTED] = process.hrtime.bigint();
  });
  fastify.addHook('onResponse', async (request, reply) => {
    const started = (request as unknown as Record<symbol, bigint | undefined>)[STARTED];
    if (started === undefined) return;
    const route = request.routeOptions.url ?? 'unmatched';
    duration.observe({ method: request.method, route, status: String(reply.statusCode) }, Number(process.hrtime.bigint() - started) / 1e9);
  });
  fastify.get('/metrics', async (request, reply) => {
    if (!bearerMatches(request.headers.authorization, token)) {
      return reply.status(401).header('www-authenticate', 'Bearer').header('content-type', 'text/plain; charset=utf-8').send('Mangler eller feil token for /metrics.');
    }
    return reply.header('content-type', register.contentType).send(await register.metrics());
  });
  return register;
}

/** Constant-time comparison of the presented bearer token with the configured one. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  if (!header?.startsWith('Bearer ')) return false;
  const given = createHash('sha256').update(header.slice('Bearer '.length).trim()).digest();
  return timingSafeEqual(given, createHash('sha256').update(token).digest());
}
