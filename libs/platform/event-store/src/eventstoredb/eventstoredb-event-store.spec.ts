import {
  AccessDeniedError,
  CancelledError,
  DeadlineExceededError,
  NotLeaderError,
  UnavailableError,
  UnknownError,
  type Position,
} from '@eventstore/db-client';
import { describeEventStoreContract, describeImportContract, testEvent } from '../contract';
import { EventStoreUnavailableError, EventTooLargeError, WrongExpectedRevisionError } from '../errors';
import type { RecordedEvent } from '../port';
import { EventStoreDbEventStore, checkEventStoreConnectionString, type ResubscribeInfo } from './eventstoredb-event-store';
import { InMemoryEsdbClient } from './in-memory-esdb-client';

const connectionString = process.env['EVENTSTORE_CONNECTION_STRING'];
const server = {
  create: async () => new EventStoreDbEventStore({ connectionString: connectionString as string }),
  ...(connectionString
    ? {}
    : { skipReason: 'EVENTSTORE_CONNECTION_STRING is not set (no EventStoreDB server here; start infra/docker-compose.yml and set it to run this suite)' }),
};

// The real thing, wherever a server is configured.
describeEventStoreContract('eventstoredb', server);
describeImportContract('eventstoredb', server, { viaImportStream: true });

// The adapter's own logic (expected revisions, idempotency, positions, filters, resubscription)
// against an in-memory model of the server behind the client seam: runs everywhere, proves the
// adapter against the model, not the model against the server.
const fake = { create: async () => new EventStoreDbEventStore({ client: new InMemoryEsdbClient(), resubscribe: { initialDelayMs: 1, maxDelayMs: 5 } }) };
describeEventStoreContract('eventstoredb adapter over an in-memory client', fake);
describeImportContract('eventstoredb adapter over an in-memory client', fake, { viaImportStream: true });

async function take(iterator: AsyncIterator<RecordedEvent>, count: number, timeoutMs = 5_000): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < count) {
    let timer: NodeJS.Timeout | undefined;
    const next = await Promise.race([
      iterator.next(),
      new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now())))),
    ]);
    clearTimeout(timer);
    if (next === 'timeout') throw new Error(`Subscription delivered ${out.length} of ${count} events within ${timeoutMs} ms`);
    if (next.done) break;
    out.push(next.value);
  }
  return out;
}

const decode = (position: string): Position => {
  const [commit, prepare] = position.split('/');
  return { commit: BigInt(commit as string), prepare: BigInt(prepare as string) };
};

function setup(extra: { onResubscribe?: (info: ResubscribeInfo) => void; maxAppendBytes?: number } = {}) {
  const client = new InMemoryEsdbClient();
  const store = new EventStoreDbEventStore({ client, resubscribe: { initialDelayMs: 1, maxDelayMs: 5 }, ...extra });
  return { client, store };
}

const notLeader = () => Object.assign(Object.create(NotLeaderError.prototype) as NotLeaderError, { type: 'not-leader', message: 'Not leader', leader: { address: 'b', port: 2113 } });

