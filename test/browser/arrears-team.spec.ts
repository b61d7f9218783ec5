import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../e2e/support/system';
import { ARTIFACTS, checkPage, focused, focusedText, focusMovesTo, tabTo } from './support/browser';
import { BrowserJourney, postingFile, tenancyFile } from './support/journey';

/**
 * The rent-arrears team (husleierestanseteam): three households have not paid October's rent and
 * nobody reached them within five working days, so their cases are escalated. The team opens the
 * queue, reads a case and its reasons, records a home visit with the keyboard alone, and makes the
 * monthly meeting pack with a decision, exported as a PDF.
 */
describe('the rent-arrears team in the browser', () => {
  const journey = new BrowserJourney();
  const { system } = journey;

  beforeAll(async () => {
    system.setClock('2026-11-02T09:00:00+01:00'); // Monday
    await journey.start();
    const accounting = await system.token('accounting');
    const tenancies = tenancyFile(
      [
        { id: '200001', address: 'Innherredsveien 4', rent: '9 282,00', name: 'Kari Æsøy' },
        { id: '200002', address: 'Stokkanvegen 11', rent: '11 997,00', name: 'Ola Lånke' },
        { id: '200003', address: 'Hegra stasjonsveg 2', rent: '6 277,00', name: 'Siri Skatval' },
      ],
      812,
    );
    expect((await system.request('POST', '/api/v1/ledger/tenancies/imports', { token: accounting, body: tenancies })).status).toBe(200);
    const october = postingFile(['200001', '200002', '200003'].map((id) => `5035;${id};F-2026-10-${id};faktura;15.09.2026;01.10.2026;2026-10;${id === '200002' ? '11 997,00' : id === '200001' ? '9 282,00' : '6 277,00'}`));
    expect((await system.request('POST', '/api/v1/ledger/imports', { token: accounting, body: october })).status).toBe(200);
    const team = await system.token('arrears-team');
    await waitFor(async () => (await system.request<{ total: number }>('GET', '/api/v1/cases?status=open', { token: team })).body.total === 3, 'three cases to open');
    // The first-contact deadline (five working days) is 9 November; the next working day escalates.
    system.setClock('2026-11-10T08:00:00+01:00');
    await waitFor(async () => (await system.request<{ total: number }>('GET', '/api/v1/arrears-team/queue', { token: team })).body.total === 3, 'three escalations');
    await system.caughtUp();
  });
  afterAll(() => journey.stop());

  it('opens the queue, reads a case, records contact with the keyboard alone, and makes the meeting pack', async () => {
    const page = await journey.page();
    await journey.signIn(page, 'arrears-team');

    // The queue, each case with its reasons as the rules state them.
    await page.getByRole('heading', { level: 1, name: 'Husleierestanseteamets kø' }).waitFor();
    await page.getByText('3 saker venter på teamet.').waitFor();
    await checkPage(page, 'arrears-team-queue');
    const first = page.getByRole('article', { name: 'Sak 5035-200001-1' });
    await expect(first.innerText()).resolves.toContain('Ingen kontakt innen fristen: Ingen kontakt er registrert innen 5 virkedager etter at saken ble åpnet 2026-11-02 (frist 2026-11-09)');

    // The case page: the whole timeline in bokmål.
    await first.getByRole('link', { name: 'Sak 5035-200001-1' }).click();
    await page.getByRole('heading', { level: 1, name: /Sak 5035-200001-1/ }).waitFor();
    const timeline = page.getByRole('region', { name: 'Tidslinje' });
    await expect(timeline.getByRole('heading', { level: 3 }).allInnerTexts()).resolves.toEqual(['02.11.2026 – Sak åpnet', '10.11.2026 – Eskalert til husleierestanseteamet', '10.11.2026 – Henvist til NAV']);
    await checkPage(page, 'case-escalated');

    // «Registrer kontakt» with the keyboard alone: the channel (arrow keys in the radio group), the
    // date left empty (today), then the button.
    await page.getByRole('heading', { level: 1 }).focus();
    await tabTo(page, 'the channel radios', (el) => el.tag === 'input' && el.type === 'radio');
    expect((await focused(page))?.name).toBe('Telefon');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await focused(page)).toMatchObject({ name: 'Hjemmebesøk', checked: true });
    await tabTo(page, '«Registrer kontakt»', (el) => el.tag === 'button' && el.name === 'Registrer kontakt');
    await page.keyboard.press('Enter');
    await focusMovesTo(page, 'result');
    await expect(focusedText(page)).resolves.toContain('Kontakten er registrert (hjemmebesøk, i dag).');
    await timeline.getByText('Kontakt registrert (hjemmebesøk).').waitFor();
    await page.getByText('1, sist 10.11.2026').waitFor();
    await checkPage(page, 'case-contact-recorded');

    // The monthly meeting pack: every case at risk with what changed since the last meeting.
    await page.getByRole('link', { name: 'Møtepakke' }).click();
    await page.getByRole('heading', { level: 1, name: 'Møtepakke for husleierestanseteamet' }).waitFor();
    await page.getByRole('heading', { level: 2, name: /Saker i faresonen/ }).waitFor();
    await checkPage(page, 'meeting-pack');
    const packCase = page.getByRole('article', { name: /Sak 5035-200002-1/ });
    await packCase.getByRole('textbox', { name: 'Vedtak for sak 5035-200002-1' }).fill('Tilbud om nedbetalingsavtale; NAV kontakter husstanden innen en uke.');
    await page.getByRole('textbox', { name: 'Møtedato' }).fill('10.11.2026');
    await page.getByRole('button', { name: 'Lagre møtet og vedtakene' }).click();
    await page.getByText('Møtet 10.11.2026 er lagret med 1 vedtak.').waitFor();
    await checkPage(page, 'meeting-saved');

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Last ned møtepakken (PDF)' }).click();
    const pdf = await download;
    expect(pdf.suggestedFilename()).toBe('motepakke-2026-11-10.pdf');
    const path = join(ARTIFACTS, 'meeting-pack.pdf');
    await pdf.saveAs(path);
    expect(readFileSync(path).subarray(0, 5).toString('latin1')).toBe('%PDF-');

    // The decision is now part of the case's history.
    await page.goto(journey.url('/saker/5035-200002-1'));
    await page.getByRole('region', { name: 'Tidslinje' }).getByText(/Tilbud om nedbetalingsavtale; NAV kontakter husstanden innen en uke\./).waitFor();
  });
});
