import iconv from 'iconv-lite';
import { ErrorList, MAX_REASON_LENGTH, MAX_REPORTED_ERRORS, decodeText, reportErrors } from './csv';
import { jsonContainsIdentityNumber } from '@evp/shared-kernel';
import { FORMULA_REASON, safeFieldName } from './personal-data-guard';
import { postingsFromCsv, postingsFromJson } from './postings-input';
import { tenanciesFromCsv, tenanciesFromJson } from './tenancies-input';

// Synthetic identity numbers only (Tenor: month + 80; Dolly: month + 40), with valid check digits.
const TENOR = '15828500012';
const DOLLY = '22419900005';
const TENOR_2 = '01917000030';
const DOLLY_2 = '12468800045';
const TENOR_DNR = '53828500038';

const HEADER = 'kommunenr;leieforhold;bilagsnr;type;dato;forfall;periode;belop';
const TENANCY_HEADER = 'kommunenr;leieforhold;adresse;husleie;utleier;navkontor;fodselsnummer;navn';
const ALLOW = { allowSyntheticIds: true };

const IN_POSTINGS = 'ser ut som et fødselsnummer; personnummer hører ikke hjemme i posteringer';
const IN_TENANCY_FILE = 'ser ut som et fødselsnummer; personnummer hører bare hjemme i kolonnen fodselsnummer';
const IN_TENANCY_JSON = 'ser ut som et fødselsnummer; personnummer hører bare hjemme i feltet tenants[].nationalId';
const SYNTHETIC_REFUSED = 'fødselsnummeret er et syntetisk testnummer (Tenor eller Dolly); slike numre er ikke tillatt her';

const tenancy = (over: Record<string, unknown> = {}) => ({
  municipalityNumber: '5035',
  tenancyId: '100234',
  address: 'Kirkegata 1, 7500 Stjørdal',
  monthlyRent: '9 282,00',
  landlordKind: 'kommunal',
  navOffice: 'nav-stjordal',
  tenants: [{ nationalId: TENOR, name: 'Åse Nordmann' }],
  ...over,
});
const posting = (over: Record<string, unknown> = {}) => ({ municipalityNumber: '5035', tenancyId: '100234', voucherRef: 'I1', type: 'innbetaling', date: '2026-11-01', amount: '100,00', ...over });

describe('decoding ERP files', () => {
  it('reads UTF-8 with and without BOM, and Windows-1252, keeping æ, ø and å', async () => {
    const text = 'Bjørnstjerne Bjørnsons gate, Åsen, Ærø';
    expect(decodeText(Buffer.from(text, 'utf8'))).toBe(text);
    expect(decodeText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]))).toBe(text);
    expect(decodeText(iconv.encode(text, 'win1252'))).toBe(text);
  });
});

