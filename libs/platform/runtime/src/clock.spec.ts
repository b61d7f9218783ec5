import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileOffsetClock } from './clock';

describe('FileOffsetClock (the e2e tests’ shared clock)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'evp-clock-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const near = (a: Date, b: Date) => Math.abs(a.getTime() - b.getTime()) < 1_000;

  it('follows every move of the file at once, although it reads the file only when it changed', () => {
    const file = join(dir, 'clock.json');
    const clock = new FileOffsetClock(file);
    expect(near(clock.now(), new Date())).toBe(true); // no file: real time
    for (const at of ['2026-11-02T09:00:00Z', '2026-11-16T08:00:00Z', '2026-11-16T08:00:01Z', '2025-01-01T00:00:00Z']) {
      FileOffsetClock.setNow(file, new Date(at));
      expect(near(clock.now(), new Date(at))).toBe(true);
      expect(near(clock.now(), new Date(at))).toBe(true);
    }
    writeFileSync(file, 'not json');
    expect(near(clock.now(), new Date())).toBe(true);
    rmSync(file);
    expect(near(clock.now(), new Date())).toBe(true);
  });
});
