/**
 * `npm run bench:latency`: how long from posting a charge until the case it opens can be read
 * through the api, with the DEFAULT settings, over the real api and worker processes (SQLite event
 * store and read models, local Redis).
 *
 * 200 tenancies are registered; the business clock stands at 20 December, so a December charge
 * (due the 1st) is past its grace period the moment it is posted. Then, one tenancy at a time and
 * sequentially: POST that one charge as JSON to `/api/v1/ledger/postings`, and poll
 * `GET /api/v1/cases/{caseId}` every 1 ms until it answers 200. The path measured: the api appends;
 * the worker learns of it (WAL watch, or the poll); the arrears workflow reads the account and
 * sends EvaluateArrears, whose handler appends CaseOpened; the cases projection commits the row;
 * the api's read-only connection sees it. Ten unmeasured tenancies go first (warm-up).
 *
 * Settings: nothing that changes how fast the worker learns of events is set here.
 * SQLITE_POLL_INTERVAL_MS is removed from the environment when the caller's shell has it. TestSystem
 * sets paths, ports, the Redis prefix, NODE_ENV=test, the test clock file, LOG_LEVEL=info (the
 * default), and for its e2e tests a 300 ms deadline sweep and a 3 s timer lock; those two are put
 * back to their defaults (60 s, 30 s) here.
 *
 *   npm run bench:latency
 *   BENCH_SAMPLES=50 npm run bench:latency              # quick
 *   BENCH_CPU_PROFILE_DIR=tmp/prof npm run bench:latency  # also CPU profiles of api and worker over the measured loop
 *   BENCH_WORKERS=2 npm run bench:latency               # the worker split by WORKER_ROLE (not the default)
 *
 * The split is for throughput, not latency: the cases projection then learns of CaseOpened from
 * another process (the WAL watch, whose wake-ups are at least 5 ms apart), not in-process.
 *
 * A benchmark, not a test: it prints figures and asserts nothing.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { TestSystem } from '../e2e/support/system';
import { processCpuMs, reportUnexpectedExits, MUNICIPALITY, MONTHLY_RENT_ORE, envNumber, ms1, parkedEvents, percentiles, postCsv, profileWindow, profilingEnv, tenanciesCsv, tenancyIdOf, waitAllCaughtUp, type Percentiles } from './support/bench-support';

const SAMPLES = envNumber('BENCH_SAMPLES', 200);
const WARMUP = envNumber('BENCH_WARMUP', 10);
const POLL_MS = envNumber('BENCH_POLL_MS', 1);

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** Wall-clock milliseconds, comparable with the store's `recorded_at` (the same clock, another process). */
const wall = (t: number) => performance.timeOrigin + t;

/**
 * Where the time went, from the event store's `recorded_at` stamps (taken when an append starts
 * its transaction, in whichever process appends; millisecond precision): the api until it
 * appended the charge; the worker until the workflow's command appended CaseOpened; the cases
 * projection and the api's read until the poll saw the case.
 */
function stages(file: string, samples: ReadonlyArray<{ tenancyId: string; start: number; readable: number }>) {
  const db = new Database(file, { readonly: true });
  try {
    const recorded = db.prepare<[string, string], { recorded_at: string }>('SELECT recorded_at FROM events WHERE stream_name = ? AND type = ? ORDER BY revision LIMIT 1');
    return samples.map((s) => {
      const charge = Date.parse(recorded.get(`tenancy-${MUNICIPALITY}-${s.tenancyId}`, 'ledger.ChargePosted')?.recorded_at ?? '');
      const opened = Date.parse(recorded.get(`case-${MUNICIPALITY}-${s.tenancyId}`, 'cases.CaseOpened')?.recorded_at ?? '');
      return { api: charge - s.start, worker: opened - charge, projection: s.readable - opened };
    });
  } finally {
    db.close();
  }
}

