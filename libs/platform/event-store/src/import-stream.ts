import { createHash } from 'node:crypto';
import { DuplicateEventIdError, EventStoreError, InvalidEventError, WrongExpectedRevisionError } from './errors';
import { EVENTSTOREDB_DEFAULT_MAX_APPEND_BYTES, EventStoreDbEventStore, estimateAppendBytes } from './eventstoredb/eventstoredb-event-store';
import type { EventMetadata, EventStore, ExpectedRevision, GlobalPosition, JsonObject, NewEvent, RecordedEvent, StreamAppend } from './port';
import { assertValidStreamName, validateAndSerialise } from './validation';

/**
 * A file import (accounting's postings, a tenancy register) must be all or nothing on both
 * backends (ARCHITECTURE.md, "Atomicity across streams"). SQLite appends across streams in one
 * transaction. EventStoreDB before 25.1 appends atomically only within one stream, and caps one
 * append's size (`MaxAppendSize`, 1 MiB by default). So there an import is:
 *
 * 1. accepted: the whole import is written to its own stream `import-<importId>` as
 *    `platform.ImportAccepted` chunks (at most 1 000 stream appends and well under the size limit
 *    each) followed by `platform.ImportSealed` with the counts. When it all fits in one append —
 *    the usual case — that append (`no_stream`) is atomic by itself. When it does not, the chunks
 *    go in several appends with exact expected revisions and the seal is the commit point: chunks
 *    without a seal are never applied, and a retry with the same content continues them;
 * 2. fanned out: each target stream gets the import's events it does not hold yet, found by
 *    their deterministic ids in the stream (EventStoreDB forgets re-sent ids after a short while,
 *    so its de-duplication is not relied on);
 * 3. completed: `platform.ImportCompleted` records that the fan-out caught up.
 *
 * A crash between 1 and 3 leaves a sealed, uncompleted import, which the next `appendImport`
 * with that id or `completePendingImports` completes; it is never half-applied for good.
 */

export const IMPORT_STREAM_PREFIX = 'import-';
export const IMPORT_ACCEPTED = 'platform.ImportAccepted';
export const IMPORT_SEALED = 'platform.ImportSealed';
export const IMPORT_COMPLETED = 'platform.ImportCompleted';

/** The import id was accepted earlier with other content; that content, not this, is (now) applied. */
export class ImportConflictError extends EventStoreError {
  readonly code = 'IMPORT_CONFLICT';
}

/** A sealed import stream lacks chunks its seal names: written by something other than this module. */
export class ImportStreamCorruptError extends EventStoreError {
  readonly code = 'IMPORT_STREAM_CORRUPT';
}

export interface ImportHooks {
  /** After each append to the import stream (tests: throw to simulate a crash while accepting). */
  afterImportAppend?(info: { importId: string; sealed: boolean }): void | Promise<void>;
  /** After the import is sealed, before its fan-out starts. */
  beforeFanOut?(importId: string): void | Promise<void>;
  /** After each target stream has been fanned out. */
  afterStream?(streamName: string): void | Promise<void>;
}

export interface AppendImportOptions {
  /**
   * `atomic`: one `appendToStreams`, all or nothing (SQLite only). `import-stream`: the import
   * stream and its fan-out (any backend; forced on SQLite to exercise that path). Default: atomic
   * on SQLite, import-stream on EventStoreDB.
   */
  readonly mode?: 'atomic' | 'import-stream';
  /** Most stream appends (fragments) in one `ImportAccepted` chunk. */
  readonly streamsPerChunk?: number;
  /** Target size of one chunk's data, in bytes. */
  readonly chunkBytes?: number;
  /** Largest append to send (EventStoreDB's MaxAppendSize); unlimited on SQLite. */
  readonly maxAppendBytes?: number;
  /** How often one stream's fan-out re-reads after a concurrent append before giving up. */
  readonly maxConflictRetries?: number;
  readonly hooks?: ImportHooks;
}

