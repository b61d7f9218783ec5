import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStoreUnavailableError } from '../errors';
import { BusyRetry, DRIVER_BUSY_TIMEOUT_MS, isBusy } from './busy-retry';

/**
 * BusyRetry against real SQLite locks: `holder` is another connection to the same WAL file that
 * takes the write lock with `BEGIN IMMEDIATE`, as another process's append or import does; the
 * attempts write on `waiter`, which (like the store) has better-sqlite3's busy timeout at 0, so
 * SQLITE_BUSY comes back at once. Fake timers (with `performance.now()`) where the timing of the
 * retries is asserted; real ones where the point is that the event loop runs while a call waits.
 */

let dir: string;
const connections: Database.Database[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'evp-busy-retry-'));
});

afterEach(() => {
  // In this order: restoring the spies first puts back the fake setTimeout they wrapped, which
  // useRealTimers then replaces with the real one.
  jest.restoreAllMocks();
  jest.useRealTimers();
  for (const db of connections.splice(0)) if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The delay of every `setTimeout` from here on, the (fake) timers still set as asked. */
function recordTimerDelays(): number[] {
  const delays: number[] = [];
  const fakeSetTimeout = globalThis.setTimeout;
  jest.spyOn(globalThis, 'setTimeout').mockImplementation(((callback: () => void, ms?: number) => {
    delays.push(ms as number);
    return fakeSetTimeout(callback, ms);
  }) as typeof setTimeout);
  return delays;
}

interface Lock {
  readonly holder: Database.Database;
  readonly waiter: Database.Database;
  /** `performance.now()` at every attempt, in order. */
  readonly tries: number[];
  /** One attempt: inserts `key` on `waiter` and returns the rows it changed (1). */
  attempt(key?: number): number;
  /** Rows committed, as a third look at the file sees them. */
  committedKeys(): number[];
  /** Takes the write lock on `holder`, optionally inserting `key` in that transaction. */
  take(key?: number): void;
  release(): void;
}

function lockedFile(): Lock {
  const file = join(dir, 'store.sqlite');
  const holder = new Database(file);
  holder.pragma('journal_mode = WAL');
  holder.exec('CREATE TABLE t (key INTEGER NOT NULL UNIQUE)');
  const waiter = new Database(file, { timeout: DRIVER_BUSY_TIMEOUT_MS });
  const observer = new Database(file, { readonly: true });
  connections.push(holder, waiter, observer);
  const tries: number[] = [];
  return {
    holder,
    waiter,
    tries,
    attempt: (key = 1) => {
      tries.push(performance.now());
      return waiter.prepare('INSERT INTO t (key) VALUES (?)').run(key).changes;
    },
    committedKeys: () => observer.prepare('SELECT key FROM t ORDER BY key').pluck().all() as number[],
    take: (key?: number) => {
      holder.exec('BEGIN IMMEDIATE');
      if (key !== undefined) holder.prepare('INSERT INTO t (key) VALUES (?)').run(key);
    },
    release: () => holder.exec('COMMIT'),
  };
}

/** Whether `promise` has settled, and how, without waiting for it. */
function track<T>(promise: Promise<T>) {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return state;
}

/** Lets pending promise callbacks run (setImmediate stays real in the fake-timer tests). */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

const open = () => undefined;

describe('isBusy', () => {
  it('is true for SQLITE_BUSY and its extended codes, told by the code alone', () => {
    const codes = ['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_BUSY_RECOVERY', 'SQLITE_BUSY_TIMEOUT'];
    // Plain objects: the error class may be another copy of better-sqlite3's (Jest's module registry).
    expect(codes.map((code) => isBusy({ code }))).toEqual([true, true, true, true]);
  });

  it('is false for SQLITE_LOCKED (a conflict inside one connection), other codes and anything without a string code', () => {
    const others: unknown[] = [
      { code: 'SQLITE_LOCKED' },
      { code: 'SQLITE_LOCKED_SHAREDCACHE' },
      { code: 'SQLITE_CONSTRAINT_UNIQUE' },
      { code: 'SQLITE_ERROR' },
      { code: 'sqlite_busy' },
      { code: 5 },
      new Error('SQLITE_BUSY'),
      'SQLITE_BUSY',
      null,
      undefined,
    ];
    expect(others.map(isBusy)).toEqual(others.map(() => false));
  });

  it("recognises the errors the driver really throws: another connection's write lock, and a stale snapshot", () => {
    const lock = lockedFile();
    lock.take();
    let error: unknown;
    try {
      lock.attempt();
    } catch (e) {
      error = e;
    }
    expect([(error as { code?: string }).code, isBusy(error)]).toEqual(['SQLITE_BUSY', true]);
    lock.release();

    // A read transaction that saw the file before another connection's commit cannot become a write.
    lock.waiter.exec('BEGIN');
    lock.waiter.prepare('SELECT count(*) FROM t').get();
    lock.holder.prepare('INSERT INTO t (key) VALUES (7)').run();
    let stale: unknown;
    try {
      lock.attempt(8);
    } catch (e) {
      stale = e;
    }
    lock.waiter.exec('ROLLBACK');
    expect([(stale as { code?: string }).code, isBusy(stale)]).toEqual(['SQLITE_BUSY_SNAPSHOT', true]);
  });

  it('the driver itself never waits: its busy timeout is 0', () => {
    expect(DRIVER_BUSY_TIMEOUT_MS).toBe(0);
  });
});

describe('BusyRetry.attemptWhileBusy', () => {
  it('returns the value of an attempt that succeeds at once synchronously, after one try and without a timer', () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    const lock = lockedFile();
    const result = new BusyRetry(1_000, open).attemptWhileBusy(() => lock.attempt(1));
    expect([result, lock.tries.length, jest.getTimerCount(), lock.committedKeys()]).toEqual([1, 1, 0, [1]]);
  });

  it('retries on timers while another connection holds the lock, and succeeds once it lets go', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    const lock = lockedFile();
    lock.take();
    const result = new BusyRetry(1_000, open).attemptWhileBusy(() => lock.attempt(1));
    expect(result).toBeInstanceOf(Promise);
    const state = track(result as Promise<number>);
    // The first try failed at once; the next wait for a timer.
    expect([lock.tries.length, jest.getTimerCount()]).toEqual([1, 1]);

    await jest.advanceTimersByTimeAsync(50);
    const triesWhileLocked = lock.tries.length;
    expect(state.settled).toBe(false);
    expect(triesWhileLocked).toBeGreaterThan(3);
    expect(lock.committedKeys()).toEqual([]);

    lock.release();
    await jest.advanceTimersByTimeAsync(40);
    expect(state).toEqual({ settled: true, value: 1 });
    expect(lock.tries.length).toBe(triesWhileLocked + 1);
    expect(lock.committedKeys()).toEqual([1]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('waits between tries for a jittered backoff that doubles from 1 ms up to 32 ms', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    jest.spyOn(Math, 'random').mockReturnValue(0.5);
    const lock = lockedFile();
    lock.take();
    const delays = recordTimerDelays();
    const state = track(new BusyRetry(10_000, open).attemptWhileBusy(() => lock.attempt(1)) as Promise<number>);
    await jest.advanceTimersByTimeAsync(150);
    // backoff / 2 + random × backoff / 2 with random 0.5: three quarters of 1, 2, 4, 8, 16, 32, 32, ...
    expect(delays.slice(0, 8)).toEqual([0.75, 1.5, 3, 6, 12, 24, 24, 24]);
    lock.release();
    await jest.advanceTimersByTimeAsync(40);
    expect(state).toEqual({ settled: true, value: 1 });
  });

  it('keeps every wait within [backoff / 2, backoff) whatever the jitter draws', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    const lock = lockedFile();
    lock.take();
    const delays = recordTimerDelays();
    const state = track(new BusyRetry(10_000, open).attemptWhileBusy(() => lock.attempt(1)) as Promise<number>);
    await jest.advanceTimersByTimeAsync(300);
    lock.release();
    await jest.advanceTimersByTimeAsync(40);
    expect(state.settled).toBe(true);
    const backoffs = delays.map((_, i) => Math.min(2 ** i, 32));
    expect(delays.length).toBeGreaterThan(8);
    expect(delays.filter((ms, i) => ms < (backoffs[i] as number) / 2 || ms >= (backoffs[i] as number))).toEqual([]);
  });

  it('gives up when busyTimeoutMs has passed, after a last try at the deadline, with an EventStoreUnavailableError saying why', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    const lock = lockedFile();
    lock.take();
    const startedAt = performance.now();
    const result = new BusyRetry(100, open).attemptWhileBusy(() => lock.attempt(1));
    const state = track(result as Promise<number>);

    await jest.advanceTimersByTimeAsync(99);
    expect(state.settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(state.settled).toBe(true);
    expect(state.error).toBeInstanceOf(EventStoreUnavailableError);
    expect((state.error as EventStoreUnavailableError).code).toBe('EVENT_STORE_UNAVAILABLE');
    expect((state.error as Error).message).toBe(
      'The SQLite event store stayed locked by another process for 100 ms (SQLITE_BUSY); could not append (nothing was written)',
    );
    expect((lock.tries.at(-1) as number) - startedAt).toBe(100);
    expect(lock.tries.every((at) => at - startedAt <= 100)).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
    lock.release();
    expect(lock.committedKeys()).toEqual([]);
  });

  it('names what could not be done in the timeout message (a read)', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    const lock = lockedFile();
    lock.take();
    const state = track(new BusyRetry(20, open).attemptWhileBusy(() => lock.attempt(1), 'read') as Promise<number>);
    await jest.advanceTimersByTimeAsync(20);
    expect((state.error as Error).message).toBe('The SQLite event store stayed locked by another process for 20 ms (SQLITE_BUSY); could not read');
  });

  it('with busyTimeoutMs 0 fails after the one try, without waiting', async () => {
    const lock = lockedFile();
    lock.take();
    const result = new BusyRetry(0, open).attemptWhileBusy(() => lock.attempt(1));
    await expect(result).rejects.toThrow('stayed locked by another process for 0 ms (SQLITE_BUSY)');
    expect(lock.tries.length).toBe(1);
  });

  it('throws a non-busy error of the first try at once, synchronously, without retrying', () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    const lock = lockedFile();
    lock.attempt(1);
    let thrown: unknown;
    try {
      new BusyRetry(1_000, open).attemptWhileBusy(() => lock.attempt(1));
    } catch (error) {
      thrown = error;
    }
    expect((thrown as { code?: string }).code).toBe('SQLITE_CONSTRAINT_UNIQUE');
    expect([lock.tries.length, jest.getTimerCount()]).toEqual([2, 0]);
  });

  it('passes on a non-busy error met after waiting, at once, instead of retrying until the timeout', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    const lock = lockedFile();
    // The other connection writes the same key: once it commits, this attempt breaks the UNIQUE constraint.
    lock.take(1);
    const state = track(new BusyRetry(10_000, open).attemptWhileBusy(() => lock.attempt(1)) as Promise<number>);
    await jest.advanceTimersByTimeAsync(20);
    expect(state.settled).toBe(false);
    lock.release();
    await jest.advanceTimersByTimeAsync(40);
    const triesAtFailure = lock.tries.length;
    expect((state.error as { code?: string }).code).toBe('SQLITE_CONSTRAINT_UNIQUE');
    expect(state.error).not.toBeInstanceOf(EventStoreUnavailableError);
    await jest.advanceTimersByTimeAsync(1_000);
    expect([lock.tries.length, jest.getTimerCount(), lock.committedKeys()]).toEqual([triesAtFailure, 0, [1]]);
  });

  it('does not try at all when assertOpen throws (the store is closed)', () => {
    let attempts = 0;
    const retry = new BusyRetry(1_000, () => {
      throw new EventStoreUnavailableError('The SQLite event store is closed');
    });
    expect(() => retry.attemptWhileBusy(() => ++attempts)).toThrow('The SQLite event store is closed');
    expect(attempts).toBe(0);
  });

  it('stops at once when the store closes while it waits and wakeSleepers() ends the backoff timer', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    jest.spyOn(Math, 'random').mockReturnValue(0.5);
    const lock = lockedFile();
    lock.take();
    let closed = false;
    const retry = new BusyRetry(10_000, () => {
      if (closed) throw new EventStoreUnavailableError('The SQLite event store is closed');
    });
    const state = track(retry.attemptWhileBusy(() => lock.attempt(1)) as Promise<number>);
    await jest.advanceTimersByTimeAsync(30);
    const tries = lock.tries.length;
    const now = performance.now();
    expect([state.settled, jest.getTimerCount()]).toEqual([false, 1]);

    closed = true;
    retry.wakeSleepers();
    await flush();
    // No time has passed: it was the wake-up, not the timer, that ended the wait.
    expect(performance.now()).toBe(now);
    expect(state.settled).toBe(true);
    expect((state.error as Error).message).toBe('The SQLite event store is closed');
    expect([lock.tries.length, jest.getTimerCount()]).toEqual([tries, 0]);
  });

  it('stops at its next timer, without another try, when the store closes while it waits (no wake-up)', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    const lock = lockedFile();
    lock.take();
    let closed = false;
    const retry = new BusyRetry(10_000, () => {
      if (closed) throw new EventStoreUnavailableError('The SQLite event store is closed');
    });
    const state = track(retry.attemptWhileBusy(() => lock.attempt(1)) as Promise<number>);
    await jest.advanceTimersByTimeAsync(10);
    const tries = lock.tries.length;
    closed = true;
    lock.release();
    await jest.advanceTimersByTimeAsync(40);
    expect((state.error as Error).message).toBe('The SQLite event store is closed');
    expect(lock.tries.length).toBe(tries);
    expect(lock.committedKeys()).toEqual([]);
  });

  it('wakeSleepers() while the store is open makes a waiting call try again at once', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    jest.spyOn(Math, 'random').mockReturnValue(0.5);
    const lock = lockedFile();
    lock.take();
    const retry = new BusyRetry(10_000, open);
    const state = track(retry.attemptWhileBusy(() => lock.attempt(1)) as Promise<number>);
    // Waits of 0.75, 1.5, 3, 6 and 12 ms are behind it; the one of 24 ms has begun.
    await jest.advanceTimersByTimeAsync(30);
    const tries = lock.tries.length;
    const now = performance.now();
    lock.release();
    retry.wakeSleepers();
    await flush();
    expect(performance.now()).toBe(now);
    expect(state).toEqual({ settled: true, value: 1 });
    expect([lock.tries.length, jest.getTimerCount()]).toEqual([tries + 1, 0]);
  });

  it('never blocks the event loop while it waits: an immediate and a timer run meanwhile, and the one releasing the lock lets it succeed', async () => {
    const lock = lockedFile();
    lock.take();
    const log: string[] = [];
    // Well below Jest's 5 s: a loop that blocked would end in this timeout's error, not Jest's.
    const retry = new BusyRetry(2_000, open);
    const result = retry.attemptWhileBusy(() => {
      try {
        const changes = lock.attempt(1);
        log.push('ok');
        return changes;
      } catch (error) {
        log.push('busy');
        throw error;
      }
    });
    setImmediate(() => log.push('immediate'));
    // A waiting call that blocked the loop would keep this timer from running until it gave up.
    setTimeout(() => {
      log.push('release');
      lock.release();
    }, 20);
    await expect(result).resolves.toBe(1);
    expect(log[0]).toBe('busy');
    expect(log.at(-1)).toBe('ok');
    expect(log.filter((entry) => entry === 'ok')).toHaveLength(1);
    expect(log.indexOf('immediate')).toBeLessThan(log.indexOf('release'));
    expect(log.indexOf('release')).toBe(log.length - 2);
    expect(log.slice(0, -2).filter((entry) => entry !== 'busy' && entry !== 'immediate')).toEqual([]);
    expect(lock.committedKeys()).toEqual([1]);
  });
});

