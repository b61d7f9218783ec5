/**
 * `npm run bench:rebuild`: every SQL projection built from a year of events for 50 000 tenancies
 * (about 1.3 M events), beside the raw `readAll` of the same events in the same run.
 *
 * 1. The year is written DIRECTLY into the event store file (SqliteEventStore.appendToStreams, a
 *    few thousand streams per call), not through the api, which would take far longer than what
 *    is measured. The events are what the system itself writes: the ledger's are decided by the
 *    ledger domain (`decideRegistration`, `decidePostings`) with LedgerService's ids and request
 *    metadata (each import's correlation id, accounting's actor); the person streams carry the
 *    synthetic identity numbers; the cases' are decided by the cases domain (`evaluateArrears`,
 *    `recordContact`, `escalateIfNoContact`) with `decideAndAppend`'s ids and the workflow's
 *    causation metadata. A tenancy registration import, then per month a charges file (the 15th
 *    before) and a payments file (the 3rd); 2 % of tenancies skip one month and pay it with the
 *    next (a case opens after the grace period, half get contact, the others escalate, all are
 *    resolved when paid), 0.5 % stop paying in November (their cases are still active).
 * 2. Raw reads, with nothing else running: `SqliteEventStore.readAll` paging 1000 at a time
 *    (the page size subscriptions use) through the whole log and through each projection's filter.
 * 3. The worker (and api) start on that file with empty read models: every subscription's first
 *    build, timed per subscription from the launch until `/operator/lag` says it is caught up.
 * 4. `POST /operator/projections/{name}/rebuild` for each projection, one after the other, timed
 *    until the new generation is the active one (the switch, read from the read-model file); the
 *    goal is ≤ 3× the raw read of the same events, read again just before each rebuild.
 *
 *   npm run bench:rebuild
 *   BENCH_TENANCIES=5000 npm run bench:rebuild                  # quick (about 130 000 events)
 *   BENCH_CPU_PROFILE_DIR=tmp/prof npm run bench:rebuild        # also CPU profiles of the worker per rebuild
 *   BENCH_REBUILD_ROUNDS=3 npm run bench:rebuild                # every rebuild three times, for the spread
 *
 * A benchmark, not a test: it prints figures and asserts nothing.
 */
import 'reflect-metadata';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { EventTypeMap, SqliteEventStore, type EventMetadata, type NewEvent, type JsonObject, type StreamAppend, type EventFilter } from '@evp/event-store';
import { addDays, deterministicId, startOfOsloDay, syntheticNationalIds, type LocalDate } from '@evp/shared-kernel';
import { decidePostings, decideRegistration, evolveTenancy, graceEnd, initialTenancy, type LedgerEvent, type Posting, type Tenancy } from '@evp/ledger-domain';
import { positionOf, registerLedgerEventTypes } from '@evp/ledger-application';
import { ARREARS_WORKFLOW_FILTER, CASES_PROJECTION_FILTER } from '@evp/cases-application';
import { caseStreamName, escalateIfNoContact, evaluateArrears, evolveCases, initialTenancyCases, recordContact, activeCase, type CaseEvent, type CasePolicy, type TenancyCases } from '@evp/cases-domain';
import { registerCaseEventTypes, snapshotOf } from '@evp/cases-application';
import { personIdKey, type AppConfig } from '@evp/runtime';
import { createHmac } from 'node:crypto';
import { TestSystem } from '../e2e/support/system';
import { MONTHLY_RENT_ORE, MUNICIPALITY, envNumber, navOfficeOf, profileWindow, profilingEnv, reportUnexpectedExits, retryOnReset, seconds, startWithPatientWorker, tenancyIdOf, waitAllCaughtUp, watchCheckpoints } from './support/bench-support';