export interface ImportStreamResult {
  readonly streamName: string;
  /** Revision of the stream's last event after this stream's part of the import. */
  readonly nextExpectedRevision: number;
  /** True when every event of the import was already in the stream. */
  readonly alreadyAppended: boolean;
  readonly eventsWritten: number;
  /**
   * True when the stream held events the import was not decided against, so its events went at
   * the stream's end rather than at the revision the import expected (import-stream mode only).
   */
  readonly rebased: boolean;
}

export interface ImportResult {
  readonly importId: string;
  readonly mode: 'atomic' | 'import-stream';
  /** The import was complete before this call; nothing was written and `streams` is empty. */
  readonly alreadyCompleted: boolean;
  /** One entry per target stream, in the order the streams first appear in the import. */
  readonly streams: readonly ImportStreamResult[];
  readonly eventsWritten: number;
}

export interface CompletePendingImportsOptions extends Omit<AppendImportOptions, 'mode' | 'streamsPerChunk' | 'chunkBytes'> {
  /** Scan the import streams after this position (a checkpoint returned earlier). Omitted: from the start. */
  readonly after?: GlobalPosition;
  /** Events read per page (chunks are large: keep it small). */
  readonly pageSize?: number;
}

export interface CompletePendingImportsResult {
  /** Imports found sealed but not completed, now completed. */
  readonly completed: readonly string[];
  readonly failed: ReadonlyArray<{ readonly importId: string; readonly error: unknown }>;
  /** Pass as `after` next time: everything before it is complete (undefined: nothing scanned). */
  readonly checkpoint: GlobalPosition | undefined;
}

const DEFAULT_STREAMS_PER_CHUNK = 1_000;
const DEFAULT_CHUNK_BYTES = 512 * 1024;
const DEFAULT_MAX_CONFLICT_RETRIES = 10;
const MAX_ACCEPT_ROUNDS = 10;
const PRECHECK_CONCURRENCY = 8;

interface Settings {
  readonly streamsPerChunk: number;
  readonly chunkBytes: number;
  readonly maxAppendBytes: number;
  readonly maxConflictRetries: number;
  readonly hooks: ImportHooks;
}

/** One target stream's part of a chunk (a large stream append may span chunks). */
interface Fragment {
  readonly streamName: string;
  readonly expectedRevision: ExpectedRevision;
  readonly events: NewEvent[];
}

interface ChunkData {
  readonly importId: string;
  /** Identifies one attempt's chunking (content, metadata and expected revisions): a seal names one. */
  readonly attempt: string;
  /** The import's content: target streams and their events' ids, types and data. */
  readonly contentHash: string;
  readonly index: number;
  readonly count: number;
  readonly appends: Fragment[];
}

interface SealData {
  readonly importId: string;
  readonly attempt: string;
  readonly contentHash: string;
  readonly chunks: number;
  readonly streams: number;
  readonly events: number;
}

interface Target {
  readonly streamName: string;
  readonly expectedRevision: ExpectedRevision;
  readonly events: NewEvent[];
}

export function importStreamName(importId: string): string {
  const name = `${IMPORT_STREAM_PREFIX}${importId}`;
  assertValidStreamName(name);
  return name;
}

/**
 * Appends a file import to many streams as one unit (see the module comment). `importId` names the
 * import (derive it from the file, so posting the same file twice is one import); `metadata` goes
 * on the import stream's own events. Expected revisions are checked before the import is accepted,
 * as on SQLite: a stale one fails the whole import with `WrongExpectedRevisionError` and writes
 * nothing, so the caller reloads and decides again.
 */
