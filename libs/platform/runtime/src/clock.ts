import { openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
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
  /** The file, open once it exists: `setNow` rewrites it in place, so the descriptor follows every move. */
  private fd: number | undefined;
  /** The bytes last read, and the offset they gave. */
  private last: { bytes: Buffer; offsetMs: number } | undefined;
  private readonly buffer = Buffer.alloc(256);

  constructor(private readonly file: string) {}

  now(): Date {
    return new Date(Date.now() + this.offsetMs());
  }

  /**
   * One `pread` of the open file per call, parsed only when its bytes changed: the api reads the
   * clock on every request, and a `stat` of the path per call (what this did before) cost a tenth
   * of a cheap request's CPU in the read benchmark, the pread a third of that. Bytes that do not
   * parse (a write caught half-way: `writeFileSync` truncates first) keep the offset last read,
   * so the business clock never jumps back to real time for a moment.
   */
  private offsetMs(): number {
    if (this.fd === undefined) {
      try {
        this.fd = openSync(this.file, 'r');
      } catch {
        return this.last?.offsetMs ?? 0; // not written yet: real time
      }
    }
    const length = readSync(this.fd, this.buffer, 0, this.buffer.length, 0);
    if (this.last && length < this.buffer.length && this.last.bytes.length === length && this.buffer.compare(this.last.bytes, 0, length, 0, length) === 0) return this.last.offsetMs;
    const bytes = Buffer.from(this.buffer.subarray(0, length));
    const offsetMs = parseOffset(length === this.buffer.length ? readWhole(this.file) : bytes.toString('utf8'));
    if (offsetMs === undefined) return this.last?.offsetMs ?? 0;
    this.last = { bytes, offsetMs };
    return offsetMs;
  }

  /** The file's time once, holding no descriptor (a test minting a token). */
  static readNow(file: string): Date {
    return new Date(Date.now() + (parseOffset(readWhole(file)) ?? 0)); // not written yet: real time
  }

  /**
   * Used by tests: make `now()` return `instant` from here on (time then moves on normally). The
   * file is rewritten in place, which the clocks' open descriptors follow; a file replaced by
   * another (renamed over, or removed and made again) would not be.
   */
  static setNow(file: string, instant: Date): void {
    writeFileSync(file, JSON.stringify({ offsetMs: instant.getTime() - Date.now() }));
  }
}

function readWhole(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return ''; // not there: no offset read
  }
}

function parseOffset(text: string): number | undefined {
  try {
    const parsed = JSON.parse(text) as { offsetMs?: unknown };
    return typeof parsed.offsetMs === 'number' && Number.isFinite(parsed.offsetMs) ? parsed.offsetMs : undefined;
  } catch {
    return undefined;
  }
}