const TENANCIES = envNumber('BENCH_TENANCIES', 50_000);
/** Times every projection is rebuilt, one round after the other (the machine is noisy: more than one round shows the spread). */
const ROUNDS = envNumber('BENCH_REBUILD_ROUNDS', 1);
/** Streams per appendToStreams call. */
const STREAMS_PER_APPEND = envNumber('BENCH_STREAMS_PER_APPEND', 2_500);
const READ_PAGE = 1000;
const GRACE = 3;
/** The defaults (README, «Case policy»), as the worker runs with them. */
const POLICY: CasePolicy = { arrearsThresholdMonthsOfRent: 1, graceWorkingDays: GRACE, daysPastGraceToOpen: 14, firstContactWorkingDays: 5 };
const WORKFLOW = 'workflow-cases-arrears';
const YEAR = 2026;

const types = registerCaseEventTypes(registerLedgerEventTypes(new EventTypeMap()));
const pad = (n: number) => String(n).padStart(2, '0');
/** An instant on a business day, in Oslo time: imports run in the morning. */
const at = (date: LocalDate, hour = 9) => new Date(startOfOsloDay(date).getTime() + hour * 3_600_000);

interface Account {
  readonly i: number;
  readonly stream: string;
  readonly caseStream: string;
  state: Tenancy;
  revision: number;
  cases: TenancyCases;
  caseRevision: number;
}

/** Who skips which month: 2 % skip one month (and pay it with the next), 0.5 % stop paying from November. */
const skips = (i: number, month: number) => (i % 50 === 7 && month === 1 + (Math.floor(i / 50) % 12)) || (i % 200 === 3 && month >= 11);
const paysDouble = (i: number, month: number) => i % 50 === 7 && month === 2 + (Math.floor(i / 50) % 12);
/** Of the cases that open, these get contact from the arrears team; the others escalate. */
const getsContact = (i: number) => Math.floor(i / 50) % 2 === 0;

class Writer {
  written = 0;
  constructor(private readonly store: SqliteEventStore) {}

  async append(appends: StreamAppend[]): Promise<void> {
    for (let k = 0; k < appends.length; k += STREAMS_PER_APPEND) {
      const chunk = appends.slice(k, k + STREAMS_PER_APPEND);
      await this.store.appendToStreams(chunk);
      this.written += chunk.reduce((n, a) => n + a.events.length, 0);
    }
  }
}

/** LedgerService's metadata for one import: the request's correlation id and accounting's actor. */
const importMetadata = (name: string, now: Date, actorId: string): EventMetadata => ({
  correlationId: deterministicId(`bench-rebuild|${name}`),
  causationId: null,
  actor: { id: actorId, role: 'accounting' },
  occurredAt: now.toISOString(),
  schemaVersion: 1,
});

/** LedgerService's `toNewEvent`: posting events' ids derive from the tenancy and the voucher. */
function ledgerNewEvent(stream: string, event: LedgerEvent, salt: string, metadata: EventMetadata): NewEvent {
  const voucherRef = (event.data as { voucherRef?: string }).voucherRef;
  const key = voucherRef !== undefined ? `${stream}|voucher|${voucherRef}|${event.type}` : `${stream}|${event.type}|${salt}|${JSON.stringify(event.data)}`;
  return { id: deterministicId(key), type: event.type, data: event.data as unknown as JsonObject, metadata };
}

/** decideAndAppend's ids and metadata for events a case command decided. */
function caseAppend(account: Account, events: readonly CaseEvent[], causation: { id: string; correlationId: string; actor: { id: string; role: string }; now: Date }): StreamAppend {
  const append: StreamAppend = {
    streamName: account.caseStream,
    expectedRevision: account.caseRevision < 0 ? 'no_stream' : account.caseRevision,
    events: events.map((e, n) => ({
      id: deterministicId(`${account.caseStream}|${causation.id}|${n}|${e.type}`),
      type: e.type,
      data: e.data as unknown as JsonObject,
      metadata: { correlationId: causation.correlationId, causationId: causation.id, actor: causation.actor, occurredAt: causation.now.toISOString(), schemaVersion: types.schemaVersionOf(e.type) },
    })),
  };
  account.cases = events.reduce(evolveCases, account.cases);
  account.caseRevision += events.length;
  return append;
}

