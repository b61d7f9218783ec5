import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticNationalIds } from '@evp/shared-kernel';
import { TestSystem, waitFor, type Response } from './support/system';

interface Problem {
  status: number;
  detail: string;
  errors?: Array<{ line: number | null; column: string | null; reason: string }>;
}
interface InboxItem {
  caseId: string;
  status: string;
  pickupOverdue: boolean;
  assignee: { actorId: string; role: string } | null;
}
interface Alert {
  alertId: string;
  caseId: string;
  kind: string;
  on: string;
  summary: string;
}
interface AuditEntry {
  caseId: string;
  at: string;
  reader: { actorId: string; role: string; navOffice: string | null };
  view: string;
  outcome: string;
}

/**
 * NAV's working tool through the real processes (issue 10): the arrears workflow escalates two
 * households and refers them to NAV Stjørdal; two advisers claim one at once and exactly one wins;
 * the other referral nobody claims escalates once to the office lead and the team; a payment plan
 * is matched against ledger postings and a missed instalment raises one breach; and nothing of
 * NAV's leaks to the team, a landlord, accounting or another office — each read audited.
 */
describe('NAV picks up escalations (e2e)', () => {
  const keysDir = mkdtempSync(join(tmpdir(), 'evp-e2e-nav-keys-'));
  const system = new TestSystem({ PERSON_KEYS_SQLITE_FILE: join(keysDir, 'person-keys.sqlite'), NAV_PICKUP_WORKING_DAYS: '3', PAYMENT_PLAN_TOLERANCE_DAYS: '5' });
  const [fnrA, fnrB] = syntheticNationalIds(2, 77) as [string, string];
  const NOTE = 'Leietaker har fått ny jobb fra januar; ønsker nedbetaling over to måneder.';
  const A = '5035-200101-1';
  const B = '5035-200102-1';
  let accounting: string;
  let team: string;
  let kari: string;
  let per: string;
  let lead: string;
  let levanger: string;
  let landlord: string;
  let winner: string;

  const inbox = (token: string, view = 'open') => system.request<{ items: InboxItem[] }>('GET', `/api/v1/nav/inbox?view=${view}`, { token });
  const alerts = (token: string) => system.request<{ items: Alert[] }>('GET', '/api/v1/nav/alerts?limit=100', { token });
  const step = (token: string, caseId: string, json: unknown, key?: string) =>
    system.request<{ id: string | null; recorded: string[] } & Problem>('POST', `/api/v1/nav/cases/${caseId}/steps`, { token, json, ...(key ? { headers: { 'idempotency-key': key } } : {}) });
  const sweepAndSettle = async () => {
    await system.worker_('POST', '/operator/deadlines/sweep');
    await system.caughtUp();
  };

  beforeAll(async () => {
    system.setClock('2026-11-02T09:00:00+01:00'); // Monday
    await system.start();
    accounting = await system.token('accounting');
    team = await system.token('arrears-team');
    kari = await system.token('nav-adviser', { navOffice: 'nav-stjordal', sub: 'e2e-kari' });
    per = await system.token('nav-adviser', { navOffice: 'nav-stjordal', sub: 'e2e-per' });
    lead = await system.token('nav-lead', { navOffice: 'nav-stjordal', sub: 'e2e-lead' });
    levanger = await system.token('nav-adviser', { navOffice: 'nav-levanger', sub: 'e2e-levanger' });
    landlord = await system.token('landlord', { landlordId: 'enhet-bygg' });
  });
  afterAll(async () => {
    await system.stop();
    rmSync(keysDir, { recursive: true, force: true });
  });

  it('an escalation refers both households to their NAV office, into its inbox', async () => {
    const tenancies = [
      'kommunenr;leieforhold;adresse;husleie;utleier;navkontor;fødselsnummer;navn',
      `5035;200101;Kjøpmannsgata 40;9 282,00;kommunal;nav-stjordal;${fnrA};Kari Testesen`,
      `5035;200102;Sandskogan 9;6 277,00;kommunal;nav-stjordal;${fnrB};Ola Testesen`,
    ].join('\n');
    expect((await system.request('POST', '/api/v1/ledger/tenancies/imports', { token: accounting, body: tenancies })).status).toBe(200);
    const charges = ['kommunenr;leieforhold;bilagsnr;type;dato;forfall;periode;belop', '5035;200101;F-200101-11;faktura;15.10.2026;02.11.2026;2026-11;9 282,00', '5035;200102;F-200102-11;faktura;15.10.2026;02.11.2026;2026-11;6 277,00'].join('\n');
    expect((await system.request('POST', '/api/v1/ledger/imports', { token: accounting, body: charges })).status).toBe(200);
    system.setClock('2026-11-06T10:00:00+01:00'); // grace over: cases open, first contact due Friday 13th
    await waitFor(async () => ((await system.request<{ total: number }>('GET', '/api/v1/cases', { token: team })).body.total === 2 ? true : undefined), 'two cases to open');
    system.setClock('2026-11-16T08:00:00+01:00'); // Monday: nobody made contact; both escalate and are referred to NAV
    const items = await waitFor(async () => {
      const r = await inbox(kari);
      return r.body.items?.length === 2 ? r.body.items : undefined;
    }, 'two referrals in the inbox');
    expect(items.map((i) => [i.caseId, i.status])).toEqual([
      [A, 'unclaimed'],
      [B, 'unclaimed'],
    ]);
    expect((await inbox(levanger)).body.items).toEqual([]);
  });

  it('two advisers claim one referral at once: exactly one wins; the other gets 409 with who has it (opaque id and role)', async () => {
    const [first, second] = await Promise.all([
      system.request<Problem>('POST', `/api/v1/nav/cases/${A}/claim`, { token: kari }),
      system.request<Problem>('POST', `/api/v1/nav/cases/${A}/claim`, { token: per }),
    ]);
    const statuses = [first.status, second.status].sort();
    expect(statuses).toEqual([200, 409]);
    const [won, lost] = first.status === 200 ? [first, second] : [second, first];
    winner = won === first ? kari : per;
    const winnerId = system.actorId(won === first ? 'e2e-kari' : 'e2e-per');
    expect(lost.headers.get('content-type')).toContain('application/problem+json');
    expect(lost.body.errors).toEqual([
      { line: null, column: 'claimedBy.actorId', reason: winnerId },
      { line: null, column: 'claimedBy.role', reason: 'nav-adviser' },
    ]);
    expect(JSON.stringify(lost.body)).not.toMatch(/Testesen/);
    await system.caughtUp();
    const mine = await inbox(winner, 'mine');
    expect(mine.body.items.map((i) => [i.caseId, i.status, i.assignee?.actorId])).toEqual([[A, 'claimed', winnerId]]);
  });

  it('a referral nobody claims escalates to the office lead and the team the day after its limit — once', async () => {
    system.setClock('2026-11-19T15:00:00+01:00'); // Thursday: the third working day still counts
    await sweepAndSettle();
    expect((await alerts(lead)).body.items).toEqual([]);

    system.setClock('2026-11-20T08:00:00+01:00');
    const forLead = await waitFor(async () => {
      const r = await alerts(lead);
      return r.body.items?.length ? r.body.items : undefined;
    }, 'the pickup escalation');
    expect(forLead.map((a) => [a.caseId, a.kind, a.on])).toEqual([[B, 'pickup-overdue', '2026-11-20']]);
    expect((await alerts(team)).body.items.map((a) => [a.caseId, a.kind, a.summary])).toEqual([[B, 'pickup-overdue', 'Henvisningen er ikke tatt av NAV innen fristen 2026-11-19.']]);
    const summary = await system.request<{ pickupOverdue: boolean; navHasIt: boolean }>('GET', `/api/v1/nav/cases/${B}/summary`, { token: team });
    expect(summary.body).toMatchObject({ navHasIt: false, pickupOverdue: true });

    system.setClock('2026-11-24T08:00:00+01:00'); // days later, sweeps and a replay: still one
    await sweepAndSettle();
    await system.worker_('POST', '/operator/workflows/nav/replay');
    await sweepAndSettle();
    expect((await alerts(lead)).body.items.map((a) => a.kind)).toEqual(['pickup-overdue']);
    const deadlines = await system.worker_<{ recent: Array<{ id: string; status: string }>; pending: Array<{ id: string }> }>('GET', '/operator/deadlines');
    expect(deadlines.body.recent.filter((d) => d.id === `nav.${B}.escalation.1.pickup`)).toEqual([expect.objectContaining({ status: 'fired' })]);
    expect(deadlines.body.recent).toEqual(expect.arrayContaining([expect.objectContaining({ id: `nav.${A}.escalation.1.pickup`, status: 'cancelled' })]));
  });

  it('the follow-up: contact with a note, an oral § 17 request, its written decision and a start in time', async () => {
    system.setClock('2026-11-24T10:00:00+01:00');
    expect((await step(winner, A, { type: 'contact-made', channel: 'phone', note: NOTE }, 'contact-a-1')).status).toBe(201);
    const request = await step(winner, A, { type: 'economic-advice-requested', form: 'oral' }, 'advice-a-1');
    expect(request.status).toBe(201);
    const requestId = request.body.id as string;
    const refused = await step(winner, A, { type: 'economic-advice-decided', requestId, outcome: 'refused' });
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([{ line: null, column: 'reason', reason: 'et avslag må begrunnes' }]);
    expect((await step(winner, A, { type: 'economic-advice-decided', requestId, outcome: 'granted' }, 'decision-a-1')).status).toBe(201);
    expect((await step(winner, A, { type: 'economic-advice-started', requestId }, 'start-a-1')).status).toBe(201);
    // Someone who does not have it may not record a step for another office.
    expect((await step(levanger, A, { type: 'contact-made', channel: 'phone' })).status).toBe(404);
    const record = await waitFor(async () => {
      const r = await system.request<{ auditAnswers: { requests: number; withWrittenDecision: number; startedInTime: number }; timeline: Array<{ type: string; notes: string[] }> }>('GET', `/api/v1/nav/cases/${A}`, { token: winner });
      return r.body.auditAnswers?.startedInTime === 1 ? r.body : undefined;
    }, 'the record to show the start');
    expect(record.auditAnswers).toMatchObject({ requests: 1, withWrittenDecision: 1, startedInTime: 1 });
    expect(record.timeline.find((t) => t.type === 'nav.ContactMade')?.notes).toEqual([NOTE]);
  });

  it('ledger postings that miss an instalment raise one breach, to the adviser and the team', async () => {
    const plan = await step(winner, A, { type: 'payment-plan-agreed', instalments: [{ dueOn: '2026-12-01', amountOre: 464100 }, { dueOn: '2027-01-04', amountOre: 464100 }] }, 'plan-a-1');
    expect(plan.status).toBe(201);
    system.setClock('2026-12-01T10:00:00+01:00');
    const pay = await system.request('POST', '/api/v1/ledger/postings', {
      token: accounting,
      json: { postings: [{ municipalityNumber: '5035', tenancyId: '200101', voucherRef: 'I-200101-1', type: 'innbetaling', date: '2026-12-01', amount: '4 641,00' }] },
    });
    expect(pay.status).toBe(200);
    system.setClock('2026-12-07T08:00:00+01:00'); // the first instalment's tolerance ran out: paid, on track
    await sweepAndSettle();
    expect((await alerts(winner)).body.items).toEqual([]);

    system.setClock('2027-01-10T08:00:00+01:00'); // the second instalment was never paid
    const told = await waitFor(async () => {
      const r = await alerts(winner);
      return r.body.items?.length ? r.body.items : undefined;
    }, 'the breach');
    expect(told.map((a) => [a.caseId, a.kind])).toEqual([[A, 'plan-breached']]);
    expect((await alerts(team)).body.items.filter((a) => a.kind === 'plan-breached').map((a) => a.summary)).toEqual(['Nedbetalingsavtalen er brutt (avdrag med forfall 2027-01-04).']);

    system.setClock('2027-01-20T08:00:00+01:00');
    await sweepAndSettle();
    await system.request('POST', '/api/v1/ledger/postings', {
      token: accounting,
      json: { postings: [{ municipalityNumber: '5035', tenancyId: '200101', voucherRef: 'I-200101-2', type: 'innbetaling', date: '2027-01-20', amount: '100,00' }] },
    });
    await sweepAndSettle();
    expect((await alerts(winner)).body.items.map((a) => a.kind)).toEqual(['plan-breached']);
  });

  it('the confidentiality matrix: the team gets a summary, a landlord, accounting and another office nothing — each read audited', async () => {
    const record = (token: string) => system.request<Problem>('GET', `/api/v1/nav/cases/${A}`, { token });
    const summary = (token: string) => system.request<Record<string, unknown>>('GET', `/api/v1/nav/cases/${A}/summary`, { token });

    const teamSummary = await summary(team);
    expect(teamSummary.status).toBe(200);
    expect(Object.keys(teamSummary.body).sort()).toEqual(['caseId', 'helpOnItsWay', 'navHasIt', 'nextDate', 'pickupOverdue', 'planBreached', 'status']);
    expect(teamSummary.body).toMatchObject({ caseId: A, navHasIt: true, status: 'followed-up', helpOnItsWay: false, planBreached: true });
    const leaks = (r: Response<unknown>) => JSON.stringify(r.body).match(/4641|464100|9282|928200|Testesen|ny jobb|§ 17|økonomisk rådgivning/i);
    expect(leaks(teamSummary)).toBeNull();

    const attempts: Array<[string, string]> = [
      ['arrears-team', team],
      ['accounting', accounting],
      ['landlord', landlord],
      ['nav-adviser (nav-levanger)', levanger],
    ];
    for (const [who, token] of attempts) {
      const r = await record(token);
      expect([who, r.status]).toEqual([who, 404]);
      expect(leaks(r)).toBeNull();
    }
    for (const [who, token] of attempts.slice(1)) expect([who, (await summary(token)).status]).toEqual([who, 404]);
    // Nothing of NAV's reaches the prevention case that accounting and the team read, either.
    // (The arrears themselves are the case's own facts; the plan, the note and the advice are NAV's.)
    const caseView = await system.request('GET', `/api/v1/cases/${A}`, { token: accounting });
    expect(caseView.status).toBe(200);
    expect(JSON.stringify(caseView.body).match(/4641|464100|ny jobb|§ 17|rådgivning|nedbetaling/i)).toBeNull();

    const audit = await waitFor(async () => {
      const r = await system.request<{ items: AuditEntry[] }>('GET', `/api/v1/nav/audit?caseId=${A}&limit=500`, { token: lead });
      const seen = new Set((r.body.items ?? []).map((i) => `${i.reader.actorId}|${i.view}|${i.outcome}`));
      const expected = [
        `${system.actorId('e2e-arrears-team')}|summary|summary`,
        `${system.actorId('e2e-arrears-team')}|record|denied`,
        `${system.actorId('e2e-accounting')}|record|denied`,
        `${system.actorId('e2e-accounting')}|summary|denied`,
        `${system.actorId('e2e-landlord')}|record|denied`,
        `${system.actorId('e2e-landlord')}|summary|denied`,
        `${system.actorId('e2e-levanger')}|record|denied`,
        `${system.actorId('e2e-levanger')}|summary|denied`,
      ];
      return expected.every((e) => seen.has(e)) ? r.body.items : undefined;
    }, 'every read in the audit');
    expect(audit.some((i) => i.view === 'record' && i.outcome === 'shown' && i.reader.role === 'nav-adviser')).toBe(true);
    expect(audit.every((i) => i.caseId === A && typeof i.at === 'string')).toBe(true);
    // The audit is the lead's: an adviser and the team are refused it.
    expect((await system.request('GET', '/api/v1/nav/audit', { token: winner })).status).toBe(403);
    expect((await system.request('GET', '/api/v1/nav/audit', { token: team })).status).toBe(403);
  });

  it("NAV's outcome closes the prevention case with that outcome, and NAV's follow-up leaves the open inbox", async () => {
    const concluded = await step(winner, A, { type: 'concluded', outcome: 'rehoused', note: 'Flyttet til kommunal bolig med lavere husleie.' }, 'conclude-a-1');
    expect(concluded).toMatchObject({ status: 201, body: { recorded: ['nav.FollowUpConcluded'] } });
    const resolved = await waitFor(async () => {
      const r = await system.request<{ status: string; outcome: string }>('GET', `/api/v1/cases/${A}`, { token: team });
      return r.body.status === 'resolved' ? r.body : undefined;
    }, 'the case to close');
    expect(resolved.outcome).toBe('rehoused');
    await system.caughtUp();
    expect((await inbox(winner)).body.items.map((i) => i.caseId)).toEqual([B]);
    expect((await inbox(winner, 'concluded')).body.items.map((i) => i.caseId)).toEqual([A]);
    expect((await step(winner, A, { type: 'contact-made', channel: 'phone' })).status).toBe(409);
  });

  it('NAV’s contact counts as contact on the prevention case: the team sees that NAV made contact and when, never how or NAV’s note', async () => {
    const view = await system.request<{ contacts: number; timeline: Array<{ type: string; on: string; summary: string }> }>('GET', `/api/v1/cases/${A}`, { token: team });
    expect(view.status).toBe(200);
    expect(view.body.contacts).toBe(1);
    expect(view.body.timeline.filter((t) => t.type === 'cases.ContactRecorded')).toEqual([expect.objectContaining({ on: '2026-11-24', summary: 'Kontakt registrert (av NAV).' })]);
    expect(JSON.stringify(view.body)).not.toContain('ny jobb');
  });

  it('a case NAV closed is not reopened for the arrears it covered; a new charge that falls unpaid past grace opens the next one', async () => {
    // Still owed when NAV concluded on 20 January: what was left of November's rent, long past grace.
    // The next posting, February's rent, would have reopened a case at once.
    const charge = await system.request('POST', '/api/v1/ledger/postings', {
      token: accounting,
      json: { postings: [{ municipalityNumber: '5035', tenancyId: '200101', voucherRef: 'F-200101-2027-02', type: 'faktura', date: '2027-01-20', dueDate: '2027-02-01', period: '2027-02', amount: '9 282,00' }] },
    });
    expect(charge.status).toBe(200);
    await system.caughtUp();
    expect((await system.request('GET', '/api/v1/cases/5035-200101-2', { token: team })).status).toBe(404);
    // February's rent is due Monday 1 February; its grace ends on Thursday the 4th.
    system.setClock('2027-02-04T08:00:00+01:00');
    await sweepAndSettle();
    expect((await system.request('GET', '/api/v1/cases/5035-200101-2', { token: team })).status).toBe(404);
    system.setClock('2027-02-05T08:00:00+01:00');
    await sweepAndSettle();
    const reopened = await waitFor(async () => {
      const r = await system.request<{ status: string; openingReasons: Array<{ policy: string; explanation: string }> }>('GET', '/api/v1/cases/5035-200101-2', { token: team });
      return r.status === 200 ? r.body : undefined;
    }, 'the next case to open');
    expect(reopened.openingReasons.map((r) => r.policy)).toEqual(['arrearsReachMonthsOfRent']);
    expect(reopened.openingReasons[0]?.explanation).toMatch(/^Ny restanse etter at NAV avsluttet sak 5035-200101-1 2027-01-20/);
  });

  it('never writes a note, an identity number or a name to a log line', () => {
    for (const secret of [NOTE, 'Flyttet til kommunal bolig', fnrA, fnrB, 'Kari Testesen', 'Ola Testesen']) expect(system.logs.filter((line) => line.includes(secret))).toEqual([]);
  });
});
