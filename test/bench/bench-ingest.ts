/**
 * `npm run bench:ingest`: posts a generated 100 000-line file (about a month of postings for
 * 50 000 tenancies) through the HTTP api of the real api and worker processes (SQLite store, local
 * Redis), and reports lines per second until the api accepted it and until every read model and
 * the saga had caught up. In the same run it measures the raw better-sqlite3 append rate (as
 * `bench:store` does) for comparison. A benchmark, not a test: it prints figures and asserts nothing.
 *
 *   BENCH_TENANCIES=50000 npm run bench:ingest
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { SqliteEventStore } from '@evp/event-store';
import { syntheticNationalIds } from '@evp/shared-kernel';
import { TestSystem, waitFor } from '../e2e/support/system';

const TENANCIES = Number(process.env['BENCH_TENANCIES'] ?? 50_000);
const LINES = TENANCIES * 2;

function rawAppendRate(dir: string, n: number): number {
  const schemaStore = new SqliteEventStore({ file: join(dir, 'raw.sqlite') });
  void schemaStore.close();
  const db = new Database(join(dir, 'raw.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  const insert = db.prepare('INSERT INTO events (stream_name, revision, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const meta = JSON.stringify({ correlationId: 'bench', causationId: null, actor: { id: 'bench', role: 'system' }, occurredAt: new Date().toISOString(), schemaVersion: 1 });
  const batch = db.transaction((from: number) => {
    for (let i = from; i < from + 1000; i++) insert.run(`tenancy-5035-${i}`, 0, randomUUID(), 'ledger.ChargePosted', JSON.stringify({ voucherRef: `F${i}`, amountOre: 928200 }), meta, new Date().toISOString());
  });
  const t = performance.now();
  for (let i = 0; i < n; i += 1000) batch(i);
  const ms = performance.now() - t;
  db.close();
  return Math.round((n / ms) * 1000);
}

async function main(): Promise<void> {
  const system = new TestSystem({ LOG_LEVEL: 'warn', TIMER_SWEEP_INTERVAL_MS: '60000', MAX_IMPORT_BYTES: String(64 * 1024 * 1024) });
  try {
    system.setClock('2026-12-20T09:00:00+01:00');
    await system.start();
    const accounting = await system.token('accounting');

    const ids = syntheticNationalIds(TENANCIES, 11);
    const tenancies = ['kommunenr;leieforhold;adresse;husleie;utleier;navkontor;fodselsnummer;navn', ...ids.map((fnr, i) => `5035;${300000 + i};Gate ${i};9 282,00;kommunal;nav-stjordal;${fnr};Leietaker ${i}`)].join('\n');
    let t = performance.now();
    const registered = await system.request('POST', '/api/v1/ledger/tenancies/imports', { token: accounting, body: tenancies });
    if (registered.status !== 200) throw new Error(`registration failed: ${registered.status} ${JSON.stringify(registered.body).slice(0, 300)}`);
    await system.caughtUp(600_000);
    const registrationMs = performance.now() - t;

    // A month: every tenancy is charged; 96 % pay in full, 2 % get a credit note, 2 % pay nothing.
    const lines = ['kommunenr;leieforhold;bilagsnr;type;dato;forfall;periode;belop'];
    for (let i = 0; i < TENANCIES; i++) lines.push(`5035;${300000 + i};F-2026-12-${i};faktura;15.11.2026;01.12.2026;2026-12;9 282,00`);
    for (let i = 0; i < TENANCIES; i++) {
      const r = i % 50;
      if (r === 0) lines.push(`5035;${300000 + i};K-2026-12-${i};kreditnota;05.12.2026;;;1 000,00`);
      else if (r === 1) lines.push(`5035;${300000 + i};S-2026-12-${i};saldo;10.12.2026;;;9 282,00`);
      else lines.push(`5035;${300000 + i};I-2026-12-${i};innbetaling;01.12.2026;;;9 282,00`);
    }
    const file = lines.join('\n');
    t = performance.now();
    const posted = await system.request<{ eventsWritten: number }>('POST', '/api/v1/ledger/imports', { token: accounting, body: file });
    const acceptedMs = performance.now() - t;
    if (posted.status !== 200) throw new Error(`import failed: ${posted.status} ${JSON.stringify(posted.body).slice(0, 300)}`);
    await system.caughtUp(600_000);
    const projectedMs = performance.now() - t;
    const cases = await waitFor(async () => (await system.request<{ total: number }>('GET', '/api/v1/cases?status=all&limit=1', { token: await system.token('arrears-team') })).body.total, 'cases');

    const raw = rawAppendRate(system.dir, LINES);
    const perSecond = (n: number, ms: number) => Math.round((n / ms) * 1000);
    console.log(`bench:ingest — ${LINES} posting lines for ${TENANCIES} tenancies, SQLite + local Redis, api and worker as separate processes, node ${process.version}`);
    console.log(`  registration of ${TENANCIES} tenancies (import + projections): ${(registrationMs / 1000).toFixed(1)} s`);
    console.log(`  postings file ${(Buffer.byteLength(file) / 1e6).toFixed(1)} MB, ${posted.body.eventsWritten} events written`);
    console.log(`  accepted by the api:            ${(acceptedMs / 1000).toFixed(1)} s   ${perSecond(LINES, acceptedMs)} lines/s`);
    console.log(`  fully projected (all read models and the saga caught up): ${(projectedMs / 1000).toFixed(1)} s   ${perSecond(LINES, projectedMs)} lines/s   (${cases} cases opened)`);
    console.log(`  raw better-sqlite3 append, batches of 1000, same disk:     ${raw} events/s`);
    console.log(`  goal: accepted and fully projected in under 60 s — ${projectedMs < 60_000 ? 'met' : 'NOT met'}`);
  } finally {
    await system.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
