import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeEventStoreContract, testEvent } from '../contract';
import { WrongExpectedRevisionError } from '../errors';
import { SqliteEventStore } from './sqlite-event-store';

const dir = mkdtempSync(join(tmpdir(), 'evp-sqlite-contract-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
describeEventStoreContract('sqlite', {
  create: async () => new SqliteEventStore({ file: join(dir, `store-${++n}.sqlite`), pollIntervalMs: 20 }),
});

describe('SQLite: appends across streams are one transaction', () => {
  it('a conflict in one stream writes none of them', async () => {
    const store = new SqliteEventStore({ file: join(dir, 'atomic.sqlite') });
    await store.appendToStream('atomic-b', [testEvent()], { expectedRevision: 'no_stream' });
    await expect(
      store.appendToStreams([
        { streamName: 'atomic-a', events: [testEvent()], expectedRevision: 'no_stream' },
        { streamName: 'atomic-b', events: [testEvent()], expectedRevision: 'no_stream' },
      ]),
    ).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    expect(await store.readStream('atomic-a')).toEqual([]);
    await store.close();
  });
});

describe('SQLite: a live subscription misses no wake-up', () => {
  it('an append made while the consumer is busy with an event is delivered next, without waiting for the poll interval', async () => {
    const store = new SqliteEventStore({ file: join(dir, 'wake.sqlite'), pollIntervalMs: 60_000, notify: false });
    const subscription = store.subscribeToAll({ filter: { streamPrefixes: ['wake-'] } });
    const iterator = subscription[Symbol.asyncIterator]();
    try {
      await store.appendToStream('wake-1', [testEvent()], { expectedRevision: 'no_stream' });
      // The subscription now rests at this event, as it does while a handler runs.
      const first = await iterator.next();
      await store.appendToStream('wake-1', [testEvent()], { expectedRevision: 0 });
      let timer: NodeJS.Timeout | undefined;
      const second = await Promise.race([iterator.next(), new Promise<'not delivered'>((resolve) => (timer = setTimeout(() => resolve('not delivered'), 10_000)))]);
      clearTimeout(timer);
      expect([first.value?.revision, second === 'not delivered' ? second : second.value?.revision]).toEqual([0, 1]);
    } finally {
      await subscription.stop();
      await store.close();
    }
  }, 20_000);
});

describe('SQLite: subscriptions near the head share one read of the log', () => {
  /** Reads `count` events from a subscription, or fails after 20 s. */
  async function take(iterator: AsyncIterator<import('../port').RecordedEvent>, count: number) {
    const out: Array<{ stream: string; position: string }> = [];
    const deadline = Date.now() + 20_000;
    while (out.length < count) {
      let timer: NodeJS.Timeout | undefined;
      const next = await Promise.race([iterator.next(), new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), Math.max(1, deadline - Date.now()))))]);
      clearTimeout(timer);
      if (next === 'late' || next.done) throw new Error(`got ${out.length} of ${count} events`);
      out.push({ stream: next.value.streamName, position: next.value.position });
    }
    return out;
  }

  it('every subscription gets exactly its events in order, whether it reads from the shared tail, behind it, or starts past it, while appends go on', async () => {
    // A page of 7 and a tail of 20: the tail is extended, trimmed and restarted many times over.
    const store = new SqliteEventStore({ file: join(dir, 'tail.sqlite'), pollIntervalMs: 20, pageSize: 7, sharedTailSize: 20, notify: false });
    const streams = ['a-1', 'b-1', 'a-2', 'c-1', 'b-2'];
    const revisions = new Map<string, number>();
    // Round r appends two events to each stream, starting with stream r mod 5: in a new file the
    // event at position p (1-based) is therefore in this stream.
    const streamAt = (p: number) => streams[(Math.floor((p - 1) / 10) + Math.floor(((p - 1) % 10) / 2)) % streams.length] as string;
    const appendRound = async (round: number) => {
      for (let i = 0; i < streams.length; i++) {
        const stream = streams[(round + i) % streams.length] as string;
        const revision = revisions.get(stream) ?? -1;
        await store.appendToStream(stream, [testEvent(), testEvent()], { expectedRevision: revision < 0 ? 'no_stream' : revision });
        revisions.set(stream, revision + 2);
      }
    };
    try {
      for (let round = 0; round < 6; round++) await appendRound(round); // 60 events before anyone subscribes
      const written = await store.readAll();
      expect(written.map((e) => [e.position, e.streamName])).toEqual(written.map((_, i) => [String(i + 1), streamAt(i + 1)]));
      const subscribers = [
        { prefixes: [] as string[], after: 0 },
        { prefixes: ['a-'], after: 0 },
        { prefixes: ['b-', 'c-'], after: 0 },
        { prefixes: ['c-'], after: 41 },
        { prefixes: [], after: 56 },
      ].map((s) => {
        const subscription = store.subscribeToAll({ after: s.after ? String(s.after) : undefined, filter: { streamPrefixes: s.prefixes } });
        return { ...s, subscription, iterator: subscription[Symbol.asyncIterator]() };
      });
      const total = 160;
      // 100 more events while they read, at different speeds: some 3 at a time, others 25.
      const appending = (async () => {
        for (let round = 6; round < total / 10; round++) await appendRound(round);
      })();
      const results = await Promise.all(
        subscribers.map(async (s, index) => {
          const expected: Array<{ stream: string; position: string }> = [];
          for (let p = s.after + 1; p <= total; p++) {
            const stream = streamAt(p);
            if (s.prefixes.length === 0 || s.prefixes.some((prefix) => stream.startsWith(prefix))) expected.push({ stream, position: String(p) });
          }
          const got: Array<{ stream: string; position: string }> = [];
          const step = index % 2 === 0 ? 3 : 25;
          while (got.length < expected.length) got.push(...(await take(s.iterator, Math.min(step, expected.length - got.length))));
          return { got, expected };
        }),
      );
      await appending;
      for (const { got, expected } of results) expect(got).toEqual(expected);
      await Promise.all(subscribers.map((s) => s.subscription.stop()));
    } finally {
      await store.close();
    }
  }, 30_000);
});

