import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { FixedClock, cancel, defineDeadline, ignored, schedule, send, type LocalDate, type WorkflowInput, type WorkflowOutput } from '@evp/shared-kernel';
import { EventTypeMap, SqliteEventStore, type NewEvent, type RecordedEvent } from '@evp/event-store';
import { readCheckpoint, type ReadModelDb } from '@evp/read-models';
import { openThrowawayPostgres, openThrowawaySqlite, type ThrowawayReadModelDb } from '@evp/read-models/testing';
import { createBullConnection } from '../redis';
import { TEST_REDIS_URL, dropPrefix, silentLogger, uniqueRedisPrefix } from '../testing';
import { TimerService } from '../timers';
import { DeadlineService } from './deadline-service';
import { workflowMigrations, type WorkflowTables } from './deadline-table';
import { WorkflowRunner, type Causation, type WorkflowDefinition } from './workflow-runner';

/**
 * The runner against the real parts: the pending-deadline table and checkpoint in SQLite and in
 * PostgreSQL (the same tests on both engines), and the real Redis for BullMQ.
 */
const dir = mkdtempSync(join(tmpdir(), 'evp-workflow-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const reminder = defineDeadline<{ id: string }>('test.reminder', (p) => `acct.${p.id}.reminder`);
const sheetCheck = defineDeadline<{ id: string }>('test.sheet-check', (p) => `acct.${p.id}.sheet-check`, 'sheet');

type Command = { type: 'Remind'; id: string };

/** A small workflow with one reaction of every kind. */
class TestWorkflow implements WorkflowDefinition<{ loads: number }, Command> {
  readonly name = 'test';
  readonly filter = { streamPrefixes: ['acct-'] };
  readonly sent: Array<{ command: Command; causation: Causation }> = [];
  loads = 0;

  async loadState(): Promise<{ loads: number }> {
    return { loads: ++this.loads };
  }

  decide(input: WorkflowInput, _state: unknown, today: LocalDate): WorkflowOutput<Command>[] {
    const id = input.kind === 'event' ? input.streamName.slice('acct-'.length) : String(input.payload['id']);
    switch (input.type) {
      case 'test.Opened':
        return [schedule(reminder, { id }, (input.data as { dueOn: LocalDate }).dueOn)];
      case 'test.Closed':
        return [cancel(reminder, { id })];
      case 'test.Paid':
        // Like a payment on an account with nothing scheduled: a cancel of what may not be pending.
        return [cancel(reminder, { id }), cancel(sheetCheck, { id })];
      case 'test.Watch':
        return [schedule(sheetCheck, { id }, today)];
      case 'deadline.test.reminder':
      case 'deadline.test.sheet-check':
        return [send({ type: 'Remind', id })];
      default:
        return [ignored(`nothing to do for ${input.type}`)];
    }
  }

  async dispatch(command: Command, causation: Causation): Promise<void> {
    this.sent.push({ command, causation });
  }
}

const clock = new FixedClock(new Date('2026-11-26T09:00:00Z'));
const event = (type: string, data: Record<string, string> = {}): NewEvent => ({
  id: randomUUID(),
  type,
  data,
  metadata: { correlationId: 'c', causationId: null, actor: { id: 'test', role: 'system' }, occurredAt: clock.now().toISOString(), schemaVersion: 1 },
});

describe.each([
  ['SQLite', openThrowawaySqlite],
  ['PostgreSQL', openThrowawayPostgres],
])('WorkflowRunner and DeadlineService (%s + real Redis)', (_engine, open: (o: { label: string; migrate: Record<string, never> }) => Promise<ThrowawayReadModelDb>) => {
  let throwaway: ThrowawayReadModelDb;
  let db: ReadModelDb;
  let store: SqliteEventStore;
  let redis: Redis;
  let workerRedis: Redis;
  let prefix: string;
  let timers: TimerService;
  let workflow: TestWorkflow;
  let runner: WorkflowRunner<{ loads: number }, Command>;
  let deadlines: DeadlineService;

  beforeEach(async () => {
    clock.set(new Date('2026-11-26T09:00:00Z'));
    throwaway = await open({ label: 'workflow', migrate: {} });
    db = throwaway.db;
    await db.migrate(workflowMigrations);
    store = new SqliteEventStore({ file: join(dir, `${randomUUID()}-events.sqlite`) });
    redis = createBullConnection(TEST_REDIS_URL);
    workerRedis = createBullConnection(TEST_REDIS_URL);
    prefix = uniqueRedisPrefix('wf');
    timers = new TimerService(redis, prefix, clock, silentLogger);
    workflow = new TestWorkflow();
    runner = new WorkflowRunner<{ loads: number }, Command>(workflow, { db, types: new EventTypeMap(), clock, logger: silentLogger });
    deadlines = new DeadlineService(db, timers, new Map([['test', runner as WorkflowRunner]]), clock, silentLogger, 60_000);
    runner.delivery = deadlines;
  });

  afterEach(async () => {
    await runner.delivered();
    await timers.close();
    await dropPrefix(redis, prefix);
    redis.disconnect();
    workerRedis.disconnect();
    await store.close();
    await throwaway.dispose();
  });

  const rows = () => (db.kysely as Kysely<WorkflowTables>).selectFrom('wf_deadlines').selectAll().orderBy('id').execute();
  const append = async (stream: string, ...events: NewEvent[]) => {
    await store.appendToStream(stream, events, { expectedRevision: 'any' });
    return store.readStream(stream);
  };

  it('writes a scheduled deadline and the checkpoint in one transaction, then hands it to BullMQ', async () => {
    const recorded = await append('acct-1', event('test.Opened', { dueOn: '2026-12-04' }));
    await runner.handleBatch(recorded, (recorded[0] as RecordedEvent).position);
    await runner.delivered();
    expect(await rows()).toEqual([
      expect.objectContaining({ id: 'acct.1.reminder', workflow: 'test', kind: 'test.reminder', delivery: 'timer', due_on: '2026-12-04', due_at: '2026-12-03T23:00:00.000Z', status: 'pending', cause: (recorded[0] as RecordedEvent).id }),
    ]);
    expect(await readCheckpoint(db.kysely, 'workflow-test')).toBe((recorded[0] as RecordedEvent).position);
    expect(await timers.pendingJobIds()).toEqual(['acct.1.reminder']);
  });

  it('a cancel later in the same batch wins; the job never lingers', async () => {
    const recorded = await append('acct-2', event('test.Opened', { dueOn: '2026-12-04' }), event('test.Closed'));
    await runner.handleBatch(recorded, (recorded[1] as RecordedEvent).position);
    await runner.delivered();
    expect((await rows()).map((r) => [r.id, r.status])).toEqual([]);
    expect(await timers.pendingJobIds()).toEqual([]);
  });

  it('cancels a pending deadline from a later event: the row stays as history', async () => {
    const opened = await append('acct-3', event('test.Opened', { dueOn: '2026-12-04' }));
    await runner.handleBatch(opened, (opened[0] as RecordedEvent).position);
    const closed = (await append('acct-3', event('test.Closed'))).slice(1);
    await runner.handleBatch(closed, (closed[0] as RecordedEvent).position);
    await runner.delivered();
    expect((await rows()).map((r) => [r.id, r.status, r.cause])).toEqual([['acct.3.reminder', 'cancelled', (closed[0] as RecordedEvent).id]]);
    expect(await timers.pendingJobIds()).toEqual([]);
  });

  it('counts what it ignored, with the reason, for operators', async () => {
    const recorded = await append('acct-4', event('test.Noise'), event('test.Noise'));
    await runner.handleBatch(recorded, (recorded[1] as RecordedEvent).position);
    const overview = await deadlines.overview(10);
    expect(overview.ignored).toEqual([{ workflow: 'test', reason: 'nothing to do for test.Noise', count: 2, lastInputType: 'test.Noise', lastAt: clock.now().toISOString() }]);
  });

  it('loads state once per input and dispatches a repeated command once per batch', async () => {
    const recorded = await append('acct-5', event('test.Opened', { dueOn: '2026-11-20' }));
    await runner.handleBatch(recorded, (recorded[0] as RecordedEvent).position);
    expect(workflow.loads).toBe(1);
    // Firing: due (the injected clock is past the due day), so the command goes out once.
    expect(await runner.fire('acct.5.reminder')).toBe('fired');
    expect(workflow.sent.map((s) => s.command)).toEqual([{ type: 'Remind', id: '5' }]);
    expect((workflow.sent[0] as { causation: Causation }).causation.id).toBe('workflow-test:deadline:acct.5.reminder:2026-11-19T23:00:00.000Z');
    // A second firing (a BullMQ retry, a sweep) finds nothing pending: nothing is sent again.
    expect(await runner.fire('acct.5.reminder')).toBe('not-pending');
    expect(workflow.sent).toHaveLength(1);
    expect((await rows()).map((r) => r.status)).toEqual(['fired']);
  });

  it('does not fire before the due time by the injected clock', async () => {
    const recorded = await append('acct-6', event('test.Opened', { dueOn: '2026-12-24' }));
    await runner.handleBatch(recorded, (recorded[0] as RecordedEvent).position);
    expect(await runner.fire('acct.6.reminder')).toBe('not-due');
    expect(workflow.sent).toEqual([]);
  });

  it('the sweep puts back every timer job after Redis lost its keys, and removes jobs whose deadline was cancelled meanwhile', async () => {
    const a = await append('acct-7', event('test.Opened', { dueOn: '2026-12-04' }));
    const b = await append('acct-8', event('test.Opened', { dueOn: '2026-12-05' }));
    await runner.handleBatch([...a, ...b], (b[0] as RecordedEvent).position);
    await runner.delivered();
    await dropPrefix(redis, prefix); // Redis lost everything while the worker ran
    expect(await timers.pendingJobIds()).toEqual([]);
    expect((await deadlines.sweep()).timers.scheduled).toBe(2);
    expect((await timers.pendingJobIds()).sort()).toEqual(['acct.7.reminder', 'acct.8.reminder']);
    expect((await deadlines.sweep()).timers.unchanged).toBe(2);
    // A job whose row was cancelled while BullMQ was not told (Redis was away) is an orphan.
    await (db.kysely as Kysely<WorkflowTables>).updateTable('wf_deadlines').set({ status: 'cancelled' }).where('id', '=', 'acct.8.reminder').execute();
    expect((await deadlines.sweep()).orphansRemoved).toBe(1);
    expect(await timers.pendingJobIds()).toEqual(['acct.7.reminder']);
  });

  it('delivers sheet deadlines from the table at the sweep, never as Redis jobs', async () => {
    const recorded = await append('acct-9', event('test.Watch'));
    await runner.handleBatch(recorded, (recorded[0] as RecordedEvent).position);
    await runner.delivered();
    expect(await timers.pendingJobIds()).toEqual([]);
    expect((await deadlines.sweep()).sheetFired).toBe(1);
    expect(workflow.sent.map((s) => s.command)).toEqual([{ type: 'Remind', id: '9' }]);
    expect((await deadlines.sweep()).sheetFired).toBe(0);
  });

  it('a BullMQ job fires the deadline through the runner', async () => {
    timers.startWorker((d) => deadlines.fire(d.id, String(d.command.payload['workflow'])), workerRedis);
    const recorded = await append('acct-10', event('test.Opened', { dueOn: '2026-11-26' }));
    await runner.handleBatch(recorded, (recorded[0] as RecordedEvent).position);
    await runner.delivered();
    const until = Date.now() + 10_000;
    while (workflow.sent.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
    expect(workflow.sent.map((s) => s.command)).toEqual([{ type: 'Remind', id: '10' }]);
    expect((await rows()).map((r) => r.status)).toEqual(['fired']);
  });
  it('writes a batch of many deadline changes in a few multi-row statements: schedules, moves and cancels, each row with its own cause', async () => {
    const streams = Array.from({ length: 1200 }, (_, i) => `acct-m${i}`);
    // What BullMQ would be told, in order (BullMQ itself is exercised by the other tests).
    const told = new Map<string, string>();
    runner.delivery = { schedule: async (d) => told.set(d.id, 'scheduled'), cancel: async (id) => told.set(id, 'cancelled') };
    await store.appendToStreams(streams.map((s) => ({ streamName: s, events: [event('test.Opened', { dueOn: '2026-12-04' })], expectedRevision: 'any' })));
    const opened = await store.readAll();
    await runner.handleBatch(opened, (opened[opened.length - 1] as RecordedEvent).position);
    // The next batch moves the first 600 (a later due day) and closes the other 600.
    await store.appendToStreams(streams.map((s, i) => ({ streamName: s, events: [i < 600 ? event('test.Opened', { dueOn: '2026-12-11' }) : event('test.Closed')], expectedRevision: 'any' })));
    const next = await store.readAll({ after: (opened[opened.length - 1] as RecordedEvent).position });
    await runner.handleBatch(next, (next[next.length - 1] as RecordedEvent).position);
    await runner.delivered();
    const all = await rows();
    expect(all).toHaveLength(1200);
    const byId = new Map(all.map((r) => [r.id, r]));
    const causeOf = new Map(next.map((e) => [e.streamName, e.id]));
    expect(byId.get('acct.m0.reminder')).toEqual(expect.objectContaining({ status: 'pending', due_on: '2026-12-11', cause: causeOf.get('acct-m0') }));
    expect(byId.get('acct.m599.reminder')).toEqual(expect.objectContaining({ status: 'pending', due_on: '2026-12-11', cause: causeOf.get('acct-m599') }));
    expect(byId.get('acct.m600.reminder')).toEqual(expect.objectContaining({ status: 'cancelled', due_on: '2026-12-04', cause: causeOf.get('acct-m600') }));
    expect(byId.get('acct.m1199.reminder')).toEqual(expect.objectContaining({ status: 'cancelled', cause: causeOf.get('acct-m1199') }));
    expect(all.filter((r) => r.status === 'pending')).toHaveLength(600);
    expect(await readCheckpoint(db.kysely, 'workflow-test')).toBe((next[next.length - 1] as RecordedEvent).position);
    expect([...told.entries()].filter(([, what]) => what === 'scheduled').map(([id]) => id).sort()).toEqual(streams.slice(0, 600).map((s) => `acct.${s.slice('acct-'.length)}.reminder`).sort());
    expect([...told.values()].filter((what) => what === 'cancelled')).toHaveLength(600);
  }, 30_000);

  it('a cancel of a deadline that is not pending changes no row (a fired one stays fired) and asks nothing of BullMQ', async () => {
    const opened = await append('acct-11', event('test.Opened', { dueOn: '2026-11-20' }));
    await runner.handleBatch(opened, (opened[0] as RecordedEvent).position);
    expect(await runner.fire('acct.11.reminder')).toBe('fired');
    await runner.delivered();
    const before = await rows();
    const cancelled: string[] = [];
    runner.delivery = { schedule: (d) => deadlines.schedule(d), cancel: async (id) => cancelled.push(id) };
    const paid = (await append('acct-11', event('test.Paid'))).slice(1);
    const nothing = await append('acct-12', event('test.Paid'));
    await runner.handleBatch([...paid, ...nothing], (nothing[0] as RecordedEvent).position);
    await runner.delivered();
    expect(await rows()).toEqual(before);
    expect(cancelled).toEqual([]);
    expect(await readCheckpoint(db.kysely, 'workflow-test')).toBe((nothing[0] as RecordedEvent).position);
  });

  it('a cancel of a pending timer deadline reaches BullMQ; of a pending sheet deadline only the table', async () => {
    const watched = await append('acct-13', event('test.Opened', { dueOn: '2026-12-04' }), event('test.Watch'));
    await runner.handleBatch(watched, (watched[1] as RecordedEvent).position);
    await runner.delivered();
    const cancelled: string[] = [];
    runner.delivery = { schedule: (d) => deadlines.schedule(d), cancel: async (id) => cancelled.push(id) };
    const paid = (await append('acct-13', event('test.Paid'))).slice(2);
    await runner.handleBatch(paid, (paid[0] as RecordedEvent).position);
    await runner.delivered();
    expect((await rows()).map((r) => [r.id, r.status])).toEqual([
      ['acct.13.reminder', 'cancelled'],
      ['acct.13.sheet-check', 'cancelled'],
    ]);
    expect(cancelled).toEqual(['acct.13.reminder']);
  });

  it('counts ignored reasons across batches in one row per reason', async () => {
    const a = await append('acct-14', event('test.Noise'), event('test.Other'));
    await runner.handleBatch(a, (a[1] as RecordedEvent).position);
    const b = (await append('acct-14', event('test.Noise'))).slice(2);
    await runner.handleBatch(b, (b[0] as RecordedEvent).position);
    const ignoredRows = await (db.kysely as Kysely<WorkflowTables>).selectFrom('wf_ignored').select(['reason', 'count', 'last_input_id']).orderBy('reason').execute();
    expect(ignoredRows.map((r) => ({ ...r, count: Number(r.count) }))).toEqual([
      { reason: 'nothing to do for test.Noise', count: 2, last_input_id: (b[0] as RecordedEvent).id },
      { reason: 'nothing to do for test.Other', count: 1, last_input_id: (a[1] as RecordedEvent).id },
    ]);
  });
});