describe('BusyRetry.retryWhileBusy', () => {
  it('without a busy error makes its first try at once, synchronously, and resolves with its value', async () => {
    const lock = lockedFile();
    const promise = new BusyRetry(1_000, open).retryWhileBusy(() => lock.attempt(1), performance.now(), 'append');
    expect(lock.tries.length).toBe(1);
    await expect(promise).resolves.toBe(1);
  });

  it('with a busy error whose deadline has already passed fails without another try', async () => {
    const lock = lockedFile();
    const busy = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY_RECOVERY' });
    const promise = new BusyRetry(500, open).retryWhileBusy(() => lock.attempt(1), performance.now() - 1_000, 'open the database', busy);
    await expect(promise).rejects.toThrow(
      new EventStoreUnavailableError('The SQLite event store stayed locked by another process for 500 ms (SQLITE_BUSY_RECOVERY); could not open the database'),
    );
    expect(lock.tries.length).toBe(0);
  });

  it('with a busy error waits before its first try, and measures the timeout from startedAt', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    const lock = lockedFile();
    lock.take();
    const busy = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    // Started 60 ms ago with a timeout of 100: 40 ms are left.
    const startedAt = performance.now() - 60;
    const state = track(new BusyRetry(100, open).retryWhileBusy(() => lock.attempt(1), startedAt, 'append', busy));
    expect([lock.tries.length, jest.getTimerCount()]).toEqual([0, 1]);
    await jest.advanceTimersByTimeAsync(39);
    expect(state.settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect((state.error as Error).message).toBe('The SQLite event store stayed locked by another process for 100 ms (SQLITE_BUSY); could not append');
    expect((lock.tries.at(-1) as number) - startedAt).toBe(100);
  });
});
