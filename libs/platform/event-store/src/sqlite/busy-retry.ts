import { EventStoreUnavailableError } from '../errors';

/**
 * better-sqlite3's own busy timeout. Zero: SQLite must never sleep inside a call, which would
 * freeze the event loop; SQLITE_BUSY comes back at once and `retryWhileBusy` waits with timers.
 */
export const DRIVER_BUSY_TIMEOUT_MS = 0;
/** Backoff between lock attempts: from about a millisecond (a typical append holds the lock ~0.2 ms) up to tens. */
const FIRST_BACKOFF_MS = 1;
const MAX_BACKOFF_MS = 32;

/**
 * Waiting for another process's lock without blocking the event loop: a call that meets
 * SQLITE_BUSY is tried again on short jittered timers until `busyTimeoutMs`.
 */
export class BusyRetry {
  /** Backoff timers of calls waiting for a lock: `close()` ends them at once instead of at their next try. */
  private readonly sleepers = new Set<() => void>();

  constructor(
    private readonly busyTimeoutMs: number,
    /** Throws once the store is closed: checked before every attempt. */
    private readonly assertOpen: () => void,
    /** The error a wait that ran out throws (a transient one of the store's own kind). */
    private readonly unavailable: (message: string) => Error = (message) => new EventStoreUnavailableError(message),
    /** The store, as the error names it. */
    private readonly storeName = 'event store',
  ) {}

  /**
   * Runs `attempt` (one synchronous SQLite call) at once, or, when it meets another process's
   * lock, again and again on timers until it gets it (`retryWhileBusy`). A write calls it when its
   * turn in this process's queue has come (the store's `writeTail`: each append takes its place
   * when called, so this process's appends commit in call order and only one of them at a time
   * knocks on the lock). A read calls it directly: in WAL mode reads do not wait for writers; they meet a lock
   * only in rare moments (WAL recovery after a crash, a checkpoint resetting the log).
   */
  attemptWhileBusy<T>(attempt: () => T, what = 'append (nothing was written)'): T | Promise<T> {
    this.assertOpen();
    const startedAt = performance.now();
    try {
      return attempt();
    } catch (error) {
      if (!isBusy(error)) throw error;
      return this.retryWhileBusy(attempt, startedAt, what, error);
    }
  }

  /**
   * Runs `attempt` (one synchronous SQLite call) again after a short, growing, jittered timer each
   * time another process's lock turns it away, until `busyTimeoutMs` has passed since `startedAt`;
   * then fails with the `unavailable` error (EventStoreUnavailableError by default). An append's attempt is its whole transaction
   * (better-sqlite3 rolls back one that fails), so each try re-reads the stream's revision under
   * the lock. `busy`: the first attempt already failed, so wait before the next. Times are
   * `performance.now()`: monotonic, so a clock adjustment cannot stretch or cut the wait.
   */
  async retryWhileBusy<T>(attempt: () => T, startedAt: number, what: string, busy?: unknown): Promise<T> {
    const deadline = startedAt + this.busyTimeoutMs;
    let backoff = FIRST_BACKOFF_MS;
    for (;;) {
      if (busy !== undefined) {
        const left = deadline - performance.now();
        if (left <= 0) {
          throw this.unavailable(`The SQLite ${this.storeName} stayed locked by another process for ${this.busyTimeoutMs} ms (${(busy as { code?: string }).code}); could not ${what}`);
        }
        // Jitter: two processes that met at the lock do not knock again in step.
        await this.sleep(Math.min(left, backoff / 2 + (Math.random() * backoff) / 2));
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
      this.assertOpen();
      try {
        return attempt();
      } catch (error) {
        if (!isBusy(error)) throw error;
        busy = error;
      }
    }
  }

  /** For `close()`: ends every backoff timer now; each waiting call then finds the store closed. */
  wakeSleepers(): void {
    for (const wake of [...this.sleepers]) wake();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }
}

/**
 * Another process's lock: SQLITE_BUSY and its extended codes (BUSY_SNAPSHOT, BUSY_RECOVERY,
 * BUSY_TIMEOUT). Not SQLITE_LOCKED, which the old retry loop also caught: it is a conflict inside
 * this one connection (there is no shared cache), which waiting cannot resolve, so it surfaces at
 * once instead of after the busy timeout. Told by the code, not by `instanceof SqliteError`: the
 * native addon keeps the error class of whichever copy of better-sqlite3 loaded it first, which in
 * Jest (a module registry per test file) is not the class this module sees.
 */
export function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}
