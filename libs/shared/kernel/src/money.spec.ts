import { formatKroner, MoneyFormatError, parseKroner } from './money';

describe('kroner to øre without floating point', () => {
  it.each([
    ['9 282,00', 928200],
    ['9\u00a0282,00', 928200],
    ['9282.00', 928200],
    ['9282,5', 928250],
    ['9282', 928200],
    ['-1 200', -120000],
    ['1.234,56', 123456],
    ['1,234.56', 123456],
    ['12 345 678,90', 1234567890],
    ['0,10', 10],
    ['0.07', 7],
    ['  17 666,00 ', 1766600],
  ])('%s → %d øre', (text, ore) => {
    expect(parseKroner(text)).toBe(ore);
  });

  it.each([['abc'], [''], ['9 28,00'], ['1,2,3'], ['9282,123'], ['1.23.45,00'], ['12 34'], ['kr 100']])('refuses %p', (text) => {
    expect(() => parseKroner(text)).toThrow(MoneyFormatError);
  });

  it('sums that would drift in floating point stay exact', () => {
    expect(parseKroner('0,10') + parseKroner('0,20')).toBe(30);
  });

  it('formats øre as Norwegian kroner', () => {
    expect(formatKroner(928200)).toBe('9\u00a0282,00');
    expect(formatKroner(-5)).toBe('-0,05');
  });
});