describe('EventStoreDB adapter: a dropped subscription resubscribes from its last delivered event', () => {
  it('continues after the last delivered event with no duplicate and no gap when the stream drops mid-way', async () => {
    const resubscribed: ResubscribeInfo[] = [];
    const { client, store } = setup({ onResubscribe: (info) => resubscribed.push(info) });
    for (let i = 0; i < 6; i++) await store.appendToStream(`drop-${i % 2}`, [testEvent('test.Seq', { i })], { expectedRevision: 'any' });
    // Three events in one append share a commit position: the order within it is the prepare position.
    await store.appendToStream('drop-2', [6, 7, 8].map((i) => testEvent('test.Seq', { i })), { expectedRevision: 'any' });
    await store.appendToStream('other-1', [testEvent('test.Noise')], { expectedRevision: 'any' });

    const subscription = store.subscribeToAll({ filter: { streamPrefixes: ['drop-'] } });
    const iterator = subscription[Symbol.asyncIterator]();
    const before = await take(iterator, 7); // stops inside the three-event append
    client.dropSubscriptions();
    for (let i = 9; i < 12; i++) await store.appendToStream('drop-3', [testEvent('test.Seq', { i })], { expectedRevision: 'any' });
    const after = await take(iterator, 5);
    await subscription.stop();

    const received = [...before, ...after].map((e) => e.data['i']);
    expect(received).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(client.calls.subscribeToAll).toHaveLength(2);
    // Resubscribed exactly after the seventh event, with the same server-side filter.
    expect(client.calls.subscribeToAll[1]?.fromPosition).toEqual(decode(before[6]?.position as string));
    expect(client.calls.subscribeToAll[1]?.filter).toEqual(client.calls.subscribeToAll[0]?.filter);
    expect(resubscribed).toHaveLength(1);
    expect(resubscribed[0]).toMatchObject({ attempt: 1, resumeAfter: before[6]?.position });
    expect(resubscribed[0]?.error).toBeInstanceOf(UnavailableError);
  });

  it('resubscribes from the checkpoint it was given when the stream drops before the first event', async () => {
    const { client, store } = setup();
    const events = [0, 1, 2, 3].map((i) => testEvent('test.Seq', { i }));
    for (const e of events) await store.appendToStream('ckpt-1', [e], { expectedRevision: 'any' });
    const [, second] = await store.readAll({ filter: { streamPrefixes: ['ckpt-'] } });
    client.failNext('subscribeToAll', new UnavailableError(undefined, '14 UNAVAILABLE: connect ECONNREFUSED'));
    const subscription = store.subscribeToAll({ after: second?.position as string, filter: { streamPrefixes: ['ckpt-'] } });
    const received = await take(subscription[Symbol.asyncIterator](), 2);
    await subscription.stop();
    expect(received.map((e) => e.data['i'])).toEqual([2, 3]);
    expect(client.calls.subscribeToAll.map((c) => c.fromPosition)).toEqual([decode(second?.position as string), decode(second?.position as string)]);
  });

  it('survives a server that stays down for a while, a leader change, a server cancel, a reset stream, a stream the server just ended and a cluster nobody answers for', async () => {
    const resubscribed: ResubscribeInfo[] = [];
    const { client, store } = setup({ onResubscribe: (info) => resubscribed.push(info) });
    const subscription = store.subscribeToAll({ filter: { streamPrefixes: ['flaky-'] } });
    const iterator = subscription[Symbol.asyncIterator]();
    const expected: number[] = [];
    const failures = [
      () => client.dropSubscriptions(notLeader()),
      () => client.dropSubscriptions(new CancelledError(undefined, '1 CANCELLED: server shutting down')),
      () => client.dropSubscriptions(new UnknownError(undefined, '13 INTERNAL: Received RST_STREAM with code 2')),
      () => client.dropSubscriptions(new DeadlineExceededError(undefined, '4 DEADLINE_EXCEEDED')),
      () => client.endSubscriptions(),
      () => client.dropSubscriptions(new Error('Failed to discover after 10 attempts.')),
      () => {
        client.dropSubscriptions();
        for (let k = 0; k < 3; k++) client.failNext('subscribeToAll', new UnavailableError(undefined, '14 UNAVAILABLE: still restarting'));
      },
    ];
    const received: RecordedEvent[] = [];
    for (let round = 0; round < failures.length; round++) {
      for (let k = 0; k < 2; k++) {
        const i = round * 2 + k;
        expected.push(i);
        await store.appendToStream(`flaky-${k}`, [testEvent('test.Seq', { i })], { expectedRevision: 'any' });
      }
      received.push(...(await take(iterator, 1)));
      failures[round]?.();
      received.push(...(await take(iterator, 1)));
    }
    await subscription.stop();
    expect(received.map((e) => e.data['i'])).toEqual(expected);
    expect(resubscribed.length).toBe(failures.length + 3);
    // Three failed attempts in a row while the server stayed down: the backoff counts them.
    expect(resubscribed.map((r) => r.attempt).slice(-4)).toEqual([1, 2, 3, 4]);
  });

  it('hands an error that retrying cannot fix (access denied) to the iterating caller, and does not resubscribe', async () => {
    const { client, store } = setup();
    await store.appendToStream('denied-1', [testEvent()], { expectedRevision: 'any' });
    const subscription = store.subscribeToAll();
    const iterator = subscription[Symbol.asyncIterator]();
    await take(iterator, 1);
    const denied = new AccessDeniedError(undefined, '7 PERMISSION_DENIED: Access denied');
    client.dropSubscriptions(denied);
    await expect(iterator.next()).rejects.toBe(denied);
    expect(client.calls.subscribeToAll).toHaveLength(1);
    await subscription.stop();
  });

  it('stop() ends the iteration, also while it waits to resubscribe', async () => {
    const client = new InMemoryEsdbClient();
    const store = new EventStoreDbEventStore({ client, resubscribe: { initialDelayMs: 60_000, maxDelayMs: 60_000 } });
    const subscription = store.subscribeToAll();
    const iterator = subscription[Symbol.asyncIterator]();
    const pending = iterator.next();
    await new Promise((r) => setTimeout(r, 20));
    client.dropSubscriptions();
    await new Promise((r) => setTimeout(r, 20));
    const started = Date.now();
    await subscription.stop();
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(client.liveSubscriptions).toBe(0);
    await store.close();
  });

  it('never delivers events of system streams, whatever the server sends', async () => {
    const { client, store } = setup();
    const subscription = store.subscribeToAll();
    const iterator = subscription[Symbol.asyncIterator]();
    client.appendSystemEvent();
    await store.appendToStream('user-1', [testEvent()], { expectedRevision: 'any' });
    const [first] = await take(iterator, 1);
    expect(first?.streamName).toBe('user-1');
    expect(client.calls.subscribeToAll[0]?.filter).toMatchObject({ filterOn: 'streamName', regex: '^[^$]' });
    await subscription.stop();
  });
});

