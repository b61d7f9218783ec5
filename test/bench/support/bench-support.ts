/**
 * What the benchmarks share: percentiles, the synthetic municipality they load, a precise
 * «every subscription caught up» clock, and hooks to profile the api or worker process.
 *
 * The benchmarks print figures and assert nothing; the helpers here throw only when the
 * benchmark itself cannot go on (the system refused its input), never on a missed goal.
 */
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { syntheticNationalIds } from '@evp/shared-kernel';
import type { TestSystem } from '../../e2e/support/system';

export const MUNICIPALITY = '5035';
/** Tenancy numbers start here, so they are six digits like the ERP's. */
export const FIRST_TENANCY_ID = 300_000;
/** Rent in øre: 9 282,00 kr, as in the seed data. Every benchmark uses one rent so amounts compare. */
export const MONTHLY_RENT_ORE = 928_200;
const NAV_OFFICES = ['nav-stjordal', 'nav-meraker', 'nav-frosta'] as const;

export const envNumber = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got ${raw}`);
  return value;
};

export const tenancyIdOf = (i: number): string => String(FIRST_TENANCY_ID + i);
export const navOfficeOf = (i: number): string => NAV_OFFICES[i % NAV_OFFICES.length] as string;

/**
 * The tenancy import file (`kommunenr;leieforhold;adresse;husleie;utleier;navkontor;fodselsnummer;navn`)
 * for tenancies `from .. from+count-1`, one tenant each, with synthetic identity numbers only.
 */
export function tenanciesCsv(count: number, from = 0, seed = 11): string {
  const ids = syntheticNationalIds(from + count, seed).slice(from);
  const lines = ids.map((fnr, k) => {
    const i = from + k;
    return `${MUNICIPALITY};${tenancyIdOf(i)};Gate ${i};9 282,00;kommunal;${navOfficeOf(i)};${fnr};Leietaker ${i}`;
  });
  return ['kommunenr;leieforhold;adresse;husleie;utleier;navkontor;fodselsnummer;navn', ...lines].join('\n');
}

export interface Percentiles {
  readonly n: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** Nearest-rank percentiles (no interpolation): with 200 samples p99 is the second largest. */
export function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
  const mean = sorted.reduce((s, v) => s + v, 0) / Math.max(1, sorted.length);
  return { n: sorted.length, p50: at(50), p95: at(95), p99: at(99), max: sorted[sorted.length - 1] ?? NaN, mean };
}

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
export const ms1 = (ms: number): string => ms.toFixed(1);

/** Posts a CSV file to the api and returns its JSON body; a refusal stops the benchmark (its data would be wrong). */
export async function postCsv<T>(system: TestSystem, path: string, token: string, csv: string): Promise<T> {
  const response = await system.request<T>('POST', path, { token, body: csv });
  if (response.status !== 200) throw new Error(`POST ${path} answered ${response.status}: ${JSON.stringify(response.body).slice(0, 400)}`);
  return response.body;
}

export interface CatchUp {
  /** Milliseconds from `startedAt` until every subscription was caught up (start of the final streak of «caught up» answers). */
  readonly allMs: number;
  /** Per subscription: milliseconds from `startedAt` until it was last seen to become caught up. */
  readonly perSubscription: ReadonlyMap<string, number>;
}

interface LagBody {
  caughtUp: boolean;
  subscriptions: Array<{ name: string; caughtUp: boolean; parked: number; lastError: string | null }>;
}

/**
 * Polls the worker's `/operator/lag` every `pollMs` until it says caught up `streak` times in a
 * row, and times when that began. `TestSystem.caughtUp` polls every 100 ms and needs three
 * answers, which would add ~0.3 s to a figure measured in seconds; here the reported time is when
 * the FIRST answer of the final streak arrived (the later ones only confirm that no workflow
 * appended more).
 * Lag is read from each subscription's durable checkpoint, so «caught up» means committed.
 */
export async function waitAllCaughtUp(system: TestSystem, startedAt: number, options: { pollMs?: number; timeoutMs?: number; streak?: number } = {}): Promise<CatchUp> {
  const pollMs = options.pollMs ?? 50;
  const deadline = performance.now() + (options.timeoutMs ?? 30 * 60_000);
  const streakNeeded = options.streak ?? 3;
  const perSubscription = new Map<string, number>();
  let streak = 0;
  let streakStart = 0;
  let resets = 0;
  for (;;) {
    let answer: { status: number; body: LagBody };
    try {
      answer = await system.worker_<LagBody>('GET', '/operator/lag');
    } catch (error) {
      // A worker whose event loop was blocked for longer than its keep-alive timeout closes the
      // idle connection as it wakes, just as the next request goes out on it: ECONNRESET. Ask again.
      if (performance.now() > deadline || ++resets > 100) throw error;
      continue;
    }
    const { status, body } = answer;
    // When the answer arrived, not when it was asked: a busy worker answers only between batches,
    // so an answer asked for at t may describe the log as it stood seconds later.
    const asked = performance.now();
    if (status !== 200) throw new Error(`GET /operator/lag answered ${status}: ${JSON.stringify(body).slice(0, 300)}`);
    for (const s of body.subscriptions) {
      if (!s.caughtUp) perSubscription.delete(s.name);
      else if (!perSubscription.has(s.name)) perSubscription.set(s.name, asked - startedAt);
    }
    if (body.caughtUp) {
      if (streak === 0) streakStart = asked;
      streak += 1;
      if (streak >= streakNeeded) return { allMs: streakStart - startedAt, perSubscription };
    } else {
      streak = 0;
    }
    if (performance.now() > deadline) throw new Error(`subscriptions not caught up after ${seconds(performance.now() - startedAt)}: ${JSON.stringify(body.subscriptions)}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** Subscriptions with parked events: a benchmark whose events were parked measured something else. */
