import { addMonths, formatDate, formatKroner, formatMonth, formatShare, formatWholeKroner } from './format';

describe('Norwegian formatting', () => {
  it('shows øre as kroner with a decimal comma and space thousands, without float rounding', () => {
    expect(formatKroner(928200)).toBe('9\u00a0282,00\u00a0kr');
    expect(formatKroner(183107900)).toBe('1\u00a0831\u00a0079,00\u00a0kr');
    expect(formatKroner(5)).toBe('0,05\u00a0kr');
    expect(formatKroner(-15050)).toBe('\u2212150,50\u00a0kr');
    expect(formatKroner(0)).toBe('0,00\u00a0kr');
    expect(formatWholeKroner(115105300)).toBe('1\u00a0151\u00a0053\u00a0kr');
  });

  it('shows the housing plan\'s share in percent with one decimal', () => {
    expect(formatShare(0.0276)).toBe('2,8\u00a0%');
    expect(formatShare(1831079 / 55313367)).toBe('3,3\u00a0%');
  });

  it('shows dates and months the Norwegian way', () => {
    expect(formatDate('2026-11-02')).toBe('02.11.2026');
    expect(formatDate(null)).toBe('–');
    expect(formatMonth('2026-11')).toBe('november 2026');
    expect(formatMonth('2026-03', true)).toBe('mars 2026');
    expect(addMonths('2026-01', -1)).toBe('2025-12');
    expect(addMonths('2026-11', -35)).toBe('2023-12');
    expect(addMonths('2025-12', 1)).toBe('2026-01');
  });
});
