import { syntheticNationalIds } from '@evp/shared-kernel';
import { problemDefect, streamSlowly, type ProblemBody } from './support/problems';
import { TestSystem, type Response } from './support/system';

const MAX_IMPORT_BYTES = 4 * 1024 * 1024;

function expectProblem(response: Response, status: number, kind: string): ProblemBody {
  expect({ status: response.status, defect: problemDefect(response.status, response.headers.get('content-type'), response.body) }).toEqual({ status, defect: undefined });
  expect((response.body as ProblemBody).type).toBe(`https://evp.no/problems/${kind}`);
  return response.body as ProblemBody;
}

/**
 * The HTTP edge of both processes: the token is checked before a body is read, bodies are limited
 * and refused early, every error is problem details (RFC 9457), nothing answers without a token but
 * health and the documentation, and no CORS.
 */
describe('the HTTP edge (e2e)', () => {
  const system = new TestSystem({ MAX_IMPORT_BYTES: String(MAX_IMPORT_BYTES) });
  const [fnr] = syntheticNationalIds(1, 97) as [string];
  let accounting: string;

  beforeAll(async () => {
    system.setClock('2026-11-02T09:00:00+01:00');
    await system.start();
    accounting = await system.token('accounting');
  });
  afterAll(async () => {
    await system.stop();
  });

  it('answers an unauthenticated 5 MB JSON body with 401 problem details while the body is still being sent', async () => {
    const total = 5 * 1024 * 1024;
    for (const announce of [true, false]) {
      const answer = await streamSlowly(system.apiPort, '/api/v1/ledger/postings', { headers: { 'content-type': 'application/json' }, total, announce });
      expect(answer.status).toBe(401);
      expect(problemDefect(answer.status, answer.headers['content-type'] ?? null, answer.body)).toBeUndefined();
      expect(answer.body).toMatchObject({ type: 'https://evp.no/problems/unauthorized', instance: '/api/v1/ledger/postings' });
      expect(answer.headers['www-authenticate']).toBe('Bearer realm="evp"');
      // Sending it all takes two seconds at this pace; the answer came with (at most) the first chunks.
      expect(answer.sentWhenAnswered).toBeLessThan(total / 4);
      expect(answer.msToAnswer).toBeLessThan(1_500);
    }
    // A forged token is refused the same way, before the body.
    const forged = await streamSlowly(system.apiPort, '/api/v1/ledger/imports', { headers: { 'content-type': 'text/csv', authorization: `Bearer ${accounting.slice(0, -4)}AAAA` }, total });
    expect(forged).toMatchObject({ status: 401, body: { type: 'https://evp.no/problems/unauthorized' } });
    expect(forged.sentWhenAnswered).toBeLessThan(total / 4);
  });

  it('refuses 2 MB of JSON with 413 from its content-length, and a chunked one once it passes 1 MiB', async () => {
    // Sent at its own pace by a client that reads the answer even when the server closes the
    // connection before the body is through (fetch then fails with EPIPE, depending on timing).
    const announced = await streamSlowly(system.apiPort, '/api/v1/ledger/postings', {
      headers: { 'content-type': 'application/json', authorization: `Bearer ${accounting}` },
      total: 2 * 1024 * 1024,
      intervalMs: 5,
    });
    expect(announced).toMatchObject({ status: 413, headers: { 'content-type': expect.stringContaining('application/problem+json') }, body: { type: 'https://evp.no/problems/payload-too-large' } });
    expect((announced.body as ProblemBody).detail).toContain('1 MiB');
    expect(announced.sentWhenAnswered).toBeLessThan(2 * 1024 * 1024);
    const chunked = await streamSlowly(system.apiPort, '/api/v1/ledger/postings', {
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await system.token('accounting')}` },
      total: 2 * 1024 * 1024,
      announce: false,
      intervalMs: 5,
    });
    expect(chunked).toMatchObject({ status: 413, body: { type: 'https://evp.no/problems/payload-too-large' } });
    expect(chunked.sentWhenAnswered).toBeLessThan(2 * 1024 * 1024);
    // A file is refused early too, the same way, from its announced size.
    const file = await streamSlowly(system.apiPort, '/api/v1/ledger/imports', { headers: { 'content-type': 'text/csv', authorization: `Bearer ${await system.token('accounting')}` }, total: MAX_IMPORT_BYTES + 1 });
    expect(file).toMatchObject({ status: 413, body: { type: 'https://evp.no/problems/payload-too-large', detail: 'Forespørselen er større enn grensen på 4 MiB.' } });
    expect(file.sentWhenAnswered).toBeLessThan(MAX_IMPORT_BYTES / 4);
  });

  it('answers malformed, empty, poisoned and 10 000-deep JSON with 400 problem details that quote nothing', async () => {
    const bodies = [`{"postings": [{"tenancyId": "${fnr}"`, '', '{"__proto__": {"admin": true}}', '['.repeat(10_000) + ']'.repeat(10_000), '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000)];
    for (const body of bodies) {
      const response = await system.request('POST', '/api/v1/ledger/postings', { token: accounting, body, contentType: 'application/json' });
      expectProblem(response, 400, 'bad-request');
      expect(JSON.stringify(response.body)).not.toContain(fnr);
    }
    // The processes are fine afterwards.
    expect((await system.request('GET', '/health/live')).status).toBe(200);
  });

  it('answers unknown routes 404 problem details with a token, and 401 without one', async () => {
    const unknown = await system.request('GET', `/api/v1/nothing-here?who=${fnr}`, { token: accounting });
    expect(expectProblem(unknown, 404, 'not-found').instance).toBe('/api/v1/nothing-here');
    expect(JSON.stringify(unknown.body)).not.toContain(fnr);
    expectProblem(await system.request('DELETE', '/api/v1/cases', { token: accounting }), 404, 'not-found');
    expectProblem(await system.request('GET', '/api/v1/nothing-here'), 401, 'unauthorized');
    expectProblem(await system.request('GET', '/api/v1/cases/5035-999999-1', { token: await system.token('arrears-team') }), 404, 'not-found');
    // Too long a path parameter: the router's 414, or the web app's catch-all 404 under /api when the
    // app is built — either way problem details that do not repeat the path's identity number.
    // Broken percent-encoding is the router's 400.
    const long = await system.request('GET', `/api/v1/cases/${fnr}${'x'.repeat(200)}`, { token: accounting });
    expect(expectProblem(long, long.status === 414 ? 414 : 404, long.status === 414 ? 'client-error' : 'not-found').instance).not.toContain(fnr);
    expectProblem(await system.request('GET', '/api/v1/cases/%E0%A4%A', { token: accounting }), 400, 'bad-request');
  });

  it('refuses a file with errors with their total and the first 200, in well under 1 MB', async () => {
    const header = 'kommunenr;leieforhold;bilagsnr;type;dato;forfall;periode;belop\n';
    const line = `5035;100234;F-1;husleiegaranti;${'9'.repeat(40)};;;ni tusen ${'x'.repeat(60)}\n`;
    const csv = header + line.repeat(Math.floor((MAX_IMPORT_BYTES - header.length) / line.length));
    const response = await system.request('POST', '/api/v1/ledger/imports', { token: accounting, body: csv });
    const problem = expectProblem(response, 422, 'validation');
    expect(problem.errors).toHaveLength(200);
    expect(problem.total).toBeGreaterThan(40_000);
    expect(problem.detail).toContain(`${problem.total} feil`);
    expect(Buffer.byteLength(JSON.stringify(problem))).toBeLessThan(100_000);
  });

  it('keeps health and the documentation public, and everything else behind a token: no CORS anywhere', async () => {
    expect((await system.request('GET', '/health')).status).toBe(200);
    expect((await system.request('GET', '/health/live')).status).toBe(200);
    expect((await system.request('GET', '/api/openapi.json')).status).toBe(200);
    expect((await system.request('GET', '/api/docs')).status).toBe(200);
    const head = await system.request('HEAD', '/api/v1/cases');
    expect([head.status, head.headers.get('content-type')]).toEqual([401, 'application/problem+json; charset=utf-8']);
    const foreign = { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' };
    for (const port of [system.apiPort, system.workerPort]) {
      const preflight = await system.request('OPTIONS', '/api/v1/ledger/postings', { headers: foreign }, port);
      expect(preflight.status).toBe(401);
      const withToken = await system.request('GET', port === system.apiPort ? '/api/v1/cases' : '/operator/lag', { token: await system.token(port === system.apiPort ? 'arrears-team' : 'admin'), headers: { origin: 'https://evil.example' } }, port);
      expect(withToken.status).toBe(200);
      for (const response of [preflight, withToken]) {
        expect([...response.headers.keys()].filter((h) => h.startsWith('access-control-'))).toEqual([]);
      }
    }
  });

  it('guards the worker’s operator endpoints: no token 401, another role 403, an admin 200, all errors problem details', async () => {
    const worker = system.workerPort;
    expectProblem(await system.request('GET', '/operator/lag', {}, worker), 401, 'unauthorized');
    expectProblem(await system.request('POST', '/operator/deadlines/sweep', { headers: { origin: 'https://evil.example' } }, worker), 401, 'unauthorized');
    expectProblem(await system.request('POST', '/operator/projections/cases/rebuild', { token: 'not-a-token' }, worker), 401, 'unauthorized');
    const accountingOnWorker = await system.request('GET', '/operator/subscriptions', { token: await system.token('accounting') }, worker);
    expect(expectProblem(accountingOnWorker, 403, 'forbidden').detail).toContain('admin');
    expectProblem(await system.request('POST', '/operator/deadlines/sweep', { token: await system.token('arrears-team') }, worker), 403, 'forbidden');
    expect((await system.worker_('GET', '/operator/lag')).status).toBe(200);
    expect((await system.worker_('GET', '/operator/subscriptions')).status).toBe(200);
    expectProblem(await system.worker_('POST', '/operator/projections/no-such-projection/rebuild'), 404, 'not-found');
    expectProblem(await system.worker_('GET', '/operator/nothing-here'), 404, 'not-found');
    expectProblem(await system.worker_('POST', '/operator/subscriptions/x/parked/retry'), 400, 'bad-request');
    const big = await streamSlowly(worker, '/operator/deadlines/sweep', { headers: { 'content-type': 'application/json', authorization: `Bearer ${await system.token('admin')}` }, total: 1024 * 1024 });
    expect(big).toMatchObject({ status: 413, body: { type: 'https://evp.no/problems/payload-too-large' } });
    expect((await system.request('GET', '/health', {}, worker)).status).toBe(200);
  });

  it('documents every error response as a Problem in application/problem+json', async () => {
    type Operation = { responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>; requestBody?: { content: Record<string, unknown> } };
    const doc = await system.request<{ paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, { required?: string[]; properties?: Record<string, unknown> }> } }>('GET', '/api/openapi.json');
    const problem = doc.body.components.schemas['Problem'];
    expect(problem?.required).toEqual(['type', 'title', 'status', 'detail', 'instance']);
    expect(Object.keys(problem?.properties ?? {})).toEqual(expect.arrayContaining(['errors', 'total']));
    const operations = Object.entries(doc.body.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })));
    let errorResponses = 0;
    for (const { path, method, op } of operations.filter((o) => o.path !== '/health')) {
      for (const [code, response] of Object.entries(op.responses)) {
        if (Number(code) < 400) continue;
        errorResponses += 1;
        expect({ at: `${method} ${path} ${code}`, content: response.content }).toEqual({ at: `${method} ${path} ${code}`, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });
      }
    }
    expect(errorResponses).toBeGreaterThan(50);
    // Every JSON body can be refused as unreadable or too large, and says so.
    for (const { path, method, op } of operations.filter((o) => (o.op.requestBody?.content['application/json'] && o.path.startsWith('/api/v1/ledger')) || o.path === '/api/v1/cases/{id}/contacts')) {
      expect({ at: `${method} ${path}`, codes: Object.keys(op.responses) }).toEqual({ at: `${method} ${path}`, codes: expect.arrayContaining(['400', '413']) });
    }
  });

  it('names the caller the edge verified on the request log line, and logs no token', () => {
    const accountingActor = system.actorId('e2e-accounting');
    expect(system.logs.some((l) => l.includes('"url":"/api/v1/ledger/postings"') && l.includes(`"actor":"${accountingActor}"`))).toBe(true);
    expect(system.logs.filter((l) => l.includes(accounting.split('.')[2] as string))).toEqual([]);
    expect(system.logs.filter((l) => l.includes(fnr))).toEqual([]);
  });
});