const workflowActor = { id: WORKFLOW, role: 'system' };

/** Writes the year; returns how many events. */
async function writeYear(file: string, accountingActor: string, arrearsTeamActor: string): Promise<{ events: number; cases: number; ms: number }> {
  const started = performance.now();
  const store = new SqliteEventStore({ file, notify: false });
  const writer = new Writer(store);
  const key = personIdKey({ NODE_ENV: 'test' } as AppConfig);
  const nationalIds = syntheticNationalIds(TENANCIES, 11);
  const accounts: Account[] = Array.from({ length: TENANCIES }, (_, i) => {
    const stream = `tenancy-${MUNICIPALITY}-${tenancyIdOf(i)}`;
    return { i, stream, caseStream: caseStreamName(`${MUNICIPALITY}-${tenancyIdOf(i)}`), state: initialTenancy(), revision: -1, cases: initialTenancyCases(), caseRevision: -1 };
  });
  let casesOpened = 0;

  // The tenancy register, as `POST /api/v1/ledger/tenancies/imports` writes it: a person stream per tenant, the tenancy's registration.
  {
    const metadata = importMetadata('tenancies', at(`${YEAR - 1}-12-10`), accountingActor);
    const appends: StreamAppend[] = [];
    for (const a of accounts) {
      const nationalId = nationalIds[a.i] as string;
      const name = `Leietaker ${a.i}`;
      const personId = `p${createHmac('sha256', key).update(nationalId).digest('hex').slice(0, 32)}`;
      appends.push({ streamName: `person-${personId}`, expectedRevision: 'any', events: [{ id: deterministicId(`${personId}|recorded|${name}`), type: 'people.PersonRecorded', data: { nationalId, name }, metadata }] });
      const events = decideRegistration(a.state, {
        municipalityNumber: MUNICIPALITY,
        tenancyId: tenancyIdOf(a.i),
        address: `Gate ${a.i}, 7500 Stjørdal`,
        monthlyRentOre: MONTHLY_RENT_ORE,
        landlordKind: 'municipal',
        navOffice: navOfficeOf(a.i),
        tenantPersonIds: [personId],
      });
      appends.push({ streamName: a.stream, expectedRevision: 'no_stream', events: events.map((e) => ledgerNewEvent(a.stream, e, String(a.revision), metadata)) });
      for (const e of events) a.state = evolveTenancy(a.state, e);
      a.revision += events.length;
    }
    await writer.append(appends);
  }

  /** One ERP file: each tenancy's postings decided against its state, appended per tenancy stream. */
  const postFile = async (name: string, postedOn: LocalDate, postingsOf: (a: Account) => Posting[]): Promise<Map<Account, NewEvent[]>> => {
    const metadata = importMetadata(name, at(postedOn), accountingActor);
    const appends: StreamAppend[] = [];
    const written = new Map<Account, NewEvent[]>();
    for (const a of accounts) {
      const postings = postingsOf(a);
      if (postings.length === 0) continue;
      const { events } = decidePostings(a.state, postings);
      const newEvents = events.map((e) => ledgerNewEvent(a.stream, e, '', metadata));
      appends.push({ streamName: a.stream, expectedRevision: a.revision, events: newEvents });
      written.set(a, newEvents);
      for (const e of events) a.state = evolveTenancy(a.state, e);
      // The voucher fingerprints guard against posting a line twice; this generator never does, and a year of them is memory for nothing.
      if (a.state.status === 'registered') a.state = { ...a.state, vouchers: {} };
      a.revision += events.length;
    }
    await writer.append(appends);
    return written;
  };

  for (let month = 1; month <= 12; month++) {
    const period = `${YEAR}-${pad(month)}`;
    const dueDate = `${period}-01`;
    const chargedOn = month === 1 ? `${YEAR - 1}-12-15` : `${YEAR}-${pad(month - 1)}-15`;
    await postFile(`charges-${period}`, chargedOn, (a) => [{ kind: 'charge', voucherRef: `F-${period}-${tenancyIdOf(a.i)}`, date: chargedOn, dueDate, period, amountOre: MONTHLY_RENT_ORE }]);

    const paidOn = `${period}-03`;
    const payments = await postFile(`payments-${period}`, paidOn, (a) =>
      skips(a.i, month) ? [] : [{ kind: 'payment', voucherRef: `I-${period}-${tenancyIdOf(a.i)}`, date: dueDate, amountOre: paysDouble(a.i, month) ? 2 * MONTHLY_RENT_ORE : MONTHLY_RENT_ORE }],
    );

    // The workflow on each payment: EvaluateArrears resolves an active case that is paid up.
    const resolutions: StreamAppend[] = [];
    for (const [a, events] of payments) {
      if (!activeCase(a.cases) || a.state.status !== 'registered') continue;
      const decided = evaluateArrears(a.cases, snapshotOf(positionOf(a.state, a.revision, paidOn, GRACE)), POLICY, paidOn);
      const cause = events[events.length - 1] as NewEvent;
      if (decided.length) resolutions.push(caseAppend(a, decided, { id: `${WORKFLOW}:${cause.id}:0`, correlationId: cause.metadata.correlationId, actor: workflowActor, now: at(paidOn, 10) }));
    }
    await writer.append(resolutions);

    // The daily sheet the day after the grace period: the arrears evaluation opens a case for an unpaid month.
    const evaluatedOn = addDays(graceEnd(dueDate, GRACE), 1);
    const openings: StreamAppend[] = [];
    const opened: Account[] = [];
    for (const a of accounts) {
      if (!skips(a.i, month) || a.state.status !== 'registered') continue;
      const decided = evaluateArrears(a.cases, snapshotOf(positionOf(a.state, a.revision, evaluatedOn, GRACE)), POLICY, evaluatedOn);
      if (!decided.length) continue;
      const deadline = `tenancy.${MUNICIPALITY}-${tenancyIdOf(a.i)}.arrears-evaluation`;
      const dueAt = startOfOsloDay(evaluatedOn).toISOString();
      openings.push(caseAppend(a, decided, { id: `${WORKFLOW}:deadline:${deadline}:${dueAt}:0`, correlationId: deadline, actor: workflowActor, now: at(evaluatedOn, 6) }));
      opened.push(a);
      casesOpened += 1;
    }
    await writer.append(openings);

    // Two days later the arrears team reaches half of the households (through the api); the rest escalate the day after their deadline.
    const contacts: StreamAppend[] = [];
    const escalations: StreamAppend[] = [];
    for (const a of opened) {
      const current = activeCase(a.cases);
      if (!current) continue;
      if (getsContact(a.i)) {
        const contactedOn = addDays(evaluatedOn, 2);
        const contactId = deterministicId(`contact|${arrearsTeamActor}|bench-${current.caseId}`);
        const decided = recordContact(a.cases, { caseId: current.caseId, contactId, channel: 'phone', contactedOn, byRole: 'arrears-team' });
        contacts.push(caseAppend(a, decided, { id: `contact-${contactId}`, correlationId: deterministicId(`bench-rebuild|request|${contactId}`), actor: { id: arrearsTeamActor, role: 'arrears-team' }, now: at(contactedOn, 11) }));
      } else {
        const escalatedOn = addDays(current.opened.firstContactDeadline, 1);
        const decided = escalateIfNoContact(a.cases, current.caseId, escalatedOn, POLICY);
        const deadline = `case.${current.caseId}.first-contact`;
        if (decided.length) escalations.push(caseAppend(a, decided, { id: `${WORKFLOW}:deadline:${deadline}:${startOfOsloDay(escalatedOn).toISOString()}`, correlationId: deadline, actor: workflowActor, now: at(escalatedOn, 0) }));
      }
    }
    await writer.append(contacts);
    await writer.append(escalations);
    process.stderr.write(`  written through ${period}: ${writer.written} events (${seconds(performance.now() - started)})\n`);
  }
  await store.close();
  return { events: writer.written, cases: casesOpened, ms: performance.now() - started };
}