async function main(): Promise<void> {
  const removed = process.env['SQLITE_POLL_INTERVAL_MS'];
  delete process.env['SQLITE_POLL_INTERVAL_MS'];
  const system = new TestSystem({ TIMER_SWEEP_INTERVAL_MS: '60000', TIMER_LOCK_MS: '30000', ...profilingEnv() }, { workers: envNumber('BENCH_WORKERS', 1) === 2 ? 2 : 1 });
  let exits: ReturnType<typeof reportUnexpectedExits> | undefined;
  try {
    system.setClock('2026-12-20T09:00:00+01:00');
    await system.start();
    exits = reportUnexpectedExits(system);
    const t0 = performance.now();
    await postCsv(system, '/api/v1/ledger/tenancies/imports', await system.token('accounting'), tenanciesCsv(WARMUP + SAMPLES));
    await waitAllCaughtUp(system, t0);

    // Plain fetch with a token minted now (valid ten minutes of business time): `system.request`
    // mints a new token per call, which would put ~1 ms of signing into every poll.
    const base = `http://127.0.0.1:${system.apiPort}`;
    const writer = { authorization: `Bearer ${await system.token('accounting')}`, 'content-type': 'application/json' };
    const reader = { authorization: `Bearer ${await system.token('arrears-team')}` };

    const once = async (i: number) => {
      const tenancyId = tenancyIdOf(i);
      const caseId = `${MUNICIPALITY}-${tenancyId}-1`;
      const body = JSON.stringify({
        postings: [{ municipalityNumber: MUNICIPALITY, tenancyId, voucherRef: `F-2026-12-${tenancyId}`, type: 'faktura', date: '2026-11-15', dueDate: '2026-12-01', period: '2026-12', amountOre: MONTHLY_RENT_ORE }],
      });
      const start = performance.now();
      const posted = await fetch(`${base}/api/v1/ledger/postings`, { method: 'POST', headers: writer, body });
      await posted.arrayBuffer();
      const acknowledged = performance.now();
      if (posted.status !== 200) throw new Error(`posting answered ${posted.status}`);
      let polls = 0;
      for (;;) {
        polls += 1;
        const response = await fetch(`${base}/api/v1/cases/${caseId}`, { headers: reader });
        await response.arrayBuffer();
        if (response.status === 200) break;
        if (response.status !== 404) throw new Error(`case read answered ${response.status}`);
        if (performance.now() - start > 30_000) throw new Error(`case ${caseId} not readable after 30 s`);
        await sleep(POLL_MS);
      }
      const readable = performance.now();
      return { tenancyId, start: wall(start), readable: wall(readable), total: readable - start, post: acknowledged - start, afterAck: readable - acknowledged, polls };
    };

    for (let i = 0; i < WARMUP; i++) await once(i);
    const cpuBefore = processCpuMs(system);
    const samples = await profileWindow('latency', ['api', 'worker'], async () => {
      const out: Array<Awaited<ReturnType<typeof once>>> = [];
      for (let i = WARMUP; i < WARMUP + SAMPLES; i++) out.push(await once(i));
      return out;
    });
    const cpuAfter = processCpuMs(system);
    const parked = await parkedEvents(system);

    const row = (label: string, p: Percentiles) =>
      console.log(`  ${label.padEnd(44)} ${ms1(p.p50).padStart(7)} ${ms1(p.p95).padStart(7)} ${ms1(p.p99).padStart(7)} ${ms1(p.max).padStart(7)} ${ms1(p.mean).padStart(7)}`);
    const total = percentiles(samples.map((s) => s.total));
    console.log(`bench:latency — posting → case readable through the api, ${SAMPLES} postings one after another (after ${WARMUP} unmeasured), polling every ${POLL_MS} ms; default settings, api and worker as separate processes, node ${process.version}`);
    if (removed !== undefined) console.log(`  (SQLITE_POLL_INTERVAL_MS=${removed} was set in the shell and removed for this run)`);
    console.log(`  ${'ms'.padEnd(44)} ${'p50'.padStart(7)} ${'p95'.padStart(7)} ${'p99'.padStart(7)} ${'max'.padStart(7)} ${'mean'.padStart(7)}`);
    row('POST → case readable (the figure)', total);
    row('  of which the POST itself', percentiles(samples.map((s) => s.post)));
    row('  of which acknowledged → readable', percentiles(samples.map((s) => s.afterAck)));
    const split = stages(join(system.dir, 'events.sqlite'), samples);
    row('  api: POST → charge appended¹', percentiles(split.map((x) => x.api)));
    row('  worker: charge → CaseOpened appended¹', percentiles(split.map((x) => x.worker)));
    row('  CaseOpened → readable (projection, poll)¹', percentiles(split.map((x) => x.projection)));
    const perPosting = (role: 'api' | 'worker') => {
      const before = cpuBefore[role];
      const after = cpuAfter[role];
      return before === undefined || after === undefined ? 'n/a' : `${((after - before) / SAMPLES).toFixed(1)} ms`;
    };
    console.log('  ¹ split by the event store\'s recorded_at stamps (taken as an append starts, 1 ms resolution)');
    console.log(`  CPU per posting (from /proc, 10 ms ticks): api ${perPosting('api')} (the polls included), worker ${perPosting('worker')}`);
    console.log(`  polls per sample: mean ${(samples.reduce((s, x) => s + x.polls, 0) / samples.length).toFixed(1)}${parked.length ? `; PARKED: ${parked.join('; ')}` : ''}`);
    console.log(`  goal: p99 < 25 ms — ${total.p99 < 25 ? 'met' : 'NOT met'}`);
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
