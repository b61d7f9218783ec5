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
