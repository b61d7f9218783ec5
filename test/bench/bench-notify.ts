/**
 * The SQLite event store shared by two processes, as the api and the worker share it:
 *
 *  1. append→delivery latency: a child process appends one event every ~20 ms (200 events) and a
 *     subscription in this process measures how long each took to arrive, with cross-process
 *     notification (the default) and, as the baseline in the same run, with polling alone
 *     (`notify: false`; both at the default 100 ms poll interval);
 *  2. the largest event-loop gap in this process while a child holds the write lock for 2 s and
 *     this process appends: with the old synchronous busy wait inside better-sqlite3
 *     (`syncBusyWait: true`, the "before") and with the asynchronous wait (the default, "after"),
 *     beside the gap of an idle loop as the floor.
 *
 *   SWC_NODE_PROJECT=tsconfig.runtime.json node -r @swc-node/register test/bench/bench-notify.ts
 *
 * A benchmark, not a test: it prints figures and asserts nothing. Latencies use
 * `performance.timeOrigin + performance.now()` in both processes (the same wall clock, sub-ms).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { SqliteEventStore, type NewEvent } from '@evp/event-store';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 200);
const INTERVAL_MS = Number(process.env['BENCH_INTERVAL_MS'] ?? 20);
const HOLD_MS = Number(process.env['BENCH_HOLD_MS'] ?? 2000);
const workspaceRoot = resolve(__dirname, '../..');
const lockHolder = join(workspaceRoot, 'libs/platform/event-store/src/sqlite/fixtures/lock-holder.ts');

const wallClock = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const event = (data: NewEvent['data']): NewEvent => ({
  id: randomUUID(),
  type: 'bench.Ticked',
  data,
  metadata: { correlationId: randomUUID(), causationId: null, actor: { id: 'bench', role: 'system' }, occurredAt: '2026-11-26T10:00:00.000Z', schemaVersion: 1 },
});

/**
 * Child role: appends `count` events, one every `intervalMs` on a fixed schedule, each stamped
 * with when its append started; then prints how long the appends themselves took (JSON), the
 * floor under any delivery latency.
 */
async function appendChild(file: string, count: number, intervalMs: number): Promise<void> {
  const store = new SqliteEventStore({ file });
  const appendMs: number[] = [];
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const due = start + i * intervalMs;
    if (due > performance.now()) await sleep(due - performance.now());
    const t = performance.now();
    await store.appendToStream(`bench-${i}`, [event({ i, sentAt: wallClock() })], { expectedRevision: 'no_stream' });
    appendMs.push(performance.now() - t);
  }
  await store.close();
  process.stdout.write(`${JSON.stringify(appendMs)}\n`);
}

function spawnChild(args: string[], stdout: 'pipe' | 'inherit'): ChildProcess {
  return spawn(process.execPath, args, { cwd: workspaceRoot, env: process.env, stdio: ['pipe', stdout, 'inherit'] });
}

const exited = (child: ChildProcess) =>
  new Promise<void>((done, fail) => child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`child exited with ${code}`)))));

function percentiles(values: number[]): { p50: number; p95: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
  return { p50: at(50), p95: at(95), p99: at(99), max: sorted[sorted.length - 1] as number };
}

async function deliveryLatency(dir: string, notify: boolean): Promise<{ latencies: number[]; appendMs: number[] }> {
  const file = join(dir, `latency-${notify ? 'notify' : 'poll'}.sqlite`);
  const store = new SqliteEventStore({ file, notify });
  const subscription = store.subscribeToAll({ filter: { streamPrefixes: ['bench-'] } });
  const latencies: number[] = [];
  const consuming = (async () => {
    for await (const recorded of subscription) {
      latencies.push(wallClock() - (recorded.data['sentAt'] as number));
      if (latencies.length === EVENTS) break;
    }
  })();
  const child = spawnChild([...process.execArgv, __filename, 'append', file, String(EVENTS), String(INTERVAL_MS)], 'pipe');
  let appendMs: number[] = [];
  createInterface({ input: child.stdout as NonNullable<typeof child.stdout> }).on('line', (line) => (appendMs = JSON.parse(line) as number[]));
  await Promise.all([exited(child), consuming]);
  await subscription.stop();
  await store.close();
  return { latencies, appendMs };
}

