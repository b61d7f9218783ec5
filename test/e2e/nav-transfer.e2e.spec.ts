import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticNationalIds } from '@evp/shared-kernel';
import { TestSystem, waitFor } from './support/system';

interface InboxItem {
  caseId: string;
  status: string;
  pickupDueOn: string | null;
  pickupOverdue: boolean;
  assignee: { actorId: string; role: string } | null;
  referrals: Array<{ source: string; referredOn: string; pickedUpOn: string | null }>;
}
interface Alert {
  caseId: string;
  kind: string;
  on: string;
  summary: string;
}
interface NavRecord {
  navOffice: string;
  status: string;
  paymentPlans: Array<{ planId: string; status: string }>;
  timeline: Array<{ on: string; type: string; summary: string }>;
}
interface Deadline {
  id: string;
  status: string;
  dueOn: string;
}

/**
 * NAV's follow-up moves when the tenancy moves to another NAV office (issue 10), through the real
 * processes: two households are referred to NAV Stjørdal; Kari claims one and agrees a payment
 * plan, nobody claims the other. Accounting re-registers both tenancies with NAV Levanger. Then
 * Stjørdal's advisers get 404 on NAV's record, Levanger's inbox shows both unclaimed with pickup
 * limits counted from the transfer, Levanger's adviser claims one (the plan still running), the
 * other escalates at Levanger's new limit — not at Stjørdal's old one — and the timeline shows
 * the transfer. Every read stays audited.
 */