describe('EventStoreDB adapter: reads of $all are filtered by the server', () => {
  it('readAll sends the stream prefixes to the server (and "no system streams" without them), asking for one more event after a position', async () => {
    const { client, store } = setup();
    await store.appendToStream('wanted-1', [testEvent(), testEvent()], { expectedRevision: 'any' });
    client.appendSystemEvent();
    await store.appendToStream('unwanted-1', [testEvent()], { expectedRevision: 'any' });
    const [first] = await store.readAll({ filter: { streamPrefixes: ['wanted-'] } });
    expect(client.calls.readAll[0]).toMatchObject({ direction: 'forwards', fromPosition: 'start', filter: { filterOn: 'streamName', prefixes: ['wanted-'] } });
    const next = await store.readAll({ after: first?.position as string, maxCount: 1, filter: { streamPrefixes: ['wanted-'] } });
    expect(next).toHaveLength(1);
    expect(client.calls.readAll[1]).toMatchObject({ maxCount: 2, fromPosition: decode(first?.position as string) });
    const all = await store.readAll();
    expect(all.map((e) => e.streamName)).toEqual(['wanted-1', 'wanted-1', 'unwanted-1']);
    expect(client.calls.readAll[2]?.filter).toMatchObject({ filterOn: 'streamName', regex: '^[^$]' });
  });

  it('headPosition is one backwards read of one event, filtered by the server, even with system events at the tail', async () => {
    const { client, store } = setup();
    expect(await store.headPosition()).toBeUndefined();
    await store.appendToStream('head-1', [testEvent(), testEvent()], { expectedRevision: 'any' });
    for (let i = 0; i < 100; i++) client.appendSystemEvent();
    const [, last] = await store.readStream('head-1');
    client.calls.readAll.length = 0;
    expect(await store.headPosition()).toBe(last?.position);
    expect(client.calls.readAll).toEqual([{ direction: 'backwards', fromPosition: 'end', maxCount: 1, filter: expect.objectContaining({ regex: '^[^$]' }) }]);
  });
});

