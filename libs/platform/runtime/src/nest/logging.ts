import { maskIdentityNumbers } from '@evp/auth';
import { RequestMethod } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Params } from 'nestjs-pino';
import type { Logger } from 'pino';
import type { AppConfig } from '../config';

export interface LoggerParamsOptions {
  /**
   * How the one line per request is written. `middleware` (the default): nestjs-pino's pino-http
   * middleware, which gives every request a child logger (its `req` bound to every line logged
   * while it runs). `hook`: no middleware; `installRequestLog` writes the same line from a Fastify
   * `onResponse` hook with the root logger — no per-request logger is built, and at a level above
   * info a request costs the log nothing. Lines logged while a request runs then carry no request
   * binding; the error filter names the request on its own line.
   */
  readonly requestLog?: 'middleware' | 'hook';
}

/** Health checks are polled every few seconds; their request lines would drown the rest. */
const UNLOGGED_ROUTES: ReadonlySet<string> = new Set(['/health', '/health/live']);

/**
 * Structured logs. Request bodies are never logged, and anything that could carry personal data
 * or credentials is redacted, so no identity number or name reaches a log line (DOMAIN.md).
 */
export function loggerParams(config: AppConfig, service: string, options: LoggerParamsOptions = {}): Params {
  const pinoHttp: Params['pinoHttp'] = {
    level: config.LOG_LEVEL,
    base: { service },
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'req.body', 'res.body', '*.nationalId', '*.name', '*.tenants'],
      censor: '[redacted]',
    },
    serializers: {
      // Paths are the client's text: an identity number put in one never reaches a log line.
      req: (req: { id?: unknown; method?: string; url?: string }) => ({ id: req.id, method: req.method, url: maskIdentityNumbers(stripQuery(req.url) ?? '') }),
    },
    customProps: (req) => callerProps((req as { caller?: Caller }).caller),
  };
  // No route at all: nestjs-pino still builds the root logger (and its serializers) that `installRequestLog` writes with.
  if (options.requestLog === 'hook') return { pinoHttp, forRoutes: [] as never };
  return {
    exclude: [
      { method: RequestMethod.GET, path: 'health' },
      { method: RequestMethod.GET, path: 'health/live' },
    ],
    pinoHttp,
  };
}

interface Caller {
  readonly actorId: string;
  readonly roles: readonly string[];
}

/** Who asked, on the request's log line: the opaque actor id and roles (every read and write is attributable). */
function callerProps(caller: Caller | null | undefined): { actor?: string; roles?: readonly string[] } {
  return caller ? { actor: caller.actorId, roles: caller.roles } : {};
}

/**
 * The request log of `loggerParams(…, { requestLog: 'hook' })`: one line per answered request at
 * info, as pino-http writes it — `req` (id, method, path without its query, identity numbers
 * masked, through the logger's `req` serializer), `res` (status and headers), `responseTime` (ms),
 * `actor` and `roles` when the edge verified a caller — «request completed», or «request errored»
 * with `err` for a 5xx. A request the client gave up on before its answer is logged as «request
 * aborted». Health checks are not logged.
 *
 * `logger` gives nestjs-pino's root logger (`() => PinoLogger.root`), which exists only once Nest
 * has initialised its modules: it is taken when the server is ready, and a missing one stops the start.
 */
export function installRequestLog(fastify: FastifyInstance, logger: () => Logger | undefined): void {
  let root: Logger | undefined;
  fastify.addHook('onReady', (done) => {
    root = logger();
    done(root ? undefined : new Error('No request logger: nestjs-pino has not built its root logger'));
  });
  /** The logger to write `request`'s line with, or undefined when it gets none. */
  const loggerFor = (request: FastifyRequest): Logger | undefined => {
    if (!root?.isLevelEnabled('info')) return undefined;
    const route = request.routeOptions.url;
    return route !== undefined && UNLOGGED_ROUTES.has(route) && request.method === 'GET' ? undefined : root;
  };
  const requestProps = (request: FastifyRequest) => ({
    req: { id: request.id, method: request.method, url: request.url },
    ...callerProps((request as { caller?: Caller | null }).caller),
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const log = loggerFor(request);
    if (log) {
      const line = { ...requestProps(request), res: reply.raw, responseTime: Math.round(reply.elapsedTime) };
      const status = reply.raw.statusCode;
      if (status >= 500) log.info({ ...line, err: new Error(`failed with status code ${status}`) }, 'request errored');
      else log.info(line, 'request completed');
    }
    done();
  });
  fastify.addHook('onRequestAbort', (request, done) => {
    loggerFor(request)?.info(requestProps(request), 'request aborted');
    done();
  });
}

/** Query strings can carry search terms; they stay out of logs. */
function stripQuery(url: string | undefined): string | undefined {
  return url?.split('?')[0];
}