describe('postings from CSV', () => {
  it('parses every kind of line, Norwegian dates and amounts into øre', async () => {
    const { lines, errors, total } = await postingsFromCsv(
      [HEADER, '5035;100234;F1;faktura;15.10.2026;01.11.2026;2026-11;9 282,00', '5035;100234;I1;innbetaling;2026-11-01;;;9282.5', '5035;100234;S1;saldo;2026-11-30;;;-0,50', '5035;100234;A1;avskrivning;2026-11-30;;;12'].join('\r\n'),
    );
    expect(errors).toEqual([]);
    expect(total).toBe(0);
    expect(lines.map((l) => l.posting)).toEqual([
      { kind: 'charge', voucherRef: 'F1', date: '2026-10-15', dueDate: '2026-11-01', period: '2026-11', amountOre: 928200 },
      { kind: 'payment', voucherRef: 'I1', date: '2026-11-01', amountOre: 928250 },
      { kind: 'balance', voucherRef: 'S1', date: '2026-11-30', amountOre: -50 },
      { kind: 'write-off', voucherRef: 'A1', date: '2026-11-30', amountOre: 1200 },
    ]);
  });

  it('accepts the header with «beløp» and in another order', async () => {
    const { lines, errors } = await postingsFromCsv('beløp;type;kommunenr;leieforhold;bilagsnr;dato\n100;innbetaling;5035;1;I1;2026-11-01');
    expect(errors).toEqual([]);
    expect(lines[0]?.posting.amountOre).toBe(10000);
  });

  it('reports a missing column, a ragged line, a charge without due date and a negative payment', async () => {
    expect((await postingsFromCsv('kommunenr;leieforhold;type;dato;belop\n5035;1;faktura;2026-11-01;1')).errors).toEqual([{ line: 1, column: 'bilagsnr', reason: 'kolonnen «bilagsnr» mangler i overskriftslinjen' }]);
    const { errors, total } = await postingsFromCsv([HEADER, '5035;1;F1;faktura;2026-11-01', '5035;1;F2;faktura;2026-11-01;;;100', '5035;1;I1;innbetaling;2026-11-01;;;-5'].join('\n'));
    expect(errors.map((e) => [e.line, e.column])).toEqual([
      [2, null],
      [3, 'forfall'],
      [3, 'periode'],
      [4, 'belop'],
    ]);
    expect(total).toBe(4);
  });

  it('validates JSON with the same rules, naming JSON fields', async () => {
    const { errors } = postingsFromJson({ postings: [{ municipalityNumber: '5035', tenancyId: '1', voucherRef: 'I1', type: 'payment', date: '2026-11-01', amountOre: 1.5 }] });
    expect(errors).toEqual([{ line: 1, column: 'amountOre', reason: 'må være et helt antall øre' }]);
    expect(postingsFromJson({}).errors[0]?.column).toBe('postings');
  });
});

describe('tenancies from CSV', () => {
  it('groups one line per tenant into one tenancy', async () => {
    const { lines, errors } = await tenanciesFromCsv([TENANCY_HEADER, `5035;1;Gate 1;9 282,00;kommunal;nav-stjordal;${TENOR};Åse`, `5035;1;Gate 1;9 282,00;kommunal;nav-stjordal;${DOLLY};Per`].join('\n'), ALLOW);
    expect(errors).toEqual([]);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.tenants).toEqual([
      { nationalId: TENOR, name: 'Åse' },
      { nationalId: DOLLY, name: 'Per' },
    ]);
  });

  it('refuses an invalid identity number without repeating it, on the tenant’s own line', async () => {
    const wrong = '15828500013';
    const { errors } = await tenanciesFromCsv([TENANCY_HEADER, `5035;1;Gate 1;9 282,00;kommunal;nav-stjordal;${DOLLY};Per`, `5035;1;Gate 1;9 282,00;kommunal;nav-stjordal;${wrong};Åse`].join('\n'), ALLOW);
    expect(errors).toEqual([{ line: 3, column: 'fodselsnummer', reason: 'fødselsnummeret har feil kontrollsiffer' }]);
    expect(JSON.stringify(errors)).not.toContain(wrong);
  });

  it('refuses the same identity number twice in one tenancy', async () => {
    const { errors } = await tenanciesFromCsv([TENANCY_HEADER, `5035;1;Gate 1;9 282,00;kommunal;nav-stjordal;${DOLLY};Per`, `5035;1;Gate 1;9 282,00;kommunal;nav-stjordal;${DOLLY};Per`].join('\n'), ALLOW);
    expect(errors).toEqual([{ line: 3, column: 'fodselsnummer', reason: 'samme fødselsnummer står også på linje 2 for dette leieforholdet' }]);
  });
});

