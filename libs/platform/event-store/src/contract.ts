import { randomUUID } from 'node:crypto';
import {
  DuplicateEventIdError,
  EventTooLargeError,
  InvalidExpectedRevisionError,
  InvalidStreamNameError,
  NotSerialisableError,
  WrongExpectedRevisionError,
} from './errors';
import type { EventMetadata, EventStore, JsonObject, NewEvent, RecordedEvent } from './port';

export interface ContractTarget {
  /** Creates a store for one test; the suite closes it. */
  create(): Promise<EventStore>;
  /** Set when the backend cannot run here: the suite is skipped and says why. */
  skipReason?: string;
}

const metadata = (overrides: Partial<EventMetadata> = {}): EventMetadata => ({
  correlationId: randomUUID(),
  causationId: null,
  actor: { id: 'contract-suite', role: 'system' },
  occurredAt: '2026-11-26T10:00:00.000Z',
  schemaVersion: 1,
  ...overrides,
});

export const testEvent = (type = 'test.Happened', data: JsonObject = { n: 1 }, meta?: Partial<EventMetadata>): NewEvent => ({
  id: randomUUID(),
  type,
  data,
  metadata: metadata(meta),
});

/** A category no other test (or earlier run against a shared server) uses. */
const uniqueCategory = () => `c${randomUUID().replace(/-/g, '').slice(0, 16)}`;

