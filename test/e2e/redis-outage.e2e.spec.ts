import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { syntheticNationalIds } from '@evp/shared-kernel';
import { TestSystem, waitFor } from './support/system';

const N = 800;
const OUTAGE_MS = 30_000;

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
    server.on('error', fail);
  });
}

/** A Redis of the test's own, so stopping it stops nobody else's. Nothing on disk, like the machine's. */
class PrivateRedis {
  private process: ChildProcess | undefined;
  constructor(readonly port: number) {}

  async start(): Promise<void> {
    this.process = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
    await waitFor(async () => {
      const { Redis } = await import('ioredis');
      const probe = new Redis(`redis://127.0.0.1:${this.port}`, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      try {
        await probe.connect();
        return (await probe.ping()) === 'PONG' || undefined;
      } finally {
        probe.disconnect();
      }
    }, 'the private redis-server');
  }

  async stop(): Promise<void> {
    const p = this.process;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  }
}

/**
 * A 30-second Redis outage during an import (ARCHITECTURE.md, invariants 3 and 11): health turns red
 * while it lasts, no event is parked for it, and when Redis is back everything catches up — the
 * deadlines BullMQ lost included — without restarting anything.
 */
describe('Redis outage during an import (e2e)', () => {
  let redis: PrivateRedis;
  let system: TestSystem;
  let accounting: string;

  beforeAll(async () => {
    redis = new PrivateRedis(await freePort());
    await redis.start();
    system = new TestSystem({ REDIS_URL: `redis://127.0.0.1:${redis.port}` });
    system.setClock('2026-11-09T09:00:00+01:00');
    await system.start();
    accounting = await system.token('accounting');
    const ids = syntheticNationalIds(N, 11);
    const tenancies = ['kommunenr;leieforhold;adresse;husleie;utleier;navkontor;fodselsnummer;navn', ...ids.map((fnr, i) => `5035;${300000 + i};Gate ${i};9 282,00;kommunal;nav-stjordal;${fnr};Leietaker ${i}`)].join('\n');
    expect((await system.request('POST', '/api/v1/ledger/tenancies/imports', { token: accounting, body: tenancies })).status).toBe(200);
    await system.caughtUp();
  }, 120_000);

  afterAll(async () => {
    await system.stop();
    await redis.stop();
  });

  it('health is red during the outage, nothing is parked, and everything catches up afterwards', async () => {
    const workerHealth = async () => (await fetch(`http://127.0.0.1:${system.workerPort}/health`)).status;
    await redis.stop();
    const outageEnds = Date.now() + OUTAGE_MS;
    const postings = ['kommunenr;leieforhold;bilagsnr;type;dato;forfall;periode;belop', ...Array.from({ length: N }, (_, i) => `5035;${300000 + i};F-${i};faktura;2026-10-15;2026-11-02;2026-11;9 282,00`)].join('\n');
    // The api appends to the event store, which does not need Redis.
    expect((await system.request('POST', '/api/v1/ledger/imports', { token: accounting, body: postings })).status).toBe(200);
    await waitFor(async () => (await workerHealth()) === 503 || undefined, 'the worker to report the outage');
    expect((await fetch(`http://127.0.0.1:${system.apiPort}/health`)).status).toBe(503);
    await new Promise((r) => setTimeout(r, Math.max(0, outageEnds - Date.now())));
    await redis.start();

    await waitFor(async () => (await workerHealth()) === 200 || undefined, 'the worker to be healthy again', 60_000);
    await system.caughtUp(120_000);
    const subscriptions = await system.worker_<Array<{ name: string; state: string; parked: unknown[] }>>('GET', '/operator/subscriptions');
    expect(subscriptions.body.every((s) => s.state === 'running' && s.parked.length === 0)).toBe(true);
    // Every case opened, and every first-contact deadline is a BullMQ job again (Redis came back empty).
    const cases = await system.request<{ total: number }>('GET', '/api/v1/cases?status=open&limit=1', { token: await system.token('arrears-team') });
    expect(cases.body.total).toBe(N);
    await waitFor(async () => {
      const { body } = await system.worker_<{ bullmq: { delayed: number } }>('GET', '/operator/deadlines?limit=1');
      return body.bullmq.delayed === N || undefined;
    }, 'the sweeper to restore every deadline in BullMQ');
  }, 240_000);
});
