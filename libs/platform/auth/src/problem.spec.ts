import { BadRequestException, ConflictException, HttpException, InternalServerErrorException, Logger, NotFoundException, ServiceUnavailableException, type ArgumentsHost, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { FixedClock, syntheticNationalIds } from '@evp/shared-kernel';
import { AuthGuard, Roles } from './auth.guard';
import type { Caller } from './caller';
import { authenticate, formatBytes, jsonNestingExceeds, problemFrameworkErrors } from './edge';
import { MAX_PROBLEM_ERRORS, PROBLEM_KINDS, ProblemException, buildProblem, instanceOf, kindForStatus, maskIdentityNumbers, type Problem, type ProblemKind } from './problem';
import { ProblemDetailsFilter } from './problem.filter';
import { TokenVerifier, mintDevToken } from './tokens';

const [FNR] = syntheticNationalIds(1, 7) as [string];
const PERSON_ID_KEY = 'f3a1c9e07b5d42a8961e0c7d3b5f8a2e4c6d9b1f0e3a5c7d9f1b3e5a7c9d0b2f';

/** A fake Fastify reply that records what the filter sends. */
function fakeHttp(url: string, options: { route?: string; headers?: Record<string, string> } = {}) {
  const sent: { status?: number; headers: Record<string, string>; body?: unknown } = { headers: {} };
  const reply = {
    sent: false,
    code(status: number) {
      sent.status = status;
      return reply;
    },
    header(name: string, value: string) {
      sent.headers[name.toLowerCase()] = value;
      return reply;
    },
    send(payload: unknown) {
      sent.body = typeof payload === 'string' ? JSON.parse(payload) : payload;
      return reply;
    },
  };
  const request = { url, headers: options.headers ?? {}, routeOptions: { url: options.route } };
  const host = { switchToHttp: () => ({ getResponse: () => reply, getRequest: () => request }) } as unknown as ArgumentsHost;
  return { host, sent };
}

// The filter logs 5xx; the expected ones here would only drown the test output.
beforeAll(() => Logger.overrideLogger(false));

function answer(filter: ProblemDetailsFilter, exception: unknown, url = '/api/v1/x?q=1', options: { route?: string; headers?: Record<string, string> } = {}) {
  const { host, sent } = fakeHttp(url, options);
  filter.catch(exception, host);
  return sent as { status: number; headers: Record<string, string>; body: Problem };
}

describe('problem details', () => {
  it('gives every kind a stable type URI, its status and a fixed bokmål title', () => {
    for (const kind of Object.keys(PROBLEM_KINDS) as ProblemKind[]) {
      const problem = buildProblem({ kind }, '/a');
      expect(problem).toMatchObject({ type: `https://evp.no/problems/${kind}`, status: PROBLEM_KINDS[kind].status, title: PROBLEM_KINDS[kind].title, instance: '/a' });
      expect(problem.detail.length).toBeGreaterThan(0);
    }
  });

  it('takes the instance from the path without the query string, and masks anything shaped like an identity number', () => {
    expect(instanceOf(`/api/v1/cases/5035-100234-1?search=${FNR}`)).toBe('/api/v1/cases/5035-100234-1');
    expect(instanceOf(`/api/v1/people/${FNR}`)).toBe('/api/v1/people/***********');
    expect(maskIdentityNumbers(`a ${FNR.slice(0, 6)} ${FNR.slice(6)} b`)).toBe('a *********** b');
    // A longer number is not an identity number and stays.
    expect(maskIdentityNumbers('123456789012')).toBe('123456789012');
  });

  it('lists at most 200 errors with the total, and stays under 1 MB whatever it is given', () => {
    const many = Array.from({ length: 100_000 }, (_, i) => ({ line: i + 2, column: 'x'.repeat(10_000), reason: `${FNR} `.repeat(2_000) }));
    const problem = buildProblem({ kind: 'validation', detail: 'd'.repeat(1_000_000), errors: many, total: 250_000 }, `/${'p'.repeat(100_000)}`);
    expect(problem.errors).toHaveLength(MAX_PROBLEM_ERRORS);
    expect(problem.total).toBe(250_000);
    const size = Buffer.byteLength(JSON.stringify(problem));
    expect(size).toBeLessThan(1_000_000);
    expect(JSON.stringify(problem)).not.toContain(FNR);
    // Not truncated: no total.
    expect(buildProblem({ kind: 'validation', errors: [{ line: 1, column: 'a', reason: 'b' }], total: 1 }, '/').total).toBeUndefined();
  });

  it('never lets an extension member replace a standard one', () => {
    const problem = buildProblem({ kind: 'archive-obligation', extensions: { status: 'restricted', keepUntil: '2036-12-31', type: 'x' } }, '/');
    expect(problem).toMatchObject({ status: 409, type: 'https://evp.no/problems/archive-obligation', keepUntil: '2036-12-31' });
  });

  it.each([
    [400, 'bad-request'],
    [401, 'unauthorized'],
    [403, 'forbidden'],
    [404, 'not-found'],
    [405, 'method-not-allowed'],
    [409, 'conflict'],
    [413, 'payload-too-large'],
    [415, 'unsupported-media-type'],
    [422, 'validation'],
    [429, 'client-error'],
    [500, 'internal'],
    [502, 'internal'],
    [503, 'unavailable'],
  ] as const)('maps status %i to %s', (status, kind) => {
    expect(kindForStatus(status)).toBe(kind);
  });
});

describe('ProblemDetailsFilter', () => {
  const filter = new ProblemDetailsFilter({ isUnavailable: (e) => (e as { code?: string } | null)?.code === 'ECONNREFUSED', passThrough503Routes: ['/health'] });

  it('answers application/problem+json with the instance and no query string', () => {
    const { status, headers, body } = answer(filter, new ProblemException({ kind: 'not-found' }), `/api/v1/cases/1?x=${FNR}`);
    expect(status).toBe(404);
    expect(headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(body).toEqual({ type: 'https://evp.no/problems/not-found', title: 'Finnes ikke', status: 404, detail: 'Finnes ikke, eller er utenfor din tilgang.', instance: '/api/v1/cases/1' });
  });

  it('keeps our own HttpException texts, but never the text Nest or a library made from the request', () => {
    expect(answer(filter, new NotFoundException({ error: 'NotFound', message: 'Ingen projeksjon med det navnet' })).body).toMatchObject({ status: 404, detail: 'Ingen projeksjon med det navnet' });
    expect(answer(filter, new BadRequestException({ field: 'stream', reason: 'må oppgis' })).body).toMatchObject({ status: 400, errors: [{ line: null, column: 'stream', reason: 'må oppgis' }] });
    // Nest's own 404 for an unknown route quotes the URL; a pipe's message quotes the value.
    const unknownRoute = answer(filter, new NotFoundException(`Cannot GET /x?id=${FNR}`), `/x?id=${FNR}`).body;
    expect(unknownRoute).toMatchObject({ type: 'https://evp.no/problems/not-found', status: 404, instance: '/x' });
    expect(JSON.stringify(unknownRoute)).not.toContain(FNR);
    expect(JSON.stringify(answer(filter, new BadRequestException(`Validation failed: ${FNR} is not numeric`)).body)).not.toContain(FNR);
    expect(answer(filter, new ConflictException({ message: 'Saken er avsluttet' })).body).toMatchObject({ type: 'https://evp.no/problems/conflict', status: 409 });
  });

  it('maps Fastify body errors by their status and drops their messages (JSON.parse quotes the body)', () => {
    const parse = Object.assign(new SyntaxError(`Unexpected token '${FNR}' in JSON at position 3`), { statusCode: 400 });
    const tooLarge = Object.assign(new Error('Request body is too large'), { name: 'FastifyError', code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 });
    const mediaType = Object.assign(new Error(`Unsupported Media Type: application/${FNR}`), { name: 'FastifyError', code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 });
    const fileTooLarge = Object.assign(new Error('request file too large'), { name: 'FastifyError', code: 'FST_REQ_FILE_TOO_LARGE', statusCode: 413 });
    const tooMany = Object.assign(new Error(`slow down ${FNR}`), { statusCode: 429 });
    const cases: Array<[unknown, number, string]> = [
      [parse, 400, 'bad-request'],
      [tooLarge, 413, 'payload-too-large'],
      [mediaType, 415, 'unsupported-media-type'],
      [fileTooLarge, 413, 'payload-too-large'],
      [tooMany, 429, 'client-error'],
    ];
    for (const [error, status, kind] of cases) {
      const { body } = answer(filter, error);
      expect(body).toMatchObject({ status, type: `https://evp.no/problems/${kind}`, title: PROBLEM_KINDS[kind as ProblemKind].title });
      expect(JSON.stringify(body)).not.toContain(FNR);
    }
  });

  it('answers unknown errors 500 and outages 503, with no message and no stack', () => {
    const secret = new Error(`SQLITE_CORRUPT at /var/lib/evp/events.sqlite for ${FNR}`);
    const internal = answer(filter, secret);
    expect(internal.body).toEqual({ type: 'https://evp.no/problems/internal', title: 'Intern feil', status: 500, detail: 'Det oppstod en uventet feil. Feilen er logget.', instance: '/api/v1/x' });
    const outage = answer(filter, Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' }));
    expect(outage).toMatchObject({ status: 503, headers: { 'retry-after': '5' }, body: { type: 'https://evp.no/problems/unavailable', status: 503 } });
    expect(JSON.stringify(outage.body)).not.toContain('6379');
    expect(answer(filter, new InternalServerErrorException('db password is hunter2')).body.detail).not.toContain('hunter2');
    expect(answer(filter, 'a thrown string').body.status).toBe(500);
    expect(answer(filter, null).body.status).toBe(500);
  });

  it('keeps the readiness check’s own 503 body on /health only', () => {
    const checks = { status: 'error', error: { redis: { status: 'down' } } };
    expect(answer(filter, new ServiceUnavailableException(checks), '/health', { route: '/health' })).toMatchObject({ status: 503, body: checks });
    expect(answer(filter, new ServiceUnavailableException(checks), '/api/v1/x', { route: '/api/v1/x' }).body).toMatchObject({ type: 'https://evp.no/problems/unavailable' });
  });

  it('asks for a bearer token on 401 and closes the connection on a 413 whose body was not read', () => {
    expect(answer(filter, new ProblemException({ kind: 'unauthorized' })).headers['www-authenticate']).toBe('Bearer realm="evp"');
    expect(answer(filter, new HttpException('too large', 413), '/x', { headers: { 'content-length': '5000000' } }).headers['connection']).toBe('close');
    expect(answer(filter, new HttpException('too large', 413), '/x').headers['connection']).toBeUndefined();
  });

  it('does nothing once a reply is sent', () => {
    const { host, sent } = fakeHttp('/x');
    (host.switchToHttp().getResponse() as { sent: boolean }).sent = true;
    filter.catch(new Error('late'), host);
    expect(sent.status).toBeUndefined();
  });
});

describe('the edge', () => {
  const clock = new FixedClock(new Date('2030-03-04T10:00:00Z'));
  const verifier = new TokenVerifier({ issuer: 'evp-dev', audience: 'evp-api', devKey: true, environment: 'test', personIdKey: PERSON_ID_KEY, clock });
  const token = (roles: Caller['roles'], lifetimeSeconds = 600) => mintDevToken({ issuer: 'evp-dev', audience: 'evp-api', sub: 's', roles, municipalities: ['5035'], now: clock.now(), lifetimeSeconds });

  it('counts nesting without parsing, skipping brackets inside strings', () => {
    expect(jsonNestingExceeds('['.repeat(10_000) + ']'.repeat(10_000), 32)).toBe(true);
    // Six levels: { [ { [ { {
    expect(jsonNestingExceeds('{"a":[{"b":[1,2,{"c":{}}]}]}', 6)).toBe(false);
    expect(jsonNestingExceeds('{"a":[{"b":[1,2,{"c":{}}]}]}', 5)).toBe(true);
    expect(jsonNestingExceeds(JSON.stringify({ text: '[[[[[[[[[[{{{{{{{{ \\" [[[[' }), 1)).toBe(false);
  });

  it('answers the router’s own refusals as problems that do not quote the path', () => {
    const { host, sent } = fakeHttp('/');
    const reply = host.switchToHttp().getResponse<never>();
    problemFrameworkErrors({ code: 'FST_ERR_MAX_PARAM_LENGTH' }, { url: `/api/v1/cases/${FNR}${'x'.repeat(200)}?q=1`, headers: {} }, reply);
    expect(sent).toMatchObject({ status: 414, body: { type: 'https://evp.no/problems/client-error', status: 414, instance: expect.stringMatching(/^\/api\/v1\/cases\/\*{11}x+$/) } });
    problemFrameworkErrors({ code: 'FST_ERR_BAD_URL' }, { url: '/api/%E0%A4%A', headers: {} }, reply);
    expect(sent).toMatchObject({ status: 400, body: { type: 'https://evp.no/problems/bad-request' } });
  });

  it('states limits as people read them', () => {
    expect([formatBytes(1024 * 1024), formatBytes(256 * 1024), formatBytes(1000)]).toEqual(['1 MiB', '256 KiB', '1000 byte']);
  });

  it('refuses a missing, malformed or invalid token with a 401 problem, and accepts a valid one', async () => {
    for (const header of [undefined, '', 'Basic dXNlcjpwYXNz', 'Bearer', 'Bearer a b', ['Bearer x', 'Bearer y']]) {
      await expect(authenticate(verifier, header)).rejects.toMatchObject({ problem: { kind: 'unauthorized' } });
    }
    const expired = await token(['admin'], -60);
    await expect(authenticate(verifier, `Bearer ${expired}`)).rejects.toMatchObject({ problem: { kind: 'unauthorized', detail: 'Tokenet er utløpt; hent et nytt.' } });
    await expect(authenticate(verifier, `bearer ${await token(['admin'])}`)).resolves.toMatchObject({ roles: ['admin'] });
  });
});

describe('AuthGuard', () => {
  class Handlers {
    @Roles('admin')
    adminOnly(): string {
      return 'only for admins';
    }
  }
  const context = (request: object): ExecutionContext =>
    ({ getHandler: () => Handlers.prototype.adminOnly, getClass: () => Handlers, switchToHttp: () => ({ getRequest: () => request }) }) as unknown as ExecutionContext;
  const admin: Caller = { actorId: 'a_1', roles: ['admin'], municipalities: ['5035'], navOffice: null, landlordId: null, landlordPersonId: null };

  it('reuses the caller the edge verified instead of verifying again, and checks the role', async () => {
    const verify = jest.fn();
    const guard = new AuthGuard({ verify } as unknown as TokenVerifier, new Reflector());
    await expect(guard.canActivate(context({ headers: {}, caller: admin }))).resolves.toBe(true);
    expect(verify).not.toHaveBeenCalled();
    await expect(guard.canActivate(context({ headers: {}, caller: { ...admin, roles: ['accounting'] } }))).rejects.toMatchObject({ problem: { kind: 'forbidden' } });
  });

  it('verifies the token itself when no edge ran, and refuses without one', async () => {
    const verify = jest.fn().mockResolvedValue(admin);
    const guard = new AuthGuard({ verify } as unknown as TokenVerifier, new Reflector());
    const request: { headers: Record<string, string>; caller?: Caller; raw: { caller?: Caller } } = { headers: { authorization: 'Bearer abc.def.ghi' }, raw: {} };
    await expect(guard.canActivate(context(request))).resolves.toBe(true);
    expect(request.caller).toBe(admin);
    expect(request.raw.caller).toBe(admin);
    await expect(guard.canActivate(context({ headers: {} }))).rejects.toMatchObject({ problem: { kind: 'unauthorized' } });
  });
});
