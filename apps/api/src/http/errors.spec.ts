import { Logger, type ArgumentsHost } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import { z } from 'zod';
import { EventStoreUnavailableError, EventTooLargeError, InvalidStreamNameError, WrongExpectedRevisionError } from '@evp/event-store';
import { InputRejectedError } from '@evp/ledger-application';
import { CaseRuleError } from '@evp/cases-domain';
import { PROBLEM_KINDS, ProblemException, type Problem, type ProblemKind } from '@evp/auth';
import { syntheticNationalIds } from '@evp/shared-kernel';
import { ApiExceptionFilter, RequestValidationError, UnsupportedMediaTypeError, zodReason } from './errors';
import { MAX_JSON_BYTES, isPublicRoute, maxBodyFor, routeBodyLimit } from './limits';
import { withProblemDetails } from './openapi';

const [FNR, FNR2] = syntheticNationalIds(2, 11) as [string, string];

// The filter logs 5xx; the expected ones here would only drown the test output.
beforeAll(() => Logger.overrideLogger(false));

function answer(exception: unknown, url = '/api/v1/ledger/postings?x=1'): { status: number; contentType: string; body: Problem } {
  const out: { status: number; contentType: string; body: Problem } = { status: 0, contentType: '', body: {} as Problem };
  const reply = {
    sent: false,
    code: (s: number) => ((out.status = s), reply),
    header: (n: string, v: string) => (n === 'content-type' && (out.contentType = v), reply),
    send: (p: string) => ((out.body = JSON.parse(p) as Problem), reply),
  };
  const host = { switchToHttp: () => ({ getResponse: () => reply, getRequest: () => ({ url, headers: {}, routeOptions: { url: undefined } }) }) } as unknown as ArgumentsHost;
  new ApiExceptionFilter().catch(exception, host);
  return out;
}

const field = (reason: string, line: number | null = 2) => ({ line, column: 'leieforhold', reason });

describe('the api’s errors as problem details', () => {
  const cases: Array<[string, unknown, ProblemKind]> = [
    ['RequestValidationError', new RequestValidationError([field('mangler')]), 'validation'],
    ['InputRejectedError (invalid)', new InputRejectedError([field('ukjent leieforhold')], 'invalid'), 'validation'],
    ['InputRejectedError (conflict)', new InputRejectedError([{ line: 3, column: 'bilagsnr', reason: 'bokført før med annet innhold' }], 'conflict'), 'voucher-conflict'],
    ['InputRejectedError (forbidden)', new InputRejectedError([{ line: 2, column: 'kommunenr', reason: 'du har ikke tilgang til kommunen' }], 'forbidden'), 'forbidden'],
    ['UnsupportedMediaTypeError', new UnsupportedMediaTypeError('Forventer application/json.'), 'unsupported-media-type'],
    ['CaseRuleError (not found)', new CaseRuleError('CASE_NOT_FOUND', 'saken finnes ikke'), 'not-found'],
    ['CaseRuleError (closed)', new CaseRuleError('CASE_CLOSED', 'saken er avsluttet'), 'case-closed'],
    ['WrongExpectedRevisionError', new WrongExpectedRevisionError(`tenancy-5035-${FNR}`, '3', '4'), 'conflict'],
    ['EventStoreUnavailableError', new EventStoreUnavailableError(`database locked at /data/${FNR}`), 'unavailable'],
    ['EventTooLargeError', new EventTooLargeError(`event for tenancy-5035-${FNR} is 2 MB`), 'unprocessable'],
    ['InvalidStreamNameError', new InvalidStreamNameError(`stream name tenancy-${FNR}!`), 'unprocessable'],
    ['a Redis outage', Object.assign(new Error(`connect ECONNREFUSED 10.0.0.7:6379 ${FNR}`), { code: 'ECONNREFUSED' }), 'unavailable'],
    ['ioredis giving up', Object.assign(new Error('Reached the max retries per request limit'), { name: 'MaxRetriesPerRequestError' }), 'unavailable'],
    ['an unknown error', new TypeError(`Cannot read properties of undefined (reading '${FNR}')`), 'internal'],
    ['an idempotency key reused', new ProblemException({ kind: 'idempotency-key-reused' }), 'idempotency-key-reused'],
  ];

  it.each(cases)('%s → its status, type and title, as application/problem+json, repeating nothing', (_name, exception, kind) => {
    const { status, contentType, body } = answer(exception);
    expect(status).toBe(PROBLEM_KINDS[kind].status);
    expect(contentType).toBe('application/problem+json; charset=utf-8');
    expect(body).toMatchObject({ type: `https://evp.no/problems/${kind}`, title: PROBLEM_KINDS[kind].title, status: PROBLEM_KINDS[kind].status, instance: '/api/v1/ledger/postings' });
    expect(typeof body.detail).toBe('string');
    const text = JSON.stringify(body);
    for (const leak of [FNR, '6379', 'stack', 'Cannot read', 'tenancy-5035']) expect(text).not.toContain(leak);
  });

  it('keeps field errors as `errors` and says how many there were when it lists fewer', () => {
    const errors = Array.from({ length: 200 }, (_, i) => field('mangler', i + 2));
    const { body } = answer(new RequestValidationError(errors, 5_000));
    expect(body.errors).toHaveLength(200);
    expect(body.errors?.[0]).toEqual({ line: 2, column: 'leieforhold', reason: 'mangler' });
    expect(body.total).toBe(5_000);
    expect(body.detail).toBe('5000 feil i forespørselen; de første 200 vises; ingenting er lagret.');
    // An unbounded list (the ledger's store-side checks) is capped here too, and the answer stays small.
    const rejected = answer(new InputRejectedError(Array.from({ length: 60_000 }, (_, i) => field('x'.repeat(5_000), i + 2)), 'invalid')).body;
    expect(rejected.errors).toHaveLength(200);
    expect(rejected.total).toBe(60_000);
    expect(Buffer.byteLength(JSON.stringify(rejected))).toBeLessThan(1_000_000);
    expect(answer(new RequestValidationError([field('mangler')])).body.total).toBeUndefined();
  });

  it('replaces zod’s own messages (English, quoting keys) with fixed bokmål texts and keeps the schemas’ messages', () => {
    const schema = z.strictObject({
      municipality: z.string().regex(/^\d{4}$/, 'må være et kommunenummer (fire siffer)'),
      limit: z.coerce.number().int().min(1).max(500),
      name: z.string().max(3),
      tags: z.array(z.string()).min(1),
      kind: z.enum(['a', 'b']),
      nested: z.record(z.string(), z.number()),
      code: z.string().regex(/^x/),
    });
    const parsed = schema.safeParse({ municipality: FNR, limit: FNR2, name: `${FNR}`, tags: [], kind: FNR, nested: { [FNR]: 'x' }, code: FNR, [FNR]: 1 });
    expect(parsed.success).toBe(false);
    const { body } = answer(RequestValidationError.fromZod(parsed.error as z.ZodError));
    const reasons = Object.fromEntries((body.errors ?? []).map((e) => [e.column ?? '', e.reason]));
    expect(reasons).toMatchObject({
      municipality: 'må være et kommunenummer (fire siffer)',
      limit: 'er større enn 500',
      name: 'er lengre enn 3 tegn',
      tags: 'har færre enn 1 elementer',
      kind: 'må være en av: a, b',
      code: 'har feil format',
      '': 'inneholder felt som ikke er kjent',
    });
    expect(JSON.stringify(body)).not.toContain(FNR);
    expect(JSON.stringify(body)).not.toContain(FNR2);
    expect(body.errors?.every((e) => !/[A-Z][a-z]+ (input|key)/.test(e.reason))).toBe(true);
  });

  it('has a bokmål text for every zod issue code', () => {
    const issue = (code: string, extra: object = {}) => zodReason({ code, path: [], message: 'Invalid input', ...extra } as never);
    expect(issue('invalid_type', { expected: 'number' })).toBe('mangler eller har feil type (forventer et tall)');
    expect(issue('not_multiple_of', { divisor: 5 })).toBe('må være et multiplum av 5');
    for (const code of ['invalid_key', 'invalid_element', 'invalid_union', 'something_new']) expect(issue(code)).not.toMatch(/Invalid/);
  });
});

