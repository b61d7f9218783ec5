import Fastify from 'fastify';
import { Writable } from 'node:stream';
import { pinoHttp } from 'pino-http';
import type { AppConfig } from '../config';
import { installRequestLog, loggerParams } from './logging';

/** The api's request log: nestjs-pino's root logger (pino-http's, with our options) written to from Fastify hooks. */
async function appLogging(level: string) {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const params = loggerParams({ LOG_LEVEL: level } as AppConfig, 'api', { requestLog: 'hook' });
  const root = pinoHttp(params.pinoHttp as never, sink).logger;
  const app = Fastify();
  app.decorateRequest('caller', null);
  app.addHook('onRequest', async (request) => {
    if (request.headers.authorization === 'Bearer ok') (request as unknown as { caller: unknown }).caller = { actorId: 'a_1', roles: ['arrears-team'] };
  });
  installRequestLog(app, () => root);
  app.get('/health/live', async () => ({ status: 'ok' }));
  app.get('/api/v1/cases/:id', async () => ({ ok: true }));
  app.get('/boom', async (_request, reply) => reply.code(503).send({ down: true }));
  await app.ready();
  return { app, lines, params };
}

describe('the request log (loggerParams with requestLog: hook, installRequestLog)', () => {
  it('registers no middleware, so no request gets a logger of its own', () => {
    const params = loggerParams({ LOG_LEVEL: 'info' } as AppConfig, 'api', { requestLog: 'hook' });
    expect(params.forRoutes).toEqual([]);
    expect(loggerParams({ LOG_LEVEL: 'info' } as AppConfig, 'worker').forRoutes).toBeUndefined();
  });

  it('writes one line per request at info: who asked, the path without its query and with identity numbers masked, the status and the time', async () => {
    const { app, lines } = await appLogging('info');
    await app.inject({ method: 'GET', url: '/api/v1/cases/01017012345?q=secret', headers: { authorization: 'Bearer ok' } });
    await app.inject({ method: 'GET', url: '/api/v1/cases/x' });
    await app.inject({ method: 'GET', url: '/health/live' });
    await app.close();
    expect(lines).toHaveLength(2);
    const [first, second] = lines as [Record<string, unknown>, Record<string, unknown>];
    expect(first).toMatchObject({ level: 30, service: 'api', msg: 'request completed', actor: 'a_1', roles: ['arrears-team'], req: { method: 'GET' }, res: { statusCode: 200 } });
    expect(typeof first['responseTime']).toBe('number');
    const url = (first['req'] as { url: string }).url;
    expect(url).not.toContain('01017012345');
    expect(url).not.toContain('secret');
    expect(url.startsWith('/api/v1/cases/')).toBe(true);
    expect(second).not.toHaveProperty('actor');
    expect(JSON.stringify(lines)).not.toContain('01017012345');
  });

  it('logs a 5xx as «request errored» with an error, and nothing at all above info', async () => {
    const info = await appLogging('info');
    await info.app.inject({ method: 'GET', url: '/boom' });
    await info.app.close();
    expect(info.lines).toEqual([expect.objectContaining({ msg: 'request errored', res: expect.objectContaining({ statusCode: 503 }), err: expect.objectContaining({ message: 'failed with status code 503' }) })]);

    const warn = await appLogging('warn');
    await warn.app.inject({ method: 'GET', url: '/api/v1/cases/x' });
    await warn.app.close();
    expect(warn.lines).toEqual([]);
  });

  it('refuses to start without the root logger', async () => {
    const app = Fastify();
    installRequestLog(app, () => undefined);
    await expect(app.ready()).rejects.toThrow(/No request logger/);
  });
});
