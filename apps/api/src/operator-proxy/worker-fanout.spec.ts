import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WorkerMalformedAnswerError, WorkerUnreachableError, forwardToWorkers, type WorkerRequest } from './worker-fanout';

/** What one stand-in worker saw of one request. */
interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Handler = (seen: Seen, res: ServerResponse) => void | Promise<void>;

/** A local HTTP server standing in for one worker process; `handler` is set per test. */
class FakeWorker {
  readonly seen: Seen[] = [];
  handler: Handler = (_seen, res) => sendJson(res, 404, { status: 404 });
  private server?: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
        this.seen.push(seen);
        void Promise.resolve(this.handler(seen, res)).catch(() => res.destroy());
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, type = 'application/json; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type });
  res.end(JSON.stringify(body));
}

/** A URL where nothing listens: a port that was just free. */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

const OPTIONS = { timeoutMs: 2_000 };
const HEADERS = { authorization: 'Bearer t0ken', accept: 'application/json', 'x-correlation-id': 'corr-1' };
const get = (path: string, query?: string): WorkerRequest => ({ method: 'GET', path, ...(query !== undefined ? { query } : {}), headers: HEADERS });
const json = (body: Buffer): unknown => JSON.parse(body.toString('utf8'));

const PROBLEM_404 = (who: string) => ({ type: 'about:blank', status: 404, title: 'Finnes ikke', detail: who });

