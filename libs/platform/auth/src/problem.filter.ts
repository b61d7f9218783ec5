import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { buildProblem, kindForStatus, maskIdentityNumbers, ProblemException, sendProblem, type Problem, type ProblemFieldError, type ProblemInit } from './problem';

export interface ProblemFilterOptions {
  /** Errors of the application itself (validation, domain rules): a problem, or undefined to fall through. */
  readonly map?: (exception: unknown) => ProblemInit | undefined;
  /** Infrastructure that is down or busy (Redis, SQL, the event store): 503 instead of 500. */
  readonly isUnavailable?: (exception: unknown) => boolean;
  /** Route patterns whose 503 HttpException body is sent as it is: the readiness check's own answer. */
  readonly passThrough503Routes?: readonly string[];
}

/**
 * Every error a Nest app answers with, as problem details: our own ProblemExceptions, the app's
 * errors (`map`), Nest's HttpExceptions (its 404 for unknown routes included), Fastify's body and
 * content-type errors, and anything unknown (500, or 503 for an outage) without its message.
 *
 * What reaches the body: only texts our code wrote. A Nest HttpException built from a string
 * (`new NotFoundException('Cannot GET /x')`, a pipe's message) or a Fastify/JSON.parse message may
 * quote the request, so those answer with the kind's fixed text instead.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');

  constructor(private readonly options: ProblemFilterOptions = {}) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    if (reply.sent) return;
    const route = request.routeOptions?.url;
    if (exception instanceof HttpException && exception.getStatus() === 503 && route !== undefined && this.options.passThrough503Routes?.includes(route)) {
      void reply.code(503).send(exception.getResponse());
      return;
    }
    const init = this.toProblem(exception);
    const problem = buildProblem(init, request.url);
    // 5xx, and a refusal the store made of input that passed validation: operators need to see both.
    if (problem.status >= 500 || init.kind === 'unprocessable') {
      // The class and message only (handlers keep personal data out of messages; anything shaped like an identity number is masked anyway).
      const err = exception instanceof Error ? maskIdentityNumbers(`${exception.name}: ${exception.message}`).slice(0, 2000) : 'unknown';
      // `reqId` joins it to the request's own log line (its `req.id`) in every process. The api's
      // logger binds the whole `req` (id, method, masked path) to lines logged while a request runs;
      // the worker's does not (installRequestLog with bindLines false), so the id is written here.
      const caller = (request as { caller?: { actorId: string } | null }).caller;
      this.logger.error({ msg: 'request failed', status: problem.status, err, reqId: request.id, ...(caller ? { actor: caller.actorId } : {}) });
    }
    sendProblem(reply, problem, headersFor(problem, request));
  }

  /** The problem for an exception; public so the mapping can be tested without a server. */
  toProblem(exception: unknown): ProblemInit {
    if (exception instanceof ProblemException) return exception.problem;
    const specific = this.options.map?.(exception);
    if (specific) return specific;
    if (exception instanceof HttpException) return fromHttpException(exception);
    const status = statusOf(exception);
    // A Fastify or body-parser error: its status says what happened; its message may quote the body.
    if (status !== undefined && status >= 400 && status < 500) return { kind: kindForStatus(status), status };
    if (this.options.isUnavailable?.(exception)) return { kind: 'unavailable' };
    return { kind: 'internal' };
  }
}

function statusOf(exception: unknown): number | undefined {
  const e = exception as { statusCode?: unknown; status?: unknown } | null;
  if (!e || typeof e !== 'object') return undefined;
  const status = typeof e.statusCode === 'number' ? e.statusCode : typeof e.status === 'number' ? e.status : undefined;
  return status !== undefined && Number.isInteger(status) ? status : undefined;
}

/**
 * Our own code throws HttpExceptions with an object (`{ message, errors }` or `{ field, reason }`);
 * Nest makes `{ statusCode, message, error }` from a string, whose text is not ours to repeat.
 */
function fromHttpException(exception: HttpException): ProblemInit {
  const status = exception.getStatus();
  const kind = kindForStatus(status);
  const response = exception.getResponse();
  if (status >= 500 || typeof response !== 'object' || response === null || 'statusCode' in response) return { kind, status };
  const body = response as Record<string, unknown>;
  const detail = typeof body['message'] === 'string' ? body['message'] : undefined;
  const errors = Array.isArray(body['errors'])
    ? (body['errors'] as unknown[]).filter(isFieldError)
    : typeof body['field'] === 'string'
      ? [{ line: null, column: body['field'], reason: typeof body['reason'] === 'string' ? body['reason'] : 'er ugyldig' }]
      : undefined;
  return { kind, status, detail, errors };
}

function isFieldError(value: unknown): value is ProblemFieldError {
  const e = value as Partial<ProblemFieldError> | null;
  return typeof e === 'object' && e !== null && typeof e.reason === 'string';
}

/** True when the request announced a body (which the server may not have read). */
export function hasBody(request: Pick<FastifyRequest, 'headers'>): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function headersFor(problem: Problem, request: FastifyRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  if (problem.status === 401) headers['www-authenticate'] = 'Bearer realm="evp"';
  if (problem.status === 503) headers['retry-after'] = '5';
  // A refused body may still be arriving; reading it to the end only to discard it helps nobody.
  if (problem.status === 413 && hasBody(request)) headers['connection'] = 'close';
  return headers;
}
