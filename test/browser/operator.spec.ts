import { join } from 'node:path';
import Database from 'better-sqlite3';
import { waitFor } from '../e2e/support/system';
import { ARTIFACTS, checkPage } from './support/browser';
import { BrowserJourney, postingFile, tenancyFile } from './support/journey';

interface Subscription {
  name: string;
  parked: Array<{ streamName: string; reason: string; error: string | null }>;
}

/**
 * An operator (admin) retries a parked event. To park one for real, the test breaks the cases
 * projection's table for one case with a SQLite trigger that aborts every insert of its timeline
 * (a deterministic fault, not an outage, so the runner parks the event after its attempts), lets a
 * contact be recorded on that case, then removes the fault — as an operator would fix a cause — and
 * the operator presses «Prøv igjen» in the browser.
 */
describe('an operator in the browser', () => {
  const journey = new BrowserJourney();
  const { system } = journey;
  const caseId = '5035-300001-1';
  const trigger = 'browser_test_fault';

  /** Runs `sql` against the active generation's physical table for `logical` of the cases projection. */
  function onCasesTable(logical: string, sql: (table: string) => string): void {
    const db = new Database(join(system.dir, 'read-models.sqlite'));
    try {
      db.pragma('busy_timeout = 5000');
      const active = db.prepare(`SELECT tables FROM rm_generations WHERE projection = 'cases' AND status = 'active'`).get() as { tables: string };
      const physical = (JSON.parse(active.tables) as Record<string, string>)[logical] as string;
      db.exec(sql(physical));
    } finally {
      db.close();
    }
  }

  beforeAll(async () => {
    system.setClock('2026-11-02T09:00:00+01:00');
    await journey.start();
    const accounting = await system.token('accounting');
    const tenancies = tenancyFile([{ id: '300001', address: 'Værnesgata 9', rent: '9 282,00', name: 'Aud Hell' }], 813);
    expect((await system.request('POST', '/api/v1/ledger/tenancies/imports', { token: accounting, body: tenancies })).status).toBe(200);
    expect((await system.request('POST', '/api/v1/ledger/imports', { token: accounting, body: postingFile(['5035;300001;F-2026-10-300001;faktura;15.09.2026;01.10.2026;2026-10;9 282,00']) })).status).toBe(200);
    const team = await system.token('arrears-team');
    await waitFor(async () => (await system.request('GET', `/api/v1/cases/${caseId}`, { token: team })).status === 200, 'the case to open');
    await system.caughtUp();

    onCasesTable('case_timeline', (t) => `CREATE TRIGGER ${trigger} BEFORE INSERT ON "${t}" WHEN NEW.case_id = '${caseId}' BEGIN SELECT RAISE(ABORT, 'simulert feil i testen'); END;`);
    const contact = await system.request('POST', `/api/v1/cases/${caseId}/contacts`, { token: team, json: { channel: 'phone' }, headers: { 'idempotency-key': 'operator-test-contact' } });
    expect(contact.status).toBe(201);
    await waitFor(async () => {
      const { body } = await system.worker_<Subscription[]>('GET', '/operator/subscriptions');
      return body.some((s) => s.parked.some((p) => p.streamName.startsWith('case-') && p.reason === 'parked'));
    }, 'the contact event to be parked');
    // The cause is fixed; the event still waits for someone to retry it.
    onCasesTable('case_timeline', () => `DROP TRIGGER ${trigger};`);
  });
  afterAll(() => journey.stop());

  it('sees the parked event with its error, retries it, and the page shows it handled', async () => {
    const page = await journey.page();
    await journey.signIn(page, 'admin');
    await page.getByRole('heading', { level: 1, name: 'Drift' }).waitFor();

    const parked = page.getByRole('region', { name: 'Parkerte hendelser' });
    const row = parked.getByRole('row').filter({ hasText: 'cases.ContactRecorded' });
    await row.waitFor();
    await expect(row.innerText()).resolves.toContain('simulert feil i testen');
    await page.getByRole('region', { name: 'Abonnementer og etterslep' }).getByRole('table').waitFor();
    await page.getByRole('region', { name: 'Ventende frister' }).getByText(/frist(er)? venter/).waitFor();
    await checkPage(page, 'operator-parked');

    await row.getByRole('button', { name: /Prøv igjen/ }).click();
    await parked.getByText(/er behandlet, og strømmen går igjen\./).waitFor();
    await parked.getByText('Ingen hendelser er parkert.').waitFor();
    await checkPage(page, 'operator-retried');

    // What was parked now shows on the case.
    await page.goto(journey.url(`/saker/${caseId}`));
    await page.getByRole('region', { name: 'Tidslinje' }).getByText('Kontakt registrert (telefon).').waitFor();
  });

  it('rebuilds a projection and follows its progress to the switch, and opens the queues', async () => {
    const page = await journey.page();
    await journey.signIn(page, 'admin');
    const projections = page.getByRole('region', { name: 'Projeksjoner' });
    const button = projections.getByRole('button', { name: 'Bygg cases på nytt' });
    await button.click();
    await projections.getByText(/^Ferdig og tatt i bruk: \d+ hendelser behandlet, ferdig /).waitFor({ timeout: 60_000 });
    await checkPage(page, 'operator-rebuilt');

    // The BullMQ queues open in bull-board behind a short-lived session cookie the api sets for an admin.
    await page.getByRole('button', { name: 'Åpne køoversikten' }).click();
    await page.waitForURL(/\/admin\/queues/);
    await page.locator('#root').getByText(/timers|deadline|cases/i).first().waitFor();
    // bull-board is a third-party page (the accessibility statement says so): a screenshot, no axe.
    await page.screenshot({ path: join(ARTIFACTS, 'operator-bull-board.png'), fullPage: true });
    await page.goBack();
    await page.getByRole('heading', { level: 1, name: 'Drift' }).waitFor();
  });
});