describe('synthetic identity numbers', () => {
  const file = [TENANCY_HEADER, `5035;1;Gate 1;9 282,00;kommunal;nav-stjordal;${TENOR};Åse`, `5035;2;Gate 2;9 282,00;kommunal;nav-stjordal;${DOLLY_2};Per`, `5035;3;Gate 3;9 282,00;kommunal;nav-stjordal;${TENOR_DNR};Ola`].join('\n');

  it('are accepted, Tenor and Dolly, when the configuration allows them', async () => {
    const { lines, errors } = await tenanciesFromCsv(file, { allowSyntheticIds: true });
    expect(errors).toEqual([]);
    expect(lines.map((l) => l.tenants[0]?.nationalId)).toEqual([TENOR, DOLLY_2, TENOR_DNR]);
    expect(tenanciesFromJson({ tenancies: [tenancy()] }, { allowSyntheticIds: true }).errors).toEqual([]);
  });

  it('are refused, with a clear reason that does not repeat them, when it does not, and by default', async () => {
    for (const result of [await tenanciesFromCsv(file, { allowSyntheticIds: false }), await tenanciesFromCsv(file)]) {
      expect(result.lines).toEqual([]);
      expect(result.errors).toEqual([
        { line: 2, column: 'fodselsnummer', reason: SYNTHETIC_REFUSED },
        { line: 3, column: 'fodselsnummer', reason: SYNTHETIC_REFUSED },
        { line: 4, column: 'fodselsnummer', reason: SYNTHETIC_REFUSED },
      ]);
    }
    expect(tenanciesFromJson({ tenancies: [tenancy()] }).errors).toEqual([{ line: 1, column: 'tenants[0].nationalId', reason: SYNTHETIC_REFUSED }]);
  });
});