export async function parkedEvents(system: TestSystem): Promise<string[]> {
  const { body } = await system.worker_<LagBody>('GET', '/operator/lag');
  return body.subscriptions.filter((s) => s.parked > 0).map((s) => `${s.name}: ${s.parked} parked${s.lastError ? ` (${s.lastError})` : ''}`);
}

/**
 * CPU profiles of the real processes. With `BENCH_CPU_PROFILE_DIR` set, the benchmark starts the
 * api and worker with `support/cpu-profile-hook.ts` preloaded (through NODE_OPTIONS, so the
 * processes are otherwise launched exactly as TestSystem launches them); `profileWindow` then
 * profiles only the measured window, not start-up or data loading. Without the variable nothing
 * changes and `profileWindow` just runs its function.
 */
export const PROFILE_DIR = process.env['BENCH_CPU_PROFILE_DIR'] ? resolve(process.env['BENCH_CPU_PROFILE_DIR']) : undefined;

export function profilingEnv(): Record<string, string> {
  if (!PROFILE_DIR) return {};
  mkdirSync(PROFILE_DIR, { recursive: true });
  // An earlier run's pid files would name processes long gone (or someone else's by now).
  for (const file of readdirSync(PROFILE_DIR)) if (file.endsWith('.pid')) rmSync(join(PROFILE_DIR, file));
  const hook = join(__dirname, 'cpu-profile-hook.ts');
  const existing = process.env['NODE_OPTIONS'] ?? '';
  // @swc-node/register first so the hook (TypeScript) can load; the app's own `-r` finds it cached.
  return { NODE_OPTIONS: `${existing} -r @swc-node/register -r ${hook}`.trim(), BENCH_CPU_PROFILE_DIR: PROFILE_DIR };
}

/** The pids the profiling hook wrote for `role`: `worker.pid`, or one per process of a split worker (`worker-projections.pid`). */
function profiledPids(role: 'api' | 'worker'): number[] {
  if (!PROFILE_DIR) return [];
  const dir = PROFILE_DIR;
  return readdirSync(dir)
    .filter((file) => file === `${role}.pid` || (file.startsWith(`${role}-`) && file.endsWith('.pid')))
    .map((file) => Number(readFileSync(join(dir, file), 'utf8')));
}