describe('the operator proxy over one or several worker processes', () => {
  const a = new FakeWorker();
  const b = new FakeWorker();
  let dead: string;

  beforeAll(async () => {
    await a.start();
    await b.start();
    dead = await deadUrl();
  });
  afterAll(async () => {
    await a.stop();
    await b.stop();
  });
  beforeEach(() => {
    a.seen.length = 0;
    b.seen.length = 0;
    a.handler = (_s, res) => sendJson(res, 404, PROBLEM_404('a'), 'application/problem+json');
    b.handler = (_s, res) => sendJson(res, 404, PROBLEM_404('b'), 'application/problem+json');
  });

  describe('GET /subscriptions and GET /lag: every process at once, merged', () => {
    it('concatenates the subscriptions in URL order, asking both processes concurrently', async () => {
      // a answers only once b has been asked: asked one after the other, a would time out.
      let bAsked!: () => void;
      const asked = new Promise<void>((resolve) => (bAsked = resolve));
      a.handler = async (_s, res) => {
        await asked;
        sendJson(res, 200, [{ name: 'cases' }]);
      };
      b.handler = (_s, res) => {
        bAsked();
        sendJson(res, 200, [{ name: 'timers' }, { name: 'notices' }]);
      };
      const response = await forwardToWorkers([a.url, b.url], get('/subscriptions'), { timeoutMs: 1_000 });
      expect(response.status).toBe(200);
      expect(response.contentType).toMatch(/^application\/json/);
      expect(json(response.body)).toEqual([{ name: 'cases' }, { name: 'timers' }, { name: 'notices' }]);

      const reversed = await forwardToWorkers([b.url, a.url], get('/subscriptions'), { timeoutMs: 1_000 });
      expect(json(reversed.body)).toEqual([{ name: 'timers' }, { name: 'notices' }, { name: 'cases' }]);
      expect([a.seen.map((s) => s.url), b.seen.map((s) => s.url)]).toEqual([
        ['/operator/subscriptions', '/operator/subscriptions'],
        ['/operator/subscriptions', '/operator/subscriptions'],
      ]);
    });

    it('merges the lag: caught up only when every process is, the subscriptions concatenated', async () => {
      a.handler = (_s, res) => sendJson(res, 200, { caughtUp: true, subscriptions: [{ name: 'read-models', caughtUp: true }] });
      b.handler = (_s, res) => sendJson(res, 200, { caughtUp: false, subscriptions: [{ name: 'timers', caughtUp: false }, { name: 'cases', caughtUp: true }] });
      const behind = await forwardToWorkers([a.url, b.url], get('/lag'), OPTIONS);
      expect([behind.status, json(behind.body)]).toEqual([
        200,
        {
          caughtUp: false,
          subscriptions: [
            { name: 'read-models', caughtUp: true },
            { name: 'timers', caughtUp: false },
            { name: 'cases', caughtUp: true },
          ],
        },
      ]);
      // The one behind listed first changes nothing.
      expect(json((await forwardToWorkers([b.url, a.url], get('/lag'), OPTIONS)).body)).toMatchObject({ caughtUp: false });

      b.handler = (_s, res) => sendJson(res, 200, { caughtUp: true, subscriptions: [{ name: 'timers', caughtUp: true }] });
      const caughtUp = await forwardToWorkers([a.url, b.url], get('/lag'), OPTIONS);
      expect(json(caughtUp.body)).toEqual({ caughtUp: true, subscriptions: [{ name: 'read-models', caughtUp: true }, { name: 'timers', caughtUp: true }] });
    });

    it('passes a refusal through unchanged: a 401 from one process for GET /lag, the first in URL order', async () => {
      a.handler = (_s, res) => sendJson(res, 200, { caughtUp: true, subscriptions: [] });
      b.handler = (_s, res) => sendJson(res, 401, { status: 401, title: 'Ikke innlogget' }, 'application/problem+json');
      const refused = await forwardToWorkers([a.url, b.url], get('/lag'), OPTIONS);
      expect([refused.status, refused.contentType, json(refused.body)]).toEqual([401, 'application/problem+json', { status: 401, title: 'Ikke innlogget' }]);

      a.handler = (_s, res) => sendJson(res, 403, { status: 403, title: 'Ingen tilgang' }, 'application/problem+json');
      expect((await forwardToWorkers([a.url, b.url], get('/lag'), OPTIONS)).status).toBe(403);
      expect((await forwardToWorkers([b.url, a.url], get('/lag'), OPTIONS)).status).toBe(401);
      // Not merged either when the refusal is a 404 (a process without the endpoint).
      a.handler = (_s, res) => sendJson(res, 200, []);
      b.handler = (_s, res) => sendJson(res, 404, PROBLEM_404('b'), 'application/problem+json');
      expect((await forwardToWorkers([a.url, b.url], get('/subscriptions'), OPTIONS)).status).toBe(404);
    });

    it('throws WorkerUnreachableError when any process does not answer, even if the others do', async () => {
      a.handler = (_s, res) => sendJson(res, 200, []);
      await expect(forwardToWorkers([a.url, dead], get('/subscriptions'), OPTIONS)).rejects.toBeInstanceOf(WorkerUnreachableError);
      await expect(forwardToWorkers([dead, a.url], get('/lag'), OPTIONS)).rejects.toMatchObject({ workerIndex: 0 });
      const error = await forwardToWorkers([a.url, dead], get('/subscriptions'), OPTIONS).catch((e: unknown) => e);
      expect((error as Error).message).not.toContain(dead);
    });

    it('throws WorkerMalformedAnswerError for a 200 that cannot be merged', async () => {
      a.handler = (_s, res) => sendJson(res, 200, []);
      b.handler = (_s, res) => sendJson(res, 200, { not: 'a list' });
      await expect(forwardToWorkers([a.url, b.url], get('/subscriptions'), OPTIONS)).rejects.toBeInstanceOf(WorkerMalformedAnswerError);
      b.handler = (_s, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok');
      };
      a.handler = (_s, res) => sendJson(res, 200, { caughtUp: true, subscriptions: [] });
      await expect(forwardToWorkers([a.url, b.url], get('/lag'), OPTIONS)).rejects.toMatchObject({ name: 'WorkerMalformedAnswerError', workerIndex: 1 });
    });
  });

  describe('everything else: the processes in URL order, the first answer that is not 404', () => {
    it('answers with the first process that is not 404, and asks no further', async () => {
      b.handler = (_s, res) => sendJson(res, 200, [{ name: 'cases', rebuild: null }]);
      const projections = await forwardToWorkers([a.url, b.url], get('/projections'), OPTIONS);
      expect([projections.status, json(projections.body)]).toEqual([200, [{ name: 'cases', rebuild: null }]]);
      expect([a.seen.length, b.seen.length]).toEqual([1, 1]);

      // The owner listed first: the other is never asked (a POST is not repeated on it).
      const post: WorkerRequest = { method: 'POST', path: '/projections/cases/rebuild', headers: { ...HEADERS, 'content-type': 'application/json' }, body: '{}' };
      a.handler = (_s, res) => sendJson(res, 202, { name: 'cases', state: 'rebuilding' });
      b.handler = (_s, res) => sendJson(res, 202, { name: 'wrong process' });
      const rebuild = await forwardToWorkers([a.url, b.url], post, OPTIONS);
      expect([rebuild.status, json(rebuild.body)]).toEqual([202, { name: 'cases', state: 'rebuilding' }]);
      expect(b.seen.map((s) => s.url)).toEqual(['/operator/projections']);

      // Any status but 404 is an answer: a 409 from the first process stops there too.
      a.handler = (_s, res) => sendJson(res, 409, { status: 409 }, 'application/problem+json');
      expect((await forwardToWorkers([a.url, b.url], post, OPTIONS)).status).toBe(409);
      expect(b.seen).toHaveLength(1);
    });

    it('when every process answers 404, passes the owner\'s (the first that is not «not run here»), else the last', async () => {
      const NOT_RUN_HERE = (who: string) => ({ type: 'https://evp.no/problems/not-run-here', status: 404, title: 'Kjøres ikke i denne prosessen', detail: who });
      const missing = await forwardToWorkers([a.url, b.url], { method: 'POST', path: '/subscriptions/unknown/parked/retry', query: 'stream=case-5035-1', headers: HEADERS }, OPTIONS);
      expect([missing.status, missing.contentType, json(missing.body)]).toEqual([404, 'application/problem+json', PROBLEM_404('a')]);
      expect([a.seen.map((s) => s.url), b.seen.map((s) => s.url)]).toEqual([['/operator/subscriptions/unknown/parked/retry?stream=case-5035-1'], ['/operator/subscriptions/unknown/parked/retry?stream=case-5035-1']]);
      // The projections process says the projection does not exist; the workflows process does not run projections.
      a.handler = (_s, res) => sendJson(res, 404, NOT_RUN_HERE('a'), 'application/problem+json');
      expect(json((await forwardToWorkers([a.url, b.url], get('/projections/nope/rebuild'), OPTIONS)).body)).toEqual(PROBLEM_404('b'));
      expect(json((await forwardToWorkers([b.url, a.url], get('/projections/nope/rebuild'), OPTIONS)).body)).toEqual(PROBLEM_404('b'));
      b.handler = (_s, res) => sendJson(res, 404, NOT_RUN_HERE('b'), 'application/problem+json');
      expect(json((await forwardToWorkers([a.url, b.url], get('/periodic'), OPTIONS)).body)).toEqual(NOT_RUN_HERE('b'));
    });

    it('throws WorkerUnreachableError for a process that does not answer, never skipping it', async () => {
      b.handler = (_s, res) => sendJson(res, 200, { fired: 0 });
      await expect(forwardToWorkers([dead, b.url], { method: 'POST', path: '/deadlines/sweep', headers: HEADERS }, OPTIONS)).rejects.toBeInstanceOf(WorkerUnreachableError);
      expect(b.seen).toHaveLength(0);
      await expect(forwardToWorkers([a.url, dead], { method: 'POST', path: '/workflows/timers/replay', headers: HEADERS }, OPTIONS)).rejects.toMatchObject({ workerIndex: 1 });
      // The owner answering first makes a dead process later in the list irrelevant.
      expect((await forwardToWorkers([b.url, dead], { method: 'POST', path: '/deadlines/sweep', headers: HEADERS }, OPTIONS)).status).toBe(200);
    });

    it('throws WorkerUnreachableError for a process that does not answer in time', async () => {
      a.handler = () => new Promise<void>(() => undefined);
      await expect(forwardToWorkers([a.url, b.url], get('/projections'), { timeoutMs: 200 })).rejects.toBeInstanceOf(WorkerUnreachableError);
    });
  });

  it('forwards the method, path, query, headers and body to every process asked', async () => {
    b.handler = (_s, res) => sendJson(res, 200, { retried: 1 });
    const body = JSON.stringify({ note: 'på nytt' });
    await forwardToWorkers([a.url, b.url], { method: 'POST', path: '/subscriptions/cases%40g2/parked/retry', query: 'stream=case-5035-1', headers: { ...HEADERS, 'content-type': 'application/json' }, body }, OPTIONS);
    a.handler = (_s, res) => sendJson(res, 200, []);
    b.handler = (_s, res) => sendJson(res, 200, []);
    await forwardToWorkers([a.url, b.url], get('/subscriptions', 'verbose=1'), OPTIONS);
    for (const worker of [a, b]) {
      expect(worker.seen.map((s) => [s.method, s.url, s.body])).toEqual([
        ['POST', '/operator/subscriptions/cases%40g2/parked/retry?stream=case-5035-1', body],
        ['GET', '/operator/subscriptions?verbose=1', ''],
      ]);
      for (const seen of worker.seen) expect(seen.headers).toMatchObject({ authorization: 'Bearer t0ken', accept: 'application/json', 'x-correlation-id': 'corr-1' });
      expect(worker.seen[0]?.headers['content-type']).toBe('application/json');
    }
  });

  describe('one URL: a plain pass-through', () => {
    it('passes any answer through unchanged, the merged endpoints included', async () => {
      // Two processes would refuse to merge this; one passes it as it is.
      a.handler = (_s, res) => {
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('not json');
      };
      const subscriptions = await forwardToWorkers([a.url], get('/subscriptions', 'x=1'), OPTIONS);
      expect([subscriptions.status, subscriptions.contentType, subscriptions.body.toString('utf8')]).toEqual([200, 'text/plain; charset=utf-8', 'not json']);
      a.handler = (_s, res) => sendJson(res, 200, { caughtUp: false, subscriptions: [{ name: 'x', extra: true }], extra: 'kept' });
      expect(json((await forwardToWorkers([a.url], get('/lag'), OPTIONS)).body)).toEqual({ caughtUp: false, subscriptions: [{ name: 'x', extra: true }], extra: 'kept' });
      a.handler = (_s, res) => sendJson(res, 404, PROBLEM_404('a'), 'application/problem+json');
      const missing = await forwardToWorkers([a.url], { method: 'POST', path: '/deadlines/sweep', headers: HEADERS, body: '{}' }, OPTIONS);
      expect([missing.status, missing.contentType, json(missing.body)]).toEqual([404, 'application/problem+json', PROBLEM_404('a')]);
      expect(a.seen.map((s) => [s.method, s.url, s.body])).toEqual([
        ['GET', '/operator/subscriptions?x=1', ''],
        ['GET', '/operator/lag', ''],
        ['POST', '/operator/deadlines/sweep', '{}'],
      ]);
    });

    it('does not follow a redirect', async () => {
      a.handler = (_s, res) => {
        res.writeHead(302, { location: `${b.url}/elsewhere` });
        res.end();
      };
      expect((await forwardToWorkers([a.url], get('/projections'), OPTIONS)).status).toBe(302);
      expect(b.seen).toHaveLength(0);
    });

    it('throws WorkerUnreachableError when the one process does not answer', async () => {
      await expect(forwardToWorkers([dead], get('/subscriptions'), OPTIONS)).rejects.toBeInstanceOf(WorkerUnreachableError);
    });
  });
});