describe('an identity number in the wrong column', () => {
  it('is refused in every column of the postings file, whole or inside text, without being repeated', async () => {
    const { lines, errors, total } = await postingsFromCsv(
      [
        `${HEADER};kommentar`,
        `5035;${TENOR};I1;innbetaling;2026-11-01;;;100;`,
        `5035;100234;${DOLLY};innbetaling;2026-11-01;;;100;`,
        `5035;100234;F1;faktura;2026-11-01;2026-12-01;${TENOR_2};100;`,
        `5035;100234;I2;${DOLLY_2};2026-11-01;;;100;`,
        `5035;100234;I3;innbetaling;2026-11-01;;;${TENOR_DNR};`,
        `5035;100234;I4;innbetaling;2026-11-01;;;100;leietaker ${TENOR} flyttet`,
        `5035;100234;I5;innbetaling;${DOLLY};;;100;`,
      ].join('\n'),
    );
    expect(lines).toEqual([]);
    expect(errors).toEqual([
      { line: 2, column: 'leieforhold', reason: IN_POSTINGS },
      { line: 3, column: 'bilagsnr', reason: IN_POSTINGS },
      { line: 4, column: 'periode', reason: IN_POSTINGS },
      { line: 5, column: 'type', reason: IN_POSTINGS },
      { line: 6, column: 'belop', reason: IN_POSTINGS },
      { line: 7, column: 'kolonne 9', reason: IN_POSTINGS },
      { line: 8, column: 'dato', reason: IN_POSTINGS },
    ]);
    expect(total).toBe(7);
    for (const id of [TENOR, DOLLY, TENOR_2, DOLLY_2, TENOR_DNR]) expect(JSON.stringify(errors)).not.toContain(id);
  });

  it('is refused in every field of JSON postings, a number-typed one and unknown fields included', async () => {
    const { lines, errors } = postingsFromJson({
      postings: [posting({ tenancyId: Number(TENOR) }), posting({ voucherRef: `B-${DOLLY}` }), posting({ amountOre: Number(TENOR) }), posting({ note: { text: `se ${DOLLY_2}` } }), posting({ [TENOR]: 'x' })],
      comment: TENOR_DNR,
    });
    expect(lines).toEqual([]);
    expect(errors).toEqual([
      { line: null, column: 'comment', reason: IN_POSTINGS },
      { line: 1, column: 'tenancyId', reason: IN_POSTINGS },
      { line: 2, column: 'voucherRef', reason: IN_POSTINGS },
      { line: 3, column: 'amountOre', reason: IN_POSTINGS },
      { line: 4, column: 'note', reason: IN_POSTINGS },
      { line: 5, column: '(ukjent felt)', reason: IN_POSTINGS },
    ]);
    for (const id of [TENOR, DOLLY, TENOR_2, DOLLY_2, TENOR_DNR]) expect(JSON.stringify(errors)).not.toContain(id);
  });

  it('is refused in every column of the tenancy file but fodselsnummer, each on its own line', async () => {
    const { lines, errors } = await tenanciesFromCsv(
      [
        `${TENANCY_HEADER};merknad`,
        `5035;${TENOR};Gate 1;9 282,00;kommunal;nav-stjordal;${DOLLY};Per;`,
        `5035;2;Storgata 1 ${TENOR_2};9 282,00;kommunal;nav-stjordal;${DOLLY};Per;`,
        `5035;3;Gate 3;9 282,00;${DOLLY_2};nav-stjordal;${DOLLY};Per;`,
        `5035;4;Gate 4;9 282,00;kommunal;nav-${TENOR_DNR};${DOLLY};Per;`,
        `5035;5;Gate 5;9 282,00;kommunal;nav-stjordal;${DOLLY};Kari 158285 00012 Nordmann;`,
        `5035;6;Gate 6;${TENOR_2};kommunal;nav-stjordal;${DOLLY};Per;`,
        `5035;7;Gate 7;9 282,00;kommunal;nav-stjordal;${DOLLY};Per;fnr ${TENOR}`,
        `5035;7;Gate 7 ${DOLLY_2};9 282,00;kommunal;nav-stjordal;${TENOR};Åse;`,
      ].join('\n'),
      ALLOW,
    );
    expect(lines).toEqual([]);
    expect(errors).toEqual([
      { line: 2, column: 'leieforhold', reason: IN_TENANCY_FILE },
      { line: 3, column: 'adresse', reason: IN_TENANCY_FILE },
      { line: 4, column: 'utleier', reason: IN_TENANCY_FILE },
      { line: 5, column: 'navkontor', reason: IN_TENANCY_FILE },
      { line: 6, column: 'navn', reason: IN_TENANCY_FILE },
      { line: 7, column: 'husleie', reason: IN_TENANCY_FILE },
      { line: 8, column: 'kolonne 9', reason: IN_TENANCY_FILE },
      { line: 9, column: 'adresse', reason: IN_TENANCY_FILE },
    ]);
    for (const id of [TENOR, TENOR_2, DOLLY_2, TENOR_DNR, '158285 00012']) expect(JSON.stringify(errors)).not.toContain(id);
  });

  it('is refused in every field of JSON tenancies but tenants[].nationalId', async () => {
    const { lines, errors } = tenanciesFromJson(
      {
        tenancies: [
          tenancy({ tenancyId: TENOR_2 }),
          tenancy({ tenancyId: '2', address: `c/o ${DOLLY}` }),
          tenancy({ tenancyId: '3', navOffice: TENOR_DNR }),
          tenancy({ tenancyId: '4', tenants: [{ nationalId: TENOR, name: `Per ${DOLLY_2}` }] }),
          tenancy({ tenancyId: '5', tenants: [{ nationalId: TENOR, name: 'Per', extra: DOLLY }] }),
          tenancy({ tenancyId: '6', landlordKind: Number(DOLLY_2) }),
          tenancy({ tenancyId: '7', kommentar: `fnr ${TENOR}` }),
        ],
      },
      ALLOW,
    );
    expect(lines).toEqual([]);
    expect(errors).toEqual([
      { line: 1, column: 'tenancyId', reason: IN_TENANCY_JSON },
      { line: 2, column: 'address', reason: IN_TENANCY_JSON },
      { line: 3, column: 'navOffice', reason: IN_TENANCY_JSON },
      { line: 4, column: 'tenants[0].name', reason: IN_TENANCY_JSON },
      { line: 5, column: 'tenants[0].extra', reason: IN_TENANCY_JSON },
      { line: 6, column: 'landlordKind', reason: IN_TENANCY_JSON },
      { line: 7, column: 'kommentar', reason: IN_TENANCY_JSON },
    ]);
    for (const id of [TENOR_2, DOLLY, DOLLY_2, TENOR_DNR]) expect(JSON.stringify(errors)).not.toContain(id);
  });

  it('is not found in ordinary values, nor in a digit run longer than eleven', async () => {
    const { errors } = await postingsFromCsv([HEADER, `5035;100234;K${TENOR}9;innbetaling;2026-11-01;;;100`, '5035;100234;15828500013;innbetaling;2026-11-01;;;100'].join('\n'));
    expect(errors).toEqual([]);
    expect(jsonContainsIdentityNumber({ a: [1, 'Kirkegata 1', { b: null, c: true }] })).toBe(false);
    expect(jsonContainsIdentityNumber({ a: [{ b: [`x${DOLLY}`] }] })).toBe(true);
    expect(safeFieldName('note')).toBe('note');
    expect(safeFieldName('Kari Nordmann')).toBe('(ukjent felt)');
    expect(safeFieldName(`a${TENOR}`)).toBe('(ukjent felt)');
  });
});