async function take(iterator: AsyncIterator<RecordedEvent>, count: number, timeoutMs = 10_000): Promise<RecordedEvent[]> {
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

/**
 * The behaviour every event store adapter must have. Run it from each adapter's spec; the
 * EventStoreDB run is skipped, with the reason printed, where no server is configured.
 */
export function describeEventStoreContract(name: string, target: ContractTarget): void {
  if (target.skipReason) {
    // Straight to stderr: Jest swallows console output of a suite whose tests are all skipped.
    process.stderr.write(`\n[event-store contract] ${name}: SKIPPED — ${target.skipReason}\n`);
  }
  const describeOrSkip = target.skipReason ? describe.skip : describe;

  describeOrSkip(`event store contract: ${name}${target.skipReason ? ` (SKIPPED: ${target.skipReason})` : ''}`, () => {
    let store: EventStore;
    beforeEach(async () => {
      store = await target.create();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('expected revision', () => {
      it('no_stream creates a stream once, then conflicts', async () => {
        const stream = `${uniqueCategory()}-1`;
        const first = await store.appendToStream(stream, [testEvent(), testEvent()], { expectedRevision: 'no_stream' });
        expect(first).toEqual({ nextExpectedRevision: 1, alreadyAppended: false });
        await expect(store.appendToStream(stream, [testEvent()], { expectedRevision: 'no_stream' })).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      });

      it('any appends whatever the stream holds', async () => {
        const stream = `${uniqueCategory()}-1`;
        await store.appendToStream(stream, [testEvent()], { expectedRevision: 'any' });
        const second = await store.appendToStream(stream, [testEvent()], { expectedRevision: 'any' });
        expect(second.nextExpectedRevision).toBe(1);
      });

      it('an exact revision succeeds when current and conflicts when stale, naming the stream', async () => {
        const stream = `${uniqueCategory()}-1`;
        const { nextExpectedRevision } = await store.appendToStream(stream, [testEvent()], { expectedRevision: 'no_stream' });
        expect(nextExpectedRevision).toBe(0);
        await store.appendToStream(stream, [testEvent()], { expectedRevision: 0 });
        const conflict = store.appendToStream(stream, [testEvent()], { expectedRevision: 0 });
        await expect(conflict).rejects.toBeInstanceOf(WrongExpectedRevisionError);
        await expect(conflict).rejects.toMatchObject({ streamName: stream, code: 'WRONG_EXPECTED_REVISION' });
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('stream_exists refuses a missing stream', async () => {
        const stream = `${uniqueCategory()}-1`;
        await expect(store.appendToStream(stream, [testEvent()], { expectedRevision: 'stream_exists' })).rejects.toBeInstanceOf(WrongExpectedRevisionError);
        await store.appendToStream(stream, [testEvent()], { expectedRevision: 'no_stream' });
        await expect(store.appendToStream(stream, [testEvent()], { expectedRevision: 'stream_exists' })).resolves.toMatchObject({ nextExpectedRevision: 1 });
      });

      it('of two concurrent appenders at the same revision exactly one wins', async () => {
        const stream = `${uniqueCategory()}-1`;
        await store.appendToStream(stream, [testEvent()], { expectedRevision: 'no_stream' });
        const results = await Promise.allSettled(
          Array.from({ length: 5 }, (_, i) => store.appendToStream(stream, [testEvent('test.Raced', { i })], { expectedRevision: 0 })),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')) {
          expect(r.reason).toBeInstanceOf(WrongExpectedRevisionError);
        }
        expect(await store.readStream(stream)).toHaveLength(2);
      });
    });

    describe('idempotency', () => {
      it('appending the same event ids again is a no-op, not a duplicate', async () => {
        const stream = `${uniqueCategory()}-1`;
        const events = [testEvent(), testEvent()];
        await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });
        const again = await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });
        expect(again).toEqual({ nextExpectedRevision: 1, alreadyAppended: true });
        expect((await store.readStream(stream)).map((e) => e.id)).toEqual(events.map((e) => e.id));
      });

      it('a batch that repeats only some stored ids is refused and writes nothing', async () => {
        const stream = `${uniqueCategory()}-1`;
        const stored = testEvent();
        await store.appendToStream(stream, [stored], { expectedRevision: 'no_stream' });
        await expect(store.appendToStream(stream, [stored, testEvent()], { expectedRevision: 'any' })).rejects.toBeInstanceOf(DuplicateEventIdError);
        expect(await store.readStream(stream)).toHaveLength(1);
      });
    });

    describe('reading', () => {
      it('reads a stream forwards, from a revision, limited, and backwards', async () => {
        const stream = `${uniqueCategory()}-1`;
        const events = Array.from({ length: 5 }, (_, n) => testEvent('test.Numbered', { n }));
        await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });
        expect((await store.readStream(stream)).map((e) => [e.revision, e.data['n']])).toEqual([0, 1, 2, 3, 4].map((n) => [n, n]));
        expect((await store.readStream(stream, { fromRevision: 2, maxCount: 2 })).map((e) => e.revision)).toEqual([2, 3]);
        expect((await store.readStream(stream, { direction: 'backwards', maxCount: 1 })).map((e) => e.revision)).toEqual([4]);
        expect(await store.readStream(`${uniqueCategory()}-missing`)).toEqual([]);
      });

      it('reads many streams at once, each whole and in order, a missing one as empty', async () => {
        const category = uniqueCategory();
        // More streams than one SQLite statement takes, so the chunking is exercised.
        const names = Array.from({ length: 1203 }, (_, i) => `${category}-${i}`);
        await store.appendToStreams(
          names.filter((_, i) => i % 3 !== 0).map((streamName, i) => ({ streamName, expectedRevision: 'no_stream' as const, events: [testEvent('test.Seq', { s: i }), testEvent('test.Seq', { s: i + 1 })] })),
        );
        const missing = `${uniqueCategory()}-missing`;
        const read = await store.readStreams([...names, missing, names[1] as string]);
        expect([...read.keys()]).toEqual([...names, missing]);
        for (const [i, name] of names.entries()) {
          const events = read.get(name) ?? [];
          if (i % 3 === 0) expect(events).toEqual([]);
          else expect(events.map((e) => [e.streamName, e.revision])).toEqual([[name, 0], [name, 1]]);
        }
        expect(read.get(names[5] as string)).toEqual(await store.readStream(names[5] as string));
        expect(read.get(missing)).toEqual([]);
        await expect(store.readStreams(['not a valid name!'])).rejects.toThrow();
      });

      it('reads everything from a global position in commit order, filtered by stream prefix', async () => {
        const category = uniqueCategory();
        const other = uniqueCategory();
        await store.appendToStream(`${category}-a`, [testEvent('test.Seq', { s: 0 })], { expectedRevision: 'any' });
        await store.appendToStream(`${other}-x`, [testEvent('test.Seq', { s: 1 })], { expectedRevision: 'any' });
        await store.appendToStream(`${category}-b`, [testEvent('test.Seq', { s: 2 }), testEvent('test.Seq', { s: 3 })], { expectedRevision: 'any' });
        await store.appendToStream(`${category}-a`, [testEvent('test.Seq', { s: 4 })], { expectedRevision: 'any' });

        const mine = await store.readAll({ filter: { streamPrefixes: [`${category}-`] } });
        expect(mine.map((e) => e.data['s'])).toEqual([0, 2, 3, 4]);
        const afterFirst = await store.readAll({ after: mine[0]?.position, filter: { streamPrefixes: [`${category}-`, `${other}-`] } });
        expect(afterFirst.map((e) => e.data['s'])).toEqual([1, 2, 3, 4]);
        const limited = await store.readAll({ after: mine[0]?.position, maxCount: 2, filter: { streamPrefixes: [`${category}-`] } });
        expect(limited.map((e) => e.data['s'])).toEqual([2, 3]);
      });

      it('narrows a prefix to some event types when the filter says so, and leaves the other prefixes whole', async () => {
        const busy = uniqueCategory();
        const whole = uniqueCategory();
        await store.appendToStream(`${busy}-1`, [testEvent('test.Registered', { s: 0 }), testEvent('test.Posted', { s: 1 })], { expectedRevision: 'any' });
        await store.appendToStream(`${whole}-1`, [testEvent('test.Posted', { s: 2 })], { expectedRevision: 'any' });
        await store.appendToStream(`${busy}-2`, [testEvent('test.Posted', { s: 3 }), testEvent('test.Posted', { s: 4 }), testEvent('test.Changed', { s: 5 })], { expectedRevision: 'any' });
        await store.appendToStream(`${whole}-2`, [testEvent('test.Other', { s: 6 })], { expectedRevision: 'any' });
        const filter = { streamPrefixes: [`${busy}-`, `${whole}-`], onlyTypes: { [`${busy}-`]: ['test.Registered', 'test.Changed'] } };

        const all = await store.readAll({ filter });
        expect(all.map((e) => e.data['s'])).toEqual([0, 2, 5, 6]);
        // maxCount counts the events that pass, not those the store looked at.
        const limited = await store.readAll({ after: all[0]?.position, maxCount: 2, filter });
        expect(limited.map((e) => e.data['s'])).toEqual([2, 5]);

        const subscription = store.subscribeToAll({ after: all[1]?.position, filter });
        const iterator = subscription[Symbol.asyncIterator]();
        expect((await take(iterator, 2)).map((e) => e.data['s'])).toEqual([5, 6]);
        // Live: a narrowed-out type is skipped, the next wanted event arrives.
        await store.appendToStream(`${busy}-3`, [testEvent('test.Posted', { s: 7 })], { expectedRevision: 'any' });
        await store.appendToStream(`${busy}-3`, [testEvent('test.Registered', { s: 8 })], { expectedRevision: 'any' });
        expect((await take(iterator, 1)).map((e) => e.data['s'])).toEqual([8]);
        await subscription.stop();
      });

      it('refuses a filter that narrows a prefix it does not read, or narrows one to no type', async () => {
        const category = uniqueCategory();
        await expect(store.readAll({ filter: { streamPrefixes: [`${category}-`], onlyTypes: { [`x${category}-`]: ['test.Seq'] } } })).rejects.toThrow(/not one of its streamPrefixes/);
        expect(() => store.subscribeToAll({ filter: { streamPrefixes: [`${category}-`], onlyTypes: { [`${category}-`]: [] } } })).toThrow(/lists no event type/);
      });

      it('round-trips event metadata unchanged', async () => {
        const stream = `${uniqueCategory()}-1`;
        const meta: EventMetadata = {
          correlationId: randomUUID(),
          causationId: randomUUID(),
          actor: { id: 'person-7f3a', role: 'accounting' },
          occurredAt: '2026-03-02T07:15:00.000Z',
          schemaVersion: 3,
        };
        const event: NewEvent = { id: randomUUID(), type: 'test.WithMeta', data: { amountOre: 928200, text: 'Værnes ÆØÅ æøå' }, metadata: meta };
        await store.appendToStream(stream, [event], { expectedRevision: 'no_stream' });
        const [read] = await store.readStream(stream);
        expect(read).toMatchObject({ id: event.id, type: event.type, data: event.data, metadata: meta, streamName: stream, revision: 0 });
      });
    });

    describe('appending to several streams', () => {
      it('writes every stream, and reports the head position', async () => {
        const category = uniqueCategory();
        const results = await store.appendToStreams([
          { streamName: `${category}-a`, events: [testEvent()], expectedRevision: 'no_stream' },
          { streamName: `${category}-b`, events: [testEvent(), testEvent()], expectedRevision: 'no_stream' },
        ]);
        expect(results.map((r) => r.nextExpectedRevision)).toEqual([0, 1]);
        const [last] = await store.readStream(`${category}-b`, { direction: 'backwards', maxCount: 1 });
        expect(await store.headPosition()).toBe(last?.position);
      });

      it('writes nothing when any stream has bad input', async () => {
        const category = uniqueCategory();
        await expect(
          store.appendToStreams([
            { streamName: `${category}-a`, events: [testEvent()], expectedRevision: 'no_stream' },
            { streamName: 'Bad Stream', events: [testEvent()], expectedRevision: 'no_stream' },
          ]),
        ).rejects.toBeInstanceOf(InvalidStreamNameError);
        expect(await store.readStream(`${category}-a`)).toEqual([]);
      });
    });

    describe('catch-up subscription', () => {
      it('delivers the past after a checkpoint, then live events, in order, with no gap or duplicate while appends run concurrently', async () => {
        const category = uniqueCategory();
        const prefix = `${category}-`;
        for (let i = 0; i < 10; i++) await store.appendToStream(`${category}-s${i % 3}`, [testEvent('test.Seq', { i })], { expectedRevision: 'any' });
        const past = await store.readAll({ filter: { streamPrefixes: [prefix] } });
        const checkpoint = past[3]?.position as string;

        const subscription = store.subscribeToAll({ after: checkpoint, filter: { streamPrefixes: [prefix] } });
        const iterator = subscription[Symbol.asyncIterator]();
        // Six past events, then 3 writers × 20 live appends racing each other.
        const writers = [0, 1, 2].map(async (w) => {
          for (let k = 0; k < 20; k++) {
            await store.appendToStream(`${category}-w${w}`, [testEvent('test.Live', { w, k })], { expectedRevision: 'any' });
          }
        });
        const received = await take(iterator, 6 + 60);
        await Promise.all(writers);
        await subscription.stop();

        const inLog = await store.readAll({ after: checkpoint, filter: { streamPrefixes: [prefix] } });
        expect(inLog).toHaveLength(66);
        expect(received.map((e) => e.id)).toEqual(inLog.map((e) => e.id));
        expect(new Set(received.map((e) => e.id)).size).toBe(66);
        for (const w of [0, 1, 2]) {
          expect(received.filter((e) => e.data['w'] === w).map((e) => e.data['k'])).toEqual(Array.from({ length: 20 }, (_, k) => k));
        }
      });

      it('skips streams outside its filter and resumes from a position it was given', async () => {
        const category = uniqueCategory();
        const noise = uniqueCategory();
        const subscription = store.subscribeToAll({ filter: { streamPrefixes: [`${category}-`] } });
        const iterator = subscription[Symbol.asyncIterator]();
        await store.appendToStream(`${noise}-1`, [testEvent()], { expectedRevision: 'any' });
        await store.appendToStream(`${category}-1`, [testEvent('test.Wanted', { n: 1 })], { expectedRevision: 'any' });
        const [first] = await take(iterator, 1);
        expect(first?.streamName).toBe(`${category}-1`);
        await subscription.stop();

        await store.appendToStream(`${category}-1`, [testEvent('test.Wanted', { n: 2 })], { expectedRevision: 'any' });
        const resumed = store.subscribeToAll({ after: first?.position, filter: { streamPrefixes: [`${category}-`] } });
        const [next] = await take(resumed[Symbol.asyncIterator](), 1);
        expect(next?.data).toEqual({ n: 2 });
        await resumed.stop();
      });
    });

    describe('bad input is refused with a typed error and writes nothing', () => {
      it.each([
        ['empty', ''],
        ['no category', '-abc'],
        ['upper-case category', 'Tenancy-1'],
        ['spaces', 'tenancy-1 2'],
        ['system prefix', '$tenancy-1'],
        ['no id', 'tenancy'],
      ])('a malformed stream name (%s)', async (_label, stream) => {
        await expect(store.appendToStream(stream, [testEvent()], { expectedRevision: 'any' })).rejects.toBeInstanceOf(InvalidStreamNameError);
      });

      it('an event larger than 1 MiB', async () => {
        const stream = `${uniqueCategory()}-1`;
        const big = testEvent('test.Big', { blob: 'x'.repeat(1024 * 1024) });
        await expect(store.appendToStream(stream, [testEvent(), big], { expectedRevision: 'any' })).rejects.toBeInstanceOf(EventTooLargeError);
        expect(await store.readStream(stream)).toEqual([]);
      });

      it.each([
        ['undefined', { a: undefined }],
        ['a function', { f: () => 1 }],
        ['NaN', { n: Number.NaN }],
        ['a bigint', { b: BigInt(1) }],
        ['a Date', { d: new Date(0) }],
      ])('non-JSON-serialisable data (%s)', async (_label, data) => {
        const stream = `${uniqueCategory()}-1`;
        const bad = { ...testEvent(), data: data as unknown as JsonObject };
        await expect(store.appendToStream(stream, [testEvent(), bad], { expectedRevision: 'any' })).rejects.toBeInstanceOf(NotSerialisableError);
        expect(await store.readStream(stream)).toEqual([]);
      });

      it('a cyclic object', async () => {
        const stream = `${uniqueCategory()}-1`;
        const cyclic: Record<string, unknown> = {};
        cyclic['self'] = cyclic;
        await expect(store.appendToStream(stream, [{ ...testEvent(), data: cyclic as JsonObject }], { expectedRevision: 'any' })).rejects.toBeInstanceOf(NotSerialisableError);
      });

      it.each([[-2], [1.5], ['latest'], [Number.NaN], [null]])('an expected revision that is not a revision (%p)', async (expected) => {
        const stream = `${uniqueCategory()}-1`;
        await expect(
          store.appendToStream(stream, [testEvent()], { expectedRevision: expected as unknown as number }),
        ).rejects.toBeInstanceOf(InvalidExpectedRevisionError);
        expect(await store.readStream(stream)).toEqual([]);
      });
    });
  });
}

