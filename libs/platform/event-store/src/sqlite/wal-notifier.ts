import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

/**
 * A write to the WAL is seen before the commit it belongs to is visible: SQLite writes the frames,
 * fsyncs, and only then publishes the new end of the log in the shared-memory index (which raises
 * no file event). So after a write the notifier keeps asking whether another connection committed,
 * often at first and then less often, until the writes have been quiet for this long. A commit
 * slower than that is still found by polling.
 */
const SETTLE_WINDOW_MS = 250;
/** Next look after `elapsed` ms of quiet: elapsed / 4, from 1 ms (an fsync takes ~0.2 ms here, a slow one a few) up to 64 ms. */
const RECHECK_FRACTION = 4;
const MIN_RECHECK_MS = 1;
const MAX_RECHECK_MS = 64;
/**
 * At most one wake-up per this interval: during a large import in another process every commit
 * writes the WAL, and waking each subscription per commit would read the log a row at a time.
 */
const MIN_WAKE_SPACING_MS = 5;
/** After watching failed (e.g. the inotify watch limit was reached), how long before trying again. */
const RESTART_AFTER_MS = 30_000;

export interface WalNotifierOptions {
  /** The database file; its `-wal` sibling is what other processes write when they commit. */
  readonly databaseFile: string;
  /**
   * True when another connection committed since the last call. SQLite's `PRAGMA data_version`
   * answers exactly that, cheaply, and ignores the store's own commits (those wake in-process).
   */
  readonly changedByOthers: () => boolean;
  /** Called when other processes' commits became visible; at most once per few milliseconds. */
  readonly wake: () => void;
}

/**
 * Cross-process notification for the SQLite store: watches the database's folder (inotify on
 * Linux) for writes to the WAL file and wakes the store's subscriptions as soon as another
 * process's commit is visible, instead of at their next poll. The folder is watched rather than
 * the file because the WAL is created on first use and deleted when the last connection closes; a
 * watch on the file's inode would go deaf when it is recreated.
 *
 * Best effort by design: where watching is unsupported or fails, it stays off (and is tried again
 * later) and polling alone delivers events. It never throws and logs nothing.
 */
export class WalNotifier {
  private readonly folder: string;
  private readonly walName: string;
  private watcher: FSWatcher | undefined;
  private failedAt = Number.NEGATIVE_INFINITY;
  /** Cancels the pending look, if one is scheduled. */
  private pending: (() => void) | undefined;
  private timerDueAt = 0;
  private lastWriteAt = 0;
  private lastWakeAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: WalNotifierOptions) {
    const file = resolve(options.databaseFile);
    this.folder = dirname(file);
    this.walName = `${basename(file)}-wal`;
  }

  get active(): boolean {
    return this.watcher !== undefined;
  }

  /** Starts watching unless it already does or failed recently. Never throws. */
  start(): void {
    if (this.watcher || performance.now() - this.failedAt < RESTART_AFTER_MS) return;
    try {
      // Not persistent: a watch alone must not keep the process alive; the pollers' timers do.
      const watcher = watch(this.folder, { persistent: false }, (_event, name) => {
        // Every file of the folder reports here (the -shm, other databases); only WAL writes can
        // carry a commit. A platform that gives no name gets the benefit of the doubt.
        if (name === null || name === this.walName) this.onWalWrite();
      });
      watcher.on('error', () => this.fail());
      this.watcher = watcher;
    } catch {
      this.fail();
    }
  }

  stop(): void {
    this.cancel();
    const watcher = this.watcher;
    this.watcher = undefined;
    try {
      watcher?.close();
    } catch {
      // Closing a watcher whose folder vanished can throw on some platforms; it is gone either way.
    }
  }

  private fail(): void {
    this.stop();
    this.failedAt = performance.now();
  }

  private onWalWrite(): void {
    const now = performance.now();
    this.lastWriteAt = now;
    // Coalesce: the events of one commit (several page writes) arrive together and share one
    // look; a look already due no later covers this write too.
    const dueAt = Math.max(now, this.lastWakeAt + MIN_WAKE_SPACING_MS);
    if (this.pending && this.timerDueAt <= dueAt) return;
    this.schedule(dueAt - now);
  }

  private schedule(delayMs: number): void {
    this.cancel();
    this.timerDueAt = performance.now() + delayMs;
    // The first look goes right after the pending I/O callbacks (the rest of this commit's
    // events), not after a timer's minimum of 1 ms. Neither may hold a process open: this is an
    // optimisation over polling.
    if (delayMs <= 0) {
      const immediate = setImmediate(() => this.check()).unref();
      this.pending = () => clearImmediate(immediate);
    } else {
      const timer = setTimeout(() => this.check(), delayMs).unref();
      this.pending = () => clearTimeout(timer);
    }
  }

  private cancel(): void {
    this.pending?.();
    this.pending = undefined;
  }

  private check(): void {
    this.pending = undefined;
    if (!this.watcher) return;
    let changed: boolean;
    try {
      changed = this.options.changedByOthers();
    } catch {
      // A look that cannot run (the database busy or closing) wakes the subscriptions: a
      // spurious wake-up costs one read each, a missed one a poll interval.
      changed = true;
    }
    const now = performance.now();
    if (changed) {
      this.lastWakeAt = now;
      this.options.wake();
    }
    // Look again until the writes have been quiet for the settle window, changed or not: a commit
    // whose writes were coalesced with an earlier one may become visible only later.
    const quiet = now - this.lastWriteAt;
    if (quiet < SETTLE_WINDOW_MS) {
      const recheck = Math.min(MAX_RECHECK_MS, Math.max(MIN_RECHECK_MS, quiet / RECHECK_FRACTION));
      this.schedule(Math.max(recheck, this.lastWakeAt + MIN_WAKE_SPACING_MS - now));
    }
  }
}
