import { readFileSync, writeFileSync } from 'node:fs';
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
  constructor(private readonly file: string) {}

  now(): Date {
    return new Date(Date.now() + this.offsetMs());
  }

  private offsetMs(): number {
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
