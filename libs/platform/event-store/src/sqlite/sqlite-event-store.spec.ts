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
