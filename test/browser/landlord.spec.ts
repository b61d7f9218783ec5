import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { syntheticNationalIds } from '@evp/shared-kernel';
import { ARTIFACTS, checkPage, focusMovesTo } from './support/browser';
import { BrowserJourney } from './support/journey';

/**
 * A private landlord sends a § 9-11 warning for two co-tenants, each with their own § 4-18 notice.
 * The first try has an identity number the api refuses: the error shows at the field and in the
 * summary. Corrected, the warning is received, with the legal and the careful (policy) petition
 * dates per tenant; the worker forwards it to NAV, and the status page says so.
 */
describe('a landlord in the browser', () => {
  const journey = new BrowserJourney();
  const { system } = journey;
  const [fnr] = syntheticNationalIds(1, 4242) as [string];

  beforeAll(async () => {
    system.setClock('2026-12-02T09:00:00+01:00'); // Wednesday
    await journey.start();
  });
  afterAll(() => journey.stop());

  it('sends a warning: an error first, then fixed; sees the dates per tenant and «Sendt til NAV» once the worker has forwarded it', async () => {
    const page = await journey.page();
    await journey.signIn(page, 'landlord', { landlordId: 'utleier-hansen' });
    await page.getByRole('heading', { level: 1, name: 'Velkommen' }).waitFor();
    await page.getByRole('navigation', { name: 'Hovedmeny' }).getByRole('link', { name: 'Nytt varsel' }).click();
    await page.getByRole('heading', { level: 1, name: 'Send varsel om fravikelse til NAV' }).waitFor();
    await checkPage(page, 'landlord-warning-form');

    // Validates as it goes: leaving the address empty says so at once.
    await page.getByRole('textbox', { name: 'Boligens adresse' }).focus();
    await page.getByRole('textbox', { name: 'Utleierens navn' }).focus();
    await page.getByText('Skriv adressen til boligen.').waitFor();

    await page.getByRole('radio', { name: 'Privatperson' }).check();
    await page.getByRole('textbox', { name: 'Utleierens navn' }).fill('Hans Hansen');
    await page.getByRole('textbox', { name: 'Boligens adresse' }).fill('Kirkeveien 4, 7500 Stjørdal');
    const first = page.getByRole('group', { name: 'Leietaker 1', exact: true });
    await first.getByRole('textbox', { name: 'Navn', exact: true }).fill('Åse Ørnø');
    await first.getByRole('textbox', { name: 'Fødselsnummer (valgfritt)' }).fill('12345678901');
    await first.getByRole('textbox', { name: 'Varsel etter § 4-18 sendt (valgfritt)' }).fill('01.12.2026');
    await page.getByRole('button', { name: 'Legg til leietaker' }).click();
    const second = page.getByRole('group', { name: 'Leietaker 2', exact: true });
    await second.getByRole('textbox', { name: 'Navn', exact: true }).fill('Per Ødegård');
    await second.getByRole('textbox', { name: 'Fødselsdato' }).fill('17.05.1990');
    await second.getByRole('textbox', { name: 'Varsel etter § 4-18 sendt (valgfritt)' }).fill('02.12.2026');
    await page.getByRole('radio', { name: 'Ubetalt husleie' }).check();
    await page.getByRole('textbox', { name: 'Beløp i kroner' }).fill('18 564,00');
    await page.getByRole('textbox', { name: 'Måneder restansen gjelder' }).fill('10.2026, 11.2026');
    await page.getByRole('textbox', { name: 'Planlagt dato for begjæring om fravikelse' }).fill('21.12.2026');
    await page.getByRole('checkbox', { name: 'Leietakeren har fått kopi av dette varselet' }).check();
    await page.getByRole('checkbox', { name: 'Leietakeren har ikke reservert seg skriftlig mot at NAV varsles' }).check();
    await page.getByRole('button', { name: 'Send varselet' }).click();

    // The api refuses the identity number: at the field and in the summary, which takes the focus.
    const summary = page.getByRole('link', { name: /^Leietaker 1: fødselsnummeret/ });
    await summary.waitFor();
    await expect(first.getByRole('textbox', { name: 'Fødselsnummer (valgfritt)' }).getAttribute('aria-invalid')).resolves.toBe('true');
    await checkPage(page, 'landlord-warning-error');

    // The summary's link goes to the field; fixed, the warning goes.
    await summary.click();
    await first.getByRole('textbox', { name: 'Fødselsnummer (valgfritt)' }).fill(fnr);
    await page.getByRole('button', { name: 'Send varselet' }).click();
    await page.getByRole('heading', { level: 1, name: 'Varselet er mottatt' }).waitFor();
    await focusMovesTo(page, 'result');
    const dates = page.getByRole('table', { name: 'Datoer per leietaker' });
    await expect(dates.getByRole('columnheader').allInnerTexts()).resolves.toEqual(['Leietaker', '§ 4-18-varsel sendt', 'Lovlig dato', 'Forsiktig dato (retningslinje)']);
    // Notice on Tuesday 1 December: legal the 15th, careful (receipt assumed Friday 4th) Monday 21st; the co-tenant's a day later.
    await expect(dates.getByRole('row').allInnerTexts()).resolves.toEqual([
      expect.stringContaining('Leietaker'),
      'Åse Ørnø\t01.12.2026\t15.12.2026\t21.12.2026',
      'Per Ødegård\t02.12.2026\t16.12.2026\t22.12.2026',
    ]);
    await checkPage(page, 'landlord-warning-received');

    // The status page: the worker forwards the warning a moment later (the page looks again; so does the test).
    await page.getByRole('link', { name: 'Se status for varselet' }).click();
    await page.getByRole('heading', { level: 1, name: /Varsel om fravikelse: Kirkeveien 4/ }).waitFor();
    const forwarded = page.getByRole('heading', { level: 2, name: /Status: Sendt til NAV/ });
    for (let attempt = 0; !(await forwarded.isVisible()); attempt++) {
      if (attempt >= 20) throw new Error('the warning was not forwarded to NAV in time');
      await page.waitForTimeout(1000);
      if (attempt % 5 === 4) await page.reload();
    }
    await page.getByRole('heading', { level: 2, name: 'Historikk' }).waitFor();
    await page.getByRole('combobox', { name: 'Hva har skjedd?' }).waitFor();
    await checkPage(page, 'landlord-warning-status');

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Last ned kopi til leietakeren (PDF)' }).click();
    const pdf = await download;
    const path = join(ARTIFACTS, 'tenant-copy.pdf');
    await pdf.saveAs(path);
    expect(readFileSync(path).subarray(0, 5).toString('latin1')).toBe('%PDF-');

    // The landlord's own list.
    await page.getByRole('navigation', { name: 'Hovedmeny' }).getByRole('link', { name: 'Mine varsler' }).click();
    await page.getByRole('heading', { level: 1, name: 'Mine varsler om fravikelse' }).waitFor();
    const row = page.getByRole('row', { name: /Kirkeveien 4/ });
    await expect(row.innerText()).resolves.toContain('Sendt til NAV');
    await checkPage(page, 'landlord-warnings');
  });
});