describe("NAV's follow-up follows the tenancy to its new NAV office (e2e)", () => {
  const keysDir = mkdtempSync(join(tmpdir(), 'evp-e2e-nav-transfer-keys-'));
  const system = new TestSystem({ PERSON_KEYS_SQLITE_FILE: join(keysDir, 'person-keys.sqlite'), NAV_PICKUP_WORKING_DAYS: '3' });
  const [fnrA, fnrB] = syntheticNationalIds(2, 91) as [string, string];
  const A = '5035-200301-1';
  const B = '5035-200302-1';
  let accounting: string;
  let team: string;
  let kari: string;
  let stjordalLead: string;
  let live: string;
  let levangerLead: string;

  const inbox = (token: string, view = 'open') => system.request<{ items: InboxItem[] }>('GET', `/api/v1/nav/inbox?view=${view}`, { token });
  const alerts = (token: string) => system.request<{ items: Alert[] }>('GET', '/api/v1/nav/alerts?limit=100', { token });
  const record = (token: string, caseId: string) => system.request<NavRecord>('GET', `/api/v1/nav/cases/${caseId}`, { token });
  const deadlines = () => system.worker_<{ pending: Deadline[]; recent: Deadline[] }>('GET', '/operator/deadlines');
  const tenancies = (office: string) =>
    [
      'kommunenr;leieforhold;adresse;husleie;utleier;navkontor;fødselsnummer;navn',
      `5035;200301;Kjøpmannsgata 40;9 282,00;kommunal;${office};${fnrA};Kari Flyttesen`,
      `5035;200302;Sandskogan 9;6 277,00;kommunal;${office};${fnrB};Ola Flyttesen`,
    ].join('\n');
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
    stjordalLead = await system.token('nav-lead', { navOffice: 'nav-stjordal', sub: 'e2e-stjordal-lead' });
    live = await system.token('nav-adviser', { navOffice: 'nav-levanger', sub: 'e2e-live' });
    levangerLead = await system.token('nav-lead', { navOffice: 'nav-levanger', sub: 'e2e-levanger-lead' });
  });
  afterAll(async () => {
    await system.stop();
    rmSync(keysDir, { recursive: true, force: true });
  });

  it('two households are referred to NAV Stjørdal; Kari claims one and agrees a payment plan', async () => {
    expect((await system.request('POST', '/api/v1/ledger/tenancies/imports', { token: accounting, body: tenancies('nav-stjordal') })).status).toBe(200);
    const charges = ['kommunenr;leieforhold;bilagsnr;type;dato;forfall;periode;belop', '5035;200301;F-200301-11;faktura;15.10.2026;02.11.2026;2026-11;9 282,00', '5035;200302;F-200302-11;faktura;15.10.2026;02.11.2026;2026-11;6 277,00'].join('\n');
    expect((await system.request('POST', '/api/v1/ledger/imports', { token: accounting, body: charges })).status).toBe(200);
    system.setClock('2026-11-06T10:00:00+01:00');
    await waitFor(async () => ((await system.request<{ total: number }>('GET', '/api/v1/cases', { token: team })).body.total === 2 ? true : undefined), 'two cases to open');
    system.setClock('2026-11-16T08:00:00+01:00'); // Monday: nobody made contact; both escalate and are referred to NAV Stjørdal
    await waitFor(async () => ((await inbox(kari)).body.items?.length === 2 ? true : undefined), 'two referrals in Stjørdal’s inbox');

    system.setClock('2026-11-17T10:00:00+01:00');
    expect((await system.request('POST', `/api/v1/nav/cases/${A}/claim`, { token: kari })).status).toBe(200);
    const plan = await system.request('POST', `/api/v1/nav/cases/${A}/steps`, { token: kari, json: { type: 'payment-plan-agreed', instalments: [{ dueOn: '2026-12-01', amountOre: 928200 }] }, headers: { 'idempotency-key': 'transfer-plan-a' } });
    expect(plan.status).toBe(201);
    await waitFor(async () => ((await record(kari, A)).body.paymentPlans?.length === 1 ? true : undefined), 'the plan on the record');
    const pending = (await deadlines()).body.pending.map((d) => [d.id, d.dueOn]);
    expect(pending).toEqual(expect.arrayContaining([[`nav.${B}.escalation.1.pickup`, '2026-11-20']]));
  });

  it('the tenancies are re-registered with NAV Levanger: Stjørdal loses NAV’s record (404), Levanger’s inbox shows both unclaimed with new pickup limits', async () => {
    system.setClock('2026-11-18T09:00:00+01:00'); // Wednesday: three working days → Monday 23 November
    expect((await system.request('POST', '/api/v1/ledger/tenancies/imports', { token: accounting, body: tenancies('nav-levanger') })).body).toMatchObject({ changed: 2 });
    const items = await waitFor(async () => {
      const r = await inbox(live, 'unclaimed');
      return r.body.items?.length === 2 ? r.body.items : undefined;
    }, 'both follow-ups in Levanger’s inbox');
    expect(items.map((i) => [i.caseId, i.status, i.assignee, i.pickupDueOn, i.pickupOverdue])).toEqual([
      [A, 'unclaimed', null, '2026-11-23', false],
      [B, 'unclaimed', null, '2026-11-23', false],
    ]);
    expect(items[0]?.referrals.map((r) => [r.source, r.referredOn, r.pickedUpOn])).toEqual([
      ['escalation', '2026-11-16', '2026-11-17'],
      ['transfer', '2026-11-18', null],
    ]);

    // The old office: nothing in its inbox, a 404 for the record and for any step — as for any other office.
    await system.caughtUp();
    expect((await inbox(kari)).body.items).toEqual([]);
    expect((await inbox(kari, 'mine')).body.items).toEqual([]);
    for (const token of [kari, stjordalLead]) expect((await record(token, A)).status).toBe(404);
    expect((await system.request('POST', `/api/v1/nav/cases/${A}/steps`, { token: kari, json: { type: 'contact-made', channel: 'phone' } })).status).toBe(404);
    expect((await system.request('POST', `/api/v1/nav/cases/${B}/claim`, { token: kari })).status).toBe(404);
    // Kari is told it left her, without any of NAV's details; the team's summary says NAV does not have it yet.
    expect((await alerts(kari)).body.items.map((a) => [a.caseId, a.kind, a.summary])).toEqual([
      [A, 'transferred', 'Saken er overført til nav-levanger 2026-11-18 fordi leieforholdet har fått nytt NAV-kontor; den følges ikke lenger opp her.'],
    ]);
    expect((await system.request('GET', `/api/v1/nav/cases/${A}/summary`, { token: team })).body).toMatchObject({ navHasIt: false, status: 'awaiting-pickup', nextDate: '2026-11-23' });

    // Stjørdal's pending pickup limit is cancelled; Levanger's are pending from the transfer.
    const { pending, recent } = (await deadlines()).body;
    expect(pending.filter((d) => d.id.includes('.pickup')).map((d) => [d.id, d.dueOn])).toEqual([
      [`nav.${A}.transfer.1.pickup`, '2026-11-24'],
      [`nav.${B}.transfer.1.pickup`, '2026-11-24'],
    ]);
    expect(recent).toEqual(expect.arrayContaining([expect.objectContaining({ id: `nav.${B}.escalation.1.pickup`, status: 'cancelled' })]));
  });

  it('Levanger’s adviser claims it and reads the whole record: the plan runs on, the timeline shows the transfer', async () => {
    system.setClock('2026-11-19T10:00:00+01:00');
    expect((await system.request('POST', `/api/v1/nav/cases/${A}/claim`, { token: live })).status).toBe(200);
    await waitFor(async () => ((await inbox(live, 'mine')).body.items?.map((i) => i.caseId).join() === A ? true : undefined), 'the claim in Levanger’s «mine»');
    const full = await record(live, A);
    expect(full.status).toBe(200);
    expect(full.body).toMatchObject({ navOffice: 'nav-levanger', status: 'claimed', paymentPlans: [{ status: 'active' }] });
    expect(full.body.timeline.map((t) => [t.on, t.type])).toEqual([
      ['2026-11-16', 'nav.ReferralReceived'],
      ['2026-11-17', 'nav.ReferralClaimed'],
      ['2026-11-17', 'nav.PaymentPlanAgreed'],
      ['2026-11-18', 'nav.FollowUpTransferred'],
      ['2026-11-19', 'nav.ReferralClaimed'],
    ]);
    expect(full.body.timeline[3]?.summary).toBe(
      'Overført fra nav-stjordal til nav-levanger fordi leieforholdet har fått nytt NAV-kontor. Veilederen ved det forrige kontoret har ikke lenger saken; den må tas av en veileder ved nav-levanger innen 2026-11-23.',
    );
    // Claimed in time at the new office: its pickup limit is cancelled.
    await waitFor(async () => ((await deadlines()).body.recent.some((d) => d.id === `nav.${A}.transfer.1.pickup` && d.status === 'cancelled') ? true : undefined), 'the new pickup limit to be cancelled');
    expect((await deadlines()).body.pending.map((d) => d.id)).not.toContain(`nav.${A}.transfer.1.pickup`);
  });

  it('the unclaimed one escalates at Levanger’s limit, not at Stjørdal’s old one — once, to Levanger’s lead', async () => {
    system.setClock('2026-11-20T08:00:00+01:00'); // Stjørdal's limit (19 November) has run out: nothing, it was cancelled
    await sweepAndSettle();
    expect((await alerts(levangerLead)).body.items.filter((a) => a.kind === 'pickup-overdue')).toEqual([]);
    expect((await alerts(stjordalLead)).body.items.map((a) => [a.caseId, a.kind])).toEqual(
      expect.arrayContaining([
        [A, 'transferred'],
        [B, 'transferred'],
      ]),
    );

    system.setClock('2026-11-24T08:00:00+01:00'); // Levanger's limit (Monday 23) has run out
    const overdue = await waitFor(async () => {
      await sweepAndSettle();
      const items = (await alerts(levangerLead)).body.items?.filter((a) => a.kind === 'pickup-overdue');
      return items?.length ? items : undefined;
    }, 'the escalation at Levanger');
    expect(overdue.map((a) => [a.caseId, a.on])).toEqual([[B, '2026-11-24']]);
    await sweepAndSettle();
    expect((await alerts(levangerLead)).body.items.filter((a) => a.kind === 'pickup-overdue')).toHaveLength(1);
    expect((await alerts(stjordalLead)).body.items.map((a) => a.kind)).toEqual(['transferred', 'transferred']);
  });

  it('every read is audited under the office that now handles it: Levanger’s lead sees Stjørdal’s refused attempts', async () => {
    const audit = await waitFor(async () => {
      const r = await system.request<{ items: Array<{ reader: { actorId: string; navOffice: string | null }; view: string; outcome: string }> }>('GET', `/api/v1/nav/audit?caseId=${A}&limit=500`, { token: levangerLead });
      const seen = new Set((r.body.items ?? []).map((i) => `${i.reader.actorId}|${i.reader.navOffice}|${i.view}|${i.outcome}`));
      const expected = [
        `${system.actorId('e2e-kari')}|nav-stjordal|record|denied`,
        `${system.actorId('e2e-stjordal-lead')}|nav-stjordal|record|denied`,
        `${system.actorId('e2e-live')}|nav-levanger|record|shown`,
      ];
      return expected.every((e) => seen.has(e)) ? r.body.items : undefined;
    }, 'the reads in Levanger’s audit');
    expect(audit.length).toBeGreaterThan(0);
  });

  it('never writes an identity number or a name to a log line', () => {
    for (const secret of [fnrA, fnrB, 'Kari Flyttesen', 'Ola Flyttesen']) expect(system.logs.filter((line) => line.includes(secret))).toEqual([]);
  });
});
