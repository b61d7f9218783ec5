import { norwegianCalendar } from './working-days';
import { osloDate, parseLocalDate, startOfOsloDay, addDays, daysBetween, DateFormatError } from './local-date';

describe('Norwegian working days', () => {
  // Known public holidays, including the movable feasts around Easter and Whitsun.
  it.each([
    ['2024-03-28', 'skjærtorsdag 2024'],
    ['2024-03-29', 'langfredag 2024'],
    ['2024-04-01', 'andre påskedag 2024'],
    ['2024-05-01', 'arbeidernes dag'],
    ['2024-05-09', 'Kristi himmelfartsdag 2024'],
    ['2024-05-17', 'grunnlovsdag'],
    ['2024-05-20', 'andre pinsedag 2024'],
    ['2025-04-17', 'skjærtorsdag 2025'],
    ['2025-04-21', 'andre påskedag 2025'],
    ['2025-05-29', 'Kristi himmelfartsdag 2025'],
    ['2025-06-09', 'andre pinsedag 2025'],
    ['2026-04-02', 'skjærtorsdag 2026'],
    ['2026-04-06', 'andre påskedag 2026'],
    ['2026-05-14', 'Kristi himmelfartsdag 2026'],
    ['2026-05-25', 'andre pinsedag 2026'],
    ['2026-12-25', 'første juledag'],
    ['2026-12-26', 'andre juledag (a Saturday)'],
    ['2027-03-25', 'skjærtorsdag 2027'],
    ['2027-03-29', 'andre påskedag 2027'],
    ['2027-05-17', 'grunnlovsdag 2027 (a Monday)'],
    ['2028-04-17', 'andre påskedag 2028'],
    ['2028-06-05', 'andre pinsedag 2028'],
    ['2030-01-01', 'første nyttårsdag'],
  ])('%s (%s) is not a working day', (date) => {
    expect(norwegianCalendar.isWorkingDay(date)).toBe(false);
  });

  it.each([['2026-11-26'], ['2026-12-24'], ['2026-12-31'], ['2024-03-27'], ['2026-05-18']])('%s is a working day', (date) => {
    expect(norwegianCalendar.isWorkingDay(date)).toBe(true);
  });

  it('skips weekends and Easter when counting forward', () => {
    // Wednesday 1 April 2026 + 1 working day: Thursday 2 (skjærtorsdag), Friday 3 (langfredag), weekend, Monday 6 (andre påskedag) → Tuesday 7.
    expect(norwegianCalendar.addWorkingDays('2026-04-01', 1)).toBe('2026-04-07');
    expect(norwegianCalendar.addWorkingDays('2026-11-26', 5)).toBe('2026-12-03');
    expect(norwegianCalendar.addWorkingDays('2026-12-22', 5)).toBe('2026-12-30'); // 23, 24, (25, 26, 27), 28, 29, 30
    expect(norwegianCalendar.addWorkingDays('2026-11-27', 0)).toBe('2026-11-27');
    expect(norwegianCalendar.workingDaysBetween('2026-04-01', '2026-04-07')).toBe(1);
  });
});

describe('local dates', () => {
  it('parses ISO and Norwegian dates and refuses impossible ones', () => {
    expect(parseLocalDate('2026-02-28')).toBe('2026-02-28');
    expect(parseLocalDate('01.12.2026')).toBe('2026-12-01');
    expect(parseLocalDate('1.2.2026')).toBe('2026-02-01');
    for (const bad of ['2026-02-30', '31.04.2026', '2026/01/01', 'i går', '']) expect(() => parseLocalDate(bad)).toThrow(DateFormatError);
  });

  it('knows the Norwegian date of an instant across daylight saving', () => {
    expect(osloDate(new Date('2026-11-26T23:30:00Z'))).toBe('2026-11-27');
    expect(osloDate(new Date('2026-07-01T22:30:00Z'))).toBe('2026-07-02');
    expect(startOfOsloDay('2026-07-02').toISOString()).toBe('2026-07-01T22:00:00.000Z');
    expect(startOfOsloDay('2026-11-27').toISOString()).toBe('2026-11-26T23:00:00.000Z');
    expect(addDays('2026-03-28', 2)).toBe('2026-03-30');
    expect(daysBetween('2026-03-28', '2026-03-30')).toBe(2);
  });
});