export async function appendImport(
  store: EventStore,
  importId: string,
  appends: readonly StreamAppend[],
  metadata: EventMetadata,
  options: AppendImportOptions = {},
): Promise<ImportResult> {
  const stream = importStreamName(importId);
  // Validate everything first: bad input writes nothing, whichever path follows.
  const normalised: Target[] = appends.map((a) => ({
    streamName: a.streamName,
    expectedRevision: a.expectedRevision,
    events: validateAndSerialise(a.streamName, a.events, a.expectedRevision).map((s) => s.event),
  }));
  const seen = new Set<string>();
  for (const a of normalised) {
    for (const e of a.events) {
      if (seen.has(e.id)) throw new InvalidEventError(`Event id ${e.id} appears twice in import ${importId}`);
      seen.add(e.id);
    }
  }
  const mode = options.mode ?? (store.backend === 'sqlite' ? 'atomic' : 'import-stream');
  if (mode === 'atomic') {
    if (store.backend !== 'sqlite') throw new Error(`appendImport: mode "atomic" needs a store that appends across streams atomically (SQLite), not ${store.backend}`);
    const results = await store.appendToStreams(appends);
    return atomicResult(importId, normalised, results);
  }
  const settings = settingsFor(store, options);
  const contentHash = hashContent(normalised);
  const { chunks, seal, sealData } = buildImport(stream, importId, contentHash, normalised, metadata, settings);
  // The import stream's events pass the same validation (size, metadata) before anything is written.
  validateAndSerialise(stream, [...chunks, seal], 'any');

  const [tail] = await store.readStream(stream, { direction: 'backwards', maxCount: 1 });
  if (tail?.type === IMPORT_COMPLETED) {
    if ((tail.data as { contentHash?: string }).contentHash !== contentHash) {
      throw new ImportConflictError(`Import ${importId} was accepted and completed earlier with other content`);
    }
    return { importId, mode, alreadyCompleted: true, streams: [], eventsWritten: 0 };
  }

  let prechecked = false;
  for (let round = 0; ; round++) {
    const events = await store.readStream(stream);
    if (events.some((e) => e.type === IMPORT_SEALED)) break;
    if (!prechecked) {
      await precheckExpectedRevisions(store, mergeTargets(normalised));
      prechecked = true;
    }
    try {
      await accept(store, stream, importId, events, chunks, seal, sealData, settings);
      break;
    } catch (error) {
      // Someone else is writing this import stream (a concurrent retry): read it again.
      const raced = error instanceof WrongExpectedRevisionError || error instanceof DuplicateEventIdError;
      if (!raced || round + 1 >= MAX_ACCEPT_ROUNDS) throw error;
    }
  }

  await settings.hooks.beforeFanOut?.(importId);
  const completion = await completeImport(store, importId, settings);
  if (!completion) throw new ImportStreamCorruptError(`Import ${importId}: its seal vanished after it was written`);
  if (completion.contentHash !== contentHash) {
    throw new ImportConflictError(`Import ${importId} was accepted earlier with other content; that content has been completed instead`);
  }
  return { importId, mode, alreadyCompleted: completion.alreadyCompleted, streams: completion.streams, eventsWritten: completion.eventsWritten };
}

/**
 * Finds imports that were sealed but not completed (a process died during the fan-out) and
 * completes them. Reads only the `import-` streams, filtered by the store (the server, on
 * EventStoreDB), page by page. Run it at start-up and now and then; keep the returned checkpoint
 * to scan only what is new next time.
 */
export async function completePendingImports(store: EventStore, options: CompletePendingImportsOptions = {}): Promise<CompletePendingImportsResult> {
  const settings = settingsFor(store, options);
  const pageSize = options.pageSize ?? 16;
  /** Sealed, not (yet seen) completed, each with the position just before its seal. */
  const pending = new Map<string, GlobalPosition | undefined>();
  let after = options.after;
  let last = options.after;
  for (;;) {
    const page = await store.readAll({ ...(after !== undefined ? { after } : {}), maxCount: pageSize, filter: { streamPrefixes: [IMPORT_STREAM_PREFIX] } });
    for (const event of page) {
      const importId = event.streamName.slice(IMPORT_STREAM_PREFIX.length);
      if (event.type === IMPORT_SEALED) pending.set(importId, last);
      else if (event.type === IMPORT_COMPLETED) pending.delete(importId);
      last = event.position;
    }
    if (page.length < pageSize) break;
    after = (page[page.length - 1] as RecordedEvent).position;
  }
  const completed: string[] = [];
  const failed: Array<{ importId: string; error: unknown }> = [];
  let checkpoint = last;
  for (const [importId, before] of pending) {
    try {
      await completeImport(store, importId, settings);
      completed.push(importId);
    } catch (error) {
      // Pending imports are in seal order: the first failure bounds how far the scan may move on.
      if (failed.length === 0) checkpoint = before;
      failed.push({ importId, error });
    }
  }
  return { completed, failed, checkpoint };
}