describe('SQLite: a narrow filter reads a long log in windows', () => {
  it('finds a rare event behind more events of other types than one statement looks at, with readAll and a subscription', async () => {
    const store = new SqliteEventStore({ file: join(dir, 'windows.sqlite'), pollIntervalMs: 20, notify: false });
    try {
      // 25 000 postings (more than one 20 000-position window), then the one event wanted.
      await store.appendToStreams(Array.from({ length: 5_000 }, (_, i) => ({ streamName: `ledgerish-${i}`, events: Array.from({ length: 5 }, () => testEvent('test.Posted')), expectedRevision: 'no_stream' as const })));
      await store.appendToStream('ledgerish-rare', [testEvent('test.Registered')], { expectedRevision: 'no_stream' });
      const filter = { streamPrefixes: ['ledgerish-'], onlyTypes: { 'ledgerish-': ['test.Registered'] } };
      const found = await store.readAll({ filter, maxCount: 1 });
      expect(found.map((e) => [e.streamName, e.position])).toEqual([['ledgerish-rare', '25001']]);
      expect(await store.readAll({ filter, after: '25001', maxCount: 1 })).toEqual([]);
      const subscription = store.subscribeToAll({ filter });
      const next = await subscription[Symbol.asyncIterator]().next();
      expect(next.value?.position).toBe('25001');
      await subscription.stop();
    } finally {
      await store.close();
    }
  }, 30_000);
});

