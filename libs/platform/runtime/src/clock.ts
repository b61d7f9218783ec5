import { readFileSync, statSync, writeFileSync } from 'node:fs';
import type { Clock } from '@evp/shared-kernel';

export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }
}

/**
 * Test-only clock shared by every process of an end-to-end test: real time plus an offset read
 * from a file (`{"offsetMs": n}`), so a test can jump business days ahead while the api, the worker
 * and BullMQ keep running. The configuration refuses it unless NODE_ENV=test.
 */
export class FileOffsetClock implements Clock {
  /** The offset as last read, and the file's identity then: reading and parsing it on every `now()` cost a tenth of the api's time in benchmarks. */
  private last: { stamp: string; offsetMs: number } | undefined;

  constructor(private readonly file: string) {}

  now(): Date {
    return new Date(Date.now() + this.offsetMs());
  }

  private offsetMs(): number {
    // One stat instead of open, read and parse: the file changes only when a test moves the clock,
    // and every write gives it a new modification time (nanoseconds) or size.
    const stat = statSync(this.file, { bigint: true, throwIfNoEntry: false });
    const stamp = stat ? `${stat.ino}:${stat.mtimeNs}:${stat.size}` : 'none';
    if (this.last?.stamp === stamp) return this.last.offsetMs;
    const offsetMs = this.readOffsetMs();
    this.last = { stamp, offsetMs };
    return offsetMs;
  }

  private readOffsetMs(): number {
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as { offsetMs?: unknown };
      return typeof parsed.offsetMs === 'number' && Number.isFinite(parsed.offsetMs) ? parsed.offsetMs : 0;
    } catch {
      return 0;
    }
  }

  /** Used by tests: make `now()` return `instant` from here on (time then moves on normally). */
  static setNow(file: string, instant: Date): void {
    writeFileSync(file, JSON.stringify({ offsetMs: instant.getTime() - Date.now() }));
  }
}