// ---- accepting --------------------------------------------------------------------------------

function buildImport(
  stream: string,
  importId: string,
  contentHash: string,
  targets: readonly Target[],
  metadata: EventMetadata,
  settings: Settings,
): { chunks: NewEvent[]; seal: NewEvent; sealData: SealData } {
  const groups: Fragment[][] = [];
  let current: Fragment[] = [];
  let currentBytes = 0;
  for (const target of targets) {
    let fragment: Fragment | undefined;
    for (const event of target.events) {
      const eventBytes = Buffer.byteLength(JSON.stringify(event)) + 8;
      const fragmentBytes = fragment ? 0 : Buffer.byteLength(target.streamName) + 64;
      const full = currentBytes + eventBytes + fragmentBytes > settings.chunkBytes || (!fragment && current.length >= settings.streamsPerChunk);
      if (current.length > 0 && full) {
        groups.push(current);
        current = [];
        currentBytes = 0;
        fragment = undefined;
      }
      if (!fragment) {
        fragment = { streamName: target.streamName, expectedRevision: target.expectedRevision, events: [] };
        current.push(fragment);
        currentBytes += Buffer.byteLength(target.streamName) + 64;
      }
      fragment.events.push(event);
      currentBytes += eventBytes;
    }
  }
  if (current.length > 0) groups.push(current);

  const attempt = sha256(JSON.stringify([contentHash, metadata, groups])).slice(0, 32);
  const chunks = groups.map((appends, index): NewEvent => {
    const data: ChunkData = { importId, attempt, contentHash, index, count: groups.length, appends };
    return { id: nameId(`${stream}|chunk|${attempt}|${index}`), type: IMPORT_ACCEPTED, data: data as unknown as JsonObject, metadata };
  });
  const merged = mergeTargets(targets);
  const sealData: SealData = {
    importId,
    attempt,
    contentHash,
    chunks: groups.length,
    streams: merged.length,
    events: merged.reduce((n, t) => n + t.events.length, 0),
  };
  const seal: NewEvent = { id: nameId(`${stream}|sealed|${attempt}`), type: IMPORT_SEALED, data: sealData as unknown as JsonObject, metadata };
  return { chunks, seal, sealData };
}

/**
 * Writes what the import stream lacks of this attempt, then the seal. Every append states the
 * stream's exact revision, so two processes accepting the same import cannot interleave: the
 * loser gets a conflict and reads the stream again.
 */
async function accept(
  store: EventStore,
  stream: string,
  importId: string,
  existing: readonly RecordedEvent[],
  chunks: readonly NewEvent[],
  seal: NewEvent,
  sealData: SealData,
  settings: Settings,
): Promise<void> {
  let expected: ExpectedRevision = existing.length > 0 ? (existing[existing.length - 1] as RecordedEvent).revision : 'no_stream';
  // An earlier attempt with the same content that wrote all its chunks (and died before sealing)
  // only needs its seal; its metadata and expected revisions are as good as ours.
  const earlier = completeAttempt(existing, sealData.contentHash);
  let toWrite: NewEvent[];
  if (earlier && earlier !== sealData.attempt) {
    const first = existing.find((e) => e.type === IMPORT_ACCEPTED && (e.data as unknown as ChunkData).attempt === earlier) as RecordedEvent;
    const chunk = first.data as unknown as ChunkData;
    const data: SealData = { ...sealData, attempt: earlier, chunks: chunk.count };
    toWrite = [{ id: nameId(`${stream}|sealed|${earlier}`), type: IMPORT_SEALED, data: data as unknown as JsonObject, metadata: seal.metadata }];
  } else {
    const present = new Set(existing.map((e) => e.id));
    toWrite = [...chunks.filter((c) => !present.has(c.id)), seal];
  }
  for (const group of byAppendSize(toWrite, settings.maxAppendBytes)) {
    const result = await store.appendToStream(stream, group, { expectedRevision: expected });
    expected = result.nextExpectedRevision;
    await settings.hooks.afterImportAppend?.({ importId, sealed: group.some((e) => e.type === IMPORT_SEALED) });
  }
}

