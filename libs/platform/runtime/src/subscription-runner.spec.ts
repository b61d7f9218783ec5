import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixedClock } from '@evp/shared-kernel';
import { EventStoreUnavailableError, SqliteEventStore, type NewEvent, type RecordedEvent, type Subscription } from '@evp/event-store';
import { ReadModelDb } from '@evp/read-models';
import { SqlCheckpointStore } from './projections/projection-host';
import { SubscriptionRunner, type EventProcessor } from './subscription-runner';
import { silentLogger } from './testing';

const dir = mkdtempSync(join(tmpdir(), 'evp-runner-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const clock = new FixedClock(new Date('2026-11-26T09:00:00Z'));
const event = (n: number): NewEvent => ({
  id: randomUUID(),
  type: 'test.Numbered',
  data: { n },
  metadata: { correlationId: 'c', causationId: null, actor: { id: 'test', role: 'system' }, occurredAt: clock.now().toISOString(), schemaVersion: 1 },
});

class Recorder implements EventProcessor {
  readonly filter = { streamPrefixes: ['acct-'] };
  seen: RecordedEvent[] = [];
  failOn: (e: RecordedEvent) => boolean = () => false;
  constructor(readonly name: string) {}
  async handle(e: RecordedEvent): Promise<void> {
    if (this.failOn(e)) throw new Error(`cannot handle n=${e.data['n']}`);
    this.seen.push(e);
  }
  async reset(): Promise<void> {
    this.seen = [];
  }
}

const databases: ReadModelDb[] = [];
afterAll(async () => {
  for (const db of databases) await db.close();
});

async function setup(name = `sub${randomUUID().slice(0, 6)}`) {
  const store = new SqliteEventStore({ file: join(dir, `${randomUUID()}.sqlite`), pollIntervalMs: 10 });
  const db = await ReadModelDb.open({ kind: 'sqlite', file: join(dir, `${randomUUID()}-rm.sqlite`) });
  await db.migrate();
  databases.push(db);
  const checkpoints = new SqlCheckpointStore(db);
  const processor = new Recorder(name);
  const runner = () => new SubscriptionRunner(processor, { store, checkpoints, clock, logger: silentLogger, maxAttempts: 2, retryDelayMs: 1, checkpointEvery: 3, checkpointIntervalMs: 20 });
  return { store, checkpoints, processor, runner };
}

describe('SubscriptionRunner', () => {
  it('checkpoints only what the handler finished, and resumes from the checkpoint after a restart', async () => {
    const { store, checkpoints, processor, runner } = await setup();
    for (let n = 0; n < 5; n++) await store.appendToStream('acct-a', [event(n)], { expectedRevision: 'any' });
    const first = runner();
    await first.start();
    await first.waitFor(() => processor.seen.length === 5);
    await first.stop();
    const checkpoint = await checkpoints.load(processor.name);
    expect(checkpoint).toBe(processor.seen[4]?.position);

    for (let n = 5; n < 8; n++) await store.appendToStream('acct-a', [event(n)], { expectedRevision: 'any' });
    const second = runner();
    await second.start();
    await second.waitFor(() => processor.seen.length === 8);
    await second.stop();
    expect(processor.seen.map((e) => e.data['n'])).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    await store.close();
  });

  it('retries an infrastructure failure for as long as it lasts, never parking the event, and says so in its status', async () => {
    const { store, processor, runner } = await setup();
    let outage = true;
    processor.failOn = () => outage;
    const transient = processor.handle.bind(processor);
    processor.handle = async (e) => {
      if (outage) throw new EventStoreUnavailableError('database is locked');
      return transient(e);
    };
    await store.appendToStream('acct-a', [event(0), event(1)], { expectedRevision: 'any' });
    const r = runner();
    await r.start();
    await r.waitFor(() => r.status().state === 'retrying');
    expect(r.status().lastError).toMatch(/database is locked/);
    await new Promise((resolve) => setTimeout(resolve, 100)); // many more attempts than maxAttempts (2)
    expect(r.status().parked).toEqual([]);
    outage = false;
    await r.waitFor(() => processor.seen.length === 2);
    expect(r.status()).toMatchObject({ state: 'running', lastError: null, parked: [] });
    await r.stop();
    await store.close();
  });

  it('a dependency that is down makes any error transient: the probe is asked before an event is parked', async () => {
    const { store, processor, checkpoints } = await setup();
    let down = true;
    processor.failOn = () => down;
    const r = new SubscriptionRunner(processor, {
      store,
      checkpoints,
      clock,
      logger: silentLogger,
      maxAttempts: 1,
      retryDelayMs: 1,
      probeDependencies: async () => (down ? 'redis: Connection is closed.' : null),
    });
    await store.appendToStream('acct-a', [event(0)], { expectedRevision: 'any' });
    await r.start();
    await r.waitFor(() => r.status().state === 'retrying');
    expect(r.status().parked).toEqual([]);
    down = false;
    await r.waitFor(() => processor.seen.length === 1);
    expect(r.status().parked).toEqual([]);
    await r.stop();
    await store.close();
  });

  it('restarts a subscription that failed, from where handling got to, without gaps or duplicates', async () => {
    const { store, processor, runner } = await setup();
    for (let n = 0; n < 3; n++) await store.appendToStream('acct-a', [event(n)], { expectedRevision: 'any' });
    let failures = 1;
    const subscribe = store.subscribeToAll.bind(store);
    // The first subscription breaks after two events, as a dropped connection would.
    store.subscribeToAll = (options) => {
      const inner = subscribe(options);
      if (failures-- <= 0) return inner;
      return {
        stop: () => inner.stop(),
        async *[Symbol.asyncIterator]() {
          let delivered = 0;
          for await (const e of inner) {
            if (delivered++ === 2) throw new Error('stream dropped');
            yield e;
          }
        },
      } satisfies Subscription;
    };
    const r = runner();
    await r.start();
    await store.appendToStream('acct-a', [event(3)], { expectedRevision: 'any' });
    await r.waitFor(() => processor.seen.length === 4);
    expect(processor.seen.map((e) => e.data['n'])).toEqual([0, 1, 2, 3]);
    expect(r.status()).toMatchObject({ state: 'running', restarts: 1 });
    await r.stop();
    await store.close();
  });

  it('parks a poison event with its error, holds later events of its stream, lets other streams flow, and releases on retry', async () => {
    const { store, processor, runner } = await setup();
    let broken = true;
    processor.failOn = (e) => broken && e.data['n'] === 1;
    await store.appendToStream('acct-a', [event(0), event(1), event(2)], { expectedRevision: 'any' });
    await store.appendToStream('acct-b', [event(10), event(11)], { expectedRevision: 'any' });
    const r = runner();
    await r.start();
    await r.waitFor(() => processor.seen.length === 3);
    expect(processor.seen.map((e) => `${e.streamName}:${e.data['n']}`)).toEqual(['acct-a:0', 'acct-b:10', 'acct-b:11']);
    const parked = r.status().parked;
    expect(parked.map((p) => [p.streamName, p.revision, p.reason])).toEqual([
      ['acct-a', 1, 'parked'],
      ['acct-a', 2, 'held'],
    ]);
    expect(parked[0]?.error).toBe('Error: cannot handle n=1');
    expect(parked[0]?.attempts).toBe(2);

    // Parking survives a restart: the stream stays blocked, a new event of it is held too.
    await r.stop();
    await store.appendToStream('acct-a', [event(3)], { expectedRevision: 'any' });
    const again = runner();
    await again.start();
    await again.waitFor(() => again.status().parked.length === 3);
    expect(processor.seen).toHaveLength(3);

    // A retry that fails again keeps everything parked.
    expect((await again.retryParked('acct-a')).released).toBe(false);
    expect(again.status().parked).toHaveLength(3);

    broken = false;
    const outcome = await again.retryParked('acct-a');
    expect(outcome.released).toBe(true);
    expect(processor.seen.filter((e) => e.streamName === 'acct-a').map((e) => e.data['n'])).toEqual([0, 1, 2, 3]);
    await store.appendToStream('acct-a', [event(4)], { expectedRevision: 'any' });
    await again.waitFor(() => processor.seen.length === 7);
    expect(again.status().parked).toEqual([]);
    await again.stop();

    // And the release is durable.
    const third = runner();
    await third.start();
    expect(third.status().parked).toEqual([]);
    await third.stop();
    await store.close();
  });

  it('hands pages of events to handleBatch, and falls back to one by one to park a poison event', async () => {
    const { store, processor, runner } = await setup();
    const batches: number[] = [];
    (processor as Recorder & { handleBatch?: (events: readonly RecordedEvent[]) => Promise<void> }).handleBatch = async (events) => {
      if (events.some((e) => processor.failOn(e))) throw new Error('poison in batch');
      batches.push(events.length);
      processor.seen.push(...events);
    };
    processor.failOn = (e) => e.data['n'] === 13;
    const events = Array.from({ length: 40 }, (_, n) => event(n));
    await store.appendToStream('acct-a', events.slice(0, 20), { expectedRevision: 'any' });
    await store.appendToStream('acct-b', events.slice(20), { expectedRevision: 'any' });
    const r = runner();
    await r.start();
    await r.waitFor(() => processor.seen.length === 20 + 13);
    expect(batches.some((size) => size > 1)).toBe(true);
    expect(processor.seen.filter((e) => e.streamName === 'acct-b')).toHaveLength(20);
    expect(r.status().parked.map((p) => [p.revision, p.reason])).toEqual([[13, 'parked'], ...Array.from({ length: 6 }, (_, i) => [14 + i, 'held'])]);
    await r.stop();
    await store.close();
  });

  it('a processor with gatherMs lets events that trickle in after an idle spell gather into one batch; one without handles each at once', async () => {
    const { store, checkpoints } = await setup();
    const batchesOf = (p: Recorder) => {
      const sizes: number[] = [];
      (p as Recorder & { handleBatch?: (events: readonly RecordedEvent[]) => Promise<void> }).handleBatch = async (events) => {
        sizes.push(events.length);
        p.seen.push(...events);
      };
      const handle = p.handle.bind(p);
      p.handle = async (e) => {
        sizes.push(1);
        return handle(e);
      };
      return sizes;
    };
    const gathering = Object.assign(new Recorder('gathering'), { gatherMs: 1_000 });
    const eager = new Recorder('eager');
    const gathered = batchesOf(gathering);
    const eagerSizes = batchesOf(eager);
    const runners = [gathering, eager].map((p) => new SubscriptionRunner(p, { store, checkpoints, clock, logger: silentLogger }));
    for (const r of runners) await r.start();
    // Three appends, each after the eager processor handled the one before: well inside the
    // second the gathering processor waits.
    for (let n = 0; n < 3; n++) {
      await store.appendToStream('acct-g', [event(n)], { expectedRevision: 'any' });
      await (runners[1] as SubscriptionRunner).waitFor(() => eager.seen.length === n + 1);
    }
    // The eager one had each as it came; the gathering one has not started yet.
    expect(eagerSizes).toEqual([1, 1, 1]);
    expect(gathering.seen).toHaveLength(0);
    await (runners[0] as SubscriptionRunner).waitFor(() => gathering.seen.length === 3);
    expect(gathered).toEqual([3]);
    expect(gathering.seen.map((e) => e.data['n'])).toEqual([0, 1, 2]);
    for (const r of runners) await r.stop();
    await store.close();
  });
});
