import iconv from 'iconv-lite';
import { syntheticNationalIds } from '@evp/shared-kernel';
import { decodeText } from './csv';
import { postingsFromCsv, postingsFromJson } from './postings-input';
import { tenanciesFromCsv } from './tenancies-input';

const HEADER = 'kommunenr;leieforhold;bilagsnr;type;dato;forfall;periode;belop';

describe('decoding ERP files', () => {
  it('reads UTF-8 with and without BOM, and Windows-1252, keeping æ, ø and å', () => {
    const text = 'Bjørnstjerne Bjørnsons gate, Åsen, Ærø';
    expect(decodeText(Buffer.from(text, 'utf8'))).toBe(text);
    expect(decodeText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]))).toBe(text);
    expect(decodeText(iconv.encode(text, 'win1252'))).toBe(text);
  });
});

describe('postings from CSV', () => {
  it('parses every kind of line, Norwegian dates and amounts into øre', () => {
    const { lines, errors } = postingsFromCsv(
      [HEADER, '5035;100234;F1;faktura;15.10.2026;01.11.2026;2026-11;9 282,00', '5035;100234;I1;innbetaling;2026-11-01;;;9282.5', '5035;100234;S1;saldo;2026-11-30;;;-0,50', '5035;100234;A1;avskrivning;2026-11-30;;;12'].join('\r\n'),
    );
    expect(errors).toEqual([]);
    expect(lines.map((l) => l.posting)).toEqual([
      { kind: 'charge', voucherRef: 'F1', date: '2026-10-15', dueDate: '2026-11-01', period: '2026-11', amountOre: 928200 },
      { kind: 'payment', voucherRef: 'I1', date: '2026-11-01', amountOre: 928250 },
      { kind: 'balance', voucherRef: 'S1', date: '2026-11-30', amountOre: -50 },
      { kind: 'write-off', voucherRef: 'A1', date: '2026-11-30', amountOre: 1200 },
    ]);
  });

  it('accepts the header with «beløp» and in another order', () => {
    const { lines, errors } = postingsFromCsv('beløp;type;kommunenr;leieforhold;bilagsnr;dato\n100;innbetaling;5035;1;I1;2026-11-01');
    expect(errors).toEqual([]);
    expect(lines[0]?.posting.amountOre).toBe(10000);
  });

  it('reports a missing column, a ragged line, a charge without due date and a negative payment', () => {
    expect(postingsFromCsv('kommunenr;leieforhold;type;dato;belop\n5035;1;faktura;2026-11-01;1').errors).toEqual([{ line: 1, column: 'bilagsnr', reason: 'kolonnen «bilagsnr» mangler i overskriftslinjen' }]);
    const { errors } = postingsFromCsv([HEADER, '5035;1;F1;faktura;2026-11-01', '5035;1;F2;faktura;2026-11-01;;;100', '5035;1;I1;innbetaling;2026-11-01;;;-5'].join('\n'));
    expect(errors.map((e) => [e.line, e.column])).toEqual([
      [2, null],
      [3, 'forfall'],
      [3, 'periode'],
      [4, 'belop'],
    ]);
  });

  it('validates JSON with the same rules, naming JSON fields', () => {
    const { errors } = postingsFromJson({ postings: [{ municipalityNumber: '5035', tenancyId: '1', voucherRef: 'I1', type: 'payment', date: '2026-11-01', amountOre: 1.5 }] });
    expect(errors).toEqual([{ line: 1, column: 'amountOre', reason: 'må være et helt antall øre' }]);
    expect(postingsFromJson({}).errors[0]?.column).toBe('postings');
  });
});

describe('tenancies from CSV', () => {
  const [a, b] = syntheticNationalIds(2, 5) as [string, string];
  const header = 'kommunenr;leieforhold;adresse;husleie;utleier;navkontor;fodselsnummer;navn';

  it('groups one line per tenant into one tenancy', () => {
    const { lines, errors } = tenanciesFromCsv([header, `5035;1;Gate 1;9 282,00;kommunal;nav-stjordal;${a};Åse`, `5035;1;Gate 1;9 282,00;kommunal;nav-stjordal;${b};Per`].join('\n'));
    expect(errors).toEqual([]);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.tenants.map((t) => t.name)).toEqual(['Åse', 'Per']);
  });

  it('refuses an invalid identity number without repeating it', () => {
    const wrong = a.slice(0, 10) + String((Number(a[10]) + 1) % 10);
    const { errors } = tenanciesFromCsv([header, `5035;1;Gate 1;9 282,00;kommunal;nav-stjordal;${wrong};Åse`].join('\n'));
    expect(errors).toEqual([{ line: 2, column: 'fodselsnummer', reason: 'fødselsnummeret kontrollsifrene stemmer ikke' }]);
    expect(JSON.stringify(errors)).not.toContain(wrong);
  });
});
