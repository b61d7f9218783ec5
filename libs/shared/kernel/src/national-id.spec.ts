import { checkNationalId } from './national-id';
import { syntheticNationalIds } from './synthetic-national-id';

describe('national identity numbers', () => {
  const ids = syntheticNationalIds(50, 7);

  it('accepts generated synthetic numbers, which carry valid check digits', () => {
    for (const id of ids) expect(checkNationalId(id)).toEqual({ valid: true, kind: 'fnr' });
  });

  it('refuses a wrong check digit, a wrong length and letters, with the reason in bokmål', () => {
    const id = ids[0] as string;
    const wrongCheck = id.slice(0, 10) + String((Number(id[10]) + 1) % 10);
    expect(checkNationalId(wrongCheck)).toEqual({ valid: false, reason: 'kontrollsifrene stemmer ikke' });
    expect(checkNationalId('123')).toEqual({ valid: false, reason: 'må bestå av 11 siffer' });
    expect(checkNationalId('1234567890a')).toMatchObject({ valid: false });
  });
});