describe('SQLite: appends of one turn share a commit, each succeeding or failing alone', () => {
  it('a conflicting append in the group is refused while the others are written, in call order', async () => {
    // A window of a minute: every append after the first counts as part of a burst.
    const store = new SqliteEventStore({ file: join(dir, 'group.sqlite'), groupCommitWindowMs: 60_000 });
    try {
      await store.appendToStream('group-b', [testEvent()], { expectedRevision: 'no_stream' });
      const [a, b, c, d] = await Promise.allSettled([
        store.appendToStream('group-a', [testEvent('test.First')], { expectedRevision: 'no_stream' }),
        store.appendToStream('group-b', [testEvent()], { expectedRevision: 'no_stream' }), // conflict
        store.appendToStreams([
          { streamName: 'group-c', events: [testEvent()], expectedRevision: 'no_stream' },
          { streamName: 'group-b', events: [testEvent()], expectedRevision: 5 }, // conflict: rolls back group-c too
        ]),
        store.appendToStream('group-a', [testEvent('test.Second')], { expectedRevision: 0 }), // sees the first of the group
      ]);
      expect([a.status, b.status, c.status, d.status]).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
      expect((b as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
      expect((c as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
      expect((await store.readStream('group-a')).map((e) => e.type)).toEqual(['test.First', 'test.Second']);
      expect(await store.readStream('group-b')).toHaveLength(1);
      expect(await store.readStream('group-c')).toEqual([]);
      // One transaction: the three written events carry the same recorded-at stamp.
      const all = await store.readAll();
      expect(new Set(all.slice(1).map((e) => e.recordedAt)).size).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('an error that ends the transaction (the disk is full) fails every append of the group with it, and writes none', async () => {
    const store = new SqliteEventStore({ file: join(dir, 'group-full.sqlite'), groupCommitWindowMs: 60_000 });
    try {
      await store.appendToStream('full-0', [testEvent()], { expectedRevision: 'no_stream' });
      // Room for a few more pages only: the middle append, of ~600 KB, cannot fit.
      store.database.pragma(`max_page_count = ${(store.database.pragma('page_count', { simple: true }) as number) + 3}`);
      const big = { huge: 'x'.repeat(60_000) };
      const settled = await Promise.allSettled([
        store.appendToStream('full-1', [testEvent()], { expectedRevision: 'no_stream' }),
        store.appendToStream('full-2', Array.from({ length: 10 }, () => ({ ...testEvent(), data: big })), { expectedRevision: 'no_stream' }),
        store.appendToStream('full-3', [testEvent()], { expectedRevision: 'no_stream' }),
      ]);
      expect(settled.map((r) => (r.status === 'rejected' ? (r.reason as { code?: string }).code : r.status))).toEqual(['SQLITE_FULL', 'SQLITE_FULL', 'SQLITE_FULL']);
      expect((await store.readAll()).map((e) => e.streamName)).toEqual(['full-0']);
    } finally {
      await store.close();
    }
  });

  it('an append that comes alone is written at once, without waiting for the turn to end', async () => {
    const store = new SqliteEventStore({ file: join(dir, 'group-alone.sqlite') });
    try {
      const appended = store.appendToStream('alone-a', [testEvent()], { expectedRevision: 'no_stream' });
      // Still in the same synchronous stretch as the call: committed already.
      expect(store.database.prepare('SELECT count(*) AS n FROM events').get()).toEqual({ n: 1 });
      await appended;
    } finally {
      await store.close();
    }
  });

  it('an append made just before close is written, not lost', async () => {
    const file = join(dir, 'group-close.sqlite');
    const store = new SqliteEventStore({ file, groupCommitWindowMs: 60_000 });
    await store.appendToStream('close-0', [testEvent()], { expectedRevision: 'no_stream' });
    const appended = store.appendToStream('close-a', [testEvent()], { expectedRevision: 'no_stream' });
    await store.close();
    await expect(appended).resolves.toMatchObject({ nextExpectedRevision: 0 });
    const again = new SqliteEventStore({ file });
    expect(await again.readStream('close-a')).toHaveLength(1);
    await again.close();
  });
});

describe('SQLite: a large append is written in steps, in one transaction all the same', () => {
  const appendsFor = (prefix: string, streams: number) =>
    Array.from({ length: streams }, (_, s) => ({ streamName: `${prefix}-${s}`, events: [testEvent(), testEvent()], expectedRevision: 'no_stream' as const }));

  it('readers see none of it until it commits; an append made meanwhile commits after it; subscriptions get it all', async () => {
    // 40 events of 20 streams count as large here, and it lets the event loop in after every stream.
    const store = new SqliteEventStore({ file: join(dir, 'steps.sqlite'), largeAppendEvents: 40, largeAppendStepMs: 0, pollIntervalMs: 20 });
    try {
      const seenMeanwhile: number[] = [];
      let done = false;
      const large = store.appendToStreams(appendsFor('steps', 20)).finally(() => (done = true));
      let small: Promise<unknown> | undefined;
      while (!done) {
        seenMeanwhile.push((await store.readAll()).length);
        small ??= store.appendToStream('steps-small', [testEvent('test.Small')], { expectedRevision: 'no_stream' });
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      const results = await large;
      await small;
      expect(seenMeanwhile.length).toBeGreaterThan(3); // it did let the event loop in
      expect(new Set(seenMeanwhile)).toEqual(new Set([0]));
      expect(results.every((r) => r.nextExpectedRevision === 1 && !r.alreadyAppended)).toBe(true);
      const all = await store.readAll();
      expect(all).toHaveLength(41);
      expect(all.at(-1)?.type).toBe('test.Small');
      expect(new Set(all.slice(0, 40).map((e) => e.recordedAt)).size).toBe(1);
      // Again: recognised as already appended, nothing written.
      expect((await store.appendToStreams(appendsFor('steps', 20).map((a, i) => ({ ...a, events: all.slice(i * 2, i * 2 + 2).map((e) => ({ id: e.id, type: e.type, data: e.data, metadata: e.metadata })) })))).every((r) => r.alreadyAppended)).toBe(true);
      expect(await store.readAll()).toHaveLength(41);
    } finally {
      await store.close();
    }
  });

  it('a conflict in its last stream writes nothing of it', async () => {
    const store = new SqliteEventStore({ file: join(dir, 'steps-conflict.sqlite'), largeAppendEvents: 40, largeAppendStepMs: 0 });
    try {
      await store.appendToStream('conflict-19', [testEvent()], { expectedRevision: 'no_stream' });
      await expect(store.appendToStreams(appendsFor('conflict', 20))).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      expect(await store.readAll()).toHaveLength(1);
      // The connection is usable afterwards, and so is the step writer.
      await store.appendToStreams(appendsFor('after', 20));
      expect(await store.readAll()).toHaveLength(41);
    } finally {
      await store.close();
    }
  });

  it('a close while it writes leaves nothing of it', async () => {
    const file = join(dir, 'steps-close.sqlite');
    const store = new SqliteEventStore({ file, largeAppendEvents: 40, largeAppendStepMs: 0 });
    const large = store.appendToStreams(appendsFor('closing', 20));
    // Until it is inside its transaction on the second connection (past validation).
    const writing = () => (store as unknown as { stepWriter?: { db: { inTransaction: boolean } } }).stepWriter?.db.inTransaction === true;
    while (!writing()) await new Promise<void>((resolve) => setImmediate(resolve));
    await store.close();
    await expect(large).rejects.toThrow(/closed during a large append/);
    const again = new SqliteEventStore({ file });
    expect(await again.readAll()).toEqual([]);
    await again.close();
  });

  it('appends called after it commit after it, even those that would have joined an open group', async () => {
    const store = new SqliteEventStore({ file: join(dir, 'steps-order.sqlite'), largeAppendEvents: 40, largeAppendStepMs: 0, groupCommitWindowMs: 60_000 });
    try {
      await store.appendToStream('order-0', [testEvent()], { expectedRevision: 'no_stream' });
      // In one turn: A (grouped), the large L, then C.
      await Promise.all([
        store.appendToStream('order-a', [testEvent()], { expectedRevision: 'no_stream' }),
        store.appendToStreams(appendsFor('order-l', 20)),
        store.appendToStream('order-c', [testEvent()], { expectedRevision: 'no_stream' }),
      ]);
      const order = (await store.readAll()).map((e) => e.streamName.replace(/-\d+$/, ''));
      expect([...new Set(order)]).toEqual(['order', 'order-a', 'order-l', 'order-c']);
    } finally {
      await store.close();
    }
  });
});