/** The attempt whose chunks are all in the stream, for this content (undefined: none). */
function completeAttempt(existing: readonly RecordedEvent[], contentHash: string): string | undefined {
  const byAttempt = new Map<string, { count: number; indexes: Set<number> }>();
  for (const e of existing) {
    if (e.type !== IMPORT_ACCEPTED) continue;
    const chunk = e.data as unknown as ChunkData;
    if (chunk.contentHash !== contentHash) continue;
    const entry = byAttempt.get(chunk.attempt) ?? { count: chunk.count, indexes: new Set<number>() };
    entry.indexes.add(chunk.index);
    byAttempt.set(chunk.attempt, entry);
  }
  for (const [attempt, entry] of byAttempt) if (entry.indexes.size === entry.count) return attempt;
  return undefined;
}

/**
 * Before accepting, each target stream must be where the import was decided against, exactly as
 * the SQLite transaction would check it; otherwise the caller must reload and decide again. A
 * stream that already holds all of the import's events for it is no conflict (a retry).
 */
async function precheckExpectedRevisions(store: EventStore, targets: readonly Target[]): Promise<void> {
  await forEachLimited(targets, PRECHECK_CONCURRENCY, async (target) => {
    const expected = target.expectedRevision;
    if (expected === 'any') return;
    const [last] = await store.readStream(target.streamName, { direction: 'backwards', maxCount: 1 });
    const current = last?.revision;
    const holds = expected === 'no_stream' ? current === undefined : expected === 'stream_exists' ? current !== undefined : current === expected;
    if (holds) return;
    if (target.events.length > 0 && current !== undefined) {
      const { present } = await readPresent(store, target);
      if (target.events.every((e) => present.has(e.id))) return;
    }
    throw new WrongExpectedRevisionError(target.streamName, String(expected), current === undefined ? 'no stream' : String(current));
  });
}

// ---- fanning out ------------------------------------------------------------------------------

interface Completion {
  readonly contentHash: string;
  readonly alreadyCompleted: boolean;
  readonly streams: ImportStreamResult[];
  readonly eventsWritten: number;
}

/** Fans a sealed import out and marks it completed. Undefined when the import is not sealed. */
async function completeImport(store: EventStore, importId: string, settings: Settings): Promise<Completion | undefined> {
  const stream = importStreamName(importId);
  const events = await store.readStream(stream);
  const sealEvent = events.find((e) => e.type === IMPORT_SEALED);
  if (!sealEvent) return undefined;
  const seal = sealEvent.data as unknown as SealData;
  if (events.some((e) => e.type === IMPORT_COMPLETED)) return { contentHash: seal.contentHash, alreadyCompleted: true, streams: [], eventsWritten: 0 };

  const chunks = new Map<number, ChunkData>();
  for (const e of events) {
    if (e.type !== IMPORT_ACCEPTED) continue;
    const chunk = e.data as unknown as ChunkData;
    if (chunk.attempt === seal.attempt) chunks.set(chunk.index, chunk);
  }
  const ordered: Fragment[] = [];
  for (let i = 0; i < seal.chunks; i++) {
    const chunk = chunks.get(i);
    if (!chunk) throw new ImportStreamCorruptError(`Import ${importId}: chunk ${i} of ${seal.chunks} named by its seal is missing`);
    ordered.push(...chunk.appends);
  }

  const streams: ImportStreamResult[] = [];
  for (const target of mergeTargets(ordered)) {
    streams.push(await fanOut(store, target, settings));
    await settings.hooks.afterStream?.(target.streamName);
  }
  const eventsWritten = streams.reduce((n, s) => n + s.eventsWritten, 0);

  const last = events[events.length - 1] as RecordedEvent;
  const completed: NewEvent = {
    id: nameId(`${stream}|completed`),
    type: IMPORT_COMPLETED,
    data: { importId, contentHash: seal.contentHash, streams: streams.length, events: seal.events },
    metadata: sealEvent.metadata,
  };
  try {
    // At the revision read above: a concurrent completer's marker wins and this one is a no-op.
    await store.appendToStream(stream, [completed], { expectedRevision: last.revision });
  } catch (error) {
    if (!(error instanceof WrongExpectedRevisionError)) throw error;
    const [tail] = await store.readStream(stream, { direction: 'backwards', maxCount: 1 });
    if (tail?.type !== IMPORT_COMPLETED) throw error;
  }
  return { contentHash: seal.contentHash, alreadyCompleted: false, streams, eventsWritten };
}

