import { syntheticNationalIds } from '@evp/shared-kernel';
import { waitFor } from '../e2e/support/system';
import { checkPage, focusMovesTo } from './support/browser';
import { BrowserJourney } from './support/journey';

/**
 * A landlord's § 9-11 warning reaches NAV Stjørdal's inbox. An adviser claims the referral, records
 * contact, an oral § 17 request, its written decision and the start — the audit's two questions
 * answered on the page — and sets up a payment plan of two instalments. Axe on every page.
 */
describe('a NAV adviser in the browser', () => {
  const journey = new BrowserJourney();
  const { system } = journey;
  const [fnr, fnr2] = syntheticNationalIds(2, 1717) as [string, string];
  let caseId = '';
  let otherCaseId = '';
  let per = '';

  const warning = (nationalId: string, name: string, address: string, plannedPetitionOn: string) => ({
    landlord: { kind: 'private-person', name: 'Hans Hansen' },
    municipalityNumber: '5035',
    dwelling: { address },
    tenants: [{ nationalId, name, noticeSentOn: '2026-12-01' }],
    ground: 'unpaid-rent',
    arrears: { amount: '18 564,00', months: ['2026-10', '2026-11'] },
    plannedPetitionOn,
    declarations: { tenantGotCopy: true, noWrittenObjectionReceived: true },
  });

  beforeAll(async () => {
    system.setClock('2026-12-02T09:00:00+01:00'); // Wednesday
    await journey.start();
    const landlord = await system.token('landlord', { landlordId: 'utleier-hansen', sub: 'hansen' });
    expect((await system.request('POST', '/api/v1/warnings', { token: landlord, json: warning(fnr, 'Åse Ørnø', 'Kirkeveien 4, 7500 Stjørdal', '2026-12-21') })).status).toBe(201);
    expect((await system.request('POST', '/api/v1/warnings', { token: landlord, json: warning(fnr2, 'Ola Lånke', 'Stokkanvegen 11, 7500 Stjørdal', '2026-12-28') })).status).toBe(201);
    per = await system.token('nav-adviser', { navOffice: 'nav-stjordal', sub: 'browser-per' });
    const items = await waitFor(async () => {
      const r = await system.request<{ items?: Array<{ caseId: string; referrals: Array<{ petitionOn: string | null }> }> }>('GET', '/api/v1/nav/inbox', { token: per });
      return r.body.items?.length === 2 ? r.body.items : undefined;
    }, 'two referrals in the NAV inbox');
    caseId = items.find((i) => i.referrals.some((r) => r.petitionOn === '2026-12-21'))?.caseId as string;
    otherCaseId = items.find((i) => i.caseId !== caseId)?.caseId as string;
  });
  afterAll(() => journey.stop());

  it('claims a referral, records contact and a § 17 decision, and sets up a payment plan', async () => {
    const page = await journey.page();
    await journey.signIn(page, 'nav-adviser', { navOffice: 'nav-stjordal' });
    await page.getByRole('navigation', { name: 'Hovedmeny' }).getByRole('link', { name: 'NAV-innboks' }).click();
    await page.getByRole('heading', { level: 1, name: 'NAV-kontorets innboks' }).waitFor();
    const entry = page.getByRole('article', { name: `Sak ${caseId}` });
    await entry.getByText(/Begjæring om fravikelse 2026-12-21/).waitFor();
    await entry.getByText(/Må tas innen/).first().waitFor();
    await checkPage(page, 'nav-inbox');

    // Another adviser takes the other referral while this page shows it free: a 409 says who has it.
    expect((await system.request('POST', `/api/v1/nav/cases/${otherCaseId}/claim`, { token: per })).status).toBe(200);
    const other = page.getByRole('article', { name: `Sak ${otherCaseId}` });
    await other.getByRole('button', { name: 'Ta saken' }).click();
    await other.getByRole('alert').getByText(`Saken er allerede tatt av nav-veileder (id ${system.actorId('browser-per')}).`).waitFor();
    await checkPage(page, 'nav-inbox-conflict');

    await entry.getByRole('button', { name: 'Ta saken' }).click();
    await focusMovesTo(page, 'result');
    await entry.getByText('Du har tatt saken.').waitFor();
    await checkPage(page, 'nav-inbox-claimed');

    await entry.getByRole('link', { name: `Åpne sak ${caseId}` }).click();
    await page.getByRole('heading', { level: 1, name: `NAV-oppfølging av sak ${caseId}` }).waitFor();
    await page.getByText('Ingen anmodning om økonomisk rådgivning er registrert.').waitFor();
    await checkPage(page, 'nav-case');
    const timeline = page.getByRole('region', { name: 'Tidslinje' });

    // Contact made, with a note.
    const contact = page.getByRole('form', { name: 'Kontakt med husstanden' });
    await contact.getByRole('radio', { name: 'Telefon' }).check();
    await contact.getByRole('textbox', { name: 'Notat (valgfritt)' }).fill('Ringte leietakeren; avtalte møte fredag.');
    await contact.getByRole('button', { name: 'Registrer kontakt' }).click();
    await contact.getByText('Kontakten er registrert.').waitFor();
    await timeline.getByText('Notat: Ringte leietakeren; avtalte møte fredag.').waitFor();

    // An oral § 17 request, then its written decision: the audit's first question answered.
    const request = page.getByRole('form', { name: 'Anmodning om økonomisk rådgivning (§ 17)' });
    await request.getByRole('button', { name: 'Registrer anmodningen' }).click();
    await request.getByRole('link', { name: 'Velg om anmodningen var muntlig eller skriftlig.' }).waitFor();
    await request.getByRole('radio', { name: 'Muntlig' }).check();
    await request.getByRole('button', { name: 'Registrer anmodningen' }).click();
    const decision = page.getByRole('form', { name: 'Skriftlig vedtak om økonomisk rådgivning' });
    await decision.getByRole('radio', { name: 'Innvilget' }).check();
    await decision.getByRole('button', { name: 'Lagre vedtaket' }).click();
    const audit = page.getByRole('region', { name: 'Økonomisk rådgivning (§ 17): revisjonens spørsmål' });
    await audit.getByText('1 av 1 anmodninger har skriftlig vedtak.').waitFor();
    await checkPage(page, 'nav-case-decision');

    // The start, within the norm: the second question answered.
    const start = page.getByRole('form', { name: 'Oppstart av økonomisk rådgivning' });
    await start.getByRole('button', { name: 'Registrer oppstart' }).click();
    await audit.getByText('1 startet i tide, 0 startet for sent.').waitFor();

    // A payment plan of two instalments, with a tolerance.
    const plan = page.getByRole('form', { name: 'Nedbetalingsavtale' });
    await plan.getByRole('textbox', { name: 'Avdrag 1: forfall' }).fill('15.12.2026');
    await plan.getByRole('textbox', { name: 'Avdrag 1: beløp i kroner' }).fill('1 500,00');
    await plan.getByRole('button', { name: 'Legg til avdrag' }).click();
    await plan.getByRole('textbox', { name: 'Avdrag 2: forfall' }).fill('15.01.2027');
    await plan.getByRole('textbox', { name: 'Avdrag 2: beløp i kroner' }).fill('1 500,00');
    await plan.getByRole('textbox', { name: 'Toleranse i dager (valgfritt)' }).fill('5');
    await plan.getByRole('button', { name: 'Lagre avtalen' }).click();
    await plan.getByText('Nedbetalingsavtalen er lagret.').waitFor();
    await page.getByText(/Aktiv fra 02\.12\.2026: 1\s500,00\skr 15\.12\.2026, 1\s500,00\skr 15\.01\.2027/).waitFor();
    await checkPage(page, 'nav-case-plan');
  });

  it("shows the rent-arrears team the warning's dates on the case and NAV's summary only", async () => {
    const page = await journey.page();
    await journey.signIn(page, 'arrears-team');
    await page.goto(journey.url(`/saker/${caseId}`));
    await page.getByRole('heading', { level: 1, name: new RegExp(`Sak ${caseId}`) }).waitFor();
    const warnings = page.getByRole('region', { name: 'Varsel om fravikelse og datoer' });
    await warnings.getByText(/Varsel om fravikelse fra utleier \(husleieloven § 9-11\).*begjæring 2026-12-21/).waitFor();
    const nav = page.getByRole('region', { name: 'NAV' });
    await nav.getByText('NAV følger opp').waitFor();
    await expect(nav.innerText()).resolves.not.toMatch(/kr|Notat|Ringte/);
    await checkPage(page, 'team-case-with-warning');
  });
});
