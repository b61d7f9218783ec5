/**
 * `npm run bench:read`: the api's lists and case page under load, beside the same process's
 * `GET /health/live` as the baseline, in one run.
 *
 * Data, loaded through the real commands of the real api and worker processes (SQLite event store
 * and read models, local Redis): 50 000 tenancies registered from a tenancy file; then a postings
 * file charges one month's rent, due two months before today, to every tenancy and records a
 * payment from all but every fifth, so the arrears workflow opens 10 000 cases.
 *
 * The processes run on the real clock, as in production, with the data dated relative to today.
 * The e2e tests' business clock (a file both processes read) would cost every request a read of
 * that file, which production never pays (it was a tenth of a cheap request's CPU here). The benchmark waits until every subscription is caught up, then loads each endpoint with
 * autocannon (32 connections, a 2 s warm-up, then 8 s measured) and prints requests/s, p50 and
 * p99 latency, and each endpoint's rate as a ratio of `/health/live`.
 *
 * autocannon runs as a library in this process, not as a separate one: this process does nothing
 * else while it measures (the api and the worker are processes of their own), so a separate
 * process would cost the same CPU on this 2-core machine, while the library returns the figures
 * as numbers (no output parsing) and lets `GET /api/v1/cases/{id}` rotate through real case ids
 * in one script. `/health/live` is measured first and again last: the spread between the two is
 * the noise of the machine during the run.
 *
 *   npm run bench:read
 *   BENCH_TENANCIES=5000 BENCH_ACTIVE_CASES=1000 BENCH_DURATION_S=3 npm run bench:read   # quick
 *   BENCH_CPU_PROFILE_DIR=tmp/prof npm run bench:read   # also CPU profiles of the api per endpoint
 *   BENCH_CPU_TIME=1 npm run bench:read   # also the api process's CPU time per request, and its ratio to /health/live's
 *
 * On a machine busy with other work, requests/s says more about the neighbours than about the api;
 * the api's CPU time per request (user + system, from /proc) hardly moves with them, and
 * `live CPU ms / endpoint CPU ms` is the rate the endpoint would reach, as a share of /health/live's,
 * with the api alone on a core.
 *
 * A benchmark, not a test: it prints figures and asserts nothing.
 */
import autocannon from 'autocannon';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { TestSystem } from '../e2e/support/system';
import { probeLiveness, reportUnexpectedExits, MUNICIPALITY, envNumber, ms1, parkedEvents, postCsv, profileWindow, profilingEnv, seconds, tenanciesCsv, tenancyIdOf, waitAllCaughtUp } from './support/bench-support';

const TENANCIES = envNumber('BENCH_TENANCIES', 50_000);
const ACTIVE_CASES = envNumber('BENCH_ACTIVE_CASES', 10_000);
const CONNECTIONS = envNumber('BENCH_CONNECTIONS', 32);
const DURATION_S = envNumber('BENCH_DURATION_S', 8);
const WARMUP_S = envNumber('BENCH_WARMUP_S', 2);
/** Linux only: the api's CPU time per measured request (see above). */
const CPU_TIME = process.env['BENCH_CPU_TIME'] === '1';
/** The clock ticks /proc/<pid>/stat counts in (USER_HZ, 100 on Linux). */
const CLOCK_TICK_MS = 10;

/** User + system CPU time of a process so far, in ms; undefined where /proc is not there. */
function cpuMs(pid: number | undefined): number | undefined {
  if (!CPU_TIME || pid === undefined) return undefined;
  try {
    // The fields after the command (which may hold spaces) start at state; utime and stime are the 12th and 13th of those.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS;
  } catch {
    return undefined;
  }
}

/** How many distinct case ids `GET /api/v1/cases/{id}` rotates through. */
const CASE_IDS = envNumber('BENCH_CASE_IDS', 2_000);

/** Every `stride`-th tenancy pays nothing: ACTIVE_CASES of TENANCIES. */
const stride = Math.max(1, Math.round(TENANCIES / Math.max(1, ACTIVE_CASES)));
const unpaid = (i: number) => i % stride === 0;

/**
 * The month whose rent is charged: the one two months before today's, so its due date (the 1st)
 * lies 31 to 62 days back, past any grace period. A benchmark's own dates, from the real clock.
 */