describe('no error repeats a value from the input', () => {
  const personal = ['Kari Nordmann', 'Storgata 7', '15828500013', '1582850001', 'Hemmeligveien', 'ni tusen kroner', 'X'.repeat(45), 'BILAG MED MELLOMROM', 'ukjenttype', '31.02.2026', '2026-13', '50350'];

  it('in the tenancy file, tenancy JSON, the postings file and postings JSON', async () => {
    const results = [
      await tenanciesFromCsv([TENANCY_HEADER, `50350;${'X'.repeat(45)};Storgata 7;ni tusen kroner;Hemmeligveien;Kari Nordmann;15828500013;Kari Nordmann`, `5035;1;Storgata 7;100;kommunal;nav-x;1582850001;${'Kari Nordmann '.repeat(20)}`].join('\n'), ALLOW),
      tenanciesFromJson({ tenancies: [tenancy({ municipalityNumber: '50350', tenancyId: 'X'.repeat(45), monthlyRent: 'ni tusen kroner', landlordKind: 'Hemmeligveien', navOffice: 'Kari Nordmann', tenants: [{ nationalId: '15828500013', name: '' }] })] }, ALLOW),
      await postingsFromCsv([HEADER, `50350;${'X'.repeat(45)};BILAG MED MELLOMROM;ukjenttype;31.02.2026;;;ni tusen kroner`, '5035;1;F1;faktura;2026-11-01;31.02.2026;2026-13;100', '5035;1;F1;faktura;2026-11-01;2026-12-01;2026-12;100', '5035;1;F1;faktura;2026-11-01;2026-12-01;2026-12;100'].join('\n')),
      postingsFromJson({ postings: [posting({ municipalityNumber: '50350', tenancyId: 'X'.repeat(45), voucherRef: 'BILAG MED MELLOMROM', type: 'ukjenttype', date: '31.02.2026', amount: 'ni tusen kroner' })] }),
    ];
    for (const { errors } of results) {
      expect(errors.length).toBeGreaterThan(0);
      const text = JSON.stringify(errors);
      for (const value of personal) expect(text).not.toContain(value);
    }
    expect(results[0]?.errors.map((e) => e.column)).toEqual(['kommunenr', 'leieforhold', 'husleie', 'utleier', 'navkontor', 'fodselsnummer', 'fodselsnummer', 'navn']);
    expect(results[2]?.errors.map((e) => [e.line, e.column])).toEqual([
      [2, 'kommunenr'],
      [2, 'leieforhold'],
      [2, 'bilagsnr'],
      [2, 'type'],
      [2, 'dato'],
      [2, 'belop'],
      [3, 'forfall'],
      [3, 'periode'],
      [5, 'bilagsnr'],
    ]);
    expect(results[2]?.errors.at(-1)?.reason).toBe('samme bilag for samme leieforhold står også på linje 4');
  });

  it('in a quoting error, whose own message would quote the field', async () => {
    const { errors } = await postingsFromCsv([HEADER, '5035;1;I1;innbetaling;2026-11-01;;;1"Kari Nordmann"'].join('\n'));
    expect(errors).toEqual([{ line: 2, column: null, reason: 'filen kan ikke leses som semikolonseparert CSV: et anførselstegn (") står inne i et felt; sett hele feltet i anførselstegn og skriv anførselstegn inni feltet dobbelt ("")' }]);
    const unclosed = await postingsFromCsv([HEADER, '5035;1;I1;innbetaling;2026-11-01;;;"Kari Nordmann'].join('\n'));
    expect(unclosed.errors).toEqual([{ line: 2, column: null, reason: 'filen kan ikke leses som semikolonseparert CSV: et felt som begynner med anførselstegn (") blir aldri avsluttet' }]);
  });
});

