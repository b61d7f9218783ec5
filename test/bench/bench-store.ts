/**
 * `npm run bench:store`: appends and reads N events through the event store port on SQLite and,
 * in the same run on the same disk, with raw better-sqlite3 statements on the same schema, then
 * prints both rates and their ratio. A benchmark, not a test: it asserts nothing.
 *
 *   BENCH_EVENTS=100000 BENCH_BATCH=1000 npm run bench:store
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore, type NewEvent } from '@evp/event-store';

const N = Number(process.env['BENCH_EVENTS'] ?? 100_000);
const BATCH = Number(process.env['BENCH_BATCH'] ?? 1000);
const SINGLES = Number(process.env['BENCH_SINGLES'] ?? 2000);

const metadata = { correlationId: randomUUID(), causationId: null, actor: { id: 'bench', role: 'system' }, occurredAt: '2026-11-26T10:00:00.000Z', schemaVersion: 1 };
const makeEvent = (i: number): NewEvent => ({
  id: randomUUID(),
  type: 'ledger.ChargePosted',
  data: { voucherRef: `V${i}`, amountOre: 928200, dueDate: '2026-12-01', period: '2026-12' },
  metadata,
});

function rate(count: number, ms: number): number {
  return Math.round((count / ms) * 1000);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'evp-bench-'));
  try {
    const events = Array.from({ length: N }, (_, i) => makeEvent(i));

    // Port: batched appends (one stream per batch, as a file import's chunks would be).
    const store = new SqliteEventStore({ file: join(dir, 'port.sqlite') });
    let t = performance.now();
    for (let i = 0; i < N; i += BATCH) await store.appendToStream(`bench-${i / BATCH}`, events.slice(i, i + BATCH), { expectedRevision: 'no_stream' });
    const portBatched = performance.now() - t;
    t = performance.now();
    const readBack = await store.readAll();
    const portRead = performance.now() - t;
    if (readBack.length !== N) throw new Error(`read ${readBack.length} of ${N}`);
    t = performance.now();
    for (let i = 0; i < SINGLES; i++) await store.appendToStream(`single-${i}`, [makeEvent(i)], { expectedRevision: 'no_stream' });
    const portSingles = performance.now() - t;
    await store.close();

    // Raw better-sqlite3 on the same schema and pragmas, doing the least the port must do:
    // serialise, insert in one transaction per batch, read and parse.
    const raw = new SqliteEventStore({ file: join(dir, 'raw.sqlite') });
    await raw.close();
    const db = new Database(join(dir, 'raw.sqlite'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    const insert = db.prepare('INSERT INTO events (stream_name, revision, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const now = new Date().toISOString();
    const insertBatch = db.transaction((stream: string, batch: NewEvent[]) => {
      batch.forEach((e, revision) => insert.run(stream, revision, e.id, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata), now));
    });
    const rawEvents = Array.from({ length: N }, (_, i) => makeEvent(i));
    t = performance.now();
    for (let i = 0; i < N; i += BATCH) insertBatch(`bench-${i / BATCH}`, rawEvents.slice(i, i + BATCH));
    const rawBatched = performance.now() - t;
    t = performance.now();
    const rows = db.prepare('SELECT * FROM events ORDER BY position').all() as Array<{ data: string; metadata: string }>;
    for (const row of rows) {
      JSON.parse(row.data);
      JSON.parse(row.metadata);
    }
    const rawRead = performance.now() - t;
    t = performance.now();
    for (let i = 0; i < SINGLES; i++) insertBatch(`single-${i}`, [makeEvent(i)]);
    const rawSingles = performance.now() - t;
    db.close();

    const line = (label: string, count: number, portMs: number, rawMs: number) => {
      const p = rate(count, portMs);
      const r = rate(count, rawMs);
      console.log(`${label.padEnd(34)} port ${String(p).padStart(8)} ev/s   raw ${String(r).padStart(8)} ev/s   port/raw ${(p / r).toFixed(2)}`);
    };
    console.log(`SQLite event store, ${N} events, batches of ${BATCH}, WAL + synchronous=FULL, node ${process.version}`);
    line(`append, batches of ${BATCH}`, N, portBatched, rawBatched);
    line('read all, in order', N, portRead, rawRead);
    line(`append, one event per call (${SINGLES})`, SINGLES, portSingles, rawSingles);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
