/**
 * The api's operator proxy over one worker process or several (WORKER_ROLE splits the worker into a
 * projections process and a workflows process; WORKER_URL lists them). Plain HTTP, no Nest.
 *
 * - One URL: the request is forwarded and the answer passed through, whatever it is.
 * - Several URLs:
 *   - `GET /subscriptions` and `GET /lag` ask every process concurrently: each answers for its own
 *     subscriptions, and the answers are merged in URL order. Any process unreachable: unavailable;
 *     any answer other than 200: the first such (in URL order) is passed through unchanged.
 *   - Everything else goes to the processes in URL order; a process answers 404 (problem type
 *     `not-run-here`) for what its role does not run, so the first answer that is not 404 is the
 *     answer. When every process answers 404, the first that is not `not-run-here` (the owner
 *     saying there is no such thing) is passed through, else the last. An unreachable process is never skipped: it may
 *     be the one that owns the request.
 */

import { problemTypeOf } from '@evp/auth';

/** What is forwarded: `path` below `/operator` (validated by the caller), the query without its `?`. */
export interface WorkerRequest {
  readonly method: string;
  readonly path: string;
  readonly query?: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
}

export interface WorkerResponse {
  readonly status: number;
  readonly contentType: string | null;
  readonly body: Buffer;
}

export interface WorkerFanoutOptions {
  /** Per request to one process (the whole exchange, body included). */
  readonly timeoutMs: number;
}

/** A worker process could not be asked, or answered with something the proxy cannot use. */
export abstract class WorkerUnavailableError extends Error {}

/** A worker process did not answer (refused, reset, timed out). The message does not name its URL. */
export class WorkerUnreachableError extends WorkerUnavailableError {
  constructor(
    /** Where in WORKER_URL the process is listed (0-based): for logs, without the URL itself. */
    readonly workerIndex: number,
    options?: { cause?: unknown },
  ) {
    super(`worker ${workerIndex} is unreachable`, options);
    this.name = 'WorkerUnreachableError';
  }
}

/** A worker process answered 200 to a merged request with a body of the wrong shape. */
export class WorkerMalformedAnswerError extends WorkerUnavailableError {
  constructor(readonly workerIndex: number) {
    super(`worker ${workerIndex} answered with a body that cannot be merged`);
    this.name = 'WorkerMalformedAnswerError';
  }
}

/** The operator request through one worker or several; throws a WorkerUnavailableError when a needed process fails. */
export async function forwardToWorkers(urls: readonly string[], request: WorkerRequest, options: WorkerFanoutOptions): Promise<WorkerResponse> {
  if (urls.length === 0) throw new Error('no worker URL');
  if (urls.length === 1) return ask(urls[0] as string, 0, request, options);
  const merge = request.method === 'GET' ? MERGES[request.path] : undefined;
  return merge ? askAllAndMerge(urls, request, options, merge) : askInOrder(urls, request, options);
}

type Merge = (bodies: readonly unknown[]) => { value: unknown } | { malformed: number };

const MERGES: Readonly<Record<string, Merge>> = {
  /** Each process lists its own subscriptions. */
  '/subscriptions': (bodies) => {
    const bad = bodies.findIndex((b) => !Array.isArray(b));
    return bad >= 0 ? { malformed: bad } : { value: (bodies as unknown[][]).flat() };
  },
  /** Each process reports the lag of its own subscriptions: caught up only when every process is. */
  '/lag': (bodies) => {
    const bad = bodies.findIndex((b) => !isLag(b));
    if (bad >= 0) return { malformed: bad };
    const lags = bodies as Lag[];
    return { value: { caughtUp: lags.every((l) => l.caughtUp), subscriptions: lags.flatMap((l) => l.subscriptions) } };
  },
};

interface Lag {
  caughtUp: boolean;
  subscriptions: unknown[];
}

function isLag(body: unknown): body is Lag {
  return typeof body === 'object' && body !== null && typeof (body as Lag).caughtUp === 'boolean' && Array.isArray((body as Lag).subscriptions);
}

async function askAllAndMerge(urls: readonly string[], request: WorkerRequest, options: WorkerFanoutOptions, merge: Merge): Promise<WorkerResponse> {
  const settled = await Promise.allSettled(urls.map((url, i) => ask(url, i, request, options)));
  const responses: WorkerResponse[] = [];
  for (const result of settled) {
    if (result.status === 'rejected') throw result.reason;
    responses.push(result.value);
  }
  const refused = responses.find((r) => r.status !== 200);
  if (refused) return refused;
  const bodies: unknown[] = [];
  for (const [i, response] of responses.entries()) {
    try {
      bodies.push(JSON.parse(response.body.toString('utf8')));
    } catch {
      throw new WorkerMalformedAnswerError(i);
    }
  }
  const merged = merge(bodies);
  if ('malformed' in merged) throw new WorkerMalformedAnswerError(merged.malformed);
  return { status: 200, contentType: 'application/json; charset=utf-8', body: Buffer.from(JSON.stringify(merged.value)) };
}

async function askInOrder(urls: readonly string[], request: WorkerRequest, options: WorkerFanoutOptions): Promise<WorkerResponse> {
  let owners: WorkerResponse | undefined;
  let last: WorkerResponse | undefined;
  for (const [i, url] of urls.entries()) {
    last = await ask(url, i, request, options);
    if (last.status !== 404) return last;
    // The process that runs the part said it has no such thing: its 404 beats another's «not run here».
    if (owners === undefined && !isNotRunHere(last)) owners = last;
  }
  return owners ?? (last as WorkerResponse);
}

/** A process's 404 for a part its role does not run (problem type `not-run-here`), not for a missing thing. */
function isNotRunHere(response: WorkerResponse): boolean {
  try {
    return (JSON.parse(response.body.toString('utf8')) as { type?: unknown }).type === NOT_RUN_HERE_TYPE;
  } catch {
    return false;
  }
}

const NOT_RUN_HERE_TYPE = problemTypeOf('not-run-here');

/** One exchange with one process: its status, content type and body, or WorkerUnreachableError. */
async function ask(url: string, index: number, request: WorkerRequest, options: WorkerFanoutOptions): Promise<WorkerResponse> {
  try {
    const response = await fetch(`${url}/operator${request.path}${request.query !== undefined ? `?${request.query}` : ''}`, {
      method: request.method,
      headers: request.headers,
      ...(request.body !== undefined ? { body: request.body } : {}),
      signal: AbortSignal.timeout(options.timeoutMs),
      redirect: 'manual',
    });
    const body = Buffer.from(await response.arrayBuffer());
    return { status: response.status, contentType: response.headers.get('content-type'), body };
  } catch (error) {
    throw new WorkerUnreachableError(index, { cause: error });
  }
}