describe('the api’s limits', () => {
  it('lets only health and the documentation through without a token, and only for GET and HEAD', () => {
    for (const route of ['/health', '/health/live', '/api/openapi.json', '/api/docs', '/api/docs/', '/api/docs/*', '/api/docs/swagger-ui-init.js']) {
      expect(isPublicRoute(route, 'GET')).toBe(true);
      expect(isPublicRoute(route, 'POST')).toBe(false);
    }
    for (const route of [undefined, '/api/v1/cases', '/api/v1/ledger/imports', '/operator/lag', '/healthz', '/api']) expect(isPublicRoute(route, 'GET')).toBe(false);
  });

  it('allows files only on the upload routes and as CSV or a form; everything else gets the JSON limit', () => {
    const limit = maxBodyFor(32 * 1024 * 1024);
    expect(limit('/api/v1/ledger/imports', 'text/csv')).toEqual({ bytes: 32 * 1024 * 1024 });
    expect(limit('/api/v1/ledger/tenancies/imports', 'multipart/form-data')).toEqual({ bytes: 32 * 1024 * 1024 + 64 * 1024, stated: 32 * 1024 * 1024 });
    expect(limit('/api/v1/ledger/imports', 'application/json')).toEqual({ bytes: MAX_JSON_BYTES });
    expect(limit('/api/v1/ledger/postings', 'text/csv')).toEqual({ bytes: MAX_JSON_BYTES });
    expect(limit(undefined, 'multipart/form-data')).toEqual({ bytes: MAX_JSON_BYTES });
    expect(routeBodyLimit('/api/v1/ledger/postings')).toBe(MAX_JSON_BYTES);
    expect(routeBodyLimit('/api/v1/ledger/imports')).toBeUndefined();
  });
});

describe('the OpenAPI document', () => {
  it('adds the Problem schema and makes every error response application/problem+json, the readiness check’s excepted', () => {
    const document = {
      openapi: '3.0.0',
      info: { title: 't', version: '1' },
      paths: {
        '/api/v1/x': { post: { responses: { '200': { description: 'ok' }, '404': { description: 'nei', content: { 'application/json': { schema: { type: 'object' } } } }, '500': { description: 'feil' } } }, parameters: [] },
        '/health': { get: { responses: { '503': { description: 'checks' } } } },
      },
      components: {},
    } as unknown as OpenAPIObject;
    const result = withProblemDetails(document);
    expect(result.components?.schemas?.['Problem']).toMatchObject({ required: ['type', 'title', 'status', 'detail', 'instance'] });
    const responses = (result.paths['/api/v1/x'] as { post: { responses: Record<string, unknown> } }).post.responses;
    expect(responses['200']).toEqual({ description: 'ok' });
    for (const code of ['404', '500']) expect(responses[code]).toMatchObject({ content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });
    expect((result.paths['/health'] as { get: { responses: Record<string, unknown> } }).get.responses['503']).toEqual({ description: 'checks' });
  });
});