/** SqliteEventStore.readAll, a page at a time, as a subscription reads while catching up (every event decoded). */
async function rawRead(file: string, filter: EventFilter | undefined): Promise<{ events: number; ms: number }> {
  const store = new SqliteEventStore({ file, notify: false });
  try {
    const t = performance.now();
    let events = 0;
    let after: string | undefined;
    for (;;) {
      const page = await store.readAll({ ...(after ? { after } : {}), maxCount: READ_PAGE, ...(filter ? { filter } : {}) });
      if (page.length === 0) break;
      events += page.length;
      after = page[page.length - 1]?.position;
    }
    return { events, ms: performance.now() - t };
  } finally {
    await store.close();
  }
}

/** Resolves when the read-model file says `generation` of `projection` is the active one (or failed: then the progress says why). */
async function waitForActiveGeneration(dir: string, projection: string, generation: number): Promise<void> {
  const db = new Database(join(dir, 'read-models.sqlite'), { readonly: true });
  try {
    const status = db.prepare<[string, number], { status: string }>('SELECT status FROM rm_generations WHERE projection = ? AND generation = ?');
    const deadline = performance.now() + 4 * 3_600_000;
    for (;;) {
      if (status.get(projection, generation)?.status === 'active') return;
      if (performance.now() > deadline) throw new Error(`generation ${generation} of ${projection} not active after 4 h`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    db.close();
  }
}

interface Progress {
  state: 'building' | 'switched' | 'failed';
  handled: number;
  error: string | null;
}

async function main(): Promise<void> {
  const system = new TestSystem({
    LOG_LEVEL: 'warn',
    TIMER_SWEEP_INTERVAL_MS: '60000',
    // The log was written minutes ago by the store's clock while the business clock stands at
    // 20 December: every subscription «lags» by weeks until it has caught up, and the worker's
    // /health (which TestSystem waits for) would stay red for the whole first build.
    SUBSCRIPTION_MAX_LAG_MS: String(365 * 24 * 3_600_000),
    ...profilingEnv(),
  });
  let exits: ReturnType<typeof reportUnexpectedExits> | undefined;
  try {
    const file = join(system.dir, 'events.sqlite');
    const year = await writeYear(file, system.actorId('e2e-accounting'), system.actorId('e2e-arrears-team'));

    // Each subscription's own filter: the cases list takes only a tenancy's registration and details from the tenancy streams.
    const filters: Array<[string, EventFilter | undefined]> = [
      ['whole log', undefined],
      ['ledger-accounts filter (tenancy-)', { streamPrefixes: ['tenancy-'] }],
      ['cases filter (case-, tenancy- details)', CASES_PROJECTION_FILTER],
      ['arrears workflow filter', ARREARS_WORKFLOW_FILTER],
    ];
    const raw = new Map<string, { events: number; ms: number }>();
    for (const [label, filter] of filters) raw.set(label, await rawRead(file, filter));

    system.setClock(`${YEAR}-12-20T09:00:00+01:00`);
    const launched = performance.now();
    // From the files, not from /operator/lag: a worker catching up does not answer HTTP (see the report).
    const checkpoints = watchCheckpoints(system.dir, launched);
    const { workerAnsweredMs } = await startWithPatientWorker(system, 4 * 3_600_000);
    exits = reportUnexpectedExits(system);
    const firstBuild = await waitAllCaughtUp(system, launched, { pollMs: 250, timeoutMs: 4 * 3_600_000 });
    const firstBuildPerSubscription = checkpoints.stop();

    const { body: projections } = await retryOnReset(() => system.worker_<Array<{ name: string }>>('GET', '/operator/projections'));
    const rebuilds: Array<{ name: string; round: number; ms: number; handled: number; state: string; error: string | null; rawJustBefore: { events: number; ms: number } | undefined }> = [];
    for (let round = 1; round <= ROUNDS; round++)
    for (const { name } of projections) {
      // The machine is shared: read the same events again right before the rebuild (the worker idle, caught up), so the ratio compares like with like.
      const filter = name === 'ledger-accounts' ? filters[1]?.[1] : name === 'cases' ? filters[2]?.[1] : undefined;
      const rawJustBefore = filter ? await rawRead(file, filter) : undefined;
      const result = await profileWindow(`rebuild-${name}${ROUNDS > 1 ? `-${round}` : ''}`, ['worker'], async () => {
        const t = performance.now();
        // A second POST while one builds returns the one in progress, so a retried POST is harmless.
        const started = await retryOnReset(() => system.worker_<Progress & { generation: number }>('POST', `/operator/projections/${name}/rebuild`));
        if (started.status !== 202) throw new Error(`rebuild of ${name} answered ${started.status}: ${JSON.stringify(started.body)}`);
        // Timed from the file: the switch commits the generation as active, and a worker that is
        // rebuilding answers its progress endpoint only between batches, if at all.
        await waitForActiveGeneration(system.dir, name, started.body.generation);
        const ms = performance.now() - t;
        const { body } = await retryOnReset(() => system.worker_<Progress>('GET', `/operator/projections/${name}/rebuild`));
        return { name, ms, handled: body.handled, state: body.state, error: body.error };
      });
      rebuilds.push({ ...result, round, rawJustBefore });
    }

    const rawFor = (name: string) =>
      name === 'ledger-accounts' ? raw.get('ledger-accounts filter (tenancy-)') : name === 'cases' ? raw.get('cases filter (case-, tenancy- details)') : name === WORKFLOW ? raw.get('arrears workflow filter') : undefined;
    console.log(`bench:rebuild — a year for ${TENANCIES} tenancies: ${year.events} events (${year.cases} cases opened), SQLite event store and read models, node ${process.version}`);
    console.log(`  written directly with SqliteEventStore.appendToStreams (${STREAMS_PER_APPEND} streams per call): ${seconds(year.ms)}`);
    console.log(`  raw SqliteEventStore.readAll, ${READ_PAGE} per page, nothing else running:`);
    for (const [label, r] of raw) console.log(`    ${label.padEnd(36)} ${String(r.events).padStart(9)} events  ${seconds(r.ms).padStart(8)}   ${Math.round((r.events / r.ms) * 1000)} events/s`);
    console.log(`  first build (worker launched on the file with empty read models; it first answered HTTP ${seconds(workerAnsweredMs)} after launch), caught up at:`);
    for (const [name, ms] of [...firstBuildPerSubscription].sort((a, b) => (a[1] ?? Infinity) - (b[1] ?? Infinity))) {
      const base = rawFor(name.replace(/@g\d+$/, ''));
      console.log(`    ${name.padEnd(36)} ${ms === undefined ? '       ?' : seconds(ms).padStart(8)}${base && ms !== undefined ? `   ${(ms / base.ms).toFixed(1)}× its raw read` : ''}   (its checkpoint in the read-model file)`);
    }
    console.log(`    every subscription caught up       ${seconds(firstBuild.allMs).padStart(8)}   (GET /operator/lag, answered when the worker got to it)`);
    console.log(`  rebuild into a new generation (POST …/rebuild until the new generation is active), one projection at a time:`);
    for (const r of rebuilds) {
      const base = r.rawJustBefore ?? rawFor(r.name);
      const ratio = base ? r.ms / base.ms : NaN;
      console.log(
        `    ${(ROUNDS > 1 ? `${r.name} (round ${r.round})` : r.name).padEnd(36)} ${seconds(r.ms).padStart(8)}   ${r.handled} events handled, ${r.state}${r.error ? ` (${r.error})` : ''}   ${base ? `${ratio.toFixed(1)}× its raw read just before (${seconds(base.ms)}) — goal ≤ 3×: ${ratio <= 3 ? 'met' : 'NOT met'}` : ''}`,
      );
    }
  } catch (error) {
    console.error(system.logs.slice(-40).join('\n'));
    throw error;
  } finally {
    exits?.stopping();
    await system.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
