import { SYNTHETIC_NOT_ALLOWED_REASON, checkNationalId, containsIdentityNumber, isValidNationalId, jsonContainsIdentityNumber } from './national-id';
import { syntheticNationalIds } from './synthetic-national-id';

// Synthetic numbers only: Tenor (month + 80) and Dolly (month + 40), valid check digits.
const TENOR = '15828500012'; // 15.02.1985, Tenor
const DOLLY = '22419900005'; // 22.01.1999, Dolly
const TENOR_DNR = '53828500038'; // d-nummer layout (day + 40), Tenor
const DOLLY_DNR = '63458000001'; // d-nummer layout (day + 40), Dolly
const TENOR_FEB_30 = '30828500089'; // check digits right, date impossible

describe('national identity numbers', () => {
  it('accepts Tenor and Dolly numbers, d-nummer layout included, when synthetic numbers are allowed', () => {
    const allow = { allowSynthetic: true };
    expect(checkNationalId(TENOR, allow)).toEqual({ valid: true, kind: 'fnr', synthetic: 'tenor' });
    expect(checkNationalId(DOLLY, allow)).toEqual({ valid: true, kind: 'fnr', synthetic: 'dolly' });
    expect(checkNationalId(TENOR_DNR, allow)).toEqual({ valid: true, kind: 'dnr', synthetic: 'tenor' });
    expect(checkNationalId(DOLLY_DNR, allow)).toEqual({ valid: true, kind: 'dnr', synthetic: 'dolly' });
    expect(isValidNationalId(TENOR, allow)).toBe(true);
  });

  it('refuses synthetic numbers by default and when not allowed, with a reason in bokmål that does not repeat the number', () => {
    for (const id of [TENOR, DOLLY, TENOR_DNR, DOLLY_DNR]) {
      expect(checkNationalId(id)).toEqual({ valid: false, reason: SYNTHETIC_NOT_ALLOWED_REASON });
      expect(checkNationalId(id, { allowSynthetic: false })).toEqual({ valid: false, reason: SYNTHETIC_NOT_ALLOWED_REASON });
      expect(isValidNationalId(id)).toBe(false);
    }
    expect(SYNTHETIC_NOT_ALLOWED_REASON).toBe('er et syntetisk testnummer (Tenor eller Dolly); slike numre er ikke tillatt her');
  });

  it('refuses a wrong check digit, an impossible date, a wrong length and letters, with the reason in bokmål', () => {
    const allow = { allowSynthetic: true };
    expect(checkNationalId('15828500013', allow)).toEqual({ valid: false, reason: 'har feil kontrollsiffer' });
    expect(checkNationalId(TENOR_FEB_30, allow)).toEqual({ valid: false, reason: 'inneholder ikke en gyldig dato' });
    expect(checkNationalId('123', allow)).toEqual({ valid: false, reason: 'må bestå av 11 siffer' });
    expect(checkNationalId('1582850001a', allow)).toEqual({ valid: false, reason: 'må bestå av 11 siffer' });
    expect(checkNationalId(' 15828500012', allow)).toEqual({ valid: false, reason: 'må bestå av 11 siffer' });
    expect(isValidNationalId('15828500013', allow)).toBe(false);
  });
});

describe('the synthetic number generator', () => {
  const ids = syntheticNationalIds(200, 7);

  it('makes only Tenor and Dolly numbers with valid check digits, never an ordinary-format number', () => {
    expect(new Set(ids).size).toBe(200);
    const kinds = new Set<string>();
    for (const id of ids) {
      const check = checkNationalId(id, { allowSynthetic: true });
      expect(check).toMatchObject({ valid: true, kind: 'fnr' });
      if (check.valid) kinds.add(check.synthetic ?? 'ordinary');
      expect(Number(id.slice(2, 4))).toBeGreaterThan(40);
      expect(checkNationalId(id)).toEqual({ valid: false, reason: SYNTHETIC_NOT_ALLOWED_REASON });
    }
    expect([...kinds].sort()).toEqual(['dolly', 'tenor']);
  });

  it('is reproducible from its seed and can make one scheme only', () => {
    expect(syntheticNationalIds(5, 7)).toEqual(ids.slice(0, 5));
    expect(syntheticNationalIds(5, 8)).not.toEqual(ids.slice(0, 5));
    for (const id of syntheticNationalIds(20, 3, { kind: 'tenor' })) expect(checkNationalId(id, { allowSynthetic: true })).toMatchObject({ synthetic: 'tenor' });
    for (const id of syntheticNationalIds(20, 3, { kind: 'dolly' })) expect(checkNationalId(id, { allowSynthetic: true })).toMatchObject({ synthetic: 'dolly' });
  });
});

describe('finding an identity number in text', () => {
  it('finds a valid number, synthetic or d-nummer, whole or inside longer text', () => {
    expect(containsIdentityNumber(TENOR)).toBe(true);
    expect(containsIdentityNumber(DOLLY_DNR)).toBe(true);
    expect(containsIdentityNumber(`Storgata 1 ${DOLLY}`)).toBe(true);
    expect(containsIdentityNumber(`Kari Nordmann(${TENOR_DNR})`)).toBe(true);
    expect(containsIdentityNumber(`x${TENOR}y`)).toBe(true);
    expect(containsIdentityNumber('fnr 158285 00012, Storgata 1')).toBe(true);
  });

  it('does not take ordinary text, a wrong check digit, an impossible date or a longer digit run for one', () => {
    expect(containsIdentityNumber('')).toBe(false);
    expect(containsIdentityNumber('Kirkegata 1, 7500 Stjørdal')).toBe(false);
    expect(containsIdentityNumber('9 282,00')).toBe(false);
    expect(containsIdentityNumber('F-2026-12-100234')).toBe(false);
    expect(containsIdentityNumber('15828500013')).toBe(false);
    expect(containsIdentityNumber(TENOR_FEB_30)).toBe(false);
    expect(containsIdentityNumber(`1${TENOR}`)).toBe(false);
    expect(containsIdentityNumber(`${TENOR}0`)).toBe(false);
    expect(containsIdentityNumber(TENOR.slice(1))).toBe(false);
  });

  it('finds one anywhere in a JSON value: strings, numbers and keys, nested', () => {
    expect(jsonContainsIdentityNumber({ a: [{ b: [`se ${DOLLY}`] }] })).toBe(true);
    expect(jsonContainsIdentityNumber({ amount: Number(TENOR) })).toBe(true);
    expect(jsonContainsIdentityNumber({ [TENOR_DNR]: true })).toBe(true);
    expect(jsonContainsIdentityNumber(TENOR)).toBe(true);
    expect(jsonContainsIdentityNumber({ a: [1, 'Kirkegata 1', { b: null, c: true }] })).toBe(false);
    expect(jsonContainsIdentityNumber(null)).toBe(false);
  });
});
