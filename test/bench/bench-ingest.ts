/**
 * `npm run bench:ingest`: a 100 000-line postings file (a month for 50 000 tenancies: a charge
 * each, then a payment, credit note or balance line each) posted through the HTTP api of the real
 * api and worker processes (SQLite event store and read models, local Redis). Prints the time
 * until the api accepted it and until it was fully projected — every subscription (both SQL
 * projections and the arrears workflow, with the cases it opens) caught up by its durable
 * checkpoint, as `GET /operator/lag` reports it — and, per subscription, when it got there.
 *
 * Beside it, in the same run on the same disk: the raw better-sqlite3 append of the same number
 * of events (same schema, pragmas and event sizes, one transaction per 1000 events), the floor no
 * amount of projection work can go under.
 *
 *   npm run bench:ingest
 *   BENCH_TENANCIES=5000 npm run bench:ingest                      # quick
 *   BENCH_WORKERS=1 npm run bench:ingest                            # the worker as one process (WORKER_ROLE=all)
 *   BENCH_CPU_PROFILE_DIR=tmp/prof npm run bench:ingest            # also CPU profiles of api and worker while the file is ingested
 *
 * By default the worker runs as two processes (WORKER_ROLE=projections and workflows), as README
 * advises for a municipality of this size: the projections and the workflows each get a core
 * once the api has accepted the file.
 *
 * A benchmark, not a test: it prints figures and asserts nothing.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { SqliteEventStore } from '@evp/event-store';
import { deterministicId } from '@evp/shared-kernel';
import { TestSystem } from '../e2e/support/system';
import { cpuBetween, peakRssMb, processCpuMs, probeLiveness, reportUnexpectedExits, MUNICIPALITY, envNumber, parkedEvents, postCsv, profileWindow, profilingEnv, seconds, tenanciesCsv, tenancyIdOf, waitAllCaughtUp, watchCheckpoints } from './support/bench-support';

const TENANCIES = envNumber('BENCH_TENANCIES', 50_000);
const LINES = TENANCIES * 2;
const GOAL_MS = 15_000;
const WORKERS = envNumber('BENCH_WORKERS', 2) === 1 ? 1 : 2;

/**
 * The same number of events as the import wrote, shaped as LedgerService writes them (a charge and
 * a payment per tenancy stream, deterministic ids, the request's metadata), inserted with raw
 * statements in transactions of 1000: what the store's append costs at the least.
 */
