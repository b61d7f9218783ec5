import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeImportContract, testEvent } from './contract';
import { WrongExpectedRevisionError } from './errors';
import { IMPORT_ACCEPTED, IMPORT_COMPLETED, IMPORT_SEALED, appendImport, completePendingImports, importStreamName } from './import-stream';
import type { EventMetadata, StreamAppend } from './port';
import { SqliteEventStore } from './sqlite/sqlite-event-store';
import { MAX_EVENT_BYTES } from './validation';

const dir = mkdtempSync(join(tmpdir(), 'evp-import-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
const sqlite = { create: async () => new SqliteEventStore({ file: join(dir, `store-${++n}.sqlite`), pollIntervalMs: 20 }) };

describeImportContract('sqlite, atomic (the default there)', sqlite, { viaImportStream: false });
describeImportContract('sqlite, through the import stream (forced)', sqlite, { importOptions: { mode: 'import-stream' }, viaImportStream: true });

const meta: EventMetadata = {
  correlationId: 'file-2026-11',
  causationId: null,
  actor: { id: 'accounting-import', role: 'accounting' },
  occurredAt: '2026-11-26T10:00:00.000Z',
  schemaVersion: 1,
};

describe('appendImport on SQLite', () => {
  let store: SqliteEventStore;
  beforeEach(() => {
    store = new SqliteEventStore({ file: join(dir, `unit-${++n}.sqlite`) });
  });
  afterEach(() => store.close());

  it('atomic mode is one appendToStreams: a conflict in the last stream writes none, and no import stream exists', async () => {
    await store.appendToStream('tenancy-b', [testEvent()], { expectedRevision: 'no_stream' });
    await expect(
      appendImport(store, 'file-1', [
        { streamName: 'tenancy-a', events: [testEvent()], expectedRevision: 'no_stream' },
        { streamName: 'tenancy-b', events: [testEvent()], expectedRevision: 'no_stream' },
      ], meta),
    ).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    expect(await store.readStream('tenancy-a')).toEqual([]);
    expect(await store.readStream(importStreamName('file-1'))).toEqual([]);
  });

  it('atomic mode reports each stream once, also when it appears in two appends', async () => {
    const result = await appendImport(store, 'file-2', [
      { streamName: 'tenancy-a', events: [testEvent()], expectedRevision: 'no_stream' },
      { streamName: 'tenancy-b', events: [testEvent()], expectedRevision: 'no_stream' },
      { streamName: 'tenancy-a', events: [testEvent(), testEvent()], expectedRevision: 0 },
    ], meta);
    expect(result).toMatchObject({ mode: 'atomic', eventsWritten: 4 });
    expect(result.streams.map((s) => [s.streamName, s.nextExpectedRevision])).toEqual([
      ['tenancy-a', 2],
      ['tenancy-b', 0],
    ]);
  });

  it('import-stream mode keeps a stream that appears in two appends in order, across chunks', async () => {
    const first = [testEvent('test.L', { i: 0 }), testEvent('test.L', { i: 1 })];
    const second = [testEvent('test.L', { i: 2 })];
    await appendImport(
      store,
      'file-3',
      [
        { streamName: 'tenancy-a', events: first, expectedRevision: 'no_stream' },
        { streamName: 'tenancy-b', events: [testEvent()], expectedRevision: 'no_stream' },
        { streamName: 'tenancy-a', events: second, expectedRevision: 1 },
      ],
      meta,
      { mode: 'import-stream', streamsPerChunk: 1 },
    );
    expect((await store.readStream('tenancy-a')).map((e) => e.data['i'])).toEqual([0, 1, 2]);
    expect((await store.readStream(importStreamName('file-3'))).filter((e) => e.type === IMPORT_ACCEPTED)).toHaveLength(3);
  });

  it('splits a large import into chunks under the size limit, and one stream append across chunks', async () => {
    const blob = 'x'.repeat(2_000);
    const appends: StreamAppend[] = Array.from({ length: 30 }, (_, s) => ({
      streamName: `tenancy-${s}`,
      events: Array.from({ length: 5 }, (_, i) => testEvent('test.Posted', { s, i, blob })),
      expectedRevision: 'no_stream' as const,
    }));
    const chunkBytes = 40_000;
    const result = await appendImport(store, 'file-4', appends, meta, { mode: 'import-stream', chunkBytes });
    expect(result.eventsWritten).toBe(150);
    const events = await store.readStream(importStreamName('file-4'));
    const chunks = events.filter((e) => e.type === IMPORT_ACCEPTED);
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) expect(Buffer.byteLength(JSON.stringify(chunk.data))).toBeLessThan(chunkBytes + 4_000);
    expect(events.find((e) => e.type === IMPORT_SEALED)?.data).toMatchObject({ chunks: chunks.length, streams: 30, events: 150 });
    for (const s of [0, 17, 29]) expect((await store.readStream(`tenancy-${s}`)).map((e) => e.data['i'])).toEqual([0, 1, 2, 3, 4]);
  });

  it('caps a chunk at 1 000 stream appends by default, each event well under the event size limit', async () => {
    const appends: StreamAppend[] = Array.from({ length: 2_500 }, (_, s) => ({ streamName: `tenancy-${s}`, events: [testEvent('test.Posted', { s })], expectedRevision: 'no_stream' as const }));
    await appendImport(store, 'file-5', appends, meta, { mode: 'import-stream' });
    const chunks = (await store.readStream(importStreamName('file-5'))).filter((e) => e.type === IMPORT_ACCEPTED);
    expect(chunks.map((c) => (c.data['appends'] as unknown[]).length)).toEqual([1_000, 1_000, 500]);
    for (const chunk of chunks) expect(Buffer.byteLength(JSON.stringify(chunk.data)) + Buffer.byteLength(JSON.stringify(chunk.metadata))).toBeLessThan(MAX_EVENT_BYTES);
    // 2 500 streams fanned out one after another, each append its own fsync: seconds, not Jest's default five.
  }, 60_000);

  it('completePendingImports skips imports that are not sealed and reports a failure without losing its place', async () => {
    const crash = new Error('crash');
    await expect(
      appendImport(store, 'file-6', [{ streamName: 'tenancy-a', events: [testEvent()], expectedRevision: 'no_stream' }], meta, {
        mode: 'import-stream',
        hooks: { beforeFanOut: () => Promise.reject(crash) },
      }),
    ).rejects.toBe(crash);
    const failing = await completePendingImports(store, {
      hooks: {
        afterStream: () => {
          throw crash;
        },
      },
    });
    expect(failing.completed).toEqual([]);
    expect(failing.failed.map((f) => f.importId)).toEqual(['file-6']);
    // The checkpoint stays before the seal, so the next scan finds the import again.
    const again = await completePendingImports(store, { ...(failing.checkpoint ? { after: failing.checkpoint } : {}) });
    expect(again.completed).toEqual(['file-6']);
    expect((await store.readStream(importStreamName('file-6'))).at(-1)?.type).toBe(IMPORT_COMPLETED);
    expect(await store.readStream('tenancy-a')).toHaveLength(1);
  });

  it('two imports racing for one stream both land, each event once', async () => {
    const a = [testEvent(), testEvent()];
    const b = [testEvent(), testEvent()];
    await Promise.all([
      appendImport(store, 'file-7', [{ streamName: 'tenancy-x', events: a, expectedRevision: 'any' }], meta, { mode: 'import-stream' }),
      appendImport(store, 'file-8', [{ streamName: 'tenancy-x', events: b, expectedRevision: 'any' }], meta, { mode: 'import-stream' }),
    ]);
    const ids = (await store.readStream('tenancy-x')).map((e) => e.id);
    expect([...ids].sort()).toEqual([...a, ...b].map((e) => e.id).sort());
  });
});
