import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { syntheticNationalIds } from '@evp/shared-kernel';
import { caseEventsOf, countPerStream } from './support/case-log';
import { problemDefect } from './support/problems';
import { expectEqualToFreshRebuild } from './support/rebuild-check';
import { TestSystem, waitFor } from './support/system';

/** Tenancies of the crash scenario: enough that the kill lands while the workflow is still opening cases. */
const N = 400;

interface Lag {
  caughtUp: boolean;
  subscriptions: Array<{ name: string; caughtUp: boolean }>;
}
interface CaseItem {
  caseId: string;
  status: string;
  firstContactDeadline: string;
}
interface Deadlines {
  pending: Array<{ id: string }>;
  recent: Array<{ id: string; status: string }>;
}

/**
 * The worker split by WORKER_ROLE into a projections process and a workflows process, end to end
 * through the real processes: the workflows process opens the cases and keeps their deadlines in a
 * file of its own, the projections process makes them readable through the api, the api's operator
 * proxy shows both, each process refuses what it does not run, and a crash of both loses nothing.
 */
describe('the worker as two processes: projections and workflows (e2e)', () => {
  const system = new TestSystem({}, { workers: 2 });
  const [fnrA, fnrB, fnrC] = syntheticNationalIds(3, 91) as [string, string, string];
  const names = ['Sølvi Ærø', 'Håkon Øverås', 'Åsmund Bræk'];
  let accounting: string;
  let team: string;
  let nav: string;
  let admin: string;

  const caseEvents = () => caseEventsOf(system);
  const perStream = countPerStream;
  /** Rows of a table in one of the processes' SQLite files, or undefined when the file has no such table. */
  const rows = <T>(file: string, query: string): T[] | undefined => {
    const db = new Database(join(system.dir, file), { readonly: true });
    try {
      const table = /FROM (\w+)/i.exec(query)?.[1];
      if (!db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(table)) return undefined;
      return db.prepare(query).all() as T[];
    } finally {
      db.close();
    }
  };
  /** Every case of the municipality, page by page. */
  const allCases = async () => {
    const items: CaseItem[] = [];
    let total = 0;
    let cursor: string | null = null;
    do {
      const r: { status: number; body: { total: number; items: CaseItem[]; nextCursor: string | null } } = await system.request('GET', `/api/v1/cases?status=all&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: team });
      expect(r.status).toBe(200);
      total = r.body.total;
      items.push(...r.body.items);
      cursor = r.body.nextCursor;
    } while (cursor);
    return { total, items };
  };
  const direct = <T = unknown>(path: string, port: number) => system.request<T>('GET', path, { token: admin }, port);
  const isWorkflowSide = (name: string) => name.startsWith('workflow-');

  beforeAll(async () => {
    system.setClock('2026-11-02T09:00:00+01:00'); // Monday
    await system.start();
    accounting = await system.token('accounting');
    team = await system.token('arrears-team');
    nav = await system.token('nav-adviser', { navOffice: 'nav-stjordal' });
    admin = await system.token('admin');
  });
  afterAll(async () => {
    await system.stop();
  });

  it('registers tenancies and posts November rent; nothing opens while the payment may be on its way', async () => {
    const tenancies = [
      'kommunenr;leieforhold;adresse;husleie;utleier;navkontor;fødselsnummer;navn',
      `5035;100301;Kirkegata 4, 7500 Stjørdal;9 282,00;kommunal;nav-stjordal;${fnrA};${names[0]}`,
      `5035;100302;Fjordgata 9;6 277,00;kommunal;nav-stjordal;${fnrB};${names[1]}`,
      `5035;100303;Sandskogan 11;11 997,00;privat;nav-stjordal;${fnrC};${names[2]}`,
    ].join('\n');
    expect(await system.request('POST', '/api/v1/ledger/tenancies/imports', { token: accounting, body: tenancies })).toMatchObject({ status: 200, body: { registered: 3 } });
    const postings = [
      'kommunenr;leieforhold;bilagsnr;type;dato;forfall;periode;belop',
      '5035;100301;F-2026-11-100301;faktura;15.10.2026;02.11.2026;2026-11;9 282,00',
      '5035;100302;F-2026-11-100302;faktura;15.10.2026;02.11.2026;2026-11;6 277,00',
      '5035;100303;F-2026-11-100303;faktura;15.10.2026;02.11.2026;2026-11;11 997,00',
      '5035;100302;I-77001;innbetaling;02.11.2026;;;6277',
    ].join('\n');
    expect(await system.request('POST', '/api/v1/ledger/imports', { token: accounting, body: postings })).toMatchObject({ status: 200, body: { eventsWritten: 4 } });
    await system.caughtUp();
    expect((await allCases()).total).toBe(0);
    const account = await system.request<{ address: string }>('GET', '/api/v1/ledger/tenancies/5035/100301', { token: accounting });
    expect(account.body).toMatchObject({ address: 'Kirkegata 4, 7500 Stjørdal' });
  });

  it('the workflows process opens the cases and schedules their deadlines; the projections process makes them readable through the api', async () => {
    system.setClock('2026-11-06T10:00:00+01:00'); // Friday: the grace period is over
    const cases = await waitFor(async () => {
      const body = await allCases();
      return body.total === 2 ? body.items : undefined;
    }, 'two cases to open and be projected');
    expect(cases.map((c) => c.caseId).sort()).toEqual(['5035-100301-1', '5035-100303-1']);
    expect(cases.every((c) => c.status === 'open' && c.firstContactDeadline === '2026-11-13')).toBe(true);
    const one = await system.request<{ caseId: string; timeline: Array<{ type: string }> }>('GET', '/api/v1/cases/5035-100301-1', { token: nav });
    expect(one.status).toBe(200);
    expect(one.body.timeline.map((t) => t.type)).toEqual(['cases.CaseOpened']);

    // The pending deadlines, through the api's proxy: only the workflows process has them.
    const deadlines = await waitFor(async () => {
      const r = await system.worker_<Deadlines>('GET', '/operator/deadlines');
      return r.status === 200 && r.body.pending.length >= 2 ? r.body : undefined;
    }, 'the deadlines through the proxy');
    expect(deadlines.pending.map((d) => d.id)).toEqual(expect.arrayContaining(['case.5035-100301-1.first-contact', 'case.5035-100303-1.first-contact']));
  });

  it('keeps the workflows\' tables in workflows.sqlite beside the read models, and none of them in read-models.sqlite', async () => {
    await system.caughtUp();
    expect(existsSync(join(system.dir, 'workflows.sqlite'))).toBe(true);
    expect(existsSync(join(system.dir, 'read-models.sqlite'))).toBe(true);
    const inWorkflows = rows<{ id: string; status: string }>('workflows.sqlite', 'SELECT id, status FROM wf_deadlines ORDER BY id');
    expect(inWorkflows).toEqual(
      expect.arrayContaining([
        { id: 'case.5035-100301-1.first-contact', status: 'pending' },
        { id: 'case.5035-100303-1.first-contact', status: 'pending' },
      ]),
    );
    expect(rows('read-models.sqlite', 'SELECT id FROM wf_deadlines') ?? []).toEqual([]);
    // Each file holds the checkpoints of its own process's subscriptions only.
    const checkpoints = (file: string) => (rows<{ name: string }>(file, 'SELECT name FROM rm_checkpoints') ?? []).map((r) => r.name);
    const workflowsCheckpoints = checkpoints('workflows.sqlite');
    const readModelCheckpoints = checkpoints('read-models.sqlite');
    expect(workflowsCheckpoints).toContain('workflow-cases-arrears');
    expect(workflowsCheckpoints.filter((n) => n.includes('@'))).toEqual([]);
    expect(readModelCheckpoints.filter(isWorkflowSide)).toEqual([]);
    expect(readModelCheckpoints).toEqual(expect.arrayContaining(['ledger-accounts@g1', 'cases@g1']));
  });

  it('each process answers for its own part only: 404 with a problem in bokmål for the other part', async () => {
    const projectionsOnWorkflows = await direct('/operator/projections', system.workflowsPort);
    expect(projectionsOnWorkflows.status).toBe(404);
    expect(problemDefect(404, projectionsOnWorkflows.headers.get('content-type'), projectionsOnWorkflows.body)).toBeUndefined();
    expect(projectionsOnWorkflows.body).toMatchObject({ detail: 'Denne workerprosessen kjører ikke projeksjonene.' });
    expect((await direct('/operator/projections/cases/rebuild', system.workflowsPort)).status).toBe(404);

    const deadlinesOnProjections = await direct('/operator/deadlines', system.workerPort);
    expect(deadlinesOnProjections.status).toBe(404);
    expect(problemDefect(404, deadlinesOnProjections.headers.get('content-type'), deadlinesOnProjections.body)).toBeUndefined();
    expect(deadlinesOnProjections.body).toMatchObject({ detail: 'Denne workerprosessen kjører ikke arbeidsflytene og fristene.' });
    const sweepOnProjections = await system.request('POST', '/operator/deadlines/sweep', { token: admin }, system.workerPort);
    expect(sweepOnProjections.status).toBe(404);

    const deadlinesOnWorkflows = await direct<Deadlines>('/operator/deadlines', system.workflowsPort);
    expect(deadlinesOnWorkflows.status).toBe(200);
    expect(deadlinesOnWorkflows.body.pending.map((d) => d.id)).toEqual(expect.arrayContaining(['case.5035-100301-1.first-contact']));
    const projectionsOnProjections = await direct<Array<{ name: string }>>('/operator/projections', system.workerPort);
    expect(projectionsOnProjections.status).toBe(200);

    // Each process lists only its own subscriptions.
    const own = async (port: number) => (await direct<Array<{ name: string }>>('/operator/subscriptions', port)).body.map((s) => s.name);
    const projectionSubscriptions = await own(system.workerPort);
    const workflowSubscriptions = await own(system.workflowsPort);
    expect(projectionSubscriptions).toEqual(expect.arrayContaining(['ledger-accounts@g1', 'cases@g1']));
    expect(projectionSubscriptions.filter((n) => !/@g\d+$/.test(n))).toEqual([]);
    expect(workflowSubscriptions).toContain('workflow-cases-arrears');
    expect(workflowSubscriptions.filter((n) => n.includes('@'))).toEqual([]);
    // And the same through the api, gathered from both.
    const gathered = await system.worker_<Array<{ name: string }>>('GET', '/operator/subscriptions');
    expect(gathered.status).toBe(200);
    expect(gathered.body.map((s) => s.name)).toEqual([...projectionSubscriptions, ...workflowSubscriptions]);
  });

  it('the api\'s operator views gather both processes: projections from one, deadlines and sweeps from the other', async () => {
    const projections = await system.worker_<Array<{ name: string }>>('GET', '/operator/projections');
    expect(projections.status).toBe(200);
    expect(projections.body.map((p) => p.name)).toEqual(expect.arrayContaining(['ledger-accounts', 'cases']));
    const sweep = await system.worker_<{ errors: number }>('POST', '/operator/deadlines/sweep');
    expect(sweep.status).toBe(200);
    expect(sweep.body.errors).toBe(0);
    // The periodic read-model work (the ledger's daily roll) runs in the projections process: seen and run from there.
    type Round = { last: { at: string; periodic: Record<string, number>; errors: number } | null };
    const ran = await system.worker_<Round>('POST', '/operator/periodic/run');
    expect(ran.status).toBe(200);
    expect(ran.body.last).toMatchObject({ periodic: { 'ledger-accounts-roll': expect.any(Number) }, errors: 0 });
    const seen = await system.worker_<Round>('GET', '/operator/periodic');
    expect(seen.body.last?.periodic).toHaveProperty('ledger-accounts-roll');
    const periodicOnWorkflows = await system.request('GET', '/operator/periodic', { token: admin }, system.workflowsPort);
    expect(periodicOnWorkflows.status).toBe(404);
    expect(periodicOnWorkflows.body).toMatchObject({ detail: 'Denne workerprosessen kjører ikke det periodiske vedlikeholdet av lesemodellene.' });
    const unknown = await system.worker_('POST', '/operator/workflows/no-such-workflow/replay');
    expect(unknown.status).toBe(404);
    expect(problemDefect(404, unknown.headers.get('content-type'), unknown.body)).toBeUndefined();
  });

  it('each process is healthy on GET /health', async () => {
    for (const port of system.workerPorts()) {
      const health = await system.request<{ status: string; info: Record<string, { status: string }> }>('GET', '/health', {}, port);
      expect(health.status).toBe(200);
      expect(health.body.status).toBe('ok');
      expect(Object.keys(health.body.info).sort()).toEqual(['eventStore', 'readModels', 'redis', 'subscriptions']);
      expect(Object.values(health.body.info).every((i) => i.status === 'up')).toBe(true);
    }
  });

  it('recording contact cancels the first-contact deadline; the case nobody contacted escalates exactly once, after its day', async () => {
    const contact = await system.request('POST', '/api/v1/cases/5035-100303-1/contacts', { token: nav, json: { channel: 'phone' } });
    expect(contact).toMatchObject({ status: 201, body: { recorded: true } });
    await waitFor(async () => {
      const r = await system.worker_<Deadlines>('GET', '/operator/deadlines');
      return r.body.recent.some((d) => d.id === 'case.5035-100303-1.first-contact' && d.status === 'cancelled') || undefined;
    }, 'the contacted case\'s deadline to be cancelled');

    system.setClock('2026-11-13T15:00:00+01:00'); // the deadline day itself still counts
    await system.worker_('POST', '/operator/deadlines/sweep');
    await new Promise((r) => setTimeout(r, 1000));
    expect((await system.request<{ total: number }>('GET', '/api/v1/arrears-team/queue', { token: team })).body.total).toBe(0);

    system.setClock('2026-11-16T08:00:00+01:00'); // Monday after the deadline
    const queue = await waitFor(async () => {
      const r = await system.request<{ total: number; items: Array<{ caseId: string; escalationReasons: Array<{ policy: string }> }> }>('GET', '/api/v1/arrears-team/queue', { token: team });
      return r.body.total >= 1 ? r.body.items : undefined;
    }, 'the escalation');
    expect(queue.map((c) => c.caseId)).toEqual(['5035-100301-1']);
    expect(queue[0]?.escalationReasons[0]?.policy).toBe('noContactWithinDeadline');
    await system.caughtUp();
    const escalated = perStream(await caseEvents(), 'cases.CaseEscalatedToArrearsTeam');
    expect([...escalated.entries()]).toEqual([['case-5035-100301', 1]]);
    const deadlines = await system.worker_<Deadlines>('GET', '/operator/deadlines');
    expect(deadlines.body.recent).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 'case.5035-100301-1.first-contact', status: 'fired' }),
        expect.objectContaining({ id: 'case.5035-100303-1.first-contact', status: 'cancelled' }),
      ]),
    );
    expect(rows<{ id: string; status: string }>('workflows.sqlite', `SELECT id, status FROM wf_deadlines WHERE id LIKE '%.first-contact' ORDER BY id`)).toEqual([
      { id: 'case.5035-100301-1.first-contact', status: 'fired' },
      { id: 'case.5035-100303-1.first-contact', status: 'cancelled' },
    ]);
    expect(rows('read-models.sqlite', 'SELECT id FROM wf_deadlines') ?? []).toEqual([]);
  });

  it('both worker processes killed (SIGKILL) after a large posting: everything catches up, with no case missing or doubled', async () => {
    const before = await allCases();
    expect(before.total).toBe(2);
    const ids = syntheticNationalIds(N, 92);
    const tenancies = ['kommunenr;leieforhold;adresse;husleie;utleier;navkontor;fodselsnummer;navn', ...ids.map((fnr, i) => `5035;${300000 + i};Gate ${i};9 282,00;kommunal;nav-stjordal;${fnr};Leietaker ${i}`)].join('\n');
    expect((await system.request('POST', '/api/v1/ledger/tenancies/imports', { token: accounting, body: tenancies })).status).toBe(200);
    const postings = ['kommunenr;leieforhold;bilagsnr;type;dato;forfall;periode;belop', ...Array.from({ length: N }, (_, i) => `5035;${300000 + i};F-${i};faktura;2026-10-15;2026-11-02;2026-11;9 282,00`)].join('\n');
    expect((await system.request('POST', '/api/v1/ledger/imports', { token: accounting, body: postings })).status).toBe(200);
    // Killed as soon as the first new case is in the log: the workflow and the projections are mid-way.
    await waitFor(async () => perStream(await caseEvents(), 'cases.CaseOpened').size > 2 || undefined, 'the workflow to be under way', 30_000);
    await system.killWorker();
    const atCrash = perStream(await caseEvents(), 'cases.CaseOpened').size;

    await system.startWorker();
    await system.caughtUp(90_000);
    const opened = perStream(await caseEvents(), 'cases.CaseOpened');
    expect({ atCrashBelowAll: atCrash < N + 2, opened: opened.size }).toEqual({ atCrashBelowAll: true, opened: N + 2 });
    expect([...opened.values()].every((count) => count === 1)).toBe(true);
    const escalated = perStream(await caseEvents(), 'cases.CaseEscalatedToArrearsTeam');
    expect([...escalated.entries()]).toEqual([['case-5035-100301', 1]]);

    const after = await allCases();
    expect(after.total).toBe(N + 2);
    const listed = after.items.map((c) => c.caseId);
    expect(new Set(listed).size).toBe(listed.length);
    expect(listed.sort()).toEqual(['5035-100301-1', '5035-100303-1', ...Array.from({ length: N }, (_, i) => `5035-${300000 + i}-1`)].sort());
    // The two cases from before the crash are as they were.
    const old = (items: CaseItem[]) => items.filter((c) => c.caseId.startsWith('5035-1003')).sort((a, b) => a.caseId.localeCompare(b.caseId));
    expect(old(after.items)).toEqual(old(before.items));
    // Opened on Monday 16 November: first contact within five working days, one pending deadline each, in the workflows file.
    expect(after.items.filter((c) => c.caseId.startsWith('5035-3')).every((c) => c.firstContactDeadline === '2026-11-23')).toBe(true);
    const pending = await system.worker_<Deadlines>('GET', '/operator/deadlines?limit=10000');
    expect(pending.body.pending.filter((d) => d.id.endsWith('.first-contact'))).toHaveLength(N);
    expect(rows<{ n: number }>('workflows.sqlite', `SELECT count(*) AS n FROM wf_deadlines WHERE status = 'pending' AND id LIKE '%.first-contact'`)).toEqual([{ n: N }]);
    expect(rows('read-models.sqlite', 'SELECT id FROM wf_deadlines') ?? []).toEqual([]);
    // And every read model the projections process kept through the crash equals a fresh rebuild.
    await expectEqualToFreshRebuild(system);
  });

  it('ends caught up, with the subscriptions of both processes in the api\'s lag view, and no identity number or name in any log line', async () => {
    await system.caughtUp();
    const lag = await system.worker_<Lag>('GET', '/operator/lag');
    expect(lag.status).toBe(200);
    expect(lag.body.caughtUp).toBe(true);
    const subscriptions = lag.body.subscriptions.map((s) => s.name);
    // The projections at whichever generation they are now (the test before rebuilt them all).
    expect(subscriptions).toEqual(expect.arrayContaining([expect.stringMatching(/^ledger-accounts@g\d+$/), expect.stringMatching(/^cases@g\d+$/), 'workflow-cases-arrears']));
    expect(subscriptions.filter(isWorkflowSide).length).toBeGreaterThan(0);
    expect(new Set(subscriptions).size).toBe(subscriptions.length);
    expect(lag.body.subscriptions.every((s) => s.caughtUp)).toBe(true);
    for (const port of system.workerPorts()) expect((await system.request('GET', '/health', {}, port)).status).toBe(200);
    // The ledger's daily roll ran in the projections process, on its own timer; the deadline sweeps ran only in the workflows process.
    const lines = (label: string, text: string) => system.logs.filter((line) => line.startsWith(`[${label}] `) && line.includes(text));
    expect(lines('worker:projections', '"ledger-accounts-roll":').length).toBeGreaterThan(0);
    expect(lines('worker:workflows', '"ledger-accounts-roll":')).toEqual([]);
    expect(lines('worker:workflows', '"msg":"deadline sweep"').length).toBeGreaterThan(0);
    expect(lines('worker:projections', '"msg":"deadline sweep"')).toEqual([]);
    for (const secret of [fnrA, fnrB, fnrC, ...names]) expect(system.logs.filter((line) => line.includes(secret))).toEqual([]);
  });
});
