import type Database from 'better-sqlite3';
import { DuplicateEventIdError, InvalidEventError, WrongExpectedRevisionError } from '../errors';
import type { AppendResult, ExpectedRevision, GlobalPosition, RecordedEvent, StreamAppend } from '../port';
import type { SerialisedEvent } from '../validation';

export interface Statements {
  streamRevision: Database.Statement<[string], { revision: number | null }>;
  insert: Database.Statement<[string, number, string, string, string, string, string]>;
  head: Database.Statement<[], { head: number | null }>;
  /** Every stream's events after a position, in order, up to a limit: the shared tail's read. */
  after: Database.Statement<[number, number, number], EventRow>;
  dataVersion: Database.Statement<[], number>;
}

/** What an append needs: the main connection's, or the step writer's own. */
export type AppendStatements = Pick<Statements, 'streamRevision' | 'insert'>;

/** An append validated and serialised, ready to be written. */
export type PreparedAppend = StreamAppend & { readonly serialised: SerialisedEvent[] };

export interface EventRow {
  position: number;
  stream_name: string;
  revision: number;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
}

export const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    position     INTEGER PRIMARY KEY AUTOINCREMENT,
    stream_name  TEXT    NOT NULL,
    revision     INTEGER NOT NULL,
    event_id     TEXT    NOT NULL UNIQUE,
    type         TEXT    NOT NULL,
    data         TEXT    NOT NULL,
    metadata     TEXT    NOT NULL,
    recorded_at  TEXT    NOT NULL,
    UNIQUE (stream_name, revision)
  );
`;

/** SQLite's limit on bound parameters is 32766; stay well below it. */
export const ID_LOOKUP_CHUNK = 500;

export function prepareAppendStatements(db: Database.Database): AppendStatements {
  return {
    streamRevision: db.prepare('SELECT max(revision) AS revision FROM events WHERE stream_name = ?'),
    insert: db.prepare('INSERT INTO events (stream_name, revision, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
  };
}

export function appendInTransaction(stmts: AppendStatements, streamName: string, events: SerialisedEvent[], expected: ExpectedRevision, recordedAt: string, lookup: (sql: string) => Database.Statement): AppendResult {
  const current = stmts.streamRevision.get(streamName)?.revision ?? null;
  if (events.length > 0) {
    const existing = findExisting(lookup, events.map((e) => e.event.id));
    if (existing.length === events.length && existing.every((row) => row.stream_name === streamName)) {
      // A retry of an append that already succeeded: nothing to write.
      return { nextExpectedRevision: current ?? -1, alreadyAppended: true };
    }
    if (existing.length > 0) {
      throw new DuplicateEventIdError(
        `Stream ${streamName}: ${existing.length} of ${events.length} event ids are already stored (first ${existing[0]?.event_id} in ${existing[0]?.stream_name}); an append is retried whole or not at all`,
      );
    }
  }
  checkExpectedRevision(streamName, expected, current);
  let revision = current ?? -1;
  for (const { event, data, metadata } of events) {
    revision += 1;
    stmts.insert.run(streamName, revision, event.id, event.type, data, metadata, recordedAt);
  }
  return { nextExpectedRevision: revision, alreadyAppended: false };
}

/**
 * An append refused for what it is (its expected revision, its event ids, a constraint of its
 * rows): it alone fails. Anything else is a failure of the transaction it is part of.
 */
export function isRefusal(error: unknown): boolean {
  if (error instanceof WrongExpectedRevisionError || error instanceof DuplicateEventIdError || error instanceof InvalidEventError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT');
}

function findExisting(lookup: (sql: string) => Database.Statement, ids: string[]): Array<{ event_id: string; stream_name: string }> {
  const found: Array<{ event_id: string; stream_name: string }> = [];
  for (let i = 0; i < ids.length; i += ID_LOOKUP_CHUNK) {
    const chunk = ids.slice(i, i + ID_LOOKUP_CHUNK);
    found.push(...(lookup(`SELECT event_id, stream_name FROM events WHERE event_id IN (${chunk.map(() => '?').join(',')})`).all(...chunk) as Array<{ event_id: string; stream_name: string }>));
  }
  return found;
}

function checkExpectedRevision(streamName: string, expected: ExpectedRevision, current: number | null): void {
  const actual = current === null ? 'no stream' : String(current);
  if (expected === 'any') return;
  if (expected === 'no_stream' && current === null) return;
  if (expected === 'stream_exists' && current !== null) return;
  if (typeof expected === 'number' && expected === current) return;
  throw new WrongExpectedRevisionError(streamName, String(expected), actual);
}

export function parsePosition(position: GlobalPosition | undefined): number {
  if (position === undefined) return 0;
  if (!/^\d{1,15}$/.test(position)) throw new InvalidEventError(`Invalid SQLite global position ${JSON.stringify(position)}`);
  return Number(position);
}

/**
 * Metadata as parsed lately, by its text. The events of one command or one import carry the same
 * metadata (correlation, causation, actor, time), so an import's 100 000 events parse it once
 * instead of 100 000 times. Shared objects: readers treat events as immutable (they are facts).
 */
const parsedMetadata = new Map<string, RecordedEvent['metadata']>();
const PARSED_METADATA_MAX = 256;
const PARSED_METADATA_MAX_CHARS = 4_096;

function parseMetadata(text: string): RecordedEvent['metadata'] {
  // Metadata may carry more than the usual fields; a large one is parsed each time, not kept.
  if (text.length > PARSED_METADATA_MAX_CHARS) return JSON.parse(text) as RecordedEvent['metadata'];
  let metadata = parsedMetadata.get(text);
  if (metadata === undefined) {
    metadata = JSON.parse(text) as RecordedEvent['metadata'];
    if (parsedMetadata.size >= PARSED_METADATA_MAX) parsedMetadata.delete(parsedMetadata.keys().next().value as string);
    parsedMetadata.set(text, metadata);
  }
  return metadata;
}

export function toRecorded(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    type: row.type,
    data: JSON.parse(row.data),
    metadata: parseMetadata(row.metadata),
    streamName: row.stream_name,
    revision: row.revision,
    position: String(row.position),
    recordedAt: row.recorded_at,
  };
}