function chargedMonth(): { period: string; invoiced: string; due: string; paid: string } {
  const now = new Date();
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 2, 1));
  const y = first.getUTCFullYear();
  const m = String(first.getUTCMonth() + 1).padStart(2, '0');
  const before = new Date(Date.UTC(y, first.getUTCMonth() - 1, 15));
  const invoiced = `15.${String(before.getUTCMonth() + 1).padStart(2, '0')}.${before.getUTCFullYear()}`;
  return { period: `${y}-${m}`, invoiced, due: `01.${m}.${y}`, paid: `01.${m}.${y}` };
}

function postingsCsv(): string {
  const { period, invoiced, due, paid } = chargedMonth();
  const lines = ['kommunenr;leieforhold;bilagsnr;type;dato;forfall;periode;belop'];
  for (let i = 0; i < TENANCIES; i++) lines.push(`${MUNICIPALITY};${tenancyIdOf(i)};F-${period}-${i};faktura;${invoiced};${due};${period};9 282,00`);
  for (let i = 0; i < TENANCIES; i++) if (!unpaid(i)) lines.push(`${MUNICIPALITY};${tenancyIdOf(i)};I-${period}-${i};innbetaling;${paid};;;9 282,00`);
  return lines.join('\n');
}

interface Measured {
  readonly label: string;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
  /** The api's CPU time per request in the measured window (BENCH_CPU_TIME=1). */
  readonly cpuMsPerRequest: number | undefined;
}