// ---- File imports (appendImport): both backends, atomic and through the import stream ---------
// (Imports hoist; they sit here so this section is one block added at the end of the file.)
import { InvalidEventError } from './errors';
import {
  IMPORT_ACCEPTED,
  IMPORT_COMPLETED,
  IMPORT_SEALED,
  ImportConflictError,
  appendImport,
  completePendingImports,
  importStreamName,
  type AppendImportOptions,
} from './import-stream';
import type { StreamAppend } from './port';

export interface ImportContractOptions {
  /** Options for every `appendImport` call (e.g. `{ mode: 'import-stream' }` to force the fan-out on SQLite). */
  readonly importOptions?: AppendImportOptions;
  /** Whether these calls go through the import stream, so crash and resume tests apply. */
  readonly viaImportStream: boolean;
}

/**
 * What `appendImport` promises on every backend: all of an import or none of it, retries are
 * no-ops, stale expected revisions fail before anything is written. Through the import stream it
 * also promises that a crash at any point completes later and never half-applies.
 */
export function describeImportContract(name: string, target: ContractTarget, options: ImportContractOptions): void {
  if (target.skipReason) process.stderr.write(`\n[event-store import contract] ${name}: SKIPPED — ${target.skipReason}\n`);
  const describeOrSkip = target.skipReason ? describe.skip : describe;

  describeOrSkip(`import contract: ${name}${target.skipReason ? ` (SKIPPED: ${target.skipReason})` : ''}`, () => {
    let store: EventStore;
    beforeEach(async () => {
      store = await target.create();
    });
    afterEach(async () => {
      await store.close();
    });

    const importId = () => `t${randomUUID().replace(/-/g, '')}`;
    const importMeta = metadata({ actor: { id: 'accounting-import', role: 'accounting' } });
    const run = (id: string, appends: readonly StreamAppend[], extra: AppendImportOptions = {}) =>
      appendImport(store, id, appends, importMeta, { ...options.importOptions, ...extra, hooks: { ...options.importOptions?.hooks, ...extra.hooks } });
    const lines = (n: number, tag: string) => Array.from({ length: n }, (_, i) => testEvent('test.Posted', { tag, i }));

    it('writes every stream, in order, and reports what it wrote', async () => {
      const category = uniqueCategory();
      await store.appendToStream(`${category}-b`, [testEvent('test.Opened')], { expectedRevision: 'no_stream' });
      const a = lines(3, 'a');
      const b = lines(2, 'b');
      const result = await run(importId(), [
        { streamName: `${category}-a`, events: a, expectedRevision: 'no_stream' },
        { streamName: `${category}-b`, events: b, expectedRevision: 0 },
      ]);
      expect(result.alreadyCompleted).toBe(false);
      expect(result.eventsWritten).toBe(5);
      expect(result.streams.map((s) => [s.streamName, s.nextExpectedRevision, s.eventsWritten, s.alreadyAppended])).toEqual([
        [`${category}-a`, 2, 3, false],
        [`${category}-b`, 2, 2, false],
      ]);
      expect((await store.readStream(`${category}-a`)).map((e) => e.id)).toEqual(a.map((e) => e.id));
      expect((await store.readStream(`${category}-b`)).map((e) => e.id).slice(1)).toEqual(b.map((e) => e.id));
    });

    it('a retry with the same id and content writes nothing more', async () => {
      const category = uniqueCategory();
      const id = importId();
      const appends: StreamAppend[] = [
        { streamName: `${category}-a`, events: lines(2, 'a'), expectedRevision: 'no_stream' },
        { streamName: `${category}-b`, events: lines(1, 'b'), expectedRevision: 'no_stream' },
      ];
      await run(id, appends);
      const again = await run(id, appends);
      expect(again.eventsWritten).toBe(0);
      expect(again.alreadyCompleted || again.streams.every((s) => s.alreadyAppended)).toBe(true);
      expect(await store.readStream(`${category}-a`)).toHaveLength(2);
      expect(await store.readStream(`${category}-b`)).toHaveLength(1);
    });

    it('two concurrent runs of one import write each event once', async () => {
      const category = uniqueCategory();
      const id = importId();
      const appends: StreamAppend[] = [0, 1, 2].map((s) => ({ streamName: `${category}-${s}`, events: lines(2, `s${s}`), expectedRevision: 'any' }));
      const results = await Promise.allSettled([run(id, appends), run(id, appends)]);
      expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThanOrEqual(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(WrongExpectedRevisionError);
      if (results.some((r) => r.status === 'rejected')) await run(id, appends);
      for (const s of [0, 1, 2]) {
        expect((await store.readStream(`${category}-${s}`)).map((e) => e.id)).toEqual(appends[s]?.events.map((e) => e.id));
      }
    });

    it('a stale expected revision fails the whole import before anything is written', async () => {
      const category = uniqueCategory();
      await store.appendToStream(`${category}-b`, [testEvent(), testEvent()], { expectedRevision: 'no_stream' });
      const id = importId();
      const attempt = run(id, [
        { streamName: `${category}-a`, events: lines(2, 'a'), expectedRevision: 'no_stream' },
        { streamName: `${category}-b`, events: lines(1, 'b'), expectedRevision: 0 },
      ]);
      await expect(attempt).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      await expect(attempt).rejects.toMatchObject({ streamName: `${category}-b` });
      expect(await store.readStream(`${category}-a`)).toEqual([]);
      expect(await store.readStream(`${category}-b`)).toHaveLength(2);
      expect(await store.readStream(importStreamName(id))).toEqual([]);
    });

    it('bad input is refused with a typed error and writes nothing', async () => {
      const category = uniqueCategory();
      const id = importId();
      await expect(
        run(id, [
          { streamName: `${category}-a`, events: lines(1, 'a'), expectedRevision: 'no_stream' },
          { streamName: 'Bad Stream', events: lines(1, 'b'), expectedRevision: 'no_stream' },
        ]),
      ).rejects.toBeInstanceOf(InvalidStreamNameError);
      const shared = testEvent();
      await expect(
        run(id, [
          { streamName: `${category}-a`, events: [shared], expectedRevision: 'any' },
          { streamName: `${category}-b`, events: [shared], expectedRevision: 'any' },
        ]),
      ).rejects.toBeInstanceOf(InvalidEventError);
      expect(await store.readStream(`${category}-a`)).toEqual([]);
      expect(await store.readStream(importStreamName(id))).toEqual([]);
    });

    if (!options.viaImportStream) return;

    describe('through the import stream', () => {
      const small: AppendImportOptions = { streamsPerChunk: 2 };

      it('is written as chunks and a seal with its counts, then marked completed', async () => {
        const category = uniqueCategory();
        const id = importId();
        await run(id, [0, 1, 2, 3, 4].map((s) => ({ streamName: `${category}-${s}`, events: lines(2, `s${s}`), expectedRevision: 'no_stream' as const })), small);
        const events = await store.readStream(importStreamName(id));
        expect(events.map((e) => e.type)).toEqual([IMPORT_ACCEPTED, IMPORT_ACCEPTED, IMPORT_ACCEPTED, IMPORT_SEALED, IMPORT_COMPLETED]);
        expect(events[3]?.data).toMatchObject({ importId: id, chunks: 3, streams: 5, events: 10 });
      });

      it('a crash during the fan-out is completed by completePendingImports, never left half-applied', async () => {
        const category = uniqueCategory();
        const id = importId();
        const since = await store.headPosition();
        const appends: StreamAppend[] = [0, 1, 2].map((s) => ({ streamName: `${category}-${s}`, events: lines(2, `s${s}`), expectedRevision: 'no_stream' }));
        const crash = new Error('worker killed');
        await expect(
          run(id, appends, {
            hooks: {
              afterStream: (stream) => {
                if (stream === `${category}-0`) throw crash;
              },
            },
          }),
        ).rejects.toBe(crash);
        expect(await store.readStream(`${category}-0`)).toHaveLength(2);
        expect(await store.readStream(`${category}-1`)).toEqual([]);

        const first = await completePendingImports(store, { ...(since ? { after: since } : {}) });
        expect(first.completed).toContain(id);
        expect(first.failed).toEqual([]);
        for (const s of [0, 1, 2]) expect((await store.readStream(`${category}-${s}`)).map((e) => e.id)).toEqual(appends[s]?.events.map((e) => e.id));
        expect((await store.readStream(importStreamName(id))).at(-1)?.type).toBe(IMPORT_COMPLETED);

        const second = await completePendingImports(store, { ...(first.checkpoint ? { after: first.checkpoint } : {}) });
        expect(second.completed).not.toContain(id);
      });

      it('a retry after a crash appends only what is missing, without duplicates', async () => {
        const category = uniqueCategory();
        const id = importId();
        const a = lines(2, 'a');
        const b = lines(3, 'b');
        const appends: StreamAppend[] = [
          { streamName: `${category}-a`, events: a, expectedRevision: 'no_stream' },
          { streamName: `${category}-b`, events: b, expectedRevision: 'no_stream' },
        ];
        const crash = new Error('crashed after the seal');
        await expect(run(id, appends, { hooks: { beforeFanOut: () => Promise.reject(crash) } })).rejects.toBe(crash);
        expect(await store.readStream(`${category}-a`)).toEqual([]);
        // As if the crashed run had written part of stream b before it died.
        await store.appendToStream(`${category}-b`, [b[0] as NewEvent], { expectedRevision: 'no_stream' });

        const retried = await run(id, appends);
        expect(retried.streams.map((s) => [s.streamName, s.eventsWritten])).toEqual([
          [`${category}-a`, 2],
          [`${category}-b`, 2],
        ]);
        expect((await store.readStream(`${category}-b`)).map((e) => e.id)).toEqual(b.map((e) => e.id));
      });

      it('a stream that moved after the import was accepted gets the missing events at its end', async () => {
        const category = uniqueCategory();
        const foreign = testEvent('test.SagaReacted');
        const b = lines(2, 'b');
        const result = await run(
          importId(),
          [
            { streamName: `${category}-a`, events: lines(1, 'a'), expectedRevision: 'no_stream' },
            { streamName: `${category}-b`, events: b, expectedRevision: 'no_stream' },
          ],
          {
            hooks: {
              afterStream: async (stream) => {
                if (stream === `${category}-a`) await store.appendToStream(`${category}-b`, [foreign], { expectedRevision: 'any' });
              },
            },
          },
        );
        expect(result.streams.find((s) => s.streamName === `${category}-b`)).toMatchObject({ rebased: true, eventsWritten: 2, nextExpectedRevision: 2 });
        expect((await store.readStream(`${category}-b`)).map((e) => e.id)).toEqual([foreign.id, ...b.map((e) => e.id)]);
      });

      it('an import that died while being accepted is not applied, and its retry continues the same chunks', async () => {
        const category = uniqueCategory();
        const id = importId();
        const since = await store.headPosition();
        const appends: StreamAppend[] = [0, 1, 2].map((s) => ({ streamName: `${category}-${s}`, events: lines(1, `s${s}`), expectedRevision: 'no_stream' }));
        // One chunk per stream and one chunk per append: accepting takes four appends.
        const piecewise: AppendImportOptions = { streamsPerChunk: 1, maxAppendBytes: 1 };
        const crash = new Error('died after the first chunk');
        await expect(run(id, appends, { ...piecewise, hooks: { afterImportAppend: () => Promise.reject(crash) } })).rejects.toBe(crash);
        for (const s of [0, 1, 2]) expect(await store.readStream(`${category}-${s}`)).toEqual([]);
        expect((await store.readStream(importStreamName(id))).map((e) => e.type)).toEqual([IMPORT_ACCEPTED]);
        expect((await completePendingImports(store, { ...(since ? { after: since } : {}) })).completed).not.toContain(id);

        await run(id, appends, piecewise);
        expect((await store.readStream(importStreamName(id))).map((e) => e.type)).toEqual([IMPORT_ACCEPTED, IMPORT_ACCEPTED, IMPORT_ACCEPTED, IMPORT_SEALED, IMPORT_COMPLETED]);
        for (const s of [0, 1, 2]) expect(await store.readStream(`${category}-${s}`)).toHaveLength(1);
      });

      it('the same import id with other content is refused once accepted', async () => {
        const category = uniqueCategory();
        const id = importId();
        await run(id, [{ streamName: `${category}-a`, events: lines(1, 'a'), expectedRevision: 'no_stream' }]);
        await expect(run(id, [{ streamName: `${category}-b`, events: lines(1, 'b'), expectedRevision: 'no_stream' }])).rejects.toBeInstanceOf(ImportConflictError);
        expect(await store.readStream(`${category}-b`)).toEqual([]);
      });
    });
  });
}
