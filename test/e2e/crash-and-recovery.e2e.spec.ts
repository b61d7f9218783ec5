import { syntheticNationalIds } from '@evp/shared-kernel';
import { SqliteEventStore, type RecordedEvent } from '@evp/event-store';
import { TestSystem, waitFor } from './support/system';

const N = 1500;

/**
 * A crash at any instant loses no escalation and creates no duplicate one (invariant 3), and Redis
 * holds nothing that cannot be rebuilt (read models and pending deadlines come back after a flush).
 */
describe('worker crash and Redis loss (e2e)', () => {
  const system = new TestSystem();
  let accounting: string;
  let team: string;

  const caseEvents = async (): Promise<RecordedEvent[]> => {
    const store = new SqliteEventStore({ file: system.env()['SQLITE_FILE'] as string });
    try {
      return await store.readAll({ filter: { streamPrefixes: ['case-'] } });
    } finally {
      await store.close();
    }
  };
  const perStream = (events: RecordedEvent[], type: string) => {
    const counts = new Map<string, number>();
    for (const e of events) if (e.type === type) counts.set(e.streamName, (counts.get(e.streamName) ?? 0) + 1);
    return counts;
  };
  const sagaHandled = async () => {
    const { body } = await system.worker_<Array<{ name: string; handled: number }>>('GET', '/operator/subscriptions');
    return body.find((s) => s.name === 'cases-arrears-saga')?.handled ?? 0;
  };

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

  it('a worker killed (SIGKILL) in the middle of a large posting leaves no case missing or doubled after restart', async () => {
    const postings = ['kommunenr;leieforhold;bilagsnr;type;dato;forfall;periode;belop', ...Array.from({ length: N }, (_, i) => `5035;${200000 + i};F-${i};faktura;2026-10-15;2026-11-02;2026-11;9 282,00`)].join('\n');
    expect((await system.request('POST', '/api/v1/ledger/imports', { token: accounting, body: postings })).status).toBe(200);
    await waitFor(async () => (await sagaHandled()) >= N / 5, 'the saga to be under way');
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
  });

  it('after Redis is flushed, a restarted worker rebuilds the read models and re-schedules every pending deadline', async () => {
    await system.killWorker();
    await system.flushRedis();
    await system.startWorker();
    await waitFor(async () => (await system.request<{ total: number }>('GET', '/api/v1/cases?status=open&limit=1', { token: team })).body.total === N || undefined, 'the cases read model to be rebuilt');
    const account = await system.request<{ overdueOre: number }>('GET', '/api/v1/ledger/tenancies/5035/200007', { token: accounting });
    expect(account.body.overdueOre).toBe(928200);
    await waitFor(async () => {
      const { body } = await system.worker_<{ pending: Array<{ id: string }> }>('GET', '/operator/deadlines?limit=100000');
      return body.pending.filter((d) => d.id.endsWith('.first-contact')).length === N || undefined;
    }, 'every first-contact deadline to be scheduled again');
  });

  it('a worker killed while escalations fire escalates every case exactly once', async () => {
    system.setClock('2026-11-17T09:00:00+01:00'); // past the first-contact deadline (16 November)
    await waitFor(async () => {
      const { body } = await system.request<{ total: number }>('GET', '/api/v1/arrears-team/queue', { token: team });
      return body.total > 0 || undefined;
    }, 'escalations to start');
    await system.killWorker();
    await system.startWorker();
    await waitFor(async () => perStream(await caseEvents(), 'cases.CaseEscalatedToArrearsTeam').size === N || undefined, 'every case to escalate', 120_000);
    await system.caughtUp();
    const escalated = perStream(await caseEvents(), 'cases.CaseEscalatedToArrearsTeam');
    expect([...escalated.values()].every((count) => count === 1)).toBe(true);
    expect((await system.request<{ total: number }>('GET', '/api/v1/arrears-team/queue', { token: team })).body.total).toBe(N);
  });

  it('replaying the whole log through the saga changes nothing', async () => {
    const before = (await caseEvents()).length;
    const rebuilt = await system.worker_<{ name: string }>('POST', '/operator/subscriptions/cases-arrears-saga/rebuild');
    expect(rebuilt.status).toBe(201);
    await system.caughtUp(120_000);
    expect((await caseEvents()).length).toBe(before);
  });
});
