import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { testEvent } from '../contract';
import { EventStoreUnavailableError } from '../errors';
import type { RecordedEvent, StreamAppend } from '../port';
import { SqliteEventStore, type SqliteEventStoreOptions } from './sqlite-event-store';

const workspaceRoot = resolve(__dirname, '../../../../..');

/**
 * What a test that fails or times out leaves running (stores with a minute-long poll, children
 * holding a lock, tickers) is ended after it, so one failure cannot keep Jest from exiting.
 */
const leftovers: Array<() => unknown> = [];
afterEach(async () => {
  for (const undo of leftovers.splice(0).reverse()) await undo();
});

function openStore(options: SqliteEventStoreOptions): SqliteEventStore {
  const store = new SqliteEventStore(options);
  leftovers.push(() => store.close());
  return store;
}

function spawnFixture(fixture: string, args: string[], stdio: 'pipe' | 'ignore') {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'fixtures', fixture), ...args], {
    cwd: workspaceRoot,
    env: { ...process.env, SWC_NODE_PROJECT: join(workspaceRoot, 'tsconfig.runtime.json') },
    stdio: [stdio, stdio === 'pipe' ? 'pipe' : 'inherit', 'inherit'],
  });
  leftovers.push(() => child.exitCode === null && child.signalCode === null && child.kill());
  return child;
}

function runAppender(file: string, writer: string, count: number, category: string): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawnFixture('concurrent-appender.ts', [file, writer, String(count), category], 'ignore');
    child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`appender ${writer} exited with ${code}`))));
  });
}

/** Another process holding SQLite's lock on `file` (see fixtures/lock-holder.ts). */
function holdLock(file: string, mode: 'write' | 'exclusive', hold: number | 'stdin') {
  const child = spawnFixture('lock-holder.ts', [file, mode, String(hold)], 'pipe');
  const lines = createInterface({ input: child.stdout as NonNullable<typeof child.stdout> });
  const said = (word: string) => new Promise<void>((done) => lines.on('line', (line) => line === word && done()));
  return {
    locked: said('locked'),
    released: said('released'),
    exited: new Promise<void>((done, fail) => child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`lock holder exited with ${code}`))))),
    /** For `hold = 'stdin'`: lets go. */
    release: () => child.stdin?.end(),
  };
}

/** Counts event-loop ticks (every 10 ms) and the largest gap between two of them. */
function startTicker() {
  const ticker = { ticks: 0, largestGapMs: 0, stop: () => clearInterval(timer) };
  leftovers.push(ticker.stop);
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    ticker.ticks += 1;
    ticker.largestGapMs = Math.max(ticker.largestGapMs, Math.round(now - last));
    last = now;
  }, 10);
  return ticker;
}

describe('SQLite store shared by several processes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'evp-sqlite-mp-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serialises appends from two processes: no lost update, and a live subscriber sees every event once, in position order', async () => {
    const file = join(dir, 'shared.sqlite');
    const reader = new SqliteEventStore({ file, pollIntervalMs: 10 });
    const subscription = reader.subscribeToAll({ filter: { streamPrefixes: ['mp-'] } });
    const received: RecordedEvent[] = [];
    const consuming = (async () => {
      for await (const event of subscription) {
        received.push(event);
        if (received.length === 4 * 150) break;
      }
    })();

    await Promise.all([runAppender(file, 'a', 150, 'mp'), runAppender(file, 'b', 150, 'mp')]);
    await consuming;

    const shared = await reader.readStream('mp-shared');
    expect(shared).toHaveLength(300);
    expect(shared.map((e) => e.revision)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    const all = await reader.readAll({ filter: { streamPrefixes: ['mp-'] } });
    expect(received.map((e) => e.id)).toEqual(all.map((e) => e.id));
    const positions = received.map((e) => Number(e.position));
    expect(positions).toEqual([...positions].sort((x, y) => x - y));
    await subscription.stop();
    await reader.close();
  }, 60_000);
});

