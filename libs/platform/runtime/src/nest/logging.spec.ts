import { ProblemDetailsFilter } from '@evp/auth';
import { Body, Controller, Get, Logger as NestLogger, Module, Post } from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import { CommandBus, CommandHandler, CqrsModule, type ICommandHandler } from '@nestjs/cqrs';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import Fastify from 'fastify';
import { Logger, LoggerModule, PinoLogger } from 'nestjs-pino';
import { __resetOutOfContextForTests } from 'nestjs-pino/PinoLogger';
import { storage } from 'nestjs-pino/storage';
import { Writable } from 'node:stream';
import { pinoHttp } from 'pino-http';
import type { AppConfig } from '../config';
import { installRequestLog, loggerParams } from './logging';

type Line = Record<string, unknown>;

/** A stream that keeps every JSON line written to it. */
function lineSink(): { lines: Line[]; sink: Writable } {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Line);
      done();
    },
  });
  return { lines, sink };
}

/** The api's request log: nestjs-pino's root logger (pino-http's, with our options) written to from Fastify hooks. */
async function appLogging(level: string) {
  const { lines, sink } = lineSink();
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
  it('registers no middleware: no pino-http logger per request', () => {
    const params = loggerParams({ LOG_LEVEL: 'info' } as AppConfig, 'api', { requestLog: 'hook' });
    expect(params.forRoutes).toEqual([]);
    expect(loggerParams({ LOG_LEVEL: 'info' } as AppConfig, 'worker').forRoutes).toBeUndefined();
  });

  it('writes one line per request at info: who asked, the path without its query and with identity numbers masked, the status and the time', async () => {
    const { app, lines } = await appLogging('info');
    await app.inject({ method: 'GET', url: `/api/v1/cases/${IDENTITY_NUMBER}?q=secret`, headers: { authorization: 'Bearer ok' } });
    await app.inject({ method: 'GET', url: '/api/v1/cases/x' });
    await app.inject({ method: 'GET', url: '/health/live' });
    await app.close();
    expect(lines).toHaveLength(2);
    const [first, second] = lines as [Record<string, unknown>, Record<string, unknown>];
    expect(first).toMatchObject({ level: 30, service: 'api', msg: 'request completed', actor: 'a_1', roles: ['arrears-team'], req: { method: 'GET' }, res: { statusCode: 200 } });
    expect(typeof first['responseTime']).toBe('number');
    const url = (first['req'] as { url: string }).url;
    expect(url).not.toContain(IDENTITY_NUMBER);
    expect(url).not.toContain('secret');
    expect(url.startsWith('/api/v1/cases/')).toBe(true);
    expect(second).not.toHaveProperty('actor');
    expect(JSON.stringify(lines)).not.toContain(IDENTITY_NUMBER);
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

  it('with bindLines false (the worker) still writes the request line, but enters no AsyncLocalStorage: its handlers log without req', async () => {
    const { lines, sink } = lineSink();
    const params = loggerParams({ LOG_LEVEL: 'info' } as AppConfig, 'worker', { requestLog: 'hook' });
    const root = pinoHttp(params.pinoHttp as never, sink).logger;
    const app = Fastify();
    installRequestLog(app, () => root, { bindLines: false });
    let store: unknown = 'not looked at';
    app.get('/api/v1/operator/lag', async () => {
      store = storage.getStore();
      return { ok: true };
    });
    await app.ready();
    await app.inject({ method: 'GET', url: '/api/v1/operator/lag' });
    await app.close();
    expect(store).toBeUndefined();
    expect(lines).toEqual([expect.objectContaining({ msg: 'request completed', service: 'worker', req: expect.objectContaining({ method: 'GET', url: '/api/v1/operator/lag' }) })]);
  });

  it('refuses to start without the root logger', async () => {
    const app = Fastify();
    installRequestLog(app, () => undefined);
    await expect(app.ready()).rejects.toThrow(/No request logger/);
  });
});

/** Synthetic (Tenor: month + 80). */
const IDENTITY_NUMBER = '01817012345';

class RecordThing {
  constructor(readonly reference: string) {}
}

@CommandHandler(RecordThing)
class RecordHandler implements ICommandHandler<RecordThing> {
  private readonly logger = new NestLogger('RecordHandler');
  async execute(command: RecordThing): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 1));
    this.logger.log({ reference: command.reference }, 'recorded');
  }
}

@Controller('things')
class ThingsController {
  private readonly logger = new NestLogger('Things');
  constructor(
    private readonly commands: CommandBus,
    private readonly pino: PinoLogger,
  ) {}

