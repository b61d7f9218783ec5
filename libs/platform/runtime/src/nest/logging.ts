import { maskIdentityNumbers } from '@evp/auth';
import { RequestMethod } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Params } from 'nestjs-pino';
// Not in the package's index: the AsyncLocalStorage its `PinoLogger` (and so Nest's `Logger`) takes a request's logger from.
import { storage, type Store } from 'nestjs-pino/storage';
import type { Logger } from 'pino';
import type { AppConfig } from '../config';

export interface LoggerParamsOptions {
  /**
   * How the one line per request is written. `middleware` (the default): nestjs-pino's pino-http
   * middleware, which gives every request a child logger (its `req` bound to every line logged
   * while it runs). `hook`: no middleware; `installRequestLog` writes the same line from a Fastify
   * `onResponse` hook with the root logger, and at a level above info a request costs the log
   * nothing. Lines logged while a request runs carry the same `req` (id, method, path) as the
   * request's line — `installRequestLog` builds a logger bound to it only for a request that logs —
   * unless it is installed with `bindLines: false`.
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
      req: (req: { id?: unknown; method?: string; url?: string }) => ({ id: req.id, method: req.method, url: logPath(req.url) }),
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
 * A request's entry in nestjs-pino's store: `PinoLogger` logs with `store.logger` while the request
 * runs, or with its root logger outside any. The child bound to the request is built the first time
 * something reads it, so a request that logs nothing builds no logger. `PinoLogger.assign` replaces it.
 *
 * It keeps the request's id, method and masked path, not the request: a socket or timer first
 * created while a request runs keeps that request's store, and must keep neither its body nor its
 * query alive.
 */
class RequestLogStore implements Store {
  private bound: Logger | undefined;

  constructor(
    private readonly root: Logger,
    private readonly req: RequestRef,
  ) {}

  get logger(): Logger {
    // `req` goes through the root's serializer, as on the request's own line: the path without its query, identity numbers masked.
    return (this.bound ??= this.root.child({ req: this.req }));
  }

  set logger(logger: Logger) {
    this.bound = logger;
  }
}

/**
 * The request log of `loggerParams(…, { requestLog: 'hook' })`: one line per answered request at
 * info, as pino-http writes it — `req` (id, method, path without its query, identity numbers
 * masked, through the logger's `req` serializer), `res` (status and headers), `responseTime` (ms),
 * `actor` and `roles` when the edge verified a caller — «request completed», or «request errored»
 * with `err` for a 5xx. A request the client gave up on before its answer is logged as «request
 * aborted». Health checks are not logged.
 *
 * Unless `bindLines` is false (the worker), every line logged through nestjs-pino (`PinoLogger`,
 * Nest's `Logger`) while a request is handled — guards, controller, command handlers, exception
 * filters, and the hooks added after this one — carries the same `req` as the request's line.
 * The request enters nestjs-pino's AsyncLocalStorage in an `onRequest` hook (Fastify keeps that
 * context across body parsing); the logger bound to it is built only when a line is logged
 * (`RequestLogStore`).
 *
 * `logger` gives nestjs-pino's root logger (`() => PinoLogger.root`), which exists only once Nest
 * has initialised its modules: it is taken when the server is ready, and a missing one stops the start.
 */
export function installRequestLog(fastify: FastifyInstance, logger: () => Logger | undefined, { bindLines = true }: RequestLogOptions = {}): void {
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
    req: requestOf(request),
    ...callerProps((request as { caller?: Caller | null }).caller),
  });
  if (bindLines) {
    fastify.addHook('onRequest', (request, _reply, done) => {
      // The rest of the request (later hooks, the body parser, the handler) runs in the store's context.
      // The path as the request line shows it (no query, identity numbers masked): the store may
      // outlive the request (a socket or timer first made while it ran keeps it), the raw URL must not.
      if (root) storage.run(new RequestLogStore(root, { ...requestOf(request), url: logPath(request.url) }), done);
      else done();
    });
  }
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

export interface RequestLogOptions {
  /**
   * Whether lines logged while a request is handled carry its `req` (default true). It takes an
   * AsyncLocalStorage, and once one has run, Node 20 tracks every promise of the process with
   * async hooks — in the worker, every await of every subscription, for the sake of a few
   * operator requests (2–3 % of its CPU in the ingest benchmark). The worker passes false: its
   * request lines are still written, the lines its handlers log carry no `req`.
   */
  readonly bindLines?: boolean;
}

/** A request as the `req` serializer reads it: id, method and the raw path (which it strips and masks). */
interface RequestRef {
  readonly id: string;
  readonly method: string;
  readonly url: string;
}

function requestOf(request: FastifyRequest): RequestRef {
  return { id: request.id, method: request.method, url: request.url };
}

/**
 * A request's path as logs show it: without its query (query strings can carry search terms) and
 * with anything shaped like an identity number masked. Idempotent.
 */
function logPath(url: string | undefined): string {
  return maskIdentityNumbers(url?.split('?')[0] ?? '');
}