describe('EventStoreDB adapter: checkpoint and parked streams are bounded with $maxCount', () => {
  it('sets $maxCount 5 on a checkpoint stream once, before its first append, and keeps only the last five readable', async () => {
    const { client, store } = setup();
    for (let i = 0; i < 8; i++) await store.appendToStream('checkpoint-cases', [testEvent('platform.CheckpointStored', { i })], { expectedRevision: 'any' });
    expect(client.metadataOf('checkpoint-cases')).toEqual({ $maxCount: 5 });
    expect(client.calls.appendToStream.filter((c) => c.streamName === '$$checkpoint-cases')).toHaveLength(1);
    expect(client.calls.appendToStream.findIndex((c) => c.streamName === '$$checkpoint-cases')).toBe(0);
    expect((await store.readStream('checkpoint-cases')).map((e) => e.data['i'])).toEqual([3, 4, 5, 6, 7]);
    // The metadata event is in a system stream: no read of the log returns it.
    expect((await store.readAll()).every((e) => !e.streamName.startsWith('$'))).toBe(true);
  });

  it('sets $maxCount 10 000 on a parked stream, keeping metadata an operator set', async () => {
    const { client, store } = setup();
    await client.appendToStream('$$parked-cases', [{ id: '3f1c2b9a-0000-4000-8000-000000000001', contentType: 'application/json', type: '$metadata', data: { $acl: { $r: 'ops' } }, metadata: undefined }], {
      expectedRevision: 'no_stream',
    });
    await store.appendToStream('parked-cases', [testEvent('platform.EventParked')], { expectedRevision: 'any' });
    expect(client.metadataOf('parked-cases')).toEqual({ $acl: { $r: 'ops' }, $maxCount: 10_000 });
  });

  it('another process finds the bound set and writes no metadata; other streams are left alone', async () => {
    const client = new InMemoryEsdbClient();
    const first = new EventStoreDbEventStore({ client });
    await first.appendToStream('checkpoint-sagas', [testEvent()], { expectedRevision: 'any' });
    const second = new EventStoreDbEventStore({ client });
    await second.appendToStream('checkpoint-sagas', [testEvent()], { expectedRevision: 'any' });
    await second.appendToStream('tenancy-1', [testEvent()], { expectedRevision: 'any' });
    expect(client.calls.appendToStream.filter((c) => c.streamName.startsWith('$$')).map((c) => c.streamName)).toEqual(['$$checkpoint-sagas']);
  });
});

describe('EventStoreDB adapter: errors in the port terms', () => {
  it.each([
    ['unavailable', () => new UnavailableError(undefined, '14 UNAVAILABLE')],
    ['deadline exceeded', () => new DeadlineExceededError(undefined, '4 DEADLINE_EXCEEDED')],
    ['cancelled by the server', () => new CancelledError(undefined, '1 CANCELLED')],
    ['not the leader', notLeader],
    ['cluster discovery gave up', () => new Error('Failed to discover after 10 attempts.')],
  ])('%s is EventStoreUnavailableError on appends and reads', async (_label, error) => {
    const { client, store } = setup();
    client.failNext('appendToStream', error());
    await expect(store.appendToStream('err-1', [testEvent()], { expectedRevision: 'any' })).rejects.toBeInstanceOf(EventStoreUnavailableError);
    client.failNext('readStream', error());
    await expect(store.readStream('err-1')).rejects.toBeInstanceOf(EventStoreUnavailableError);
    client.failNext('readAll', error());
    await expect(store.headPosition()).rejects.toBeInstanceOf(EventStoreUnavailableError);
  });

  it('access denied is not disguised as unavailable', async () => {
    const { client, store } = setup();
    client.failNext('readStream', new AccessDeniedError(undefined, 'Access denied'));
    await expect(store.readStream('err-1')).rejects.toBeInstanceOf(AccessDeniedError);
  });

  it('an append larger than the server accepts is refused before it is sent', async () => {
    const { client, store } = setup();
    const events = Array.from({ length: 3 }, () => testEvent('test.Big', { blob: 'x'.repeat(400_000) }));
    await expect(store.appendToStream('big-1', events, { expectedRevision: 'any' })).rejects.toBeInstanceOf(EventTooLargeError);
    expect(client.calls.appendToStream).toEqual([]);
  });

  it("the server refusing the size (a smaller MaxAppendSize than configured) is EventTooLargeError", async () => {
    const { client, store } = setup();
    client.maxAppendBytes = 1_000;
    await expect(store.appendToStream('big-2', [testEvent('test.Big', { blob: 'x'.repeat(2_000) })], { expectedRevision: 'any' })).rejects.toBeInstanceOf(EventTooLargeError);
  });

  it('a conflict names the current revision, or "no stream"', async () => {
    const { store } = setup();
    await expect(store.appendToStream('conf-1', [testEvent()], { expectedRevision: 3 })).rejects.toMatchObject({ expected: '3', actual: 'no stream' });
    await store.appendToStream('conf-1', [testEvent()], { expectedRevision: 'no_stream' });
    await expect(store.appendToStream('conf-1', [testEvent()], { expectedRevision: 'no_stream' })).rejects.toMatchObject({ expected: 'no_stream', actual: '0' });
  });

  it('passes stream_exists to the server as it is', async () => {
    const { client, store } = setup();
    await store.appendToStream('exists-1', [testEvent()], { expectedRevision: 'no_stream' });
    await store.appendToStream('exists-1', [testEvent()], { expectedRevision: 'stream_exists' });
    expect(client.calls.appendToStream.map((c) => c.expectedRevision)).toEqual(['no_stream', 'stream_exists']);
  });

  it('an append whose reply was lost is retried as a no-op that says so', async () => {
    const { client, store } = setup();
    const events = [testEvent(), testEvent()];
    client.failNext('appendToStream:afterWrite', new DeadlineExceededError(undefined, '4 DEADLINE_EXCEEDED'));
    await expect(store.appendToStream('lost-1', events, { expectedRevision: 'no_stream' })).rejects.toBeInstanceOf(EventStoreUnavailableError);
    await expect(store.appendToStream('lost-1', events, { expectedRevision: 'no_stream' })).resolves.toEqual({ nextExpectedRevision: 1, alreadyAppended: true });
    expect(await store.readStream('lost-1')).toHaveLength(2);
  });

  it('a conflict that is really our own earlier append is reported as alreadyAppended', async () => {
    const { client, store } = setup();
    const event = testEvent();
    // The pre-check reads before the first attempt lands: simulate the race by writing it behind the adapter's back.
    client.failNext('appendToStream', new UnavailableError(undefined, 'x'));
    await expect(store.appendToStream('race-1', [event], { expectedRevision: 'no_stream' })).rejects.toBeInstanceOf(EventStoreUnavailableError);
    await client.appendToStream('race-1', [{ id: event.id, contentType: 'application/json', type: event.type, data: event.data, metadata: event.metadata as never }], { expectedRevision: 'no_stream' });
    await expect(store.appendToStream('race-1', [event], { expectedRevision: 'no_stream' })).resolves.toEqual({ nextExpectedRevision: 0, alreadyAppended: true });
    await expect(store.appendToStream('race-1', [testEvent()], { expectedRevision: 'no_stream' })).rejects.toBeInstanceOf(WrongExpectedRevisionError);
  });

  it('close() stops subscriptions and disposes the client; later calls fail as unavailable', async () => {
    const { client, store } = setup();
    const subscription = store.subscribeToAll();
    const pending = subscription[Symbol.asyncIterator]().next();
    await new Promise((r) => setTimeout(r, 10));
    await store.close();
    await expect(pending).resolves.toMatchObject({ done: true });
    expect(client.disposed).toBe(true);
    await expect(store.readStream('closed-1')).rejects.toBeInstanceOf(EventStoreUnavailableError);
    await expect(store.appendToStream('closed-1', [testEvent()], { expectedRevision: 'any' })).rejects.toBeInstanceOf(EventStoreUnavailableError);
    await store.close();
  });
});