describe('spreadsheet formulas in free text', () => {
  it('are refused in an address, a name and any other text column, naming the column', async () => {
    const { lines, errors } = await tenanciesFromCsv(
      [
        TENANCY_HEADER,
        `5035;1;"=HYPERLINK(""https://example.invalid"";""klikk"")";9 282,00;kommunal;nav-stjordal;${TENOR};Åse`,
        `5035;2;Gate 2;9 282,00;kommunal;nav-stjordal;${DOLLY};+47 99 99 99 99`,
        `5035;3;Gate 3;9 282,00;kommunal;nav-stjordal;${TENOR_2};-Per`,
        `5035;4;Gate 4;9 282,00;kommunal;nav-stjordal;${DOLLY_2};@SUM(A1)`,
        `5035;5;"\t=1+1";9 282,00;kommunal;nav-stjordal;${TENOR_DNR};Ola`,
        `5035;6;Gate 6;9 282,00;@kommunal;nav-stjordal;${TENOR_DNR};Ola`,
      ].join('\n'),
      ALLOW,
    );
    expect(lines).toEqual([]);
    expect(errors).toEqual([
      { line: 2, column: 'adresse', reason: FORMULA_REASON },
      { line: 3, column: 'navn', reason: FORMULA_REASON },
      { line: 4, column: 'navn', reason: FORMULA_REASON },
      { line: 5, column: 'navn', reason: FORMULA_REASON },
      { line: 6, column: 'adresse', reason: FORMULA_REASON },
      { line: 7, column: 'utleier', reason: FORMULA_REASON },
    ]);
    expect(FORMULA_REASON).toBe('kan ikke begynne med =, +, -, @ eller tabulator; det kan tolkes som en regnearkformel');
  });

  it('are refused in JSON, after a leading tab or carriage return, and in the period text of a posting', async () => {
    const json = tenanciesFromJson({ tenancies: [tenancy({ address: '\r=1+1' }), tenancy({ tenancyId: '2', tenants: [{ nationalId: TENOR, name: '\t@x' }] })] }, ALLOW);
    expect(json.errors).toEqual([
      { line: 1, column: 'address', reason: FORMULA_REASON },
      { line: 2, column: 'tenants[0].name', reason: FORMULA_REASON },
    ]);
    const file = await postingsFromCsv([HEADER, '5035;1;F1;faktura;2026-11-01;2026-12-01;=2026-12;100'].join('\n'));
    expect(file.errors).toEqual([{ line: 2, column: 'periode', reason: FORMULA_REASON }]);
  });

  it('leave amounts alone: a balance may be negative', async () => {
    expect(postingsFromJson({ postings: [posting({ type: 'saldo', amount: '-0,50' }), posting({ voucherRef: 'S2', type: 'saldo', amount: undefined, amountOre: -50 })] }).errors).toEqual([]);
  });
});

describe('a file with the wrong delimiter', () => {
  it('is refused with one error saying it is comma-separated', async () => {
    const result = await postingsFromCsv(['kommunenr,leieforhold,bilagsnr,type,dato,forfall,periode,belop', '5035,100234,I1,innbetaling,2026-11-01,,,"100,00"'].join('\n'));
    expect(result).toEqual({ lines: [], total: 1, errors: [{ line: 1, column: null, reason: 'filen ser ut til å være kommaseparert; bruk semikolon (;) som skilletegn' }] });
    const quoted = await tenanciesFromCsv(['\ufeff"kommunenr","leieforhold","adresse","husleie","utleier","navkontor","fodselsnummer","navn"', `"5035","1","Gate 1","9282","kommunal","nav-x","${TENOR}","Åse"`].join('\r\n'), ALLOW);
    expect(quoted.errors).toEqual([{ line: 1, column: null, reason: 'filen ser ut til å være kommaseparert; bruk semikolon (;) som skilletegn' }]);
  });

  it('is refused with one error saying it is tab-separated', async () => {
    const result = await tenanciesFromCsv([TENANCY_HEADER.replace(/;/g, '\t'), `5035\t1\tGate 1\t9282\tkommunal\tnav-x\t${TENOR}\tÅse`].join('\n'), ALLOW);
    expect(result.errors).toEqual([{ line: 1, column: null, reason: 'filen ser ut til å være tabulatorseparert; bruk semikolon (;) som skilletegn' }]);
  });

  it('is not suspected when the semicolon header is right and a text holds commas', async () => {
    const { errors } = await tenanciesFromCsv([`${TENANCY_HEADER};kommentar, fritt`, `5035;1;Kirkegata 1, 7500 Stjørdal;9 282,00;kommunal;nav-stjordal;${TENOR};Nordmann, Åse;a,b`].join('\n'), ALLOW);
    expect(errors).toEqual([]);
  });
});