describe("SQLite: waiting for another process's lock never blocks the event loop", () => {
  const dir = mkdtempSync(join(tmpdir(), 'evp-sqlite-lock-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // A frozen loop would tick about once while the lock is held (1.5 s); a free one about 150 times.
  // The largest gap is carried along so that a failure shows it; it is never a pass criterion.
  const keptTicking = (ticks: number, largestGapMs: number) => ({ keptTicking: ticks >= 20, ticks, largestGapMs });

  it("an append waits for another process's write lock while timers keep firing, and commits after the holder", async () => {
    const file = join(dir, 'write-lock.sqlite');
    const store = openStore({ file });
    const holder = holdLock(file, 'write', 1500);
    await holder.locked;
    const ticker = startTicker();
    try {
      const appending = store.appendToStream('lockwait-1', [testEvent()], { expectedRevision: 'no_stream' });
      await holder.released;
      const ticksWhileLocked = ticker.ticks;
      await expect(appending).resolves.toEqual({ nextExpectedRevision: 0, alreadyAppended: false });
      expect(keptTicking(ticksWhileLocked, ticker.largestGapMs)).toMatchObject({ keptTicking: true });
      await holder.exited;
      // Positions follow commit order: ours comes after the marker the holder committed on release.
      const [marker] = await store.readStream('lockholder-1');
      const [mine] = await store.readStream('lockwait-1');
      expect(Number(mine?.position)).toBeGreaterThan(Number(marker?.position));
    } finally {
      ticker.stop();
      await store.close();
    }
  }, 30_000);

  it('a lock held past busyTimeoutMs fails the append with EventStoreUnavailableError and writes none of its streams', async () => {
    const file = join(dir, 'timeout.sqlite');
    const store = openStore({ file, busyTimeoutMs: 300 });
    const appends: StreamAppend[] = [
      { streamName: 'locktimeout-a', events: [testEvent()], expectedRevision: 'no_stream' },
      { streamName: 'locktimeout-b', events: [testEvent(), testEvent()], expectedRevision: 'no_stream' },
    ];
    const holder = holdLock(file, 'write', 'stdin');
    await holder.locked;
    try {
      const failing = store.appendToStreams(appends);
      // Queued in this process behind the first while that one waits: it gives up as well.
      const queued = store.appendToStream('locktimeout-c', [testEvent()], { expectedRevision: 'no_stream' });
      await expect(failing).rejects.toBeInstanceOf(EventStoreUnavailableError);
      await expect(failing).rejects.toMatchObject({ code: 'EVENT_STORE_UNAVAILABLE' });
      await expect(queued).rejects.toBeInstanceOf(EventStoreUnavailableError);
    } finally {
      holder.release();
      await holder.exited;
    }
    expect(await store.readStream('locktimeout-a')).toEqual([]);
    expect(await store.readStream('locktimeout-b')).toEqual([]);
    expect(await store.readStream('locktimeout-c')).toEqual([]);
    // Nothing is left half-done: once the lock is free the same append goes through whole.
    await expect(store.appendToStreams(appends)).resolves.toEqual([
      { nextExpectedRevision: 0, alreadyAppended: false },
      { nextExpectedRevision: 1, alreadyAppended: false },
    ]);
    await store.close();
  }, 30_000);

  it('a store opened while another process holds an exclusive lock on the new file finishes opening without blocking, then reads and appends', async () => {
    const file = join(dir, 'creating.sqlite');
    const holder = holdLock(file, 'exclusive', 1500);
    await holder.locked;
    const ticker = startTicker();
    let store: SqliteEventStore | undefined;
    try {
      // Neither the schema set-up here nor the calls below may throw SQLITE_BUSY or wait in SQLite.
      store = openStore({ file });
      const reading = store.readAll();
      const appending = store.appendToStream('opening-1', [testEvent()], { expectedRevision: 'no_stream' });
      await holder.released;
      const ticksWhileLocked = ticker.ticks;
      await expect(reading).resolves.toEqual(expect.any(Array));
      await expect(appending).resolves.toEqual({ nextExpectedRevision: 0, alreadyAppended: false });
      expect(keptTicking(ticksWhileLocked, ticker.largestGapMs)).toMatchObject({ keptTicking: true });
      expect(await store.readStream('opening-1')).toHaveLength(1);
      expect(store.database.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      ticker.stop();
      await holder.exited;
      await store?.close();
    }
  }, 30_000);
});

describe("SQLite: other processes' appends wake subscriptions without waiting for the poll", () => {
  const dir = mkdtempSync(join(tmpdir(), 'evp-sqlite-notify-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('delivers an event appended by another process although the poll interval is a minute; notify: false falls back to polling', async () => {
    const file = join(dir, 'notify.sqlite');
    const notified = openStore({ file, pollIntervalMs: 60_000 });
    const polling = openStore({ file, pollIntervalMs: 20, notify: false });
    const subscriptions = [notified, polling].map((store) => store.subscribeToAll({ filter: { streamPrefixes: ['notify-'] } }));
    const [fromNotified, fromPolling] = subscriptions.map((s) => s[Symbol.asyncIterator]());
    // The first next() reads the empty log at once and then waits: with a one-minute poll, only a
    // notification can bring what the child appends below within this test's timeout.
    const firsts = [fromNotified?.next(), fromPolling?.next()];
    await new Promise((r) => setImmediate(r));
    expect([notified.watchingOtherProcesses, polling.watchingOtherProcesses]).toEqual([true, false]);

    await runAppender(file, 'n', 1, 'notify');
    const [first, firstPolled] = await Promise.all(firsts);
    const second = await fromNotified?.next();
    const secondPolled = await fromPolling?.next();
    expect([first?.value.streamName, second?.value.streamName]).toEqual(['notify-n', 'notify-shared']);
    expect([firstPolled?.value.streamName, secondPolled?.value.streamName]).toEqual(['notify-n', 'notify-shared']);

    await Promise.all(subscriptions.map((s) => s.stop()));
    await Promise.all([notified.close(), polling.close()]);
  }, 30_000);

  it('watches only while a subscription waits: released when the last one stops, and on close', async () => {
    const file = join(dir, 'watch-lifecycle.sqlite');
    const store = openStore({ file });
    const settle = () => new Promise((r) => setImmediate(r));
    const a = store.subscribeToAll();
    const b = store.subscribeToAll();
    expect(store.watchingOtherProcesses).toBe(false);
    void a[Symbol.asyncIterator]().next();
    void b[Symbol.asyncIterator]().next();
    await settle();
    expect(store.watchingOtherProcesses).toBe(true);
    await a.stop();
    expect(store.watchingOtherProcesses).toBe(true);
    await b.stop();
    await settle();
    expect(store.watchingOtherProcesses).toBe(false);

    void store.subscribeToAll()[Symbol.asyncIterator]().next();
    await settle();
    expect(store.watchingOtherProcesses).toBe(true);
    await store.close();
    expect(store.watchingOtherProcesses).toBe(false);
  });
});
