import { histogramMedian } from './month-counts';

describe('median of a histogram', () => {
  it('is the middle value, or the mean of the two middle ones; null when empty', () => {
    expect(histogramMedian([])).toBeNull();
    expect(histogramMedian([{ days: 2, n: 1 }])).toBe(2);
    expect(histogramMedian([{ days: 1, n: 1 }, { days: 2, n: 2 }, { days: 9, n: 1 }])).toBe(2);
    expect(histogramMedian([{ days: 13, n: 1 }, { days: 34, n: 1 }])).toBe(23.5);
    expect(histogramMedian([{ days: 3, n: 1 }])).toBe(3);
    expect(histogramMedian([{ days: 3, n: 1 }, { days: 7, n: 2 }, { days: 25, n: 1 }])).toBe(7);
    expect(histogramMedian([{ days: 3, n: 1 }, { days: 8, n: 1 }])).toBe(5.5);
  });
});
