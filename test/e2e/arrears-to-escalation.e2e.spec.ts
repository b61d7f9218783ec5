import iconv from 'iconv-lite';
import { syntheticNationalIds } from '@evp/shared-kernel';
import { TestSystem, waitFor } from './support/system';

/**
 * The first slice end to end, through the real processes: accounting uploads tenancies and rent
 * postings as Norwegian CSV files; the saga opens cases when arrears pass the policy; the first-
 * contact deadline (five Norwegian working days) escalates a case nobody contacted; payment resolves it.
 */
describe('from unpaid rent to the arrears team (e2e)', () => {
  const system = new TestSystem({ MAX_IMPORT_BYTES: String(256 * 1024) });
  const [fnrA, fnrB, fnrC, fnrD] = syntheticNationalIds(4, 42) as [string, string, string, string];
  const names = ['Åse Ørnø Brække', 'Per Ødegård', 'Kari Æsøy', 'Ola Levanger'];
  let accounting: string;
  let team: string;
  let nav: string;

  beforeAll(async () => {
    system.setClock('2026-11-02T09:00:00+01:00'); // Monday
    await system.start();
    accounting = await system.token('accounting', { municipalities: ['5035'] });
    team = await system.token('arrears-team');
    nav = await system.token('nav-adviser', { navOffice: 'nav-stjordal' });
  });
  afterAll(async () => {
    await system.stop();
  });

  it('registers tenancies from a Windows-1252 file, keeping æ, ø and å', async () => {
    const csv = [
      'kommunenr;leieforhold;adresse;husleie;utleier;navkontor;fødselsnummer;navn',
      `5035;100234;Bjørnstjerne Bjørnsons gate 3, 7500 Stjørdal;9 282,00;kommunal;nav-stjordal;${fnrA};${names[0]}`,
      `5035;100235;Kjøpmannsgata 12;6 277,00;kommunal;nav-stjordal;${fnrB};${names[1]}`,
      `5035;100236;Sandskogan 7;11 997,00;privat;nav-stjordal;${fnrC};${names[2]}`,
    ].join('\r\n');
    const response = await system.request('POST', '/api/v1/ledger/tenancies/imports', { token: accounting, body: iconv.encode(csv, 'win1252') });
    expect(response).toMatchObject({ status: 200, body: { tenancies: 3, registered: 3 } });
    await system.caughtUp();
    const account = await system.request<{ address: string; tenantCount: number }>('GET', '/api/v1/ledger/tenancies/5035/100234', { token: accounting });
    expect(account.body).toMatchObject({ address: 'Bjørnstjerne Bjørnsons gate 3, 7500 Stjørdal', tenantCount: 1 });
  });

  it('accepts the same file as a multipart upload', async () => {
    const form = new FormData();
    form.append('file', new Blob(['kommunenr;leieforhold;bilagsnr;type;dato;forfall;periode;belop\n5035;999999;F-X;faktura;2026-10-15;2026-11-02;2026-11;100\n'], { type: 'text/csv' }), 'postings.csv');
    const response = await system.request<{ errors: unknown[] }>('POST', '/api/v1/ledger/imports', { token: accounting, form });
    expect(response.status).toBe(422);
    expect(response.body.errors).toEqual([{ line: 2, column: 'leieforhold', reason: 'ukjent leieforhold 999999 i kommune 5035' }]);
  });

  it('refuses a file with errors whole, listing every error with line, column and reason', async () => {
    const csv = [
      '\ufeffkommunenr;leieforhold;bilagsnr;type;dato;forfall;periode;beløp',
      '5035;100234;F-OK;faktura;15.10.2026;02.11.2026;2026-11;9 282,00',
      '5035;100234;F-BAD;faktura;2026-02-30;2026-11-02;2026-11;9 282,00',
      '5035;100234;I-BAD;innbetaling;2026-11-02;;;ni tusen',
      '5035;999999;F-X;faktura;2026-10-15;2026-11-02;2026-11;100',
      '5035;100234;F-OK;faktura;15.10.2026;02.11.2026;2026-11;9 282,00',
      '5035;100235;X-1;husleiegaranti;2026-10-15;;;100',
    ].join('\n');
    const response = await system.request<{ errors: Array<{ line: number; column: string; reason: string }> }>('POST', '/api/v1/ledger/imports', { token: accounting, body: csv });
    expect(response.status).toBe(422);
    expect(response.body.errors.map((e) => [e.line, e.column])).toEqual([
      [3, 'dato'],
      [4, 'belop'],
      [6, 'bilagsnr'],
      [7, 'type'],
    ]);
    // The unknown tenancy is found once the lines are valid; still nothing is written.
    const second = await system.request<{ errors: Array<{ line: number; column: string; reason: string }> }>('POST', '/api/v1/ledger/imports', {
      token: accounting,
      body: 'kommunenr;leieforhold;bilagsnr;type;dato;forfall;periode;belop\n5035;100234;F-OK;faktura;15.10.2026;02.11.2026;2026-11;9 282,00\n5035;999999;F-X;faktura;2026-10-15;2026-11-02;2026-11;100\n',
    });
    expect(second.status).toBe(422);
    expect(second.body.errors).toEqual([{ line: 3, column: 'leieforhold', reason: 'ukjent leieforhold 999999 i kommune 5035' }]);
    const account = await system.request<{ transactions: unknown[] }>('GET', '/api/v1/ledger/tenancies/5035/100234', { token: accounting });
    expect(account.body.transactions).toEqual([]);
  });

  it('answers 415 for a wrong content type, 413 for too large a file, 403 outside the caller\'s municipalities', async () => {
    expect((await system.request('POST', '/api/v1/ledger/imports', { token: accounting, body: '<xml/>', contentType: 'application/xml' })).status).toBe(415);
    expect((await system.request('POST', '/api/v1/ledger/postings', { token: accounting, body: 'a;b', contentType: 'text/csv' })).status).toBe(415);
    const big = 'kommunenr;leieforhold;bilagsnr;type;dato;forfall;periode;belop\n' + '5035;100234;F;faktura;2026-10-15;2026-11-02;2026-11;1\n'.repeat(6000);
    expect((await system.request('POST', '/api/v1/ledger/imports', { token: accounting, body: big })).status).toBe(413);
    const form = new FormData();
    form.append('file', new Blob([big], { type: 'text/csv' }), 'postings.csv');
    expect((await system.request('POST', '/api/v1/ledger/imports', { token: accounting, form })).status).toBe(413);
    const levanger = await system.request('POST', '/api/v1/ledger/postings', {
      token: accounting,
      json: { postings: [{ municipalityNumber: '5037', tenancyId: '1', voucherRef: 'F1', type: 'faktura', date: '2026-10-15', dueDate: '2026-11-02', period: '2026-11', amountOre: 100 }] },
    });
    expect(levanger.status).toBe(403);
    expect((await system.request('POST', '/api/v1/ledger/postings', { json: { postings: [] } })).status).toBe(401);
  });

  it('posts November\'s rent; nothing opens while the payment may be on its way, and a repeated file is a no-op', async () => {
    const csv = [
      'kommunenr;leieforhold;bilagsnr;type;dato;forfall;periode;belop',
      '5035;100234;F-2026-11-100234;faktura;15.10.2026;02.11.2026;2026-11;9 282,00',
      '5035;100235;F-2026-11-100235;faktura;15.10.2026;02.11.2026;2026-11;6 277,00',
      '5035;100236;F-2026-11-100236;faktura;15.10.2026;02.11.2026;2026-11;11 997,00',
      '5035;100235;I-88812;innbetaling;02.11.2026;;;6277',
    ].join('\n');
    const first = await system.request('POST', '/api/v1/ledger/imports', { token: accounting, body: csv, headers: { 'idempotency-key': 'import-2026-11-02-a' } });
    expect(first).toMatchObject({ status: 200, body: { lines: 4, eventsWritten: 4, noOp: false } });
    const replay = await system.request('POST', '/api/v1/ledger/imports', { token: accounting, body: csv, headers: { 'idempotency-key': 'import-2026-11-02-a' } });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(first.body);
    const reused = await system.request('POST', '/api/v1/ledger/imports', { token: accounting, body: csv + '\n', headers: { 'idempotency-key': 'import-2026-11-02-a' } });
    expect(reused.status).toBe(422);
    const again = await system.request('POST', '/api/v1/ledger/imports', { token: accounting, body: csv });
    expect(again.body).toMatchObject({ eventsWritten: 0, alreadyPosted: 4, noOp: true });
    const changed = await system.request('POST', '/api/v1/ledger/imports', { token: accounting, body: csv.replace('6277', '6200') });
    expect(changed.status).toBe(409);

    await system.caughtUp();
    const cases = await system.request<{ total: number }>('GET', '/api/v1/cases?status=all', { token: team });
    expect(cases.body.total).toBe(0);
    const arrears = await system.request<{ items: Array<{ tenancyId: string; overdueOre: number }> }>('GET', '/api/v1/ledger/arrears?municipality=5035&sort=amount', { token: accounting });
    expect(arrears.body.items).toEqual([]); // due today: not overdue yet
  });

  it('opens cases when the grace period has passed, with the reason and a deadline in working days', async () => {
    system.setClock('2026-11-06T10:00:00+01:00'); // Friday: the grace period (Tue–Thu) is over
    const cases = await waitFor(async () => {
      const r = await system.request<{ total: number; items: Array<{ caseId: string; firstContactDeadline: string; openingReasons: Array<{ policy: string }> }> }>('GET', '/api/v1/cases', { token: team });
      return r.body.total === 2 ? r.body.items : undefined;
    }, 'two cases to open');
    expect(cases.map((c) => c.caseId).sort()).toEqual(['5035-100234-1', '5035-100236-1']);
    expect(cases.every((c) => c.firstContactDeadline === '2026-11-13')).toBe(true);
    expect(cases[0]?.openingReasons.map((r) => r.policy)).toEqual(['arrearsReachMonthsOfRent']);
    const arrears = await system.request<{ items: Array<{ tenancyId: string }> }>('GET', '/api/v1/ledger/arrears?municipality=5035&sort=amount', { token: accounting });
    expect(arrears.body.items.map((i) => i.tenancyId)).toEqual(['100236', '100234']);
    const byAge = await system.request<{ items: Array<{ tenancyId: string }> }>('GET', '/api/v1/ledger/arrears?municipality=5035&sort=age', { token: accounting });
    expect(byAge.body.items).toHaveLength(2);
  });

  it('limits reads by role and ownership: 404 for another NAV office, 403 for a landlord', async () => {
    const otherNav = await system.token('nav-adviser', { navOffice: 'nav-levanger' });
    expect((await system.request('GET', '/api/v1/cases/5035-100234-1', { token: otherNav })).status).toBe(404);
    expect((await system.request('GET', '/api/v1/ledger/tenancies/5035/100234', { token: otherNav })).status).toBe(404);
    expect((await system.request('GET', '/api/v1/cases/5035-100234-1', { token: nav })).status).toBe(200);
    const landlord = await system.token('landlord', { landlordId: 'enhet-bygg' });
    expect((await system.request('GET', '/api/v1/ledger/tenancies/5035/100234', { token: landlord })).status).toBe(403);
    const elsewhere = await system.token('arrears-team', { municipalities: ['5037'] });
    expect((await system.request('GET', '/api/v1/cases/5035-100234-1', { token: elsewhere })).status).toBe(404);
  });

  it('recording contact stops the escalation; a case nobody contacted escalates after five working days', async () => {
    const contact = await system.request('POST', '/api/v1/cases/5035-100236-1/contacts', { token: nav, json: { channel: 'phone' }, headers: { 'idempotency-key': 'contact-100236-first' } });
    expect(contact).toMatchObject({ status: 201, body: { recorded: true } });
    const repeat = await system.request('POST', '/api/v1/cases/5035-100236-1/contacts', { token: nav, json: { channel: 'phone' }, headers: { 'idempotency-key': 'contact-100236-first' } });
    expect(repeat.headers.get('idempotent-replayed')).toBe('true');
    expect((await system.request('POST', '/api/v1/cases/5035-100236-1/contacts', { token: nav, json: { channel: 'pigeon' } })).status).toBe(422);

    system.setClock('2026-11-13T15:00:00+01:00'); // the deadline day itself still counts
    await new Promise((r) => setTimeout(r, 1500));
    expect((await system.request<{ total: number }>('GET', '/api/v1/arrears-team/queue', { token: team })).body.total).toBe(0);

    system.setClock('2026-11-16T08:00:00+01:00'); // Monday after the deadline
    const queue = await waitFor(async () => {
      const r = await system.request<{ total: number; items: Array<{ caseId: string; escalationReasons: Array<{ policy: string; explanation: string }> }> }>('GET', '/api/v1/arrears-team/queue', { token: team });
      return r.body.total >= 1 ? r.body.items : undefined;
    }, 'the escalation');
    expect(queue.map((c) => c.caseId)).toEqual(['5035-100234-1']);
    expect(queue[0]?.escalationReasons[0]?.policy).toBe('noContactWithinDeadline');
    expect(queue[0]?.escalationReasons[0]?.explanation).toContain('frist 2026-11-13');
  });

  it('resolves a case as paid when the arrears are cleared, and shows the whole timeline', async () => {
    const pay = await system.request('POST', '/api/v1/ledger/postings', {
      token: accounting,
      json: { postings: [{ municipalityNumber: '5035', tenancyId: '100234', voucherRef: 'I-90001', type: 'innbetaling', date: '2026-11-16', amount: '9 282,00' }] },
    });
    expect(pay.status).toBe(200);
    const resolved = await waitFor(async () => {
      const r = await system.request<{ status: string; timeline: Array<{ type: string; summary: string }> }>('GET', '/api/v1/cases/5035-100234-1', { token: team });
      return r.body.status === 'resolved' ? r.body : undefined;
    }, 'the case to resolve');
    expect(resolved.timeline.map((t) => t.type)).toEqual(['cases.CaseOpened', 'cases.CaseEscalatedToArrearsTeam', 'cases.ReferredToNav', 'cases.CaseResolved']);
    expect((await system.request<{ total: number }>('GET', '/api/v1/arrears-team/queue', { token: team })).body.total).toBe(0);
    // Operators see what fired and what was cancelled, and why the workflow ignored what it ignored.
    const deadlines = await system.worker_<{ pending: Array<{ id: string }>; recent: Array<{ id: string; status: string }>; ignored: Array<{ reason: string; count: number }> }>('GET', '/operator/deadlines');
    expect(deadlines.body.pending.map((d) => d.id)).not.toContain('case.5035-100234-1.first-contact');
    expect(deadlines.body.recent).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 'case.5035-100234-1.first-contact', status: 'fired' }),
        expect.objectContaining({ id: 'case.5035-100236-1.first-contact', status: 'cancelled' }),
      ]),
    );
    expect(deadlines.body.ignored.map((i) => i.reason)).toContain('Ingen restanse etter henstandsperioden; ingen sak kan åpnes nå.');
  });

  it('serves an OpenAPI document that describes every endpoint with its errors, and the Swagger UI', async () => {
    const doc = await system.request<{ paths: Record<string, Record<string, { responses: Record<string, unknown> }>> }>('GET', '/api/openapi.json');
    const operations = Object.entries(doc.body.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, codes: Object.keys(op.responses) })));
    expect(operations.map((o) => `${o.method.toUpperCase()} ${o.path}`)).toEqual(
      expect.arrayContaining([
        'POST /api/v1/ledger/postings',
        'POST /api/v1/ledger/imports',
        'POST /api/v1/ledger/tenancies',
        'POST /api/v1/ledger/tenancies/imports',
        'GET /api/v1/ledger/tenancies/{municipalityNumber}/{tenancyId}',
        'GET /api/v1/ledger/arrears',
        'GET /api/v1/cases',
        'GET /api/v1/cases/{id}',
        'POST /api/v1/cases/{id}/contacts',
        'GET /api/v1/arrears-team/queue',
      ]),
    );
    for (const op of operations.filter((o) => o.path.startsWith('/api/v1/'))) expect(op.codes).toEqual(expect.arrayContaining(['401', '403']));
    const imports = operations.find((o) => o.method === 'post' && o.path === '/api/v1/ledger/imports');
    expect(imports?.codes).toEqual(expect.arrayContaining(['409', '413', '415', '422']));
    expect((await system.request('GET', '/api/docs')).status).toBe(200);
  });

  it("follows the tenancy's current NAV office: after a move the new office reads the case and the account, the old one gets 404", async () => {
    const levanger = await system.token('nav-adviser', { navOffice: 'nav-levanger' });
    expect((await system.request('GET', '/api/v1/cases/5035-100234-1', { token: levanger })).status).toBe(404);
    const moved = [
      'kommunenr;leieforhold;adresse;husleie;utleier;navkontor;fødselsnummer;navn',
      `5035;100234;Bjørnstjerne Bjørnsons gate 3, 7500 Stjørdal;9 282,00;kommunal;nav-levanger;${fnrA};${names[0]}`,
    ].join('\n');
    expect((await system.request('POST', '/api/v1/ledger/tenancies/imports', { token: accounting, body: moved })).body).toMatchObject({ changed: 1 });
    // Two read models (the cases list and the accounts), each projected on its own: both follow.
    const follows = async () =>
      (await system.request('GET', '/api/v1/cases/5035-100234-1', { token: levanger })).status === 200 &&
      (await system.request('GET', '/api/v1/ledger/tenancies/5035/100234', { token: levanger })).status === 200;
    await waitFor(async () => ((await follows()) ? true : undefined), 'the case and the account to follow the tenancy to its new office');
    expect((await system.request('GET', '/api/v1/cases/5035-100234-1', { token: nav })).status).toBe(404);
    expect((await system.request('GET', '/api/v1/ledger/tenancies/5035/100234', { token: nav })).status).toBe(404);
  });

  it('never writes an identity number or a name to a log line, and names who made each request', () => {
    expect(system.logs.length).toBeGreaterThan(0);
    expect(system.logs.some((line) => line.includes('"url":"/api/v1/cases/5035-100234-1"') && line.includes(`"actor":"${system.actorId('e2e-arrears-team')}"`))).toBe(true);
    for (const secret of [fnrA, fnrB, fnrC, fnrD, ...names]) {
      expect(system.logs.filter((line) => line.includes(secret))).toEqual([]);
    }
  });
});
