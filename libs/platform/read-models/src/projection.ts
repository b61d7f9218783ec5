import type { EventFilter, RecordedEvent } from '@evp/event-store';
import type { Kysely } from 'kysely';
import { compareAndSetCheckpoint, registerCheckpoint, writeCheckpoint } from './checkpoints';
import type { ReadModelDb } from './db';
import { CheckpointConflictError } from './errors';
import { checkpointNameOf, generationSuffix } from './naming';
import { mapTables } from './table-mapping';
import type { AnyDB, AnyKysely } from './types';

/**
 * A read model kept in SQL tables. Its tables are created per generation (see
 * `ProjectionGenerations`), so `createTables` and `apply` receive a database already mapped to
 * one generation's physical tables and write as if the logical names were real.
 */
export interface SqlProjection<DB = AnyDB> {
  /** Stable: the checkpoint name and the generation key. */
  readonly name: string;
  /** Bump when the tables or the logic change: the projection is rebuilt into a new generation. */
  readonly version: number;
  readonly filter: EventFilter;
  /** Logical names of the tables it owns. */
  readonly tables: readonly string[];
  /** Creates the tables and their indexes (plain `createTable`, not `ifNotExists`: a generation starts empty). */
  createTables(db: Kysely<DB>): Promise<void>;
  /**
   * Applies events in order, inside the batch's transaction. Deterministic: the same events give
   * the same rows (no clock, no random ids), so a rebuild reproduces the tables exactly.
   */
  apply(tx: Kysely<DB>, events: readonly RecordedEvent[]): Promise<void>;
}

/** Which generation's tables a batch goes to. */
export interface GenerationTarget {
  readonly generation: number;
  /** logical -> physical */
  readonly tables: Readonly<Record<string, string>>;
}

export interface ApplyBatchOptions {
  /**
   * Where the caller read the checkpoint before reading the events (null: nothing applied yet).
   * When set, the batch commits only if the checkpoint is still there, so two workers that both
   * believe they own the projection cannot apply one batch twice.
   */
  readonly expectedCheckpoint?: string | null;
}

/** `db` mapped to a generation's tables, indexes and constraints. */
export function mapGeneration<DB>(db: AnyKysely, target: GenerationTarget): Kysely<DB> {
  return mapTables<DB>(db, target.tables, generationSuffix(target.generation));
}

/**
 * Applies the events to the generation and moves its checkpoint to `position` in one transaction:
 * any error (in `apply` or in the checkpoint write) rolls back both, so a crash, redelivery or
 * replay can neither lose nor double an event's effect. `position` may be past the last event
 * (events the filter skipped).
 */
export async function applyBatch<DB>(
  db: ReadModelDb,
  projection: SqlProjection<DB>,
  target: GenerationTarget,
  events: readonly RecordedEvent[],
  position: string,
  options: ApplyBatchOptions = {},
): Promise<void> {
  assertTargetCovers(projection, target);
  if (typeof position !== 'string' || position === '') throw new Error(`A checkpoint position must be a non-empty string, got ${JSON.stringify(position)}`);
  const checkpoint = checkpointNameOf(projection.name, target.generation);
  const { expectedCheckpoint } = options;
  await db.transaction(async (tx) => {
    // Checked before applying: a stale writer then fails with the conflict, not with whatever its
    // replayed writes would break (a duplicate key looks like a poison event), and on PostgreSQL
    // the checkpoint's row lock queues a concurrent writer before it does any work.
    if (expectedCheckpoint !== undefined && !(await compareAndSetCheckpoint(tx, checkpoint, expectedCheckpoint, position))) {
      throw new CheckpointConflictError(checkpoint, expectedCheckpoint);
    }
    if (events.length > 0) await projection.apply(mapGeneration<DB>(tx, target), events);
    if (expectedCheckpoint === undefined) await writeCheckpoint(tx, checkpoint, position);
  });
}

/**
 * Creates the generation's tables through the mapping and registers its checkpoint (no position)
 * in the same transaction: a checkpoint row means the tables exist.
 */
export async function createGenerationTables<DB>(db: ReadModelDb, projection: SqlProjection<DB>, target: GenerationTarget): Promise<void> {
  assertTargetCovers(projection, target);
  await db.transaction((tx) => createGenerationTablesIn(tx, projection, target));
}

export async function createGenerationTablesIn<DB>(tx: AnyKysely, projection: SqlProjection<DB>, target: GenerationTarget): Promise<void> {
  assertTargetCovers(projection, target);
  await projection.createTables(mapGeneration<DB>(tx, target));
  await registerCheckpoint(tx, checkpointNameOf(projection.name, target.generation));
}

/**
 * An unmapped logical table would be read and written under its bare name; that fails with
 * "no such table", which the runner would retry for ever as transient. Refuse it up front.
 */
function assertTargetCovers(projection: Pick<SqlProjection, 'name' | 'tables'>, target: GenerationTarget): void {
  const missing = projection.tables.filter((table) => target.tables[table] === undefined);
  if (missing.length > 0) {
    throw new Error(`Generation ${target.generation} of "${projection.name}" maps no physical table for: ${missing.join(', ')}`);
  }
}
