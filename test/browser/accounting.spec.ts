import type { Page } from 'playwright-core';
import { checkPage, focused, focusedText, focusMovesTo, tabTo } from './support/browser';
import { BrowserJourney, postingFile, tenancyFile } from './support/journey';
import { waitFor } from '../e2e/support/system';

/**
 * Accounting (Værnesregionen Regnskap) in a real browser against the real api and worker: upload the
 * tenancies, upload a postings file with an error and read the error table, fix it, upload it again,
 * and find the household in the arrears list. Then the same upload with the keyboard alone.
 */
describe('accounting in the browser', () => {
  const journey = new BrowserJourney();

  const tenancies = tenancyFile(
    [
      { id: '100234', address: 'Bjørnstjerne Bjørnsons gate 3', rent: '9 282,00', name: 'Åse Ørnø Brække' },
      { id: '100235', address: 'Kjøpmannsgata 12', rent: '6 277,00', name: 'Per Ødegård' },
    ],
    811,
  );
  // October's rent, due 1 October: 100234 has not paid, 100235 has. Line 3's date does not exist.
  const withError = postingFile([
    '5035;100234;F-2026-10-100234;faktura;15.09.2026;01.10.2026;2026-10;9 282,00',
    '5035;100235;F-2026-10-100235;faktura;31.09.2026;01.10.2026;2026-10;6 277,00',
    '5035;100235;I-2026-10-100235;innbetaling;01.10.2026;;;6 277,00',
  ]);
  const fixed = withError.replace('31.09.2026', '15.09.2026');

  beforeAll(async () => {
    journey.system.setClock('2026-11-10T09:00:00+01:00');
    await journey.start();
  });
  afterAll(() => journey.stop());

  async function upload(page: Page, kind: 'Posteringer' | 'Leieforhold', name: string, content: string): Promise<void> {
    await page.getByRole('radio', { name: kind, exact: true }).check();
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Velg fil' }).click();
    await (await chooser).setFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(content, 'utf8') });
    await page.getByRole('button', { name: 'Last opp' }).click();
  }

  it('signs in, uploads a file with an error, reads the error table, fixes it and sees the arrears list', async () => {
    const page = await journey.page();
    await page.goto(journey.url('/logg-inn'));
    await page.getByRole('heading', { level: 1, name: 'Logg inn' }).waitFor();
    await checkPage(page, 'sign-in');

    await journey.signIn(page, 'accounting');
    await page.getByRole('heading', { level: 1, name: 'Filimport fra økonomisystemet' }).waitFor();
    await checkPage(page, 'accounting-imports');

    await upload(page, 'Leieforhold', 'leieforhold.csv', tenancies);
    await page.getByText('leieforhold.csv er lest inn: 2 nye, 0 endret og 0 uendrede leieforhold.').waitFor();

    await upload(page, 'Posteringer', 'posteringer-oktober.csv', withError);
    const errors = page.getByRole('table').filter({ has: page.getByRole('columnheader', { name: 'Årsak' }) });
    await errors.waitFor();
    await checkPage(page, 'accounting-refused-file');
    const rows = await errors.locator('tbody tr').allInnerTexts();
    expect(rows.map((r) => r.split('\t').slice(0, 2))).toEqual([['3', 'dato']]);
    await expect(page.getByText('1 feil i filen. Ingenting er lagret.').isVisible()).resolves.toBe(true);

    await upload(page, 'Posteringer', 'posteringer-oktober.csv', fixed);
    await page.getByText('posteringer-oktober.csv er bokført: 3 linjer for 2 leieforhold, 3 nye posteringer.').waitFor();
    await expect(page.getByRole('table').filter({ has: page.getByRole('columnheader', { name: 'Årsak' }) }).count()).resolves.toBe(0);

    // The arrears list is a read model the worker keeps: wait for it to catch up, as a person would wait a moment.
    await journey.system.caughtUp();
    await page.getByRole('link', { name: 'Se restanselisten' }).click();
    await page.getByRole('heading', { level: 1, name: 'Restanser i kommune 5035' }).waitFor();
    const arrears = page.getByRole('table', { name: /Restanser/ });
    await arrears.waitFor();
    await checkPage(page, 'accounting-arrears');
    const row = arrears.getByRole('row').filter({ hasText: '100234' });
    await expect(row.innerText()).resolves.toMatch(/100234\s+Bjørnstjerne Bjørnsons gate 3\s+nav-stjordal\s+Kommunal bolig\s+9\s282,00\skr\s+9\s282,00\skr\s+01\.10\.2026\s+40/);
    await expect(arrears.getByRole('row').filter({ hasText: '100235' }).count()).resolves.toBe(0);

    // Sorting by age is an address too: the back button returns to the sort by amount.
    await arrears.getByRole('button', { name: 'Dager over forfall' }).click();
    await page.waitForURL(/sort=age/);
    await page.getByText('Sortert etter eldst forfall først.').waitFor();
    await page.goBack();
    await page.getByText('Sortert etter størst forfalt beløp først.').waitFor();

    // The import history lists both files.
    await page.getByRole('link', { name: 'Filimport' }).click();
    const history = page.getByRole('table', { name: 'Filer lastet opp, nyeste først' });
    await history.waitFor();
    await expect(history.locator('tbody tr').count()).resolves.toBeGreaterThanOrEqual(2);
  });

  it('uploads a file with the keyboard alone', async () => {
    const page = await journey.page();
    await journey.signIn(page, 'accounting');
    await page.getByRole('heading', { level: 1, name: 'Filimport fra økonomisystemet' }).waitFor();
    const november = postingFile(['5035;100235;F-2026-11-100235;faktura;15.10.2026;01.11.2026;2026-11;6 277,00', '5035;100235;I-2026-11-100235;innbetaling;01.11.2026;;;6 277,00']);

    // From the top of the page: the file type (Posteringer is chosen), the file button, «Last opp».
    await page.locator('body').focus();
    await tabTo(page, 'the file-type radios', (el) => el.tag === 'input' && el.type === 'radio' && el.checked);
    expect((await focused(page))?.name).toContain('Posteringer');
    // Listen before the key press: Playwright turns on file-chooser interception asynchronously.
    const chooser = page.waitForEvent('filechooser');
    await tabTo(page, '«Velg fil»', (el) => el.tag === 'button' && el.name.includes('Velg fil'));
    await page.keyboard.press('Enter');
    await (await chooser).setFiles({ name: 'posteringer-november.csv', mimeType: 'text/csv', buffer: Buffer.from(november, 'utf8') });
    await tabTo(page, '«Last opp»', (el) => el.tag === 'button' && el.name === 'Last opp');
    await page.keyboard.press('Enter');

    // The result takes the focus, so a screen reader reads it out.
    await focusMovesTo(page, 'result');
    await expect(focusedText(page)).resolves.toContain('posteringer-november.csv er bokført: 2 linjer for 1 leieforhold, 2 nye posteringer.');
    await checkPage(page, 'accounting-keyboard-upload');
  });

  it('filters the arrears list with the keyboard; the filter is in the address, back returns to the list before, an invalid filter names its field', async () => {
    // Three more households owing October's rent: two in Kjøpmannsgata (one leased), one leased in Levanger's area.
    const more = tenancyFile(
      [
        { id: '100240', address: 'Kjøpmannsgata 20', rent: '5 000,00', name: 'Testperson En' },
        { id: '100241', address: 'Kjøpmannsgata 22', rent: '7 000,00', name: 'Testperson To' },
        { id: '100242', address: 'Sandskogan 5', rent: '8 000,00', office: 'nav-levanger', name: 'Testperson Tre' },
      ],
      812,
    )
      .split('\n')
      .map((line) => (/^5035;10024[12];/.test(line) ? line.replace(';kommunal;', ';privat;') : line))
      .join('\n');
    const accounting = await journey.system.token('accounting');
    expect((await journey.system.request('POST', '/api/v1/ledger/tenancies/imports', { token: accounting, body: more })).status).toBe(200);
    const october = postingFile(['100240;5 000,00', '100241;7 000,00', '100242;8 000,00'].map((t) => `5035;${t.split(';')[0] as string};F-2026-10-${t.split(';')[0] as string};faktura;15.09.2026;01.10.2026;2026-10;${t.split(';')[1] as string}`));
    expect((await journey.system.request('POST', '/api/v1/ledger/imports', { token: accounting, body: october })).status).toBe(200);
    await waitFor(async () => ((await journey.system.request<{ items: unknown[] }>('GET', '/api/v1/ledger/arrears?municipality=5035', { token: accounting })).body.items.length === 4 ? true : undefined), 'the arrears list');

    const page = await journey.page();
    await journey.signIn(page, 'accounting');
    await page.getByRole('navigation', { name: 'Hovedmeny' }).getByRole('link', { name: 'Restanser', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Restanser i kommune 5035' }).waitFor();
    const arrears = page.getByRole('table', { name: /Restanser/ });
    // The rows shown once the list has loaded (while it loads, the page keeps the previous rows, aria-busy).
    const tenancies = async () => {
      await page.locator('#arrears-list[aria-busy="false"]').waitFor();
      return (await arrears.locator('tbody tr th').allInnerTexts()).map((t) => t.trim());
    };
    await arrears.waitFor();
    await expect(tenancies()).resolves.toEqual(['100234', '100242', '100241', '100240']);

    // With the keyboard alone: the address field, the landlord, «Bruk filter».
    const search = page.getByRole('search', { name: 'Filtrer restanselisten' });
    await search.getByRole('textbox', { name: 'Adressen inneholder' }).focus();
    await page.keyboard.type('kjøpmannsgata');
    await tabTo(page, 'the landlord select', (el) => el.tag === 'select');
    await page.keyboard.press('ArrowDown'); // Alle → Kommunal bolig
    await page.keyboard.press('ArrowDown'); // → Innleid bolig
    await tabTo(page, '«Bruk filter»', (el) => el.tag === 'button' && el.name === 'Bruk filter');
    await page.keyboard.press('Enter');
    await page.waitForURL(/address=kj%C3%B8pmannsgata/);
    expect(new URL(page.url()).searchParams.get('landlordKind')).toBe('private-sublet');
    await page.getByText('Sortert etter størst forfalt beløp først, filtrert.').waitFor();
    await expect(tenancies()).resolves.toEqual(['100241']);
    await expect(arrears.getByRole('row').filter({ hasText: '100241' }).innerText()).resolves.toMatch(/100241\s+Kjøpmannsgata 22\s+nav-stjordal\s+Innleid bolig\s+7\s000,00\skr/);
    await checkPage(page, 'accounting-arrears-filtered');

    // The filtered list is a deep link; back returns to the whole list, and the fields follow.
    const deepLink = page.url();
    await page.goBack();
    await page.getByText('Sortert etter størst forfalt beløp først.').waitFor();
    await expect(tenancies()).resolves.toEqual(['100234', '100242', '100241', '100240']);
    await expect(search.getByRole('textbox', { name: 'Adressen inneholder' }).inputValue()).resolves.toBe('');
    await page.goto(deepLink);
    await page.getByText('Sortert etter størst forfalt beløp først, filtrert.').waitFor();
    await expect(tenancies()).resolves.toEqual(['100241']);
    await expect(search.getByRole('textbox', { name: 'Adressen inneholder' }).inputValue()).resolves.toBe('kjøpmannsgata');

    // An amount that is not one: the api's error lands on the field, in the error summary that takes the focus.
    await search.getByRole('button', { name: 'Fjern filter' }).click();
    await page.getByText('Sortert etter størst forfalt beløp først.').waitFor();
    await search.getByRole('textbox', { name: 'Minste forfalte beløp (kr)' }).fill('mye');
    await search.getByRole('button', { name: 'Bruk filter' }).click();
    const reason = 'Minste forfalte beløp må være et beløp i kroner med høyst to desimaler (for eksempel 5000 eller 5 000,50)';
    await page.getByRole('link', { name: `Minste forfalte beløp (kr): ${reason}` }).waitFor();
    // Aksel's error summary hands the focus to its heading.
    await page.waitForFunction("document.activeElement?.closest('.aksel-error-summary') != null");
    await expect(arrears.count()).resolves.toBe(0);
    await checkPage(page, 'accounting-arrears-filter-error');
    await search.getByRole('textbox', { name: 'Minste forfalte beløp (kr)' }).fill('7 000');
    await search.getByRole('button', { name: 'Bruk filter' }).click();
    await page.getByText('Sortert etter størst forfalt beløp først, filtrert.').waitFor();
    await expect(tenancies()).resolves.toEqual(['100234', '100242', '100241']);
  });
});
