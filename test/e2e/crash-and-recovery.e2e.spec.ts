import { syntheticNationalIds } from '@evp/shared-kernel';
import { caseEventsOf, countPerStream } from './support/case-log';
import { expectEqualToFreshRebuild as expectEqualToFreshRebuildOf } from './support/rebuild-check';
import { TestSystem, waitFor } from './support/system';

const N = 1500;

/**
 * A crash at any instant loses no escalation and creates no duplicate one, and leaves read models
 * equal to a fresh rebuild (invariant 3); Redis loss while the worker runs loses no deadline
 * (invariant 4).
 */
describe('worker crash and Redis loss (e2e)', () => {
  const system = new TestSystem();
  let accounting: string;
  let team: string;

  const caseEvents = () => caseEventsOf(system);
  const perStream = countPerStream;
  const pendingFirstContacts = async () => {
    const { body } = await system.worker_<{ pending: Array<{ id: string }> }>('GET', '/operator/deadlines?limit=10000');
    return body.pending.filter((d) => d.id.endsWith('.first-contact'));
  };

  const expectEqualToFreshRebuild = () => expectEqualToFreshRebuildOf(system);

  beforeAll(async () => {
    system.setClock('2026-11-09T09:00:00+01:00'); // rent due 2 November is past its grace period
    await system.start();
    accounting = await system.token('accounting');
    team = await system.token('arrears-team');
    const ids = syntheticNationalIds(N, 7);
    const tenancies = ['kommunenr;leieforhold;adresse;husleie;utleier;navkontor;fodselsnummer;navn', ...ids.map((fnr, i) => `5035;${200000 + i};Gate ${i};9 282,00;kommunal;nav-stjordal;${fnr};Leietaker ${i}`)].join('\n');
    expect((await system.request('POST', '/api/v1/ledger/tenancies/imports', { token: accounting, body: tenancies })).status).toBe(200);
  });
  afterAll(async () => {
    await system.stop();
  });

  it('a worker killed (SIGKILL) in the middle of a large posting leaves no case missing or doubled, and read models equal to a rebuild', async () => {
    const postings = ['kommunenr;leieforhold;bilagsnr;type;dato;forfall;periode;belop', ...Array.from({ length: N }, (_, i) => `5035;${200000 + i};F-${i};faktura;2026-10-15;2026-11-02;2026-11;9 282,00`)].join('\n');
    expect((await system.request('POST', '/api/v1/ledger/imports', { token: accounting, body: postings })).status).toBe(200);
    // Killed as soon as the first cases are in the log: the workflow and both projections are mid-batch.
    await waitFor(async () => perStream(await caseEvents(), 'cases.CaseOpened').size > 0 || undefined, 'the workflow to be under way');
    await system.killWorker();
    const atCrash = perStream(await caseEvents(), 'cases.CaseOpened').size;
    expect(atCrash).toBeLessThan(N);

    await system.startWorker();
    await system.caughtUp(120_000);
    const opened = perStream(await caseEvents(), 'cases.CaseOpened');
    expect(opened.size).toBe(N);
    expect([...opened.values()].every((count) => count === 1)).toBe(true);
    const listed = await system.request<{ total: number }>('GET', '/api/v1/cases?status=open&limit=1', { token: team });
    expect(listed.body.total).toBe(N);
    await expectEqualToFreshRebuild();
  });

  it("Redis's keys deleted while the worker runs, then postings and a contact: one sweep puts every deadline back, nothing is lost", async () => {
    expect(await pendingFirstContacts()).toHaveLength(N);
    await system.flushRedis(); // the worker keeps running
    const payment = await system.request('POST', '/api/v1/ledger/postings', {
      token: accounting,
      json: { postings: [{ municipalityNumber: '5035', tenancyId: '200001', voucherRef: 'I-R1', type: 'innbetaling', date: '2026-11-09', amount: '9 282,00' }] },
    });
    expect(payment.status).toBe(200);
    const contact = await system.request('POST', '/api/v1/cases/5035-200002-1/contacts', { token: team, json: { channel: 'phone' } });
    expect(contact.status).toBe(201);
    await system.caughtUp();
    // The paid case resolved and the contacted one stopped its deadline: N - 2 remain, as rows, and
    // within a sweep (every 300 ms here) as BullMQ jobs again — whichever sweep puts them back.
    const sweep = await system.worker_<{ errors: number }>('POST', '/operator/deadlines/sweep');
    expect(sweep.body.errors).toBe(0);
    // A wait of seconds on a busy machine; on a timeout the message says what BullMQ and the table
    // held last and what the last sweep did, so a real gap is told apart from a slow machine.
    const overview = await waitFor(
      async () => {
        const { body } = await system.worker_<{ pending: Array<{ id: string }>; bullmq: { delayed: number }; lastSweep: unknown }>('GET', '/operator/deadlines?limit=10000');
        if (body.bullmq.delayed !== N - 2) throw new Error(`last seen ${JSON.stringify({ bullmq: body.bullmq, pending: body.pending.length, lastSweep: body.lastSweep })}`);
        return body;
      },
      'every pending deadline to be a BullMQ job again',
      30_000,
    );
    expect(overview.pending.filter((d) => d.id.endsWith('.first-contact'))).toHaveLength(N - 2);
    const account = await system.request<{ overdueOre: number }>('GET', '/api/v1/ledger/tenancies/5035/200007', { token: accounting });
    expect(account.body.overdueOre).toBe(928200);
    await expectEqualToFreshRebuild();
  });

  it('each case escalates exactly once on its day, even with the worker killed while escalations fire', async () => {
    system.setClock('2026-11-16T15:00:00+01:00'); // the deadline day (Monday 16 November) itself still counts
    await system.worker_('POST', '/operator/deadlines/sweep');
    await new Promise((r) => setTimeout(r, 1000));
    expect(perStream(await caseEvents(), 'cases.CaseEscalatedToArrearsTeam').size).toBe(0);

    system.setClock('2026-11-17T09:00:00+01:00');
    await waitFor(async () => {
      const { body } = await system.request<{ total: number }>('GET', '/api/v1/arrears-team/queue', { token: team });
      return body.total > 0 || undefined;
    }, 'escalations to start');
    await system.killWorker();
    await system.startWorker();
    await waitFor(async () => perStream(await caseEvents(), 'cases.CaseEscalatedToArrearsTeam').size === N - 2 || undefined, 'every case to escalate', 120_000);
    await system.caughtUp();
    const escalated = perStream(await caseEvents(), 'cases.CaseEscalatedToArrearsTeam');
    expect([...escalated.values()].every((count) => count === 1)).toBe(true);
    expect(escalated.has('case-5035-200001')).toBe(false); // paid
    expect(escalated.has('case-5035-200002')).toBe(false); // contacted
    expect((await system.request<{ total: number }>('GET', '/api/v1/arrears-team/queue', { token: team })).body.total).toBe(N - 2);
  });

  it('one process runs the periodic read-model work with its sweeps: the operator sees its last round and can run it now', async () => {
    type Round = { last: { at: string; periodic: Record<string, number>; errors: number } | null };
    const ran = await system.worker_<Round>('POST', '/operator/periodic/run');
    expect(ran.status).toBe(200);
    expect(ran.body.last).toMatchObject({ periodic: { 'ledger-accounts-roll': expect.any(Number) }, errors: 0 });
    const seen = await system.worker_<Round>('GET', '/operator/periodic');
    expect(seen.status).toBe(200);
    expect(seen.body.last?.periodic).toHaveProperty('ledger-accounts-roll');
  });

  it('replaying the whole log through the workflow changes nothing', async () => {
    const before = (await caseEvents()).length;
    const replay = await system.worker_('POST', '/operator/workflows/cases-arrears/replay');
    expect(replay.status).toBe(202);
    await system.caughtUp(120_000);
    expect((await caseEvents()).length).toBe(before);
  });
});
