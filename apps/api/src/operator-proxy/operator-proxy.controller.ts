import { All, Controller, HttpCode, Inject, Post, Req, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '@evp/shared-kernel';
import { APP_CONFIG, CLOCK, personIdKey, workerUrls, type AppConfig } from '@evp/runtime';
import { CurrentCaller, Roles, type Caller } from '@evp/auth';
import { RequestValidationError } from '../http/errors';
import { ApiErrors } from '../http/openapi';
import { QUEUES_PATH, QUEUES_SESSION_SECONDS, queuesCookie, queuesSessionKey, signQueuesSession } from './queues-session';
import { WorkerUnavailableError, forwardToWorkers, type WorkerResponse } from './worker-fanout';

const PREFIX = '/api/v1/operator';
/** Operator paths are names and ids (`cases@g2`, percent-encoded or not): nothing that could climb out of `/operator/`. */
const SAFE_PATH = /^\/[A-Za-z0-9/_.:@%~-]*$/;
const FORWARDED_HEADERS = ['authorization', 'content-type', 'accept', 'x-correlation-id'];
const TIMEOUT_MS = 15_000;

/**
 * The worker's operator endpoints through the api, so the web app talks to one origin: the api
 * checks the admin role, the worker checks the same token again (and scopes by municipality).
 * A worker split by WORKER_ROLE is asked as worker-fanout.ts describes.
 */
@ApiTags('operator')
@Roles('admin')
@Controller('api/v1/operator')
export class OperatorProxyController {
  private readonly targets: string[];
  private readonly sessionKey: Buffer;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.targets = workerUrls(config);
    this.sessionKey = queuesSessionKey(personIdKey(config));
  }

  @Post('queues-session')
  @HttpCode(200)
  @ApiOperation({ summary: 'Åpner køoversikten (bull-board) på /admin/queues: en kortlivet, HttpOnly og SameSite=Strict informasjonskapsel.' })
  @ApiErrors()
  queuesSession(@Res({ passthrough: true }) reply: FastifyReply, @CurrentCaller() caller: Caller) {
    const exp = Math.floor(this.clock.now().getTime() / 1000) + QUEUES_SESSION_SECONDS;
    const token = signQueuesSession(this.sessionKey, { actorId: caller.actorId, exp });
    void reply.header('set-cookie', queuesCookie(token, QUEUES_SESSION_SECONDS, this.config.NODE_ENV === 'production'));
    void reply.header('cache-control', 'no-store');
    return { url: `${QUEUES_PATH}/`, expiresAt: new Date(exp * 1000).toISOString() };
  }

  @All('*')
  @ApiExcludeEndpoint()
  async proxy(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const rest = request.url.slice(PREFIX.length);
    const [path = '', query] = splitOnce(rest, '?');
    if (!SAFE_PATH.test(path) || path.split('/').some((segment) => !safeSegment(segment))) {
      throw new RequestValidationError([{ line: null, column: 'path', reason: 'er ikke en gyldig driftsadresse' }]);
    }
    const headers: Record<string, string> = {};
    for (const name of FORWARDED_HEADERS) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const hasBody = request.body !== undefined && request.body !== null && request.method !== 'GET' && request.method !== 'HEAD';
    const body = !hasBody ? undefined : typeof request.body === 'string' || Buffer.isBuffer(request.body) ? request.body : JSON.stringify(request.body);
    let response: WorkerResponse;
    try {
      response = await forwardToWorkers(this.targets, { method: request.method, path, ...(query !== undefined ? { query } : {}), headers, ...(body !== undefined ? { body } : {}) }, { timeoutMs: TIMEOUT_MS });
    } catch (error) {
      if (!(error instanceof WorkerUnavailableError)) throw error;
      throw new ServiceUnavailableException({ error: 'Unavailable', message: 'Driftstjenesten (worker) svarer ikke; prøv igjen om litt' });
    }
    void reply.status(response.status);
    if (response.contentType) void reply.header('content-type', response.contentType);
    void reply.header('cache-control', 'no-store');
    await reply.send(response.body);
  }
}

function safeSegment(segment: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    return false;
  }
  return decoded !== '.' && decoded !== '..' && !/[/\\]/.test(decoded);
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const i = text.indexOf(separator);
  return i < 0 ? [text, undefined] : [text.slice(0, i), text.slice(i + 1)];
}
