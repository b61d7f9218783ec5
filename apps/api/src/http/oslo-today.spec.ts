import { osloDate } from '@evp/shared-kernel';
import { OsloToday } from './oslo-today';

describe('OsloToday', () => {
  it('answers as osloDate does, at every day boundary and across both daylight saving switches', () => {
    const today = new OsloToday();
    // Every 7 minutes through the days around the 2026 switches (29 March, 25 October) and a year end, in order and back again.
    const instants: Date[] = [];
    for (const start of ['2026-03-27T00:00:00Z', '2026-10-23T00:00:00Z', '2026-12-30T00:00:00Z']) {
      for (let t = Date.parse(start); t < Date.parse(start) + 4 * 86_400_000; t += 7 * 60_000) instants.push(new Date(t));
    }
    for (const instant of [...instants, ...instants.reverse()]) expect(today.of(instant)).toBe(osloDate(instant));
  });

  it('is exact at the first and last millisecond of a day', () => {
    const today = new OsloToday();
    const midnight = new Date('2026-06-14T22:00:00Z'); // 00:00 on 15 June in Oslo (UTC+2)
    expect(today.of(new Date(midnight.getTime() + 1000))).toBe('2026-06-15');
    expect(today.of(new Date(midnight.getTime() - 1))).toBe('2026-06-14');
    expect(today.of(midnight)).toBe('2026-06-15');
  });
});