async function rawAppendMs(dir: string, events: number): Promise<number> {
  const file = join(dir, 'raw.sqlite');
  // The store creates the schema and sets the pragmas; the inserts then bypass it.
  await new SqliteEventStore({ file, notify: false }).close();
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  const insert = db.prepare('INSERT INTO events (stream_name, revision, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const metadata = JSON.stringify({ correlationId: deterministicId('bench-raw'), causationId: null, actor: { id: 'a'.repeat(43), role: 'accounting' }, occurredAt: '2026-12-20T08:00:00.000Z', schemaVersion: 1 });
  const batch = db.transaction((from: number, to: number) => {
    const recordedAt = new Date().toISOString();
    for (let n = from; n < to; n++) {
      const i = n >> 1;
      const stream = `tenancy-${MUNICIPALITY}-${tenancyIdOf(i)}`;
      if (n % 2 === 0) {
        const data = { voucherRef: `F-2026-12-${i}`, date: '2026-11-15', dueDate: '2026-12-01', period: '2026-12', amountOre: 928200 };
        insert.run(stream, 1, deterministicId(`raw|${stream}|${data.voucherRef}`), 'ledger.ChargePosted', JSON.stringify(data), metadata, recordedAt);
      } else {
        const data = { voucherRef: `I-2026-12-${i}`, date: '2026-12-01', amountOre: 928200 };
        insert.run(stream, 2, deterministicId(`raw|${stream}|${data.voucherRef}`), 'ledger.PaymentPosted', JSON.stringify(data), metadata, recordedAt);
      }
    }
  });
  const t = performance.now();
  for (let n = 0; n < events; n += 1000) batch(n, Math.min(events, n + 1000));
  const ms = performance.now() - t;
  db.close();
  return ms;
}

async function main(): Promise<void> {
  const system = new TestSystem({ LOG_LEVEL: 'warn', TIMER_SWEEP_INTERVAL_MS: '60000', MAX_IMPORT_BYTES: String(64 * 1024 * 1024), ...profilingEnv() }, { workers: WORKERS });
  let exits: ReturnType<typeof reportUnexpectedExits> | undefined;
  try {
    system.setClock('2026-12-20T09:00:00+01:00');
    await system.start();
    exits = reportUnexpectedExits(system);

    let t = performance.now();
    await postCsv(system, '/api/v1/ledger/tenancies/imports', await system.token('accounting'), tenanciesCsv(TENANCIES));
    const registered = await waitAllCaughtUp(system, t);

    // A month: every tenancy is charged; 96 % pay in full, 2 % get a credit note, 2 % only a balance line (so they pay nothing).
    const lines = ['kommunenr;leieforhold;bilagsnr;type;dato;forfall;periode;belop'];
    for (let i = 0; i < TENANCIES; i++) lines.push(`${MUNICIPALITY};${tenancyIdOf(i)};F-2026-12-${i};faktura;15.11.2026;01.12.2026;2026-12;9 282,00`);
    for (let i = 0; i < TENANCIES; i++) {
      const r = i % 50;
      if (r === 0) lines.push(`${MUNICIPALITY};${tenancyIdOf(i)};K-2026-12-${i};kreditnota;05.12.2026;;;1 000,00`);
      else if (r === 1) lines.push(`${MUNICIPALITY};${tenancyIdOf(i)};S-2026-12-${i};saldo;10.12.2026;;;9 282,00`);
      else lines.push(`${MUNICIPALITY};${tenancyIdOf(i)};I-2026-12-${i};innbetaling;01.12.2026;;;9 282,00`);
    }
    const file = lines.join('\n');
    const token = await system.token('accounting');

    let acceptedMs = 0;
    let eventsWritten = 0;
    const labels = system.processes().map((p) => p.label);
    const responsiveness = [system.apiPort, ...system.workerPorts()].map((port) => probeLiveness(port));
    let checkpoints: ReturnType<typeof watchCheckpoints> | undefined;
    const cpuBefore = processCpuMs(system);
    const projected = await profileWindow('ingest', ['api', 'worker'], async () => {
      t = performance.now();
      const posted = await postCsv<{ eventsWritten: number }>(system, '/api/v1/ledger/imports', token, file);
      acceptedMs = performance.now() - t;
      // Watched from acceptance: before the api's commit every subscription looks caught up.
      checkpoints = watchCheckpoints(system.dir, t, 100);
      eventsWritten = posted.eventsWritten;
      // Every 100 ms, as the checkpoints and liveness are watched: each answer costs the worker a
      // lag scan of every subscription, and at 25 ms those scans took ~0.5 s of its CPU during the
      // run (profiled) — the observer slowing what it observes. The figure is printed to 0.1 s.
      return waitAllCaughtUp(system, t, { pollMs: 100 });
    });
    const cpuAfter = processCpuMs(system);
    const slowest = await Promise.all(responsiveness.map((probe) => probe.stop()));
    const perSubscription = checkpoints?.stop() ?? new Map<string, number | undefined>();
    const parked = await parkedEvents(system);
    const cases = await system.request<{ total: number }>('GET', '/api/v1/cases?status=all&limit=1', { token: await system.token('arrears-team') });

    const rawMs = await rawAppendMs(system.dir, eventsWritten);
    const perSecond = (n: number, ms: number) => Math.round((n / ms) * 1000);
    const workers = WORKERS === 2 ? 'the worker split in two (WORKER_ROLE=projections and workflows)' : 'the worker as one process (WORKER_ROLE=all)';
    console.log(`bench:ingest — ${LINES} posting lines for ${TENANCIES} tenancies, SQLite event store and read models + local Redis, api and ${workers} as separate processes, node ${process.version}`);
    console.log(`  registration of ${TENANCIES} tenancies beforehand (import + projections, not part of the figure): ${seconds(registered.allMs)}`);
    console.log(`  postings file ${(Buffer.byteLength(file) / 1e6).toFixed(1)} MB, ${eventsWritten} events written, ${cases.body.total} cases opened by the workflow`);
    console.log(`  accepted by the api (response received):        ${seconds(acceptedMs).padStart(7)}   ${perSecond(LINES, acceptedMs)} lines/s`);
    console.log(`  fully projected (every subscription caught up):  ${seconds(projected.allMs).padStart(7)}   ${perSecond(LINES, projected.allMs)} lines/s   (from the POST; includes acceptance)`);
    // Read from the checkpoints in the read-model file: the worker does not answer /operator/lag while it catches up.
    for (const [name, ms] of [...perSubscription].sort((a, b) => (a[1] ?? Infinity) - (b[1] ?? Infinity))) console.log(`    ${name.padEnd(44)} caught up at ${ms === undefined ? '?' : seconds(ms)} (its checkpoint)`);
    console.log(`  raw better-sqlite3 append of ${eventsWritten} events, 1000 per transaction, same disk: ${seconds(rawMs)}   ${perSecond(eventsWritten, rawMs)} events/s   (fully projected = ${(projected.allMs / rawMs).toFixed(1)}× raw)`);
    // CPU time hardly moves with the neighbours' load, wall time does: on a busy machine compare these.
    console.log(`  CPU time of each process from the POST until fully projected (from /proc): ${cpuBetween(cpuBefore, cpuAfter)}`);
    const peak = peakRssMb(system);
    console.log(`  peak resident memory since start (VmHWM): ${Object.entries(peak).map(([label, mb]) => `${label} ${mb ?? 'n/a'} MB`).join(', ')}`);
    const waits = labels.map((label, i) => `${label} ${Math.round(slowest[i] ?? 0)} ms`).join(', ');
    console.log(`  longest wait for GET /health/live meanwhile (asked every 100 ms; how long each process's event loop was not answering): ${waits}`);
    if (parked.length) console.log(`  PARKED: ${parked.join('; ')}`);
    console.log(`  goal: accepted and fully projected in ≤ 15 s — ${projected.allMs <= GOAL_MS ? 'met' : 'NOT met'}`);
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
