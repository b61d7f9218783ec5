import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileOffsetClock } from './clock';

describe('FileOffsetClock (the e2e tests’ shared clock)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'evp-clock-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const near = (a: Date, b: Date) => Math.abs(a.getTime() - b.getTime()) < 1_000;

  it('follows every move of the file at once, although it parses the file only when it changed', () => {
    const file = join(dir, 'clock.json');
    const clock = new FileOffsetClock(file);
    expect(near(clock.now(), new Date())).toBe(true); // no file yet: real time
    expect(near(FileOffsetClock.readNow(file), new Date())).toBe(true);
    for (const at of ['2026-11-02T09:00:00Z', '2026-11-16T08:00:00Z', '2026-11-16T08:00:01Z', '2025-01-01T00:00:00Z']) {
      FileOffsetClock.setNow(file, new Date(at));
      expect(near(clock.now(), new Date(at))).toBe(true);
      expect(near(clock.now(), new Date(at))).toBe(true);
      expect(near(FileOffsetClock.readNow(file), new Date(at))).toBe(true);
    }
  });

  it('keeps the offset it last read while the file holds no offset (a write caught half-way), and follows the next one', () => {
    const file = join(dir, 'torn.json');
    const clock = new FileOffsetClock(file);
    FileOffsetClock.setNow(file, new Date('2026-12-20T08:00:00Z'));
    expect(near(clock.now(), new Date('2026-12-20T08:00:00Z'))).toBe(true);
    for (const torn of ['', '{"offsetMs":', 'not json', '{"offsetMs":"soon"}']) {
      writeFileSync(file, torn);
      expect(near(clock.now(), new Date('2026-12-20T08:00:00Z'))).toBe(true);
    }
    FileOffsetClock.setNow(file, new Date('2027-01-04T08:00:00Z'));
    expect(near(clock.now(), new Date('2027-01-04T08:00:00Z'))).toBe(true);
    // A file that never held an offset is real time, read once or by a clock.
    const garbage = join(dir, 'garbage.json');
    writeFileSync(garbage, 'not json');
    expect(near(new FileOffsetClock(garbage).now(), new Date())).toBe(true);
    expect(near(FileOffsetClock.readNow(garbage), new Date())).toBe(true);
  });

  it('reads an offset written with more bytes than one read takes', () => {
    const file = join(dir, 'long.json');
    const at = new Date('2026-12-01T08:00:00Z');
    writeFileSync(file, JSON.stringify({ offsetMs: at.getTime() - Date.now(), note: 'x'.repeat(400) }));
    expect(near(new FileOffsetClock(file).now(), at)).toBe(true);
  });
});
