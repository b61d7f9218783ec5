/**
 * `npm run bench:web`: the case list page with 10 000 active cases, in headless Chromium against
 * the real api, worker and built web app. Measures the time from starting the navigation to /saker
 * until the first row of the table is on screen — with an empty browser cache, then warm — and, in
 * the same run, the same page for a municipality with no cases as the baseline, and the api's own
 * answer time for the page of rows. A benchmark, not a test: it prints figures and asserts nothing.
 *
 *   BENCH_CASES=10000 BENCH_RUNS=7 npm run bench:web
 */
import type { Browser, Page } from 'playwright-core';
import { syntheticNationalIds } from '@evp/shared-kernel';
import { TestSystem, waitFor } from '../e2e/support/system';
import { CHROMIUM, launchChromium, newContext } from '../browser/support/browser';
import { startWebApp, type WebApp } from '../browser/support/web-app';

const CASES = Number(process.env['BENCH_CASES'] ?? 10_000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 7);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? (s[(s.length - 1) / 2] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};
const ms = (n: number) => `${Math.round(n)} ms`;

async function signedInPage(browser: Browser, app: WebApp, municipality: string): Promise<Page> {
  const context = await newContext(browser);
  const page = await context.newPage();
  await page.goto(`${app.origin}/logg-inn`);
  await page.getByRole('radio', { name: 'Husleierestanseteamet', exact: true }).check();
  await page.getByRole('textbox', { name: 'Kommunenummer' }).fill(municipality);
  await page.getByRole('button', { name: 'Logg inn' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/logg-inn'));
  return page;
}

/**
 * One navigation to /saker: wall-clock time from `goto` until `ready` is on screen, and the page's
 * own clock (performance.now(), from the start of the navigation) at that moment.
 */
async function measure(page: Page, app: WebApp, ready: () => Promise<unknown>, cold: boolean): Promise<{ wall: number; inPage: number }> {
  await page.goto('about:blank');
  if (cold) {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.clearBrowserCache');
    await cdp.detach();
  }
  const t0 = performance.now();
  await page.goto(`${app.origin}/saker`, { waitUntil: 'commit' });
  await ready();
  const wall = performance.now() - t0;
  const inPage = await page.evaluate(() => performance.now());
  return { wall, inPage };
}

async function main(): Promise<void> {
  const system = new TestSystem({ LOG_LEVEL: 'warn', TIMER_SWEEP_INTERVAL_MS: '60000', MAX_IMPORT_BYTES: String(64 * 1024 * 1024) });
  let browser: Browser | undefined;
  let app: WebApp | undefined;
  try {
    system.setClock('2026-11-02T09:00:00+01:00');
    await system.start();
    const accounting = await system.token('accounting');
    const team = await system.token('arrears-team');

    // 10 000 households that have not paid October's rent: the saga opens a case for each.
    const setup = performance.now();
    const ids = syntheticNationalIds(CASES, 21);
    const tenancies = ['kommunenr;leieforhold;adresse;husleie;utleier;navkontor;fodselsnummer;navn', ...ids.map((fnr, i) => `5035;${500000 + i};Gate ${i};9 282,00;kommunal;nav-stjordal;${fnr};Leietaker ${i}`)].join('\n');
    const registered = await system.request('POST', '/api/v1/ledger/tenancies/imports', { token: accounting, body: tenancies });
    if (registered.status !== 200) throw new Error(`registration failed: ${registered.status} ${JSON.stringify(registered.body).slice(0, 300)}`);
    const charges = ['kommunenr;leieforhold;bilagsnr;type;dato;forfall;periode;belop', ...ids.map((_, i) => `5035;${500000 + i};F-2026-10-${i};faktura;15.09.2026;01.10.2026;2026-10;9 282,00`)].join('\n');
    const posted = await system.request('POST', '/api/v1/ledger/imports', { token: accounting, body: charges });
    if (posted.status !== 200) throw new Error(`import failed: ${posted.status} ${JSON.stringify(posted.body).slice(0, 300)}`);
    await waitFor(async () => (await system.request<{ total: number }>('GET', '/api/v1/cases?status=active&limit=1', { token: team })).body.total >= CASES, `${CASES} active cases`, 900_000);
    await system.caughtUp(600_000);
    const setupMs = performance.now() - setup;

    const apiTimes: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      const r = await system.request<{ items: unknown[] }>('GET', '/api/v1/cases?status=active&sort=opened&limit=50', { token: team });
      apiTimes.push(performance.now() - t);
      if (r.body.items.length !== 50) throw new Error('the api did not answer a full page');
    }

    [app, browser] = await Promise.all([startWebApp(system), launchChromium()]);
    const full = await signedInPage(browser, app, '5035');
    const empty = await signedInPage(browser, app, '5037');
    const firstRow = (p: Page) => () => p.getByTestId('case-row').first().waitFor({ state: 'visible' });
    const noRows = (p: Page) => () => p.getByText('Ingen saker med denne statusen.').waitFor({ state: 'visible' });

    const coldFull = await measure(full, app, firstRow(full), true);
    const coldEmpty = await measure(empty, app, noRows(empty), true);
    const warmFull: Array<{ wall: number; inPage: number }> = [];
    const warmEmpty: Array<{ wall: number; inPage: number }> = [];
    for (let i = 0; i < RUNS; i++) {
      warmFull.push(await measure(full, app, firstRow(full), false));
      warmEmpty.push(await measure(empty, app, noRows(empty), false));
    }
    const rowsShown = await full.getByTestId('case-row').count();
    const totalShown = await full.getByText(/saker i alt\./).innerText();

    const version = browser.version();
    console.log(`bench:web — the case list (/saker) with ${CASES.toLocaleString('nb-NO')} active cases, headless Chromium ${version} (${CHROMIUM}), real api + worker (SQLite, local Redis), built web app served by the api, node ${process.version}`);
    console.log(`  setup: ${CASES} tenancies and unpaid charges → ${CASES} active cases in ${(setupMs / 1000).toFixed(1)} s; page shows ${rowsShown} rows, «${totalShown}»`);
    console.log(`  api alone, GET /api/v1/cases?status=active&limit=50:   median ${ms(median(apiTimes))}, max ${ms(Math.max(...apiTimes))} (${RUNS} runs)`);
    console.log(`  first rows on screen, ${CASES} cases, empty cache:        ${ms(coldFull.wall)} (page clock ${ms(coldFull.inPage)})`);
    console.log(`  first rows on screen, ${CASES} cases, warm:               median ${ms(median(warmFull.map((r) => r.wall)))}, max ${ms(Math.max(...warmFull.map((r) => r.wall)))} (page clock median ${ms(median(warmFull.map((r) => r.inPage)))}; ${RUNS} runs)`);
    console.log(`  baseline, same page with an empty list, empty cache:    ${ms(coldEmpty.wall)} (page clock ${ms(coldEmpty.inPage)})`);
    console.log(`  baseline, same page with an empty list, warm:           median ${ms(median(warmEmpty.map((r) => r.wall)))}, max ${ms(Math.max(...warmEmpty.map((r) => r.wall)))} (page clock median ${ms(median(warmEmpty.map((r) => r.inPage)))})`);
    const worst = Math.max(coldFull.wall, ...warmFull.map((r) => r.wall));
    console.log(`  goal: first rows in under 1 s — ${worst < 1000 ? 'met' : 'NOT met'} (slowest of all runs ${ms(worst)})`);
  } finally {
    await browser?.close();
    await system.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