/**
 * Appends to one target stream the import's events it does not hold yet.
 *
 * Why a conflict here is not a reason to give up: the import was checked against each stream's
 * revision before it was accepted, and once sealed it is a commitment that can no longer be
 * refused half-way. Its events are facts from accounting lines (a charge was posted, a payment
 * received) with ids derived from those lines, and whatever else was appended to the stream since
 * — a saga's reaction, a timer, another import — does not make them untrue. So the stream is read
 * again, the events already there are recognised by id (a retry or a crashed earlier run wrote
 * them) and only the missing ones are appended, at the revision just read. The aggregate's own
 * state (the vouchers it has seen) keeps a duplicated fact harmless (invariant 10).
 */
async function fanOut(store: EventStore, target: Target, settings: Settings): Promise<ImportStreamResult> {
  let written = 0;
  for (let attempt = 0; ; attempt++) {
    const { present, current, foreign } = await readPresent(store, target);
    const missing = target.events.filter((e) => !present.has(e.id));
    const rebased = foreign;
    if (missing.length === 0) {
      return { streamName: target.streamName, nextExpectedRevision: current ?? -1, alreadyAppended: written === 0, eventsWritten: written, rebased };
    }
    let expected: ExpectedRevision = current ?? 'no_stream';
    try {
      for (const group of byAppendSize(missing, settings.maxAppendBytes)) {
        const result = await store.appendToStream(target.streamName, group, { expectedRevision: expected });
        expected = result.nextExpectedRevision;
        if (!result.alreadyAppended) written += group.length;
      }
      return { streamName: target.streamName, nextExpectedRevision: expected as number, alreadyAppended: written === 0, eventsWritten: written, rebased };
    } catch (error) {
      // Someone appended meanwhile (or wrote some of these very events): read again.
      const raced = error instanceof WrongExpectedRevisionError || error instanceof DuplicateEventIdError;
      if (!raced || attempt >= settings.maxConflictRetries) throw error;
    }
  }
}

/**
 * Reads the part of a target stream where the import's events can be: after the revision it was
 * decided against when that is a number, else the whole stream (aggregate streams are read whole
 * by every command anyway). `foreign`: the stream holds events after that revision that are not
 * the import's.
 */
async function readPresent(store: EventStore, target: Target): Promise<{ present: Set<string>; current: number | undefined; foreign: boolean }> {
  const expected = target.expectedRevision;
  const from = typeof expected === 'number' ? expected : 0;
  const events = await store.readStream(target.streamName, { fromRevision: from });
  let current = events.length > 0 ? (events[events.length - 1] as RecordedEvent).revision : undefined;
  if (current === undefined && from > 0) {
    const [last] = await store.readStream(target.streamName, { direction: 'backwards', maxCount: 1 });
    current = last?.revision;
  }
  const ids = new Set(target.events.map((e) => e.id));
  const present = new Set(events.filter((e) => ids.has(e.id)).map((e) => e.id));
  const decidedAgainst = typeof expected === 'number' ? expected : expected === 'no_stream' ? -1 : Number.POSITIVE_INFINITY;
  const foreign = events.some((e) => e.revision > decidedAgainst && !ids.has(e.id));
  return { present, current, foreign };
}