/** Runs `fn` with the named processes' CPU profilers on (SIGWINCH starts, SIGWINCH again writes `<process>-<label>.cpuprofile`). */
export async function profileWindow<T>(label: string, roles: ReadonlyArray<'api' | 'worker'>, fn: () => Promise<T>): Promise<T> {
  const pids = roles.flatMap(profiledPids);
  if (pids.length === 0) return fn();
  const labelFile = join(PROFILE_DIR as string, 'label');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(labelFile, label);
  for (const pid of pids) process.kill(pid, 'SIGWINCH');
  try {
    return await fn();
  } finally {
    for (const pid of pids) process.kill(pid, 'SIGWINCH');
    // The profile is written asynchronously by the profiled process.
    await new Promise((r) => setTimeout(r, 1500));
  }
}

/**
 * Reports on stderr when the api or a worker process exits while the benchmark runs (a crash, the
 * OOM killer): otherwise the benchmark only sees a refused connection and the figures after it
 * would measure nothing.
 */
export function reportUnexpectedExits(system: TestSystem): { stopping(): void } {
  let stopping = false;
  for (const { label, child } of system.processes()) {
    child.once('exit', (code, signal) => {
      if (!stopping) console.error(`\n!! the ${label} process exited during the benchmark (code ${code}, signal ${signal}); its last lines:\n${system.logs.filter((l) => l.startsWith(`[${label}]`)).slice(-30).join('\n')}`);
    });
  }
  return { stopping: () => (stopping = true) };
}

/** A figure per process of the system, by its label (`api`, `worker`, or `worker:projections` and `worker:workflows`). */
export type PerProcess = Record<string, number | undefined>;

function perProcess(system: TestSystem, read: (pid: number) => number | undefined): PerProcess {
  const figures: PerProcess = {};
  for (const { label, child } of system.processes()) {
    try {
      figures[label] = child.pid === undefined ? undefined : read(child.pid);
    } catch {
      figures[label] = undefined;
    }
  }
  return figures;
}

/** Peak resident set size of each process so far (VmHWM from /proc), in MB. */
export function peakRssMb(system: TestSystem): PerProcess {
  return perProcess(system, (pid) => {
    const kib = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib === undefined ? undefined : Math.round(Number(kib) / 1024);
  });
}

/** CPU time (user + system, ms) each process has used so far, from /proc (Linux; undefined elsewhere). */
export function processCpuMs(system: TestSystem): PerProcess {
  return perProcess(system, (pid) => {
    // Fields after the command name (which may hold spaces, hence from the last ')'): utime and stime are the 12th and 13th, in clock ticks of 10 ms.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  });
}

/** `api 9.4 s, worker 16.4 s`: each process's CPU time between two readings. */
export function cpuBetween(before: PerProcess, after: PerProcess): string {
  return Object.keys(after)
    .map((label) => {
      const [b, a] = [before[label], after[label]];
      return `${label} ${b === undefined || a === undefined ? 'n/a' : seconds(a - b)}`;
    })
    .join(', ');
}

/**
 * `TestSystem.start()` for a worker that has a long log to catch up on: TestSystem gives the
 * worker 60 s to answer `/health`, but a worker catching up on a large log may not answer any
 * HTTP request for longer than that (see the report of `bench:rebuild`). The processes are
 * launched exactly as `start()` launches them; a worker that misses TestSystem's 60 s keeps
 * running, and this waits up to `timeoutMs` for it to answer `/health/live`. Resolves with when
 * (ms after launch) the worker first answered.
 */
export async function startWithPatientWorker(system: TestSystem, timeoutMs: number): Promise<{ workerAnsweredMs: number }> {
  const launched = performance.now();
  await system.allocatePorts();
  await Promise.all([system.startApi(), system.startWorker().catch(() => undefined)]);
  const deadline = launched + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(`http://127.0.0.1:${system.workerPort}/health/live`);
      await response.arrayBuffer();
      if (response.status === 200) return { workerAnsweredMs: performance.now() - launched };
    } catch {
      // not listening yet, or not answering
    }
    if (performance.now() > deadline) throw new Error(`the worker did not answer /health/live within ${seconds(timeoutMs)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Asks `GET /health/live` every 100 ms (one at a time) until stopped; returns the longest answer.
 * The worker also answers `/operator/lag` and `/health` on its event loop: a long wait here is time
 * in which the process answered nothing, whatever it was doing.
 */
export function probeLiveness(port: number): { stop(): Promise<number> } {
  let stopped = false;
  let longest = 0;
  const loop = (async () => {
    while (!stopped) {
      const t = performance.now();
      try {
        await (await fetch(`http://127.0.0.1:${port}/health/live`)).arrayBuffer();
      } catch {
        // a refused probe counts as the time it took
      }
      longest = Math.max(longest, performance.now() - t);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      return longest;
    },
  };
}

