import { syntheticNationalIds } from '@evp/shared-kernel';
import { TestSystem, waitFor } from './support/system';

interface ArrearsPage {
  items: Array<{ tenancyId: string; overdueOre: number; daysOverdue: number; navOffice: string; landlordKind: string; address: string }>;
  nextCursor: string | null;
}
interface Problem {
  type: string;
  title: string;
  status: number;
  errors: Array<{ line: number | null; column: string | null; reason: string }>;
}

/**
 * The arrears list's filters through the real api and worker: NAV office, landlord kind, least
 * overdue amount, least days overdue and address, alone and together, with pages; each invalid
 * filter refused with problem details naming the parameter, in bokmål; a page cursor replayed
 * with other filters refused.
 */
describe('the arrears list, filtered (e2e)', () => {
  const system = new TestSystem();
  let accounting: string;
  let nav: string;

  const ids = syntheticNationalIds(6, 23);
  const tenancies = [
    'kommunenr;leieforhold;adresse;husleie;utleier;navkontor;fodselsnummer;navn',
    `5035;400001;Kjøpmannsgata 3;9 000,00;kommunal;nav-stjordal;${ids[0] as string};Testperson En`,
    `5035;400002;Øvre KJØPMANNSGATE 10;5 000,00;privat;nav-stjordal;${ids[1] as string};Testperson To`,
    `5035;400003;Sandskogan 7;3 000,00;kommunal;nav-levanger;${ids[2] as string};Testperson Tre`,
    `5035;400004;Gata_50%;1 000,00;privat;nav-levanger;${ids[3] as string};Testperson Fire`,
    `5035;400005;Gata 500;2 000,00;kommunal;nav-stjordal;${ids[4] as string};Testperson Fem`,
    `5035;400006;Stokkanvegen 12;6 000,00;kommunal;nav-stjordal;${ids[5] as string};Testperson Seks`,
  ].join('\n');
  // On Tuesday 10 November 2026: 400001 and 400003 owe since 1 October (40 days), the others since 2 November (8 days); 400006 has paid.
  const postings = [
    'kommunenr;leieforhold;bilagsnr;type;dato;forfall;periode;belop',
    '5035;400001;F-10-1;faktura;15.09.2026;01.10.2026;2026-10;9 000,00',
    '5035;400002;F-11-2;faktura;15.10.2026;02.11.2026;2026-11;5 000,00',
    '5035;400003;F-10-3;faktura;15.09.2026;01.10.2026;2026-10;3 000,00',
    '5035;400003;F-11-3;faktura;15.10.2026;02.11.2026;2026-11;3 000,00',
    '5035;400004;F-11-4;faktura;15.10.2026;02.11.2026;2026-11;1 000,00',
    '5035;400005;F-11-5;faktura;15.10.2026;02.11.2026;2026-11;2 000,00',
    '5035;400006;F-11-6;faktura;15.10.2026;02.11.2026;2026-11;6 000,00',
    '5035;400006;I-11-6;innbetaling;02.11.2026;;;6 000,00',
  ].join('\n');

  beforeAll(async () => {
    system.setClock('2026-11-10T09:00:00+01:00');
    await system.start();
    accounting = await system.token('accounting');
    nav = await system.token('nav-adviser', { navOffice: 'nav-levanger' });
    expect((await system.request('POST', '/api/v1/ledger/tenancies/imports', { token: accounting, body: tenancies })).status).toBe(200);
    expect((await system.request('POST', '/api/v1/ledger/imports', { token: accounting, body: postings })).status).toBe(200);
    await waitFor(async () => ((await list('')).length === 5 ? true : undefined), 'the arrears list');
  });
  afterAll(() => system.stop());

  async function page(params: string, token = accounting) {
    return system.request<ArrearsPage & Problem>('GET', `/api/v1/ledger/arrears?municipality=5035${params}`, { token });
  }
  async function list(params: string, token = accounting): Promise<string[]> {
    const r = await page(params, token);
    if (r.status !== 200) throw new Error(`${r.status}: ${JSON.stringify(r.body)}`);
    return r.body.items.map((i) => i.tenancyId);
  }
  async function refused(params: string): Promise<Array<[string | null, string]>> {
    const r = await page(params);
    expect([r.status, r.headers.get('content-type')]).toEqual([422, expect.stringContaining('application/problem+json')]);
    expect(r.body.title).toBeTruthy();
    return r.body.errors.map((e) => [e.column, e.reason]);
  }

  it('lists by amount and by age without filters', async () => {
    expect(await list('')).toEqual(['400001', '400003', '400002', '400005', '400004']);
    expect(await list('&sort=age')).toEqual(['400001', '400003', '400002', '400004', '400005']);
  });

  it('filters by NAV office', async () => {
    expect(await list('&navOffice=nav-levanger')).toEqual(['400003', '400004']);
    expect(await list('&navOffice=nav-stjordal&sort=age')).toEqual(['400001', '400002', '400005']);
    expect(await list('&navOffice=nav-oslo')).toEqual([]);
    // A NAV adviser sees their own office whatever they ask for.
    expect(await list('', nav)).toEqual(['400003', '400004']);
    expect(await list('&navOffice=nav-stjordal', nav)).toEqual([]);
  });

  it('filters by landlord kind', async () => {
    expect(await list('&landlordKind=private-sublet')).toEqual(['400002', '400004']);
    expect(await list('&landlordKind=municipal&sort=age')).toEqual(['400001', '400003', '400005']);
    const items = (await page('&landlordKind=private-sublet')).body.items;
    expect(items.map((i) => i.landlordKind)).toEqual(['private-sublet', 'private-sublet']);
  });

  it('filters by least overdue amount, in kroner', async () => {
    expect(await list('&minOverdue=5000')).toEqual(['400001', '400003', '400002']);
    expect(await list(`&minOverdue=${encodeURIComponent('5 000,01')}`)).toEqual(['400001', '400003']);
    expect(await list('&minOverdue=0&sort=age')).toEqual(['400001', '400003', '400002', '400004', '400005']);
  });

  it('filters by least days overdue', async () => {
    expect(await list('&minDaysOverdue=40')).toEqual(['400001', '400003']);
    expect(await list('&minDaysOverdue=41')).toEqual([]);
    expect(await list('&minDaysOverdue=8&sort=age')).toEqual(['400001', '400003', '400002', '400004', '400005']);
    expect((await page('&minDaysOverdue=9')).body.items.every((i) => i.daysOverdue >= 9)).toBe(true);
  });

  it('filters by address, whatever the case, with % and _ as plain text', async () => {
    expect(await list('&address=kj%C3%B8pmannsgat')).toEqual(['400001', '400002']);
    expect(await list(`&address=${encodeURIComponent('KJØPMANNSGATA')}`)).toEqual(['400001']);
    expect(await list(`&address=${encodeURIComponent('50%')}`)).toEqual(['400004']);
    expect(await list('&address=a_5')).toEqual(['400004']);
    expect(await list(`&address=${encodeURIComponent('  gata ')}`)).toEqual(['400001', '400005', '400004']);
  });

  it('combines filters, pages through them, and refuses a cursor made for other filters', async () => {
    expect(await list('&navOffice=nav-stjordal&landlordKind=municipal&minDaysOverdue=30')).toEqual(['400001']);
    const first = await page('&landlordKind=municipal&limit=2');
    expect([first.body.items.map((i) => i.tenancyId), typeof first.body.nextCursor]).toEqual([['400001', '400003'], 'string']);
    const cursor = encodeURIComponent(first.body.nextCursor as string);
    const second = await page(`&landlordKind=municipal&limit=2&cursor=${cursor}`);
    expect([second.body.items.map((i) => i.tenancyId), second.body.nextCursor]).toEqual([['400005'], null]);
    const other = 'hører til en annen sortering eller andre filtre enn disse; begynn på første side (uten cursor)';
    expect(await refused(`&limit=2&cursor=${cursor}`)).toEqual([['cursor', other]]);
    expect(await refused(`&landlordKind=private-sublet&limit=2&cursor=${cursor}`)).toEqual([['cursor', other]]);
    expect(await refused(`&landlordKind=municipal&sort=age&limit=2&cursor=${cursor}`)).toEqual([['cursor', other]]);
    expect(await refused('&cursor=bm90LWEtY3Vyc29y')).toEqual([['cursor', 'er ikke en gyldig sidemarkør; bruk nextCursor fra forrige side']]);
  });

  it('refuses each invalid filter with problem details naming it, in bokmål, without repeating the input', async () => {
    expect(await refused('&navOffice=NAV%20Stj%C3%B8rdal')).toEqual([['navOffice', 'NAV-kontor må være en NAV-kontor-id (små bokstaver, siffer og bindestrek, for eksempel nav-stjordal)']]);
    expect(await refused('&landlordKind=kommunal')).toEqual([['landlordKind', 'Utleier må være municipal (kommunal bolig) eller private-sublet (innleid bolig)']]);
    expect(await refused('&minOverdue=fem%20tusen')).toEqual([['minOverdue', 'Minste forfalte beløp må være et beløp i kroner med høyst to desimaler (for eksempel 5000 eller 5 000,50)']]);
    expect(await refused('&minOverdue=5000,001')).toEqual([['minOverdue', 'Minste forfalte beløp må være et beløp i kroner med høyst to desimaler (for eksempel 5000 eller 5 000,50)']]);
    expect(await refused('&minOverdue=-5')).toEqual([['minOverdue', 'Minste forfalte beløp kan ikke være negativt']]);
    expect(await refused('&minOverdue=10000001')).toEqual([['minOverdue', 'Minste forfalte beløp kan være høyst 10 000 000 kr']]);
    const days = 'Minste antall dager over forfall må være et helt antall dager fra 0 til 3650';
    expect(await refused('&minDaysOverdue=abc')).toEqual([['minDaysOverdue', days]]);
    expect(await refused('&minDaysOverdue=1.5')).toEqual([['minDaysOverdue', days]]);
    expect(await refused('&minDaysOverdue=-1')).toEqual([['minDaysOverdue', days]]);
    expect(await refused('&minDaysOverdue=3651')).toEqual([['minDaysOverdue', days]]);
    expect(await refused('&address=a')).toEqual([['address', 'Adresse må ha minst 2 tegn']]);
    expect(await refused(`&address=${'x'.repeat(101)}`)).toEqual([['address', 'Adresse kan ha høyst 100 tegn']]);
    expect(await refused(`&address=${encodeURIComponent('gate\u0007')}`)).toEqual([['address', 'Adresse kan ikke inneholde kontrolltegn']]);
    expect(await refused(`&address=${ids[0] as string}`)).toEqual([['address', 'Adresse kan ikke inneholde et fødselsnummer']]);
    expect(await refused('&address=ab&address=cd')).toEqual([['address', 'Adresse kan bare oppgis én gang, som tekst']]);
    // Every error at once, each naming its parameter.
    expect((await refused('&navOffice=X&landlordKind=x&minOverdue=x&minDaysOverdue=x&address=x')).map(([column]) => column)).toEqual(['navOffice', 'landlordKind', 'minOverdue', 'minDaysOverdue', 'address']);
    // No reason repeats what came in.
    const reasons = (await refused('&navOffice=hemmelig%20tekst&address=z')).map(([, reason]) => reason).join(' ');
    expect(reasons).not.toContain('hemmelig');
  });
});
