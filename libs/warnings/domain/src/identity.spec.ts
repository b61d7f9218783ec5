import { syntheticNationalIds } from '@evp/shared-kernel';
import { birthDateOfNationalId, isOrganisationNumber, normaliseName, warningIdOf } from './identity';

describe('organisasjonsnummer (mod 11, weights 3 2 7 6 5 4 3 2)', () => {
  it.each([
    ['974760673', true, 'Brønnøysundregistrene'],
    ['923609016', true, 'Equinor ASA'],
    ['974760674', false, 'wrong check digit'],
    ['97476067', false, 'eight digits'],
    ['97476067a', false, 'not digits'],
  ])('%s → %s (%s)', (value, valid) => {
    expect(isOrganisationNumber(value)).toBe(valid);
  });

  it('a remainder that would give check digit 10 is never a valid number', () => {
    // 4 × 3 = 12, which is 1 mod 11: the check digit would be 10, so no last digit makes it valid.
    for (let last = 0; last <= 9; last++) expect(isOrganisationNumber(`40000000${last}`)).toBe(false);
  });
});

describe('birth date from a synthetic identity number', () => {
  it('reads DDMMÅÅ with the month shifted (Tenor +80, Dolly +40) and the century from the individual number', () => {
    for (const id of syntheticNationalIds(20, 7)) {
      const day = Number(id.slice(0, 2));
      const month = Number(id.slice(2, 4)) % 40;
      const year = 1900 + Number(id.slice(4, 6)); // the generator draws 1940–1999 with individual numbers 000–499
      expect(birthDateOfNationalId(id)).toBe(`${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`);
    }
  });

  it('a d-nummer adds 40 to the day; individual numbers 500–999 with ÅÅ 00–39 are born 2000–2039', () => {
    expect(birthDateOfNationalId('41850550000')).toBe('2005-05-01');
    expect(birthDateOfNationalId('0185055')).toBeNull();
    expect(birthDateOfNationalId('31825050000')).toBeNull(); // 750–899 with ÅÅ ≥ 40 is no century
  });
});

describe('names and warning ids', () => {
  it('compares names without case, extra spaces or composed/decomposed letters', () => {
    expect(normaliseName('  Åse   ØRNØ ')).toBe(normaliseName('a\u030ase ørnø'));
  });

  it('a warning id depends on landlord, tenants and their notice dates, not on their order', () => {
    const a = warningIdOf('l1', [
      { personId: 'p1', noticeSentOn: '2026-12-01' },
      { personId: 'p2', noticeSentOn: null },
    ]);
    expect(warningIdOf('l1', [{ personId: 'p2', noticeSentOn: null }, { personId: 'p1', noticeSentOn: '2026-12-01' }])).toBe(a);
    expect(warningIdOf('l2', [{ personId: 'p2', noticeSentOn: null }, { personId: 'p1', noticeSentOn: '2026-12-01' }])).not.toBe(a);
    expect(warningIdOf('l1', [{ personId: 'p2', noticeSentOn: '2026-12-03' }, { personId: 'p1', noticeSentOn: '2026-12-01' }])).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