  @Get(':id')
  async find(): Promise<{ ok: true }> {
    await Promise.resolve();
    this.logger.log('looked up');
    this.pino.info('looked up through PinoLogger');
    return { ok: true };
  }

  @Post()
  async record(@Body() body: { reference: string }): Promise<{ ok: true }> {
    await this.commands.execute(new RecordThing(body.reference));
    return { ok: true };
  }

  @Get('boom/now')
  boom(): never {
    throw new Error('the store is down');
  }

  @Get('quiet/now')
  quiet(): { ok: true } {
    return { ok: true };
  }
}

/** A Nest app on Fastify wired as the api's is: nestjs-pino without middleware, the request log from hooks, Nest's Logger through nestjs-pino. */
async function nestApp(): Promise<{ app: NestFastifyApplication; lines: Line[] }> {
  __resetOutOfContextForTests();
  const { lines, sink } = lineSink();
  const params = loggerParams({ LOG_LEVEL: 'info' } as AppConfig, 'api', { requestLog: 'hook' });
  @Module({
    imports: [LoggerModule.forRoot({ ...params, pinoHttp: [params.pinoHttp as never, sink] }), CqrsModule.forRoot()],
    controllers: [ThingsController],
    providers: [RecordHandler, { provide: APP_FILTER, useValue: new ProblemDetailsFilter() }],
  })
  class TestModule {}
  const app = await NestFactory.create<NestFastifyApplication>(TestModule, new FastifyAdapter(), { logger: false });
  app.useLogger(app.get(Logger));
  installRequestLog(app.getHttpAdapter().getInstance(), () => PinoLogger.root);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return { app, lines };
}

describe('lines logged while a request is handled (installRequestLog with nestjs-pino)', () => {
  it('carry the request id of the request log line: from the controller, a command handler and the problem filter; a line outside any request carries none', async () => {
    const { app, lines } = await nestApp();
    const fastify = app.getHttpAdapter().getInstance();
    const [found, recorded, failed, quiet] = await Promise.all([
      fastify.inject({ method: 'GET', url: `/things/${IDENTITY_NUMBER}?q=secret` }),
      fastify.inject({ method: 'POST', url: '/things', payload: { reference: 'r-1' } }),
      fastify.inject({ method: 'GET', url: '/things/boom/now' }),
      fastify.inject({ method: 'GET', url: '/things/quiet/now' }),
    ]);
    new NestLogger('Outside').log('between requests');
    await app.close();
    expect([found.statusCode, recorded.statusCode, failed.statusCode, quiet.statusCode]).toEqual([200, 201, 500, 200]);

    const requestLine = (url: string) => lines.find((line) => (line['msg'] === 'request completed' || line['msg'] === 'request errored') && (line['req'] as { url: string }).url === url);
    const idOf = (line: Line | undefined) => (line?.['req'] as { id?: unknown } | undefined)?.id;
    const byMessage = (msg: string) => lines.find((line) => line['msg'] === msg);
    // The path as the request line has it: without its query, the identity number masked.
    const maskedPath = '/things/***********';
    const foundId = idOf(requestLine(maskedPath));
    expect(typeof foundId).toBe('string');
    expect(byMessage('looked up')).toMatchObject({ context: 'Things', req: { id: foundId, method: 'GET', url: maskedPath } });
    expect(idOf(byMessage('looked up through PinoLogger'))).toBe(foundId);
    expect(idOf(byMessage('recorded'))).toBe(idOf(requestLine('/things')));
    expect(byMessage('recorded')).toMatchObject({ context: 'RecordHandler', reference: 'r-1' });
    expect(idOf(byMessage('request failed'))).toBe(idOf(requestLine('/things/boom/now')));
    // Written by the problem filter itself too, for a process whose lines are not bound (the worker).
    expect(byMessage('request failed')?.['reqId']).toBe(idOf(requestLine('/things/boom/now')));
    // Four requests, four ids.
    expect(new Set([foundId, idOf(requestLine('/things')), idOf(requestLine('/things/boom/now')), idOf(requestLine('/things/quiet/now'))]).size).toBe(4);

    const outside = byMessage('between requests');
    expect(outside).toMatchObject({ context: 'Outside', service: 'api' });
    expect(outside).not.toHaveProperty('req');
    expect(JSON.stringify(lines)).not.toContain(IDENTITY_NUMBER);
    expect(JSON.stringify(lines)).not.toContain('secret');
  });
});
