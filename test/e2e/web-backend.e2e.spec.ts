import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { syntheticNationalIds } from '@evp/shared-kernel';
import { TestSystem, waitFor } from './support/system';

const root = resolve(__dirname, '../..');
const METRICS_TOKEN = 'evp-development-metrics-token-not-secret';

/** The line of a Prometheus text exposition with this name and these labels (values are patterns), in whatever label order. */
function sample(text: string, name: string, labels: Record<string, string>): string | undefined {
  return text.split('\n').find((line) => line.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => new RegExp(`[{,]${k}="${v}"[,}]`).test(line)));
}

/**
 * The web app's backend through the real processes: development sign-in and the public
 * configuration, the import history, the dashboard's figures, the husleierestanseteam's meeting
 * (pack, decisions on the case timeline, PDF), the operator endpoints and queue board through the
 * api, /metrics on both processes, the built web app, and the demo loader.
 */
describe('the web app’s backend (e2e)', () => {
  const web = mkdtempSync(join(tmpdir(), 'evp-web-dist-'));
  const system = new TestSystem({ WEB_DIST_DIR: web, MAX_IMPORT_BYTES: String(1024 * 1024) });
  const [fnrA, fnrB, fnrC, fnrD] = syntheticNationalIds(4, 8) as [string, string, string, string];
  let accounting: string;
  let team: string;
  let admin: string;
  let nav: string;
  let firstImportId: string;

  beforeAll(async () => {
    mkdirSync(join(web, 'assets'));
    writeFileSync(join(web, 'index.html'), '<!doctype html><html lang="nb"><title>Forebygging av utkastelser</title></html>');
    system.setClock('2026-11-02T09:00:00+01:00'); // Monday
    await system.start();
    accounting = await system.token('accounting');
    team = await system.token('arrears-team');
    admin = await system.token('admin');
    nav = await system.token('nav-adviser', { navOffice: 'nav-stjordal' });
  });
  afterAll(async () => {
    await system.stop();
    rmSync(web, { recursive: true, force: true });
  });

  it('publishes its configuration without a token, and mints development tokens the api accepts', async () => {
    const config = await system.request('GET', '/api/config');
    expect(config).toMatchObject({ status: 200, body: { environment: 'test', today: '2026-11-02', devSignIn: true, oidc: null } });
    const minted = await system.request<{ token: string; expiresAt: string }>('POST', '/api/dev/token', { json: { role: 'accounting', municipalities: ['5035'] } });
    expect(minted.status).toBe(200);
    // The business clock's now (it runs on from 08:00Z) plus AUTH_MAX_TOKEN_LIFETIME_SECONDS (default 3600): the verifier's maximum.
    expect(minted.body.expiresAt).toMatch(/^2026-11-02T09:0\d:\d{2}\.000Z$/);
    expect((await system.request('GET', '/api/v1/ledger/arrears?municipality=5035', { token: minted.body.token })).status).toBe(200);
    const refused = await system.request<{ errors: Array<{ column: string }> }>('POST', '/api/dev/token', { json: { role: 'nav-adviser', municipalities: ['5035'] } });
    expect([refused.status, refused.body.errors.map((e) => e.column)]).toEqual([422, ['navOffice']]);
    expect((await system.request('POST', '/api/dev/token', { json: { role: 'wizard', municipalities: ['5035'] } })).status).toBe(422);
  });

  it('serves the built web app on the api’s origin, deep links included, with a self-only policy', async () => {
    const page = await system.request<string>('GET', '/saker/5035-100234-1');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Forebygging av utkastelser</title>');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect((await system.request('GET', '/api/v1/not-a-route', { token: admin })).status).toBe(404);
  });

  it('records every accepted import in the history; the same file re-sent is the same import', async () => {
    const tenancies = [
      'kommunenr;leieforhold;adresse;husleie;utleier;navkontor;fodselsnummer;navn',
      `5035;100234;Kjøpmannsgata 3;9 282,00;kommunal;nav-stjordal;${fnrA};Åse Brække`,
      `5035;100235;Stokkanvegen 12;6 277,00;kommunal;nav-stjordal;${fnrB};Per Ødegård`,
      `5035;100236;Sandskogan 7;11 997,00;privat;nav-stjordal;${fnrC};Kari Æsøy`,
    ].join('\n');
    expect((await system.request('POST', '/api/v1/ledger/tenancies/imports', { token: accounting, body: tenancies })).status).toBe(200);
    // September and October paid (100236's October late); November falls due today.
    const postings = [
      'kommunenr;leieforhold;bilagsnr;type;dato;forfall;periode;belop',
      ...['100234;9 282,00', '100235;6 277,00', '100236;11 997,00'].flatMap((t) => {
        const [id, amount] = t.split(';') as [string, string];
        return ['09', '10', '11'].map((m) => `5035;${id};F-2026${m}-${id};faktura;2026-${String(Number(m) - 1).padStart(2, '0')}-15;2026-${m}-${m === '11' ? '02' : '01'};2026-${m};${amount}`);
      }),
      '5035;100234;I-0901-234;innbetaling;2026-09-01;;;9 282,00',
      '5035;100234;I-1001-234;innbetaling;2026-10-01;;;9 282,00',
      '5035;100235;I-0901-235;innbetaling;2026-09-01;;;6 277,00',
      '5035;100235;I-1001-235;innbetaling;2026-10-01;;;6 277,00',
      '5035;100235;I-1102-235;innbetaling;2026-11-02;;;6 277,00',
      '5035;100236;I-0901-236;innbetaling;2026-09-01;;;11 997,00',
      '5035;100236;I-1020-236;innbetaling;2026-10-20;;;11 997,00',
    ].join('\n');
    const first = await system.request<{ importId: string; eventsWritten: number }>('POST', '/api/v1/ledger/imports', { token: accounting, body: postings });
    expect(first.status).toBe(200);
    firstImportId = first.body.importId;
    const again = await system.request<{ importId: string; noOp: boolean }>('POST', '/api/v1/ledger/imports', { token: accounting, body: postings.replace(/\n/g, '\r\n') });
    expect(again.body).toMatchObject({ importId: firstImportId, noOp: true });
    const history = await waitFor(async () => {
      const r = await system.request<{ items: Array<{ importId: string; kind: string; at: string; lines: number; eventsWritten: number; noOp: boolean }>; nextCursor: string | null }>('GET', '/api/v1/ledger/imports?municipality=5035', { token: accounting });
      return r.status === 200 && r.body.items.length === 2 ? r.body : undefined;
    }, 'the import history');
    expect(history.items.map((i) => [i.kind, i.lines, i.eventsWritten, i.noOp])).toEqual([
      ['postings', 16, 16, false],
      ['tenancies', 3, 3, false],
    ]);
    expect(history.items[0]).toMatchObject({ importId: firstImportId, at: expect.stringMatching(/^2026-11-02T08:0/) });
    // A deliberate new upload (its own Idempotency-Key) of the same file is an import of its own, which changed nothing.
    const keyed = await system.request<{ importId: string; noOp: boolean }>('POST', '/api/v1/ledger/imports', { token: accounting, body: postings, headers: { 'idempotency-key': 'upload-2026-11-02-b' } });
    expect(keyed.body.noOp).toBe(true);
    expect(keyed.body.importId).not.toBe(firstImportId);
    const page = await waitFor(async () => {
      const r = await system.request<{ items: Array<{ importId: string; noOp: boolean }>; nextCursor: string | null }>('GET', '/api/v1/ledger/imports?municipality=5035&limit=1', { token: admin });
      return r.body.items[0]?.importId === keyed.body.importId ? r.body : undefined;
    }, 'the keyed import');
    expect(page.items[0]?.noOp).toBe(true);
    expect(page.nextCursor).not.toBeNull();
    expect((await system.request('GET', '/api/v1/ledger/imports?municipality=5035', { token: team })).status).toBe(403);
  });

  it('the dashboard: invoiced, outstanding and its share, arrears, cases opened, contacted, escalated', async () => {
    await system.caughtUp();
    const before = await system.request<{ months: Array<Record<string, unknown>> }>('GET', '/api/v1/dashboard?municipality=5035&from=2026-09&to=2026-11', { token: accounting });
    expect(before.status).toBe(200);
    expect(before.body.months.map((m) => [m['month'], m['invoicedOre'], m['outstandingOre'], m['outstandingShare'], m['casesOpened']])).toEqual([
      ['2026-09', 2755600, 0, 0, 0],
      ['2026-10', 2755600, 0, 0, 0],
      ['2026-11', 2755600, 0, 0, 0],
    ]);

    system.setClock('2026-11-06T10:00:00+01:00'); // Friday: November's grace period (Tue–Thu) is over
    await waitFor(async () => (await system.request<{ total: number }>('GET', '/api/v1/cases?status=active', { token: team })).body.total === 2 || undefined, 'two cases to open');
    system.setClock('2026-11-09T10:00:00+01:00');
    expect((await system.request('POST', '/api/v1/cases/5035-100236-1/contacts', { token: nav, json: { channel: 'phone' } })).status).toBe(201);
    system.setClock('2026-11-16T08:00:00+01:00'); // after 100234's first-contact deadline (13 November)
    await waitFor(async () => (await system.request<{ total: number }>('GET', '/api/v1/arrears-team/queue', { token: team })).body.total === 1 || undefined, 'the escalation');
    await system.caughtUp();

    const after = await system.request<{ months: Array<Record<string, unknown>> }>('GET', '/api/v1/dashboard?municipality=5035&from=2026-09&to=2026-11', { token: team });
    // November at the end of yesterday: 9 282 + 11 997 kr unpaid, past grace; a share of three months' invoicing scaled to a year.
    expect(after.body.months[2]).toEqual({
      month: '2026-11',
      invoicedOre: 2755600,
      outstandingOre: 2127900,
      outstandingShare: 0.064351, // 2 127 900 / (8 266 800 × 12 / 3)
      shareBasisMonths: 3,
      arrearsOre: 2127900,
      casesOpened: 2,
      casesResolved: 0,
      casesEscalated: 1,
      medianDaysToFirstContact: 3,
      warningsReceived: 0,
      warningsForwarded: 0,
      petitionsFiled: 0,
      evictionsCarriedOut: 0,
      evictionsAvoided: 0,
      // The escalation went to NAV's inbox the day it escalated; nobody has picked it up yet.
      referralsReceived: 1,
      referralsPickedUp: 0,
      medianPickupWorkingDays: null,
      referralsPickupOverdue: 0,
      adviceStarted: 0,
      medianDaysToAdviceStart: null,
      adviceStartedLate: 0,
    });
    expect((await system.request('GET', '/api/v1/dashboard?municipality=5035&from=2026-11&to=2026-09', { token: team })).status).toBe(422);
    expect((await system.request('GET', '/api/v1/dashboard?municipality=5035&to=2026-12', { token: team })).status).toBe(422);
    expect((await system.request('GET', '/api/v1/dashboard?municipality=5035&from=2023-01&to=2026-11', { token: team })).status).toBe(422);
    expect((await system.request('GET', '/api/v1/dashboard?municipality=5037', { token: team })).status).toBe(404);
    expect((await system.request('GET', '/api/v1/dashboard', { token: nav })).status).toBe(403);
  });

  it('the meeting: the pack, decisions recorded once on the case timeline, and the meeting as a tagged PDF in bokmål', async () => {
    const pack = await system.request<{ since: string | null; cases: Array<{ caseId: string; status: string; reasons: Array<{ policy: string }>; changesSinceLastMeeting: unknown[] }>; figures: Record<string, number> }>(
      'GET',
      '/api/v1/arrears-team/meeting-pack?municipality=5035',
      { token: team },
    );
    expect(pack.status).toBe(200);
    expect(pack.body.since).toBeNull();
    expect(pack.body.cases.map((c) => [c.caseId, c.status, c.reasons.map((r) => r.policy)])).toEqual([
      ['5035-100234-1', 'escalated', ['arrearsReachMonthsOfRent', 'noContactWithinDeadline']],
      ['5035-100236-1', 'open', ['arrearsReachMonthsOfRent']],
    ]);
    expect(pack.body.figures).toEqual({ activeCases: 2, escalated: 1, openedSinceLastMeeting: 2, resolvedSinceLastMeeting: 0, arrearsOre: 2127900 });

    const meeting = { municipality: '5035', heldOn: '2026-11-16', decisions: [{ caseId: '5035-100234-1', decision: 'Tilby nedbetalingsavtale; NAV kontakter husstanden innen fredag.' }] };
    const refused = await system.request<{ errors: Array<{ column: string }> }>('POST', '/api/v1/arrears-team/meetings', { token: team, json: { ...meeting, decisions: [{ caseId: '5035-100234-1', decision: '=HYPERLINK("x")' }] } });
    expect([refused.status, refused.body.errors.map((e) => e.column)]).toEqual([422, ['decisions.0.decision']]);
    const recorded = await system.request<{ meetingId: string; recorded: boolean; decisionsRecorded: number }>('POST', '/api/v1/arrears-team/meetings', { token: team, json: meeting, headers: { 'idempotency-key': 'meeting-2026-11-16' } });
    expect(recorded).toMatchObject({ status: 201, body: { recorded: true, decisionsRecorded: 1 } });
    const meetingId = recorded.body.meetingId;
    expect(meetingId).toMatch(/^5035-2026-11-16-[0-9a-f]{8}$/);
    const again = await system.request('POST', '/api/v1/arrears-team/meetings', { token: team, json: meeting });
    expect(again.body).toMatchObject({ meetingId, recorded: false, decisionsRecorded: 0 });
    expect((await system.request('POST', '/api/v1/arrears-team/meetings', { token: accounting, json: meeting })).status).toBe(403);

    const timeline = await waitFor(async () => {
      const r = await system.request<{ timeline: Array<{ type: string; summary: string; actorRole: string }> }>('GET', '/api/v1/cases/5035-100234-1', { token: team });
      return r.body.timeline?.find((t) => t.type === 'cases.TeamDecisionRecorded');
    }, 'the decision on the timeline');
    expect(timeline).toMatchObject({ summary: 'Vedtak i husleierestanseteamets møte 2026-11-16: Tilby nedbetalingsavtale; NAV kontakter husstanden innen fredag.', actorRole: 'arrears-team' });
    const next = await waitFor(async () => {
      const r = await system.request<{ since: string | null }>('GET', '/api/v1/arrears-team/meeting-pack?municipality=5035', { token: team });
      return r.body.since ? r.body : undefined;
    }, 'the next pack');
    expect(next.since).toBe('2026-11-16');
    expect((await system.request<{ items: Array<{ meetingId: string }> }>('GET', '/api/v1/arrears-team/meetings', { token: team })).body.items.map((m) => m.meetingId)).toEqual([meetingId]);

    const response = await fetch(`http://127.0.0.1:${system.apiPort}/api/v1/arrears-team/meetings/${meetingId}/pack.pdf`, { headers: { authorization: `Bearer ${await system.token('arrears-team')}` } });
    const pdf = Buffer.from(await response.arrayBuffer());
    expect([response.status, response.headers.get('content-type')]).toEqual([200, 'application/pdf']);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const raw = pdf.toString('latin1');
    expect(raw).toContain('/Lang (nb-NO)');
    expect(raw).toMatch(/\/MarkInfo \d+ 0 R/);
    expect(raw).toContain('/Marked true');
    expect(raw).toMatch(/\/StructTreeRoot \d+ 0 R/);
    expect(raw).toMatch(/\/FontFile2 \d+ 0 R/); // Source Sans 3, embedded
    const pdftotext = spawnSync('pdftotext', ['-', '-'], { input: pdf });
    if (pdftotext.error) {
      process.stderr.write('[web-backend e2e] pdftotext is not installed: the PDF text was not extracted (apt-get install poppler-utils); the embedded font was checked instead\n');
    } else {
      const text = pdftotext.stdout.toString('utf8');
      expect(text).toContain('Husleierestanseteamet – møte 16.11.2026');
      expect(text).toContain('Vedtak: Tilby nedbetalingsavtale; NAV kontakter husstanden innen fredag.');
      expect(text).toContain('Andre saker i faresonen (1)');
    }
    expect((await system.request('GET', `/api/v1/arrears-team/meetings/5037-2026-11-16-00000000/pack.pdf`, { token: team })).status).toBe(404);
  });

  it('operators through the api: the worker’s endpoints for admins only, and the queue board behind a short session', async () => {
    const lag = await system.request<{ caughtUp: boolean; subscriptions: Array<{ name: string }> }>('GET', '/api/v1/operator/lag', { token: admin });
    expect(lag.status).toBe(200);
    expect(lag.body.subscriptions.map((s) => s.name)).toEqual(expect.arrayContaining([expect.stringMatching(/^ledger-imports@/), expect.stringMatching(/^arrears-team-meetings@/)]));
    expect((await system.request('GET', '/api/v1/operator/deadlines?limit=5', { token: admin })).status).toBe(200);
    expect((await system.request('GET', '/api/v1/operator/lag', { token: team })).status).toBe(403);
    // Names are forwarded as the web app encodes them; nothing climbs out of /operator.
    const retry = await system.request('POST', `/api/v1/operator/subscriptions/${encodeURIComponent(lag.body.subscriptions[0]?.name ?? '')}/parked/retry?stream=case-5035-100234`, { token: admin });
    expect(retry.status).toBe(201); // the worker's own answer, passed through
    expect((await system.request('GET', '/api/v1/operator/lag%2f..%2f..%2fhealth', { token: admin })).status).toBe(422);
    expect((await system.request('GET', '/admin/queues/')).status).toBe(401);
    const session = await system.request<{ url: string }>('POST', '/api/v1/operator/queues-session', { token: admin });
    const cookie = session.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^evp_queues=v1\.[^;]+; Path=\/admin\/queues; Max-Age=900; HttpOnly; SameSite=Strict$/);
    const board = await system.request<string>('GET', session.body.url, { headers: { cookie: cookie.split(';')[0] as string } });
    expect(board.status).toBe(200);
    expect((await system.request('POST', '/api/v1/operator/queues-session', { token: team })).status).toBe(403);
  });

  it('/metrics on the api and the worker, only with the scrape token', async () => {
    const api = `http://127.0.0.1:${system.apiPort}/metrics`;
    const worker = `http://127.0.0.1:${system.workerPort}/metrics`;
    for (const url of [api, worker]) {
      const anonymous = await fetch(url);
      await anonymous.text();
      expect(anonymous.status).toBe(401);
      const wrong = await fetch(url, { headers: { authorization: `Bearer ${admin}` } });
      await wrong.text();
      expect(wrong.status).toBe(401);
    }
    const apiMetrics = await (await fetch(api, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    expect(sample(apiMetrics, 'evp_http_request_duration_seconds_count', { service: 'api', method: 'GET', route: '/api/v1/dashboard', status: '200' })).toMatch(/ \d+$/);
    const workerMetrics = await (await fetch(worker, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    expect(sample(workerMetrics, 'evp_subscription_caught_up', { service: 'worker', subscription: 'cases@g\\d+', building: 'false' })).toMatch(/ [01]$/);
    expect(sample(workerMetrics, 'evp_projection_rebuild_failed', { projection: 'cases' })).toMatch(/ 0$/);
    expect(sample(workerMetrics, 'evp_subscription_state', { subscription: 'ledger-rent-months@g\\d+', state: 'running' })).toMatch(/ 1$/);
    expect(sample(workerMetrics, 'evp_subscription_parked_events', { subscription: 'workflow-cases-arrears' })).toMatch(/ 0$/);
    expect(sample(workerMetrics, 'evp_deadlines_pending', { delivery: 'sheet' })).toMatch(/ \d+$/);
    expect(sample(workerMetrics, 'evp_deadlines_overdue', { service: 'worker', worker_role: 'all' })).toMatch(/ \d+$/);
    expect(sample(workerMetrics, 'evp_ledger_imports', { municipality: '5035', kind: 'postings', noop: 'false' })).toMatch(/ 1$/);
    expect(sample(workerMetrics, 'evp_metrics_source_errors', {})).toBeUndefined();
  });

  it('the dashboard’s § 9-11 warnings and NAV figures: a warning forwarded, petitioned and withdrawn; NAV’s pickup and a § 17 start', async () => {
    system.setClock('2026-11-18T10:00:00+01:00'); // Wednesday
    const landlord = await system.token('landlord', { landlordId: 'utleier-dashbord', sub: 'utleier-dashbord' });
    const submitted = await system.request<{ warningId: string }>('POST', '/api/v1/warnings', {
      token: landlord,
      json: {
        landlord: { kind: 'company', name: 'Dashbord Utleie AS', organisationNumber: '974760673' },
        municipalityNumber: '5035',
        dwelling: { address: 'Værnesgata 9, 7500 Stjørdal' },
        tenants: [{ nationalId: fnrD, name: 'Liv Testesen', noticeSentOn: '2026-11-16' }],
        ground: 'unpaid-rent',
        arrears: { amount: '9 282,00', months: ['2026-10'] },
        plannedPetitionOn: '2026-12-07',
        declarations: { tenantGotCopy: true, noWrittenObjectionReceived: true },
      },
    });
    expect(submitted.status).toBe(201);
    const warningId = submitted.body.warningId;
    // NAV picks up the escalation of 16 November two working days later, and a § 17 request is made.
    await system.caughtUp();
    expect((await system.request('POST', '/api/v1/nav/cases/5035-100234-1/claim', { token: nav })).status).toBe(200);
    const request = await system.request<{ id: string }>('POST', '/api/v1/nav/cases/5035-100234-1/steps', { token: nav, json: { type: 'economic-advice-requested', form: 'oral' } });
    expect(request.status).toBe(201);
    expect((await system.request('POST', '/api/v1/nav/cases/5035-100234-1/steps', { token: nav, json: { type: 'economic-advice-decided', requestId: request.body.id, outcome: 'granted' } })).status).toBe(201);
    await waitFor(async () => ((await system.request<{ status: string }>('GET', `/api/v1/warnings/${warningId}`, { token: landlord })).body.status === 'forwarded' ? true : undefined), 'the warning forwarded to NAV');
    expect((await system.request('POST', `/api/v1/warnings/${warningId}/updates`, { token: landlord, json: { kind: 'petition-filed', filedOn: '2026-11-18' } })).status).toBe(200);
    system.setClock('2026-11-20T10:00:00+01:00');
    expect((await system.request('POST', '/api/v1/nav/cases/5035-100234-1/steps', { token: nav, json: { type: 'economic-advice-started', requestId: request.body.id } })).status).toBe(201);
    expect((await system.request('POST', `/api/v1/warnings/${warningId}/updates`, { token: landlord, json: { kind: 'withdrawn' } })).status).toBe(200);
    await system.caughtUp();

    const dashboard = await system.request<{ months: Array<Record<string, unknown>> }>('GET', '/api/v1/dashboard?municipality=5035&from=2026-10&to=2026-11', { token: accounting });
    expect(dashboard.status).toBe(200);
    // The rent and case figures are asserted above; here the warnings' and NAV's.
    const rentAndCases = ['invoicedOre', 'outstandingOre', 'outstandingShare', 'shareBasisMonths', 'arrearsOre', 'casesOpened', 'casesResolved', 'casesEscalated', 'medianDaysToFirstContact'];
    const figures = (m: Record<string, unknown> | undefined) => Object.fromEntries(Object.entries(m ?? {}).filter(([k]) => !rentAndCases.includes(k)));
    expect(figures(dashboard.body.months[0])).toEqual({
      month: '2026-10',
      warningsReceived: 0,
      warningsForwarded: 0,
      petitionsFiled: 0,
      evictionsCarriedOut: 0,
      evictionsAvoided: 0,
      referralsReceived: 0,
      referralsPickedUp: 0,
      medianPickupWorkingDays: null,
      referralsPickupOverdue: 0,
      adviceStarted: 0,
      medianDaysToAdviceStart: null,
      adviceStartedLate: 0,
    });
    expect(figures(dashboard.body.months[1])).toEqual({
      month: '2026-11',
      warningsReceived: 1,
      warningsForwarded: 1,
      petitionsFiled: 1,
      evictionsCarriedOut: 0,
      evictionsAvoided: 1, // withdrawn: ended without an eviction
      referralsReceived: 2, // the escalation and the forwarded warning
      referralsPickedUp: 1,
      medianPickupWorkingDays: 2, // 16 → 18 November: Tuesday and Wednesday
      referralsPickupOverdue: 0,
      adviceStarted: 1,
      medianDaysToAdviceStart: 2, // requested 18, started 20 November
      adviceStartedLate: 0,
    });
    // Aggregates only: nothing in the answer names a case, a warning or a household.
    expect(JSON.stringify(dashboard.body)).not.toMatch(/5035-100234|utleier-dashbord|Værnesgata/);
    expect(JSON.stringify(dashboard.body)).not.toContain(warningId);
  });

  it('the demo loader, scaled down, loads a municipality through the api and the workflow opens its cases', async () => {
    const started = Date.now();
    const run = (args: string[]) =>
      new Promise<{ code: number | null; output: string }>((done) => {
        const child = spawn(process.execPath, ['-r', '@swc-node/register', join(root, 'scripts/demo.ts'), ...args], {
          cwd: root,
          env: { ...process.env, SWC_NODE_PROJECT: join(root, 'tsconfig.runtime.json'), DEMO_API_URL: `http://127.0.0.1:${system.apiPort}`, DEMO_MUNICIPALITY: '5037', DEMO_DWELLINGS: '24', DEMO_MONTHS: '6' },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.on('exit', (code) => done({ code, output }));
      });
    const first = await run(['--if-empty']);
    expect(first).toMatchObject({ code: 0, output: expect.stringContaining('Demodata lastet') });
    process.stderr.write(`[web-backend e2e] demo, 24 dwellings and 6 months: ${((Date.now() - started) / 1000).toFixed(1)} s\n${first.output}`);
    expect(first.output).toContain('Registrerte 24 leieforhold (14 kommunale, 10 innleide).');
    const elsewhere = await system.token('arrears-team', { municipalities: ['5037'], sub: 'e2e-team-5037' });
    const cases = await system.request<{ total: number }>('GET', '/api/v1/cases?municipality=5037&status=active', { token: elsewhere });
    expect(cases.body.total).toBeGreaterThan(0);
    const second = await run(['--if-empty']);
    expect(second).toMatchObject({ code: 0, output: expect.stringContaining('Kommune 5037 har allerede data; demodata lastes ikke.') });
  });
});
