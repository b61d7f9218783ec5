import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { actorIdKey, deriveActorId, mintDevToken, type Role } from '@evp/auth';
import { FileOffsetClock, personIdKey, type AppConfig } from '@evp/runtime';

const root = resolve(__dirname, '../../..');
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

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

export async function waitFor<T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The development person-id key the processes use under NODE_ENV=test when PERSON_ID_KEY is not set. */
const DEV_PERSON_ID_KEY = process.env['PERSON_ID_KEY'] ?? personIdKey({ NODE_ENV: 'test' } as AppConfig);

interface TokenOptions {
  municipalities?: string[];
  navOffice?: string;
  landlordId?: string;
  sub?: string;
}

export interface Response<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/**
 * The real system for one test file: the api and the worker as separate processes on a fresh
 * SQLite file, the real Redis under a key prefix of its own, and a business clock the test drives
 * through a file both processes read (refused outside NODE_ENV=test).
 */
export class TestSystem {
  readonly dir = mkdtempSync(join(tmpdir(), 'evp-e2e-'));
  readonly prefix = `e2e-${randomUUID().slice(0, 8)}`;
  readonly clockFile = join(this.dir, 'clock.json');
  readonly redis = new Redis(REDIS_URL);
  apiPort = 0;
  /** The worker's port; with `workers: 2`, the projections process's. */
  workerPort = 0;
  /** With `workers: 2`: the workflows process's port (0 otherwise). */
  workflowsPort = 0;
  private api: ChildProcess | undefined;
  private workers: Array<{ readonly label: string; readonly child: ChildProcess }> = [];
  readonly logs: string[] = [];

  /**
   * `options.clock`: `file` (the default) gives both processes the business clock `setClock`
   * drives; `system` gives them the real clock, as in production (a benchmark that measures what
   * production pays per request, with its data dated relative to today).
   * `options.workers`: 1 (the default) runs one worker process with everything; 2 splits it by
   * WORKER_ROLE into a projections and a workflows process, both listed in the api's WORKER_URL.
   */
  constructor(
    private readonly extraEnv: Record<string, string> = {},
    private readonly options: { readonly clock?: 'file' | 'system'; readonly workers?: 1 | 2 } = {},
  ) {}

  get split(): boolean {
    return this.options.workers === 2;
  }

  /** The ports of the worker's processes: one, or the projections and the workflows process. */
  workerPorts(): number[] {
    return this.split ? [this.workerPort, this.workflowsPort] : [this.workerPort];
  }