// ---- helpers ----------------------------------------------------------------------------------

/** One entry per stream, in first-appearance order, with the events of every append to it in order. */
function mergeTargets(appends: readonly Fragment[] | readonly Target[]): Target[] {
  const byStream = new Map<string, Target>();
  for (const a of appends) {
    const existing = byStream.get(a.streamName);
    if (existing) existing.events.push(...a.events);
    else byStream.set(a.streamName, { streamName: a.streamName, expectedRevision: a.expectedRevision, events: [...a.events] });
  }
  return [...byStream.values()];
}

function atomicResult(importId: string, targets: readonly Target[], results: readonly { nextExpectedRevision: number; alreadyAppended: boolean }[]): ImportResult {
  const byStream = new Map<string, { nextExpectedRevision: number; alreadyAppended: boolean; eventsWritten: number }>();
  targets.forEach((t, i) => {
    const r = results[i] as { nextExpectedRevision: number; alreadyAppended: boolean };
    const entry = byStream.get(t.streamName) ?? { nextExpectedRevision: -1, alreadyAppended: true, eventsWritten: 0 };
    entry.nextExpectedRevision = r.nextExpectedRevision;
    entry.alreadyAppended &&= r.alreadyAppended;
    if (!r.alreadyAppended) entry.eventsWritten += t.events.length;
    byStream.set(t.streamName, entry);
  });
  const streams = [...byStream].map(([streamName, r]) => ({ streamName, ...r, rebased: false }));
  return { importId, mode: 'atomic', alreadyCompleted: false, streams, eventsWritten: streams.reduce((n, s) => n + s.eventsWritten, 0) };
}

/** Consecutive groups whose estimated size stays under the limit (at least one event each). */
function byAppendSize(events: readonly NewEvent[], maxBytes: number): NewEvent[][] {
  const groups: NewEvent[][] = [];
  let group: NewEvent[] = [];
  let bytes = 0;
  for (const event of events) {
    const size = estimateAppendBytes([event]);
    if (group.length > 0 && bytes + size > maxBytes) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(event);
    bytes += size;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

function settingsFor(store: EventStore, options: Omit<AppendImportOptions, 'mode'>): Settings {
  const maxAppendBytes =
    options.maxAppendBytes ??
    (store instanceof EventStoreDbEventStore ? store.maxAppendBytes : store.backend === 'eventstoredb' ? EVENTSTOREDB_DEFAULT_MAX_APPEND_BYTES : Number.POSITIVE_INFINITY);
  return {
    streamsPerChunk: options.streamsPerChunk ?? DEFAULT_STREAMS_PER_CHUNK,
    // Half an append at most, so a chunk always fits one append with room to spare.
    chunkBytes: options.chunkBytes ?? Math.max(4 * 1024, Math.min(DEFAULT_CHUNK_BYTES, Math.floor(maxAppendBytes / 2))),
    maxAppendBytes,
    maxConflictRetries: options.maxConflictRetries ?? DEFAULT_MAX_CONFLICT_RETRIES,
    hooks: options.hooks ?? {},
  };
}

/** What makes two imports the same: target streams, and their events' ids, types and data (not metadata or expected revisions, which a retry may change). */
function hashContent(targets: readonly Target[]): string {
  return sha256(JSON.stringify(targets.map((t) => [t.streamName, t.events.map((e) => [e.id, e.type, e.data])])));
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A name-derived UUID (version-5 layout), so the import stream's own events have deterministic ids. */
function nameId(name: string): string {
  const hash = createHash('sha1').update('evp:import-stream:').update(name).digest();
  hash[6] = ((hash[6] as number) & 0x0f) | 0x50;
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  });
  await Promise.all(workers);
}