describe('checkEventStoreConnectionString', () => {
  it.each([
    ['esdb://admin:changeit@esdb.internal:2113', null],
    ['esdb+discover://svc:s3cr%40t@cluster.internal:2113?nodePreference=leader', null],
    ['esdb://esdb.internal:2113?userCertFile=/certs/u.crt&userKeyFile=/certs/u.key&tlsCAFile=/certs/ca.crt', null],
    ['esdb://admin:changeit@esdb.internal:2113?tls=true&tlsVerifyCert=true', null],
  ])('accepts %s in production', (cs, expected) => {
    expect(checkEventStoreConnectionString(cs, true)).toBe(expected);
  });

  it.each([
    ['esdb://admin:changeit@esdb.internal:2113?tls=false', /tls=false/],
    ['esdb://admin:changeit@esdb.internal:2113?TLS=False', /tls=false/],
    ['esdb://admin:changeit@esdb.internal:2113?tlsVerifyCert=false', /tlsVerifyCert=false/],
    ['esdb://admin:changeit@esdb.internal:2113?tls_verify_cert=false', /tlsVerifyCert=false/],
    ['esdb://esdb.internal:2113', /no credentials/],
    ['esdb://esdb.internal:2113?userCertFile=/certs/u.crt', /no credentials/],
    ['http://esdb.internal:2113', /esdb:\/\//],
  ])('refuses %s in production', (cs, reason) => {
    expect(checkEventStoreConnectionString(cs, true)).toMatch(reason);
  });

  it('accepts the local insecure server outside production', () => {
    expect(checkEventStoreConnectionString('esdb://127.0.0.1:2113?tls=false', false)).toBeNull();
    expect(checkEventStoreConnectionString('redis://x', false)).toMatch(/esdb:\/\//);
  });
});
