import { syntheticNationalIds } from '@evp/shared-kernel';
import { waitFor } from '../e2e/support/system';
import { checkPage, focused, sessionExpiresAt } from './support/browser';
import { BrowserJourney, postingFile, tenancyFile } from './support/journey';

/**
 * The pages no journey above covers, each checked with axe and kept as a screenshot, and what every
 * page must do: deep links, the back button, one page of rows at a time, and signing in again when
 * the session has expired.
 */
describe('pages, deep links, paging and sessions in the browser', () => {
  const journey = new BrowserJourney();
  const { system } = journey;
  const TENANCIES = 55;

  beforeAll(async () => {
    system.setClock('2026-11-02T09:00:00+01:00');
    await journey.start();
    const accounting = await system.token('accounting');
    const rows = Array.from({ length: TENANCIES }, (_, i) => ({ id: String(400001 + i), address: `Sandgata ${i + 1}`, rent: '6 277,00', office: i % 5 === 0 ? 'nav-meraker' : 'nav-stjordal', name: `Leietaker ${i + 1}` }));
    expect((await system.request('POST', '/api/v1/ledger/tenancies/imports', { token: accounting, body: tenancyFile(rows, 814) })).status).toBe(200);
    const october = postingFile(rows.map((r) => `5035;${r.id};F-2026-10-${r.id};faktura;15.09.2026;01.10.2026;2026-10;6 277,00`));
    expect((await system.request('POST', '/api/v1/ledger/imports', { token: accounting, body: october })).status).toBe(200);
    const team = await system.token('arrears-team');
    await waitFor(async () => (await system.request<{ total: number }>('GET', '/api/v1/cases', { token: team })).body.total === TENANCIES, `${TENANCIES} cases to open`);
    await system.caughtUp();
  });
  afterAll(() => journey.stop());

  it('shows the accessibility statement, a refused sign-in callback and a page that does not exist without signing in', async () => {
    const page = await journey.page();
    await page.goto(journey.url('/tilgjengelighet'));
    await page.getByRole('heading', { level: 1, name: 'Tilgjengelighetserklæring' }).waitFor();
    await checkPage(page, 'accessibility-statement');
    // The OpenID Connect callback cannot be reached end to end here; refused at the provider, it says so in bokmål.
    await page.goto(journey.url('/logg-inn/tilbake?error=access_denied&state=x'));
    await page.getByRole('alert').getByText('Innloggingen ble avbrutt.').waitFor();
    await checkPage(page, 'sign-in-callback-refused');
    await page.goto(journey.url('/finnes-ikke'));
    await page.getByRole('heading', { level: 1, name: 'Fant ikke siden' }).waitFor();
    await checkPage(page, 'not-found');
    // The footer links to the statement from every page.
    await page.getByRole('contentinfo').getByRole('link', { name: 'Tilgjengelighetserklæring' }).click();
    await page.getByRole('heading', { level: 1, name: 'Tilgjengelighetserklæring' }).waitFor();
  });

  it('shows the sign-in form\'s errors at their fields and in a summary, the api\'s as well as its own', async () => {
    const page = await journey.page();
    await page.goto(journey.url('/logg-inn'));
    await page.getByRole('button', { name: 'Logg inn' }).click();
    await page.getByRole('link', { name: 'Velg en rolle.' }).waitFor();
    await checkPage(page, 'sign-in-errors');
    // The summary's link takes the keyboard to the field.
    await page.getByRole('link', { name: 'Velg en rolle.' }).click();
    expect(await focused(page)).toMatchObject({ tag: 'input', type: 'radio' });

    // A NAV office the api refuses: its reason, from the problem details, at the field.
    await page.getByRole('radio', { name: 'NAV-veileder', exact: true }).check();
    await page.getByRole('textbox', { name: 'NAV-kontor' }).fill('NAV Stjørdal');
    await page.getByRole('button', { name: 'Logg inn' }).click();
    await page.getByRole('link', { name: /^NAV-kontoret må være et NAV-kontor som nav-stjordal/ }).waitFor();
    await expect(page.getByRole('textbox', { name: 'NAV-kontor' }).getAttribute('aria-invalid')).resolves.toBe('true');
    await page.getByText('Rett opp dette før du logger inn:').waitFor();
    await checkPage(page, 'sign-in-api-field-error');
  });

  it('keeps a deep link through signing in, pages one page of rows at a time, and the back button returns', async () => {
    const page = await journey.page();
    const requests: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/v1/cases?')) requests.push(r.url());
    });
    await page.goto(journey.url('/saker?sort=deadline'));
    await page.waitForURL(/\/logg-inn\?neste=/);
    await journey.signIn(page, 'arrears-team', { from: page.url().replace(journey.app.origin, '') });
    await page.waitForURL(/\/saker\?sort=deadline$/);
    await page.getByRole('heading', { level: 1, name: 'Forebyggingssaker' }).waitFor();
    await page.getByText(`${TENANCIES} saker i alt.`).waitFor();
    const rows = page.getByTestId('case-row');
    await expect(rows.count()).resolves.toBe(50);
    await checkPage(page, 'cases-list');
    // One page of rows: the list asks the api for 50 at a time.
    expect(requests.every((u) => new URL(u).searchParams.get('limit') === '50')).toBe(true);

    await page.getByRole('navigation', { name: 'Sider i sakslisten' }).getByRole('link', { name: 'Neste side' }).click();
    await page.waitForURL(/cursor=/);
    await page.getByText('5 rader på denne siden av 55.').waitFor();
    await expect(rows.count()).resolves.toBe(5);
    // «Neste side» is gone on the last page: the focus went to the list, not to the top of the page.
    expect(await focused(page)).toMatchObject({ tag: 'table' });
    await checkPage(page, 'cases-list-page-2');

    await page.goBack();
    await page.getByText('50 rader på denne siden av 55.').waitFor();
    await page.goForward();
    await page.getByText('5 rader på denne siden av 55.').waitFor();

    // The filter is part of the address too.
    await page.getByRole('combobox', { name: 'Status' }).selectOption('escalated');
    await page.waitForURL(/status=escalated/);
    await page.getByText('Ingen saker med denne statusen.').waitFor();
    await page.goBack();
    await page.getByText(`${TENANCIES} saker i alt.`).waitFor();
  });

  it('sends a person whose session has expired to sign in again, and back to the page they were on', async () => {
    const page = await journey.page();
    await journey.signIn(page, 'accounting');
    await page.getByRole('link', { name: 'Restanser' }).click();
    await page.getByRole('heading', { level: 1, name: 'Restanser i kommune 5035' }).waitFor();
    // The page's own requests answered first: one still on its way when the clock moves is refused
    // as expired and sends the person to sign in from this page, before the click below.
    await page.waitForLoadState('networkidle');
    // Past the token's expiry by the api's clock (the sign-in answered when it expires).
    system.setClock(new Date((await sessionExpiresAt(page)).getTime() + 60_000));
    try {
      await page.getByRole('link', { name: 'Saker' }).click();
      await page.getByText('Økten din er utløpt. Logg inn på nytt for å fortsette der du var.').waitFor();
      await checkPage(page, 'sign-in-expired');
      expect(new URL(page.url()).searchParams.get('neste')).toBe('/saker');
      await journey.signIn(page, 'accounting', { from: page.url().replace(journey.app.origin, '') });
      await page.getByRole('heading', { level: 1, name: 'Forebyggingssaker' }).waitFor();
    } finally {
      system.setClock('2026-11-02T09:00:00+01:00');
    }
  });

  it('shows a NAV adviser the cases of their own office only, and says so when a page is not for the role', async () => {
    const page = await journey.page();
    await journey.signIn(page, 'nav-adviser', { navOffice: 'nav-meraker' });
    await page.getByRole('heading', { level: 1, name: 'Forebyggingssaker' }).waitFor();
    await page.getByText('11 saker i alt.').waitFor();
    await checkPage(page, 'nav-adviser-cases');
    await expect(page.getByRole('navigation', { name: 'Hovedmeny' }).getByRole('link').allInnerTexts()).resolves.toEqual(['Restanser', 'Saker', 'NAV-innboks']);
    await page.goto(journey.url('/drift'));
    await page.getByRole('heading', { level: 1, name: 'Du har ikke tilgang til denne siden' }).waitFor();
    await checkPage(page, 'not-allowed');
  });

  it("shows a landlord their own pages: their warnings and a new warning, nothing of the municipality's", async () => {
    const page = await journey.page();
    await journey.signIn(page, 'landlord', { landlordId: 'enhet-bygg' });
    await page.getByRole('heading', { level: 1, name: 'Velkommen' }).waitFor();
    await page.getByRole('link', { name: 'Mine varsler' }).first().waitFor();
    await page.getByRole('link', { name: 'Nytt varsel' }).first().waitFor();
    await expect(page.getByRole('navigation', { name: 'Hovedmeny' }).getByRole('link', { name: 'Saker' }).count()).resolves.toBe(0);
    await checkPage(page, 'landlord-home');
  });

  it('shows the dashboard with its charts, each with a data table for screen readers', async () => {
    // A § 9-11 warning, forwarded to NAV, whose referral an adviser picks up the same day.
    const landlord = await system.token('landlord', { landlordId: 'utleier-dashbord', sub: 'utleier-dashbord' });
    const warning = await system.request<{ warningId: string }>('POST', '/api/v1/warnings', {
      token: landlord,
      json: {
        landlord: { kind: 'company', name: 'Dashbord Utleie AS', organisationNumber: '974760673' },
        municipalityNumber: '5035',
        dwelling: { address: 'Værnesgata 9, 7500 Stjørdal' },
        tenants: [{ nationalId: syntheticNationalIds(1, 77)[0] as string, name: 'Liv Testesen', noticeSentOn: '2026-10-30' }],
        ground: 'unpaid-rent',
        arrears: { amount: '6 277,00', months: ['2026-10'] },
        plannedPetitionOn: '2026-11-20',
        declarations: { tenantGotCopy: true, noWrittenObjectionReceived: true },
      },
    });
    expect(warning.status).toBe(201);
    const nav = await system.token('nav-adviser', { navOffice: 'nav-stjordal' });
    const caseId = await waitFor(async () => (await system.request<{ items?: Array<{ caseId: string }> }>('GET', '/api/v1/nav/inbox', { token: nav })).body.items?.[0]?.caseId, 'the referral in the inbox');
    expect((await system.request('POST', `/api/v1/nav/cases/${caseId}/claim`, { token: nav })).status).toBe(200);
    await system.caughtUp();

    const page = await journey.page();
    await journey.signIn(page, 'accounting');
    await page.goto(journey.url('/dashbord?fra=2026-06&til=2026-11'));
    await page.getByRole('heading', { level: 1, name: 'Dashbord' }).waitFor();
    const share = page.getByRole('figure', { name: 'Utestående husleie som andel av fakturert husleie' });
    await share.waitFor();
    for (const name of ['Restansevolum', 'Saker åpnet, løst og eskalert per måned', 'Tid fra åpning til første kontakt']) await page.getByRole('figure', { name }).waitFor();
    // The table is there for screen readers, with a row per month.
    await expect(share.getByRole('table').getByRole('row').count()).resolves.toBe(7);
    await expect(share.getByRole('table').innerText()).resolves.toMatch(/november 2026\s+\d+,\d\s%/);
    // The § 9-11 warnings and NAV, each a section of its own with its charts and their tables.
    const warnings = page.getByRole('region', { name: 'Varsler om fravikelse' });
    const warningsFigure = warnings.getByRole('figure', { name: 'Varsler, begjæringer og fravikelser per måned' });
    await warningsFigure.waitFor();
    await expect(warningsFigure.getByRole('table').getByRole('row').count()).resolves.toBe(7);
    // November: one warning received and sent on to NAV; no petition, eviction or avoided eviction yet.
    await expect(warningsFigure.getByRole('table').getByRole('row', { name: /november 2026/ }).innerText()).resolves.toMatch(/november 2026\s+1\s+1\s+0\s+0\s+0/);
    const navSection = page.getByRole('region', { name: 'NAV' });
    const pickup = navSection.getByRole('figure', { name: 'Tid til NAV tar en henvisning' });
    await pickup.waitFor();
    // November: the warning's referral, picked up the day it arrived: 0 working days.
    await expect(pickup.getByRole('table').getByRole('row', { name: /november 2026/ }).innerText()).resolves.toMatch(/november 2026\s+1\s+1\s+0,0\s+0/);
    const advice = navSection.getByRole('figure', { name: 'Fra søknad om økonomisk rådgivning (§ 17) til oppstart' });
    await advice.waitFor();
    await advice.getByText('Ingen økonomisk rådgivning har startet i perioden.').waitFor();
    await expect(advice.getByRole('table').getByRole('columnheader').allInnerTexts()).resolves.toEqual(['Måned', 'Oppstarter', 'Median dager', 'Senere enn normen']);
    await checkPage(page, 'dashboard');
    await page.getByRole('checkbox', { name: 'Vis tallene som tabeller' }).check();
    await checkPage(page, 'dashboard-tables');

    // And the home page, which lists the role's pages.
    await page.getByRole('link', { name: 'Forebygging av utkastelser' }).click();
    await page.getByRole('heading', { level: 1, name: 'Velkommen' }).waitFor();
    await checkPage(page, 'home');
  });
});