/** Largest gap between ticks of a 1 ms interval timer while `during` runs. */
async function largestLoopGap(during: () => Promise<void>): Promise<number> {
  let last = performance.now();
  let largest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    largest = Math.max(largest, now - last);
    last = now;
  }, 1);
  try {
    await during();
    // One more tick, so a freeze that ends with `during` is measured too.
    await sleep(5);
  } finally {
    clearInterval(timer);
  }
  return largest;
}

async function loopGapWhileLocked(dir: string, syncBusyWait: boolean): Promise<{ gapMs: number; appendMs: number }> {
  const file = join(dir, `lock-${syncBusyWait ? 'sync' : 'async'}.sqlite`);
  const store = new SqliteEventStore({ file, syncBusyWait });
  const child = spawnChild([...process.execArgv, lockHolder, file, 'write', String(HOLD_MS)], 'pipe');
  const done = exited(child);
  await new Promise<void>((ready) => createInterface({ input: child.stdout as NonNullable<typeof child.stdout> }).on('line', (line) => line === 'locked' && ready()));
  let appendMs = 0;
  const gapMs = await largestLoopGap(async () => {
    const t = performance.now();
    await store.appendToStream('lockbench-1', [event({})], { expectedRevision: 'no_stream' });
    appendMs = performance.now() - t;
    await done;
  });
  await store.close();
  return { gapMs, appendMs };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'evp-bench-notify-'));
  try {
    const withNotify = await deliveryLatency(dir, true);
    const pollOnly = await deliveryLatency(dir, false);
    const idleGap = await largestLoopGap(() => sleep(HOLD_MS));
    const before = await loopGapWhileLocked(dir, true);
    const after = await loopGapWhileLocked(dir, false);

    const ms = (n: number) => n.toFixed(1).padStart(8);
    const row = (label: string, p: ReturnType<typeof percentiles>) => console.log(`  ${label.padEnd(40)}${ms(p.p50)}${ms(p.p95)}${ms(p.p99)}${ms(p.max)}`);
    console.log(`SQLite event store shared by two processes, node ${process.version}`);
    console.log(`\nappend→delivery latency, ${EVENTS} events appended by another process every ${INTERVAL_MS} ms (ms)`);
    console.log(`  ${''.padEnd(40)}${'p50'.padStart(8)}${'p95'.padStart(8)}${'p99'.padStart(8)}${'max'.padStart(8)}`);
    row('notify (default), poll every 100 ms', percentiles(withNotify.latencies));
    row('notify: false (baseline), poll 100 ms', percentiles(pollOnly.latencies));
    row("(the child's append call itself)", percentiles([...withNotify.appendMs, ...pollOnly.appendMs]));
    console.log(`\nlargest event-loop gap here while another process holds the write lock for ${HOLD_MS} ms and this process appends (ms)`);
    console.log(`  ${'idle loop, no lock (floor)'.padEnd(40)} gap ${ms(idleGap)}`);
    console.log(`  ${'syncBusyWait: true (before)'.padEnd(40)} gap ${ms(before.gapMs)}   append waited ${ms(before.appendMs)}`);
    console.log(`  ${'asynchronous wait (after, default)'.padEnd(40)} gap ${ms(after.gapMs)}   append waited ${ms(after.appendMs)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'append') {
  const [file, count, interval] = process.argv.slice(3) as [string, string, string];
  appendChild(file, Number(count), Number(interval)).catch((error) => {
    console.error(error);
    process.exit(1);
  });
} else {
  void main();
}