  env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      NODE_ENV: 'test',
      SWC_NODE_PROJECT: join(root, 'tsconfig.runtime.json'),
      SQLITE_FILE: join(this.dir, 'events.sqlite'),
      READ_MODEL_SQLITE_FILE: join(this.dir, 'read-models.sqlite'),
      PERSON_KEYS_SQLITE_FILE: join(this.dir, 'person-keys.sqlite'),
      REDIS_URL,
      REDIS_PREFIX: this.prefix,
      API_PORT: String(this.apiPort),
      WORKER_PORT: String(this.workerPort),
      // Set either way, so a WORKER_ROLE or WORKER_URL exported in the caller's shell cannot leak in.
      WORKER_ROLE: 'all',
      WORKER_URL: this.workerPorts().map((port) => `http://127.0.0.1:${port}`).join(','),
      ...(this.options.clock === 'system' ? {} : { TEST_CLOCK_FILE: this.clockFile }),
      TIMER_SWEEP_INTERVAL_MS: '300',
      TIMER_LOCK_MS: '3000',
      LOG_LEVEL: 'info',
      ...this.extraEnv,
    };
  }

  async start(): Promise<void> {
    await this.allocatePorts();
    await Promise.all([this.startApi(), this.startWorker()]);
  }

  /** Free ports for the api and the worker's processes, before they start (`start` does it). */
  async allocatePorts(): Promise<void> {
    this.apiPort = await freePort();
    this.workerPort = await freePort();
    if (this.split) this.workflowsPort = await freePort();
  }

  setClock(instant: string | Date): void {
    if (this.options.clock === 'system') throw new Error('This TestSystem runs on the real clock: setClock has nothing to move');
    FileOffsetClock.setNow(this.clockFile, new Date(instant));
  }

  private launch(name: 'api' | 'worker', env: Record<string, string> = {}, label: string = name): ChildProcess {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', join(root, `apps/${name}/src/main.ts`)], { cwd: root, env: { ...this.env(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) this.logs.push(`[${label}] ${line}`);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    return child;
  }

  async startApi(): Promise<void> {
    this.api = this.launch('api');
    await waitFor(async () => (await fetch(`http://127.0.0.1:${this.apiPort}/health`)).status === 200, 'api health');
  }

  /** The worker's process, or both of its processes with `workers: 2`. */
  async startWorker(): Promise<void> {
    const processes: Array<{ port: number; env: Record<string, string>; label: string }> = this.split
      ? [
          { port: this.workerPort, env: { WORKER_ROLE: 'projections' }, label: 'worker:projections' },
          { port: this.workflowsPort, env: { WORKER_ROLE: 'workflows', WORKER_PORT: String(this.workflowsPort) }, label: 'worker:workflows' },
        ]
      : [{ port: this.workerPort, env: {}, label: 'worker' }];
    this.workers = processes.map((p) => ({ label: p.label, child: this.launch('worker', p.env, p.label) }));
    await Promise.all(processes.map((p) => waitFor(async () => (await fetch(`http://127.0.0.1:${p.port}/health`)).status === 200, `${p.label} health`)));
  }

  /** Every process of the system with the label its log lines carry (api first), for a benchmark's /proc figures. */
  processes(): ReadonlyArray<{ readonly label: string; readonly child: ChildProcess }> {
    return [...(this.api ? [{ label: 'api', child: this.api }] : []), ...this.workers];
  }

  /** SIGKILL of every worker process: no shutdown hooks, no final checkpoint — a crash. */
  async killWorker(): Promise<void> {
    await Promise.all(
      this.workers.map(async ({ child: worker }) => {
        if (worker.exitCode !== null || worker.signalCode !== null) return;
        const exited = new Promise((r) => worker.once('exit', r));
        worker.kill('SIGKILL');
        await exited;
      }),
    );
  }

  async stop(): Promise<void> {
    for (const child of [this.api, ...this.workers.map((w) => w.child)]) {
      if (child && child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000).unref())]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    }
    await this.flushRedis();
    this.redis.disconnect();
    // TEST_KEEP_DIR=1 keeps the files (event store, read models, logs' clock) for a look afterwards.
    if (process.env['TEST_KEEP_DIR'] === '1') console.error(`TestSystem kept ${this.dir}`);
    else rmSync(this.dir, { recursive: true, force: true });
  }

  async flushRedis(): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await this.redis.unlink(...keys);
    } while (cursor !== '0');
  }

  private readonly tokens = new Map<string, TokenOptions & { role: Role }>();

  /**
   * A development token for `role`. Tokens are short-lived by the business clock the test drives,
   * so `request` mints a fresh one with the same claims each time it is given one of these.
   */
  async token(role: Role, options: TokenOptions = {}): Promise<string> {
    const token = await this.mint(role, options);
    this.tokens.set(token, { ...options, role });
    return token;
  }

  private mint(role: Role, options: TokenOptions): Promise<string> {
    return mintDevToken({
      issuer: 'evp-dev',
      audience: 'evp-api',
      sub: options.sub ?? `e2e-${role}`,
      roles: [role],
      municipalities: options.municipalities ?? ['5035'],
      ...(options.navOffice ? { navOffice: options.navOffice } : {}),
      ...(options.landlordId ? { landlordId: options.landlordId } : {}),
      now: FileOffsetClock.readNow(this.clockFile),
      lifetimeSeconds: 600,
    });
  }

  /** The opaque actor id the processes derive for a `sub` (with the test's development person-id key). */
  actorId(sub: string): string {
    return deriveActorId(actorIdKey(DEV_PERSON_ID_KEY), 'evp-dev', sub);
  }

  /** Every row of every table of the projection's active generation, in key order: to compare with a rebuild. */
  dumpProjection(projection: string): Record<string, unknown[]> {
    const db = new Database(join(this.dir, 'read-models.sqlite'), { readonly: true });
    try {
      const active = db.prepare(`SELECT tables FROM rm_generations WHERE projection = ? AND status = 'active'`).get(projection) as { tables: string } | undefined;
      if (!active) return {};
      const tables = JSON.parse(active.tables) as Record<string, string>;
      // Ordered by every column: the same rows in any physical order dump the same.
      const dump = (physical: string) => {
        const columns = (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(physical) as Array<{ name: string }>).map((_, i) => i + 1);
        return db.prepare(`SELECT * FROM "${physical}" ORDER BY ${columns.join(', ')}`).all();
      };
      return Object.fromEntries(Object.entries(tables).map(([logical, physical]) => [logical, dump(physical)]));
    } finally {
      db.close();
    }
  }

  async request<T = unknown>(method: string, path: string, options: { token?: string; json?: unknown; body?: Buffer | string; form?: FormData; contentType?: string; headers?: Record<string, string> } = {}, port = this.apiPort): Promise<Response<T>> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.token) {
      const known = this.tokens.get(options.token);
      headers['authorization'] = `Bearer ${known ? await this.mint(known.role, known) : options.token}`;
    }
    let body: string | Buffer | FormData | undefined;
    if (options.form) {
      body = options.form;
    } else if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.body !== undefined) {
      headers['content-type'] = options.contentType ?? 'text/csv';
      body = options.body;
    }
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers, ...(body !== undefined ? { body: body as unknown as string } : {}) });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  }

  /**
   * The worker's operator endpoints (`/operator/...`), as an admin of the test's municipality. With
   * `workers: 2` through the api's operator proxy, which gathers both processes.
   */
  async worker_<T = unknown>(method: string, path: string): Promise<Response<T>> {
    const token = await this.mint('admin', {});
    if (this.split) return this.request<T>(method, `/api/v1${path}`, { token }, this.apiPort);
    return this.request<T>(method, path, { token }, this.workerPort);
  }

  /** Resolves when every subscription has handled everything in the log, twice in a row (sagas append more). */
  async caughtUp(timeoutMs = 60_000): Promise<void> {
    let streak = 0;
    await waitFor(async () => {
      const { body } = await this.worker_<{ caughtUp: boolean }>('GET', '/operator/lag');
      streak = body.caughtUp ? streak + 1 : 0;
      return streak >= 3 ? true : undefined;
    }, 'subscriptions to catch up', timeoutMs);
  }
}