describe('a refused input’s error list', () => {
  it('keeps the first errors by line, counts them all, and shortens long reasons', async () => {
    const list = new ErrorList(3);
    for (const line of [9, 8, 7, 6, 5, 4, 3]) list.push({ line, column: 'c', reason: `r${line}` });
    list.push({ line: null, column: null, reason: 'hele filen' }, { line: 3, column: 'd', reason: 'x'.repeat(5000) });
    const { total, errors } = list.report();
    expect(total).toBe(9);
    expect(errors.map((e) => [e.line, e.column])).toEqual([
      [null, null],
      [3, 'c'],
      [3, 'd'],
    ]);
    expect(errors[2]?.reason).toHaveLength(MAX_REASON_LENGTH);
    expect(reportErrors([{ line: 2, column: 'a', reason: 'b' }, { line: 1, column: 'a', reason: 'c' }])).toEqual({ total: 2, errors: [{ line: 1, column: 'a', reason: 'c' }, { line: 2, column: 'a', reason: 'b' }] });
  });

  it('for a 16 MB invalid file: 200 errors listed, the right total, under 1 MB as JSON', async () => {
    const long = 'Kari Nordmann '.repeat(4);
    const line = (i: number) => `5035;100234;I${i};innbetaling;2026-13-45;;;${long}`;
    const lines: string[] = [HEADER];
    let size = HEADER.length;
    for (let i = 0; size < 16 * 1024 * 1024; i++) {
      const l = line(i);
      lines.push(l);
      size += l.length + 1;
    }
    const body = lines.length - 1;
    const result = await postingsFromCsv(lines.join('\n'));
    expect(result.lines).toEqual([]);
    expect(result.total).toBe(2 * body);
    expect(result.errors).toHaveLength(MAX_REPORTED_ERRORS);
    expect(result.errors.slice(0, 2)).toEqual([
      { line: 2, column: 'dato', reason: 'er ikke en dato (ÅÅÅÅ-MM-DD eller DD.MM.ÅÅÅÅ)' },
      { line: 2, column: 'belop', reason: 'er ikke et beløp i kroner (for eksempel 9 282,00)' },
    ]);
    expect(result.errors.at(-1)?.line).toBe(101);
    const json = JSON.stringify(result);
    expect(Buffer.byteLength(json)).toBeLessThan(1024 * 1024);
    expect(json).not.toContain('Kari');
  }, 60_000);
});

describe('a month’s file is parsed and checked in slices', () => {
  it('lets the event loop in while it parses 10 000 lines (600 KB), and gives the same lines as one go would', async () => {
    const lines = [HEADER];
    for (let i = 0; i < 10_000; i++) lines.push(`5035;${100000 + i};F-${i};faktura;2026-11-15;2026-12-01;2026-12;9 282,00`);
    let turns = 0;
    const ticking = setInterval(() => (turns += 1), 0);
    try {
      const { lines: parsed, total } = await postingsFromCsv(lines.join('\n'));
      expect(total).toBe(0);
      expect(parsed).toHaveLength(10_000);
      expect(parsed[9_999]).toMatchObject({ line: 10_001, tenancyId: '109999', posting: { voucherRef: 'F-9999', amountOre: 928200 } });
    } finally {
      clearInterval(ticking);
    }
    // The file is fed to the parser 256 KB at a time with a turn of the event loop after each.
    expect(turns).toBeGreaterThan(0);
    // Seconds on a machine busy with the rest of the suite: not Jest's default five.
  }, 60_000);
});