/** The stream prefixes each subscription reads (as the projections and the workflow declare them). */
export const SUBSCRIPTION_FILTERS: ReadonlyArray<[RegExp, readonly string[]]> = [
  [/^ledger-accounts@/, ['tenancy-']],
  [/^cases@/, ['case-', 'tenancy-']],
  [/^workflow-cases-arrears$/, ['case-', 'tenancy-']],
];

/**
 * Watches the subscriptions' durable checkpoints straight from the files (read-only connections,
 * which WAL lets read beside the writers), so catch-up is timed even while the worker answers no
 * HTTP request: a subscription is caught up when no event of its streams lies after its
 * checkpoint. Polls every `pollMs`; `stop()` returns, per checkpoint, when it was last seen to
 * become caught up (ms after `startedAt`), and `undefined` for one it never was.
 */
export function watchCheckpoints(dir: string, startedAt: number, pollMs = 250): { stop(): Map<string, number | undefined> } {
  const caughtUpAt = new Map<string, number | undefined>();
  let events: Database.Database | undefined;
  let readModels: Database.Database | undefined;
  // A worker split by WORKER_ROLE keeps the workflows' checkpoints in a file of its own.
  let workflows: Database.Database | undefined;
  const statements = new Map<string, Database.Statement>();
  const next = (prefixes: readonly string[]) => {
    const key = prefixes.join('|');
    let statement = statements.get(key);
    if (!statement && events) {
      const where = prefixes.map(() => '(stream_name >= ? AND stream_name < ?)').join(' OR ');
      statement = events.prepare(`SELECT position FROM events WHERE position > ? AND (${where}) ORDER BY position LIMIT 1`);
      statements.set(key, statement);
    }
    return statement;
  };
  const look = () => {
    try {
      events ??= new Database(join(dir, 'events.sqlite'), { readonly: true, fileMustExist: true });
      readModels ??= new Database(join(dir, 'read-models.sqlite'), { readonly: true, fileMustExist: true });
      if (!workflows && existsSync(join(dir, 'workflows.sqlite'))) workflows = new Database(join(dir, 'workflows.sqlite'), { readonly: true, fileMustExist: true });
      const checkpointsOf = (db: Database.Database | undefined) => {
        try {
          return (db?.prepare('SELECT name, position FROM rm_checkpoints').all() ?? []) as Array<{ name: string; position: string | null }>;
        } catch {
          return []; // its tables do not exist yet
        }
      };
      const rows = [...checkpointsOf(readModels), ...checkpointsOf(workflows)];
      const now = performance.now() - startedAt;
      for (const { name, position } of rows) {
        const prefixes = SUBSCRIPTION_FILTERS.find(([pattern]) => pattern.test(name))?.[1];
        const statement = prefixes ? next(prefixes) : undefined;
        if (!prefixes || !statement) continue;
        const behind = statement.get(Number(position ?? 0), ...prefixes.flatMap((p) => [p, `${p}\x7f`])) !== undefined;
        if (behind) caughtUpAt.set(name, undefined);
        else if (caughtUpAt.get(name) === undefined) caughtUpAt.set(name, now);
      }
    } catch {
      // the files or tables do not exist yet: look again later
    }
  };
  const timer = setInterval(look, pollMs);
  look();
  return {
    stop: () => {
      clearInterval(timer);
      look();
      events?.close();
      readModels?.close();
      workflows?.close();
      return caughtUpAt;
    },
  };
}

/**
 * Runs an HTTP call again when the connection was reset: a process whose event loop was blocked
 * for longer than its keep-alive timeout closes idle connections as it wakes, just as the next
 * request goes out on one (ECONNRESET). Only for idempotent calls.
 */
export async function retryOnReset<T>(call: () => Promise<T>, attempts = 20): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const code = (error as { cause?: { code?: string } }).cause?.code;
      if (attempt >= attempts || (code !== 'ECONNRESET' && code !== 'UND_ERR_SOCKET')) throw error;
    }
  }
}