async function main(): Promise<void> {
  const system = new TestSystem({
    LOG_LEVEL: 'warn',
    // The sweep re-derives deadlines and rolls accounts: not what this measures, so not every 300 ms (the e2e value) but the default.
    TIMER_SWEEP_INTERVAL_MS: '60000',
    MAX_IMPORT_BYTES: String(64 * 1024 * 1024),
    ...profilingEnv(),
  }, { clock: 'system' });
  let exits: ReturnType<typeof reportUnexpectedExits> | undefined;
  try {
    await system.start();
    exits = reportUnexpectedExits(system);
    const accounting = await system.token('accounting');

    let t = performance.now();
    await postCsv(system, '/api/v1/ledger/tenancies/imports', accounting, tenanciesCsv(TENANCIES));
    await waitAllCaughtUp(system, t);
    const registrationMs = performance.now() - t;

    // The month's rent fell due a month or two ago: the grace period is long over, so every
    // tenancy that did not pay has a month's rent in arrears and the workflow opens its case.
    const liveness = probeLiveness(system.workerPort);
    t = performance.now();
    await postCsv(system, '/api/v1/ledger/imports', await system.token('accounting'), postingsCsv());
    const loaded = await waitAllCaughtUp(system, t);
    const workerSilentMs = await liveness.stop();
    const parked = await parkedEvents(system);

    const reader = await system.token('arrears-team');
    const active = await system.request<{ total: number }>('GET', '/api/v1/cases?status=active&limit=1', { token: reader });
    const arrearsPage = await system.request<{ items: unknown[] }>('GET', `/api/v1/ledger/arrears?municipality=${MUNICIPALITY}&sort=amount&limit=50`, { token: reader });

    // Real case ids for the case page: every active case through the list's keyset pages, then an
    // evenly spaced sample, so the reads spread over the whole table rather than its newest rows.
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: Array<{ caseId: string }>; nextCursor: string | null } } = await system.request('GET', `/api/v1/cases?status=active&limit=500${cursor ? `&cursor=${cursor}` : ''}`, { token: reader });
      if (page.status !== 200) throw new Error(`case list answered ${page.status}`);
      all.push(...page.body.items.map((c) => c.caseId));
      cursor = page.body.nextCursor;
    } while (cursor);
    if (all.length === 0) throw new Error('no active cases to read');
    const every = Math.max(1, Math.floor(all.length / CASE_IDS));
    const ids = all.filter((_, i) => i % every === 0).slice(0, CASE_IDS);

    const url = `http://127.0.0.1:${system.apiPort}`;
    // TestSystem keeps its processes to itself; the benchmark only reads the api's CPU counters.
    const apiPid = (system as unknown as { api?: ChildProcess }).api?.pid;
    const measure = async (label: string, request: autocannon.Request): Promise<Measured> => {
      // A token per run: tokens live 10 minutes of business time, and every request verifies one (not /health/live, which is public).
      const headers = { authorization: `Bearer ${await system.token('arrears-team')}` };
      const options = { url, connections: CONNECTIONS, headers, requests: [request] };
      await autocannon({ ...options, duration: WARMUP_S });
      const cpuBefore = cpuMs(apiPid);
      const r = await profileWindow(label.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, ''), ['api'], async () => await autocannon({ ...options, duration: DURATION_S }));
      const cpuAfter = cpuMs(apiPid);
      const cpuMsPerRequest = cpuBefore === undefined || cpuAfter === undefined || r.requests.total === 0 ? undefined : (cpuAfter - cpuBefore) / r.requests.total;
      return { label, rps: r.requests.total / r.duration, p50: r.latency.p50, p99: r.latency.p99, requests: r.requests.total, non2xx: r.non2xx, errors: r.errors + r.timeouts, cpuMsPerRequest };
    };
    let next = 0;
    const results: Measured[] = [];
    results.push(await measure('GET /health/live (first)', { method: 'GET', path: '/health/live' }));
    results.push(await measure('GET /api/v1/cases?status=active&limit=50', { method: 'GET', path: '/api/v1/cases?status=active&limit=50' }));
    results.push(await measure('GET /api/v1/ledger/arrears …sort=amount&limit=50', { method: 'GET', path: `/api/v1/ledger/arrears?municipality=${MUNICIPALITY}&sort=amount&limit=50` }));
    results.push(await measure('GET /api/v1/ledger/arrears …sort=age&limit=50', { method: 'GET', path: `/api/v1/ledger/arrears?municipality=${MUNICIPALITY}&sort=age&limit=50` }));
    results.push(
      await measure(`GET /api/v1/cases/{id} (${ids.length} ids rotating)`, {
        method: 'GET',
        setupRequest: (request) => ({ ...request, path: `/api/v1/cases/${ids[next++ % ids.length] as string}` }),
      }),
    );
    results.push(await measure('GET /health/live (last)', { method: 'GET', path: '/health/live' }));

    const first = results[0] as Measured;
    const last = results[results.length - 1] as Measured;
    const baseline = (first.rps + last.rps) / 2;
    console.log(`bench:read — ${TENANCIES} tenancies, ${active.body.total} active cases (api's total), ${arrearsPage.body.items.length} rows on the arrears list's first page; SQLite read models, api and worker as separate processes, node ${process.version}`);
    console.log(
      `  load: registration ${seconds(registrationMs)}; postings file accepted and projected (cases opened) ${seconds(loaded.allMs)}, the worker's longest silence on /health/live meanwhile ${seconds(workerSilentMs)}${parked.length ? `; PARKED: ${parked.join('; ')}` : ''}`,
    );
    console.log(`  autocannon ${CONNECTIONS} connections, ${WARMUP_S} s warm-up then ${DURATION_S} s measured per endpoint; baseline = mean of the two /health/live runs (${Math.round(first.rps)} and ${Math.round(last.rps)} req/s)`);
    console.log(`  ${'endpoint'.padEnd(52)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'× live'.padStart(7)}  ${'non-2xx'.padStart(7)} ${'errors'.padStart(6)}  goal (≥ 0.5× live, p99 < 50 ms)`);
    for (const r of results) {
      const ratio = r.rps / baseline;
      const isBaseline = r.label.startsWith('GET /health/live');
      const verdict = isBaseline ? '' : ratio >= 0.5 && r.p99 < 50 && r.non2xx === 0 && r.errors === 0 ? 'met' : 'NOT met';
      console.log(
        `  ${r.label.padEnd(52)} ${Math.round(r.rps).toString().padStart(8)} ${ms1(r.p50).padStart(7)} ${ms1(r.p99).padStart(7)} ${ratio.toFixed(2).padStart(7)}  ${String(r.non2xx).padStart(7)} ${String(r.errors).padStart(6)}  ${verdict}`,
      );
    }
    if (CPU_TIME) {
      const live = [first.cpuMsPerRequest, last.cpuMsPerRequest].filter((v): v is number => v !== undefined);
      const liveCpu = live.reduce((a, b) => a + b, 0) / Math.max(1, live.length);
      console.log(`  the api's CPU time per request (user + system, /proc); × live = /health/live's CPU ms per request (mean of both runs, ${liveCpu.toFixed(3)} ms) / the endpoint's`);
      console.log(`  ${'endpoint'.padEnd(52)} ${'CPU ms'.padStart(8)} ${'× live'.padStart(7)}`);
      for (const r of results) {
        const cpu = r.cpuMsPerRequest;
        console.log(`  ${r.label.padEnd(52)} ${(cpu === undefined ? '—' : cpu.toFixed(3)).padStart(8)} ${(cpu === undefined || live.length === 0 ? '—' : (liveCpu / cpu).toFixed(2)).padStart(7)}`);
      }
    }
  } catch (error) {
    console.error(system.logs.slice(-40).join('\n'));
    throw error;
  } finally {
    exits?.stopping();
    await system.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
