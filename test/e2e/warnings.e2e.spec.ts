import { syntheticNationalIds } from '@evp/shared-kernel';
import { TestSystem, waitFor } from './support/system';

/**
 * § 9-11 warnings end to end, through the real api and worker: a landlord's warning reaches NAV
 * (the household's case and its referral), the landlord sees «forwarded» and nothing of NAV's; an
 * objection on record — registered before the warning, or after it but before it was forwarded —
 * keeps it from NAV, and the landlord is told why; a payment before the lock change stops an
 * eviction for unpaid rent (not an expired lease); another landlord's warning is 404; co-tenants
 * each have their own § 4-18 notice.
 */
describe('§ 9-11 warnings (e2e)', () => {
  const system = new TestSystem();
  const [fnrA, fnrB, fnrC, fnrD, fnrE] = syntheticNationalIds(5, 911) as [string, string, string, string, string];
  let hansen: string;
  let other: string;
  let propertyUnit: string;
  let accounting: string;
  let team: string;
  let nav: string;

  interface WarningView {
    warningId: string;
    status: string;
    statusText: string;
    forwardedOn: string | null;
    notForwardedReason: string | null;
    closure: string | null;
    tenants: Array<{ tenantRef: string; name: string; noticeSentOn: string | null; petitionLegalOn: string | null; petitionCarefulOn: string | null }>;
    history: Array<{ kind: string; text: string }>;
    possibleSteps: string[];
  }

  const privateWarning = (tenants: unknown[], extra: Record<string, unknown> = {}) => ({
    landlord: { kind: 'private-person', name: 'Hans Hansen' },
    municipalityNumber: '5035',
    dwelling: { address: 'Kirkeveien 4, 7500 Stjørdal' },
    tenants,
    ground: 'unpaid-rent',
    arrears: { amount: '18 564,00', months: ['2026-10', '2026-11'] },
    plannedPetitionOn: '2026-12-21',
    declarations: { tenantGotCopy: true, noWrittenObjectionReceived: true },
    ...extra,
  });

  beforeAll(async () => {
    system.setClock('2026-12-02T09:00:00+01:00'); // Wednesday
    await system.start();
    hansen = await system.token('landlord', { landlordId: 'utleier-hansen', sub: 'hansen' });
    other = await system.token('landlord', { landlordId: 'utleier-olsen', sub: 'olsen' });
    propertyUnit = await system.token('landlord', { landlordId: 'enhet-bygg', sub: 'enhet-bygg', municipalities: ['5035'] });
    accounting = await system.token('accounting', { municipalities: ['5035'] });
    team = await system.token('arrears-team');
    nav = await system.token('nav-adviser', { navOffice: 'nav-stjordal' });
  }, 120_000);
  afterAll(async () => {
    await system.stop();
  });

  let forwardedId = '';

  it('co-tenants, each with their own § 4-18 notice: received at once, with the legal and careful dates per tenant', async () => {
    const response = await system.request<{ warningId: string; status: string; created: boolean; tenants: WarningView['tenants']; advice: Array<{ rule: string }> }>('POST', '/api/v1/warnings', {
      token: hansen,
      json: privateWarning([
        { nationalId: fnrA, name: 'Åse Ørnø', noticeSentOn: '2026-12-01' },
        { name: 'Per Ødegård', birthDate: '1990-05-17', noticeSentOn: '2026-12-02' },
      ]),
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ status: 'received', created: true });
    // Notice on Tuesday 1 December: legal Tuesday 15th; careful (receipt Friday 4th) Monday 21st. The co-tenant's own notice a day later moves both.
    expect(response.body.tenants).toEqual([
      { tenantRef: 't1', identifiedBy: 'national-id', noticeSentOn: '2026-12-01', petitionLegalOn: '2026-12-15', petitionCarefulOn: '2026-12-21' },
      { tenantRef: 't2', identifiedBy: 'name-and-birth-date', noticeSentOn: '2026-12-02', petitionLegalOn: '2026-12-16', petitionCarefulOn: '2026-12-22' },
    ]);
    expect(response.body.advice.map((a) => a.rule)).toEqual(['petitionCareful']);
    forwardedId = response.body.warningId;
    expect(JSON.stringify(response.body)).not.toContain(fnrA);
  });

  it('the same warning again (landlord, tenants, notice dates) stores nothing new', async () => {
    const again = await system.request<{ warningId: string; created: boolean }>('POST', '/api/v1/warnings', {
      token: hansen,
      json: privateWarning([
        { nationalId: fnrA, name: 'Åse Ørnø', noticeSentOn: '2026-12-01' },
        { name: 'Per Ødegård', birthDate: '1990-05-17', noticeSentOn: '2026-12-02' },
      ]),
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ warningId: forwardedId, created: false });
  });

  it('the referral reaches NAV: the household’s case is opened for the warning and referred; the landlord sees «forwarded» and nothing of NAV’s', async () => {
    await system.caughtUp();
    const cases = await system.request<{ items: Array<{ caseId: string; tenancyId: string; openingReasons: Array<{ policy: string }> }> }>('GET', '/api/v1/cases?status=all', { token: team });
    const opened = cases.body.items.find((c) => c.openingReasons.some((r) => r.policy === 'evictionWarning'));
    expect(opened).toBeDefined();
    const detail = await system.request<{ navOffice: string; timeline: Array<{ type: string; summary: string }> }>('GET', `/api/v1/cases/${opened?.caseId}`, { token: team });
    expect(detail.body.navOffice).toBe('nav-stjordal');
    expect(detail.body.timeline.map((t) => t.type)).toEqual(['cases.CaseOpened', 'cases.WarningAttached', 'cases.ReferredToNav']);
    expect(detail.body.timeline[2]?.summary).toBe('Henvist til nav-stjordal (varsel om fravikelse fra utleier).');

    const inbox = await system.request('GET', '/api/v1/nav/inbox', { token: nav });
    if (inbox.status === 200) expect(JSON.stringify(inbox.body)).toContain(opened?.caseId);

    const mine = await system.request<WarningView>('GET', `/api/v1/warnings/${forwardedId}`, { token: hansen });
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({ status: 'forwarded', statusText: 'Sendt til NAV 2026-12-02', forwardedOn: '2026-12-02' });
    expect(mine.body.tenants.map((t) => [t.tenantRef, t.name, t.noticeSentOn])).toEqual([
      ['t1', 'Åse Ørnø', '2026-12-01'],
      ['t2', 'Per Ødegård', '2026-12-02'],
    ]);
    const text = JSON.stringify(mine.body);
    expect(text).not.toContain(opened?.caseId as string);
    expect(text).not.toMatch(/caseId|claim|contact|referral/i);
    const list = await system.request<{ total: number; items: Array<{ warningId: string; status: string }> }>('GET', '/api/v1/warnings', { token: hansen });
    expect(list.body.items).toEqual([expect.objectContaining({ warningId: forwardedId, status: 'forwarded' })]);
  });

  it('another landlord reading, copying or updating the warning gets 404, like a warning that does not exist', async () => {
    expect((await system.request('GET', `/api/v1/warnings/${forwardedId}`, { token: other })).status).toBe(404);
    expect((await system.request('GET', `/api/v1/warnings/${forwardedId}/tenant-copy.pdf`, { token: other })).status).toBe(404);
    expect((await system.request('POST', `/api/v1/warnings/${forwardedId}/updates`, { token: other, json: { kind: 'withdrawn' } })).status).toBe(404);
    expect((await system.request('GET', '/api/v1/warnings/00000000-0000-5000-8000-000000000000', { token: hansen })).status).toBe(404);
    expect((await system.request<{ total: number }>('GET', '/api/v1/warnings', { token: other })).body.total).toBe(0);
    // NAV's and the team's work is not the landlord's: the case endpoints refuse the role.
    expect((await system.request('GET', '/api/v1/cases?status=all', { token: hansen })).status).toBe(403);
  });

  it('the tenant copy is a PDF with the font embedded', async () => {
    const response = await fetch(`http://127.0.0.1:${system.apiPort}/api/v1/warnings/${forwardedId}/tenant-copy.pdf`, { headers: { authorization: `Bearer ${hansen}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/application\/pdf/);
    const pdf = Buffer.from(await response.arrayBuffer());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.toString('latin1')).toMatch(/\/FontFile2/);
    expect(pdf.toString('latin1')).toMatch(/\/Lang \(nb-NO\)/);
  });

  it('bad input: problem details naming each field, nothing stored', async () => {
    const response = await system.request<{ errors: Array<{ column: string }> }>('POST', '/api/v1/warnings', {
      token: hansen,
      json: privateWarning([{ nationalId: '12345678901', name: 'X' }, { name: 'Uten Fødselsdato' }], {
        landlord: { kind: 'company', name: 'Utleie AS', organisationNumber: '974760674' },
        plannedPetitionOn: '2026-11-30',
        declarations: { tenantGotCopy: false, noWrittenObjectionReceived: true },
      }),
    });
    expect(response.status).toBe(422);
    expect(response.body.errors.map((e) => e.column).sort()).toEqual(['declarations.tenantGotCopy', 'landlord.organisationNumber', 'plannedPetitionOn', 'tenants.0.nationalId', 'tenants.1.birthDate']);
    expect(JSON.stringify(response.body)).not.toContain('12345678901');
    await system.caughtUp();
    expect((await system.request<{ total: number }>('GET', '/api/v1/warnings', { token: hansen })).body.total).toBe(1);
  });

  it('a step that cannot follow is refused with the reason; one that can moves the warning', async () => {
    const early = await system.request<{ errors: Array<{ column: string; reason: string }> }>('POST', `/api/v1/warnings/${forwardedId}/updates`, { token: hansen, json: { kind: 'eviction-date-set', evictionOn: '2027-02-10' } });
    expect(early.status).toBe(409);
    expect(early.body.errors[0]).toMatchObject({ column: 'kind', reason: expect.stringContaining('først etter at begjæringen er sendt') });
    const filed = await system.request<{ recorded: boolean; passedToNav: boolean; stage: string }>('POST', `/api/v1/warnings/${forwardedId}/updates`, { token: hansen, json: { kind: 'petition-filed', filedOn: '2026-12-02' } });
    expect(filed.body).toMatchObject({ recorded: true, passedToNav: true, stage: 'petition-filed' });
    await system.caughtUp();
    const cases = await system.request<{ items: Array<{ caseId: string; openingReasons: Array<{ policy: string }> }> }>('GET', '/api/v1/cases?status=all', { token: team });
    const caseId = cases.body.items.find((c) => c.openingReasons.some((r) => r.policy === 'evictionWarning'))?.caseId;
    const detail = await system.request<{ timeline: Array<{ type: string; summary: string }> }>('GET', `/api/v1/cases/${caseId}`, { token: team });
    expect(detail.body.timeline[3]).toMatchObject({ type: 'cases.WarningStepRecorded', summary: 'Utleier meldte: begjæring om fravikelse sendt namsmannen 2026-12-02.' });
  });

  it('an objection already on record: the warning is stored, not forwarded, and the landlord is told why', async () => {
    const objection = await system.request<{ objectionId: string; status: string }>('POST', '/api/v1/objections', { token: nav, json: { municipalityNumber: '5035', tenant: { nationalId: fnrB, name: 'Kari Æsøy' }, receivedOn: '2026-11-25' } });
    expect(objection.status).toBe(201);
    expect(objection.body.status).toBe('on-record');
    const response = await system.request<{ warningId: string; status: string; message: string }>('POST', '/api/v1/warnings', {
      token: hansen,
      json: privateWarning([{ nationalId: fnrB, name: 'Kari Æsøy', noticeSentOn: '2026-12-01' }], { dwelling: { address: 'Sandskogan 7, 7500 Stjørdal' } }),
    });
    expect(response.status).toBe(201);
    expect(response.body.status).toBe('not-forwarded');
    expect(response.body.message).toMatch(/blir ikke sendt til NAV: leietaker 1 har reservert seg skriftlig/);
    await system.caughtUp();
    const mine = await system.request<WarningView>('GET', `/api/v1/warnings/${response.body.warningId}`, { token: hansen });
    expect(mine.body).toMatchObject({ status: 'not-forwarded', forwardedOn: null, notForwardedReason: expect.stringContaining('reservert seg skriftlig') });
    const cases = await system.request<{ total: number }>('GET', '/api/v1/cases?status=all', { token: team });
    expect(cases.body.total).toBe(1);
  });

  it('an objection registered after the warning came in but before it was forwarded: never forwarded', async () => {
    await system.killWorker();
    const response = await system.request<{ warningId: string; status: string }>('POST', '/api/v1/warnings', {
      token: hansen,
      json: privateWarning([{ name: 'Ola Nordmann', birthDate: '1985-03-09', noticeSentOn: '2026-12-01' }], { dwelling: { address: 'Nordsidevegen 2, 7500 Stjørdal' } }),
    });
    expect(response.body.status).toBe('received');
    // The landlord registers the tenant's written objection, by name and birth date, before the worker has forwarded anything.
    const objection = await system.request<{ objectionId: string }>('POST', '/api/v1/objections', { token: hansen, json: { municipalityNumber: '5035', tenant: { name: 'OLA  Nordmann', birthDate: '1985-03-09' }, receivedOn: '2026-12-02' } });
    expect(objection.status).toBe(201);
    await system.startWorker();
    await system.caughtUp();
    const mine = await system.request<WarningView>('GET', `/api/v1/warnings/${response.body.warningId}`, { token: hansen });
    expect(mine.body.status).toBe('not-forwarded');
    expect(mine.body.history.map((h) => h.kind)).toEqual(['submitted', 'not-forwarded']);
    expect((await system.request<{ total: number }>('GET', '/api/v1/cases?status=all', { token: team })).body.total).toBe(1);

    // Withdrawn: a new warning about the tenant goes to NAV again.
    const withdrawn = await system.request<{ status: string }>('POST', `/api/v1/objections/${objection.body.objectionId}/withdrawal`, { token: hansen, json: {} });
    expect(withdrawn.body.status).toBe('withdrawn');
    const again = await system.request<{ warningId: string }>('POST', '/api/v1/warnings', {
      token: hansen,
      json: privateWarning([{ name: 'Ola Nordmann', birthDate: '1985-03-09', noticeSentOn: '2026-12-02' }], { dwelling: { address: 'Nordsidevegen 2, 7500 Stjørdal' } }),
    });
    await system.caughtUp();
    expect((await system.request<WarningView>('GET', `/api/v1/warnings/${again.body.warningId}`, { token: hansen })).body.status).toBe('forwarded');
  });

  it('a payment that clears the arrears before the lock change stops an eviction for unpaid rent — not one for an expired lease', async () => {
    const csv = [
      'kommunenr;leieforhold;adresse;husleie;utleier;navkontor;fødselsnummer;navn',
      `5035;100235;Kjøpmannsgata 12, 7500 Stjørdal;9 282,00;kommunal;nav-stjordal;${fnrC};Liv Lien`,
      `5035;100236;Kjøpmannsgata 14, 7500 Stjørdal;9 282,00;kommunal;nav-stjordal;${fnrD};Geir Dahl`,
    ].join('\n');
    expect((await system.request('POST', '/api/v1/ledger/tenancies/imports', { token: accounting, body: csv })).status).toBe(200);
    const charge = (tenancyId: string) => ({ municipalityNumber: '5035', tenancyId, voucherRef: `F-2026-11-${tenancyId}`, type: 'faktura', date: '2026-10-15', dueDate: '2026-11-02', period: '2026-11', amount: '9 282,00' });
    expect((await system.request('POST', '/api/v1/ledger/postings', { token: accounting, json: { postings: [charge('100235'), charge('100236')] } })).status).toBe(200);

    const municipal = (tenancyId: string, nationalId: string, name: string, ground: string) => ({
      landlord: { kind: 'municipal', name: 'Stjørdal kommune, Eiendom' },
      municipalityNumber: '5035',
      dwelling: { address: `Kjøpmannsgata ${tenancyId === '100235' ? 12 : 14}, 7500 Stjørdal`, tenancyId },
      tenants: [{ nationalId, name, noticeSentOn: '2026-11-16' }],
      ground,
      arrears: { amount: '9 282,00', months: ['2026-11'] },
      plannedPetitionOn: '2026-12-16',
      declarations: { tenantGotCopy: true, noWrittenObjectionReceived: true },
    });
    const rent = await system.request<{ warningId: string }>('POST', '/api/v1/warnings', { token: propertyUnit, json: municipal('100235', fnrC, 'Liv Lien', 'unpaid-rent') });
    const lease = await system.request<{ warningId: string }>('POST', '/api/v1/warnings', { token: propertyUnit, json: municipal('100236', fnrD, 'Geir Dahl', 'lease-expired') });
    expect([rent.status, lease.status]).toEqual([201, 201]);
    await system.caughtUp();
    for (const id of [rent.body.warningId, lease.body.warningId]) {
      expect((await system.request('POST', `/api/v1/warnings/${id}/updates`, { token: propertyUnit, json: { kind: 'petition-filed', filedOn: '2026-12-02' } })).status).toBe(200);
      expect((await system.request('POST', `/api/v1/warnings/${id}/updates`, { token: propertyUnit, json: { kind: 'eviction-date-set', evictionOn: '2027-01-20' } })).status).toBe(200);
    }
    const payment = (tenancyId: string) => ({ municipalityNumber: '5035', tenancyId, voucherRef: `I-2026-12-${tenancyId}`, type: 'innbetaling', date: '2026-12-02', amount: '9 282,00' });
    expect((await system.request('POST', '/api/v1/ledger/postings', { token: accounting, json: { postings: [payment('100235'), payment('100236')] } })).status).toBe(200);
    await system.caughtUp();
    const stopped = await waitFor(async () => {
      const r = await system.request<WarningView>('GET', `/api/v1/warnings/${rent.body.warningId}`, { token: propertyUnit });
      return r.body.status === 'closed' ? r.body : undefined;
    }, 'the unpaid-rent eviction to stop', 20_000);
    expect(stopped).toMatchObject({ closure: 'stopped-by-payment', statusText: 'Avsluttet – stanset fordi restansen er betalt' });
    const expired = await system.request<WarningView>('GET', `/api/v1/warnings/${lease.body.warningId}`, { token: propertyUnit });
    expect(expired.body).toMatchObject({ status: 'forwarded', closure: null });
    expect(expired.body.possibleSteps).toContain('eviction-carried-out');
  });

  it('a private landlord may not act as the municipality, nor link a municipal tenancy', async () => {
    const response = await system.request<{ errors: Array<{ column: string }> }>('POST', '/api/v1/warnings', {
      token: hansen,
      json: privateWarning([{ nationalId: fnrE, name: 'Nils Nilsen', noticeSentOn: '2026-12-01' }], { dwelling: { address: 'Kjøpmannsgata 12', tenancyId: '100235' } }),
    });
    expect(response.status).toBe(422);
    expect(response.body.errors.map((e) => e.column)).toEqual(['dwelling.tenancyId']);
  });
});
