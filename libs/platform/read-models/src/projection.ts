import type { EventFilter, RecordedEvent } from '@evp/event-store';
import type { Kysely } from 'kysely';
import { compareAndSetCheckpoint, readCheckpointState, registerCheckpoint, writeCheckpoint } from './checkpoints';
import type { ReadModelDb } from './db';
import { CheckpointConflictError } from './errors';
import { checkpointNameOf, generationSuffix } from './naming';
import { mapTables } from './table-mapping';
import type { AnyDB, AnyKysely } from './types';

export { upsertRows, writeRows } from './bulk-write';

/**
 * `gatherMs` (see `SqlProjection.gatherMs`) of the subscriptions off the escalation path — the
 * path from a posting to the case it opens, which the arrears workflow and the cases projection
 * walk, and which the worker's one thread otherwise shares with all the others. For what nobody
 * reads by the millisecond: the dashboard's month figures, the arrears list, the import history,
 * the team's meeting list, NAV's and the warnings' workflows (a referral reaching NAV's inbox or a
 * warning forwarded a tenth of a second later changes nothing for anyone). The web app already
 * polls until it sees its own write, and a tenth of a second is within that.
 */
export const OFF_PATH_GATHER_MS = 100;

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
  /**
   * Milliseconds new events may gather after the projection was idle, before they are applied
   * (see `EventProcessor.gatherMs`). For figures nobody reads by the millisecond (dashboards).
   */
  readonly gatherMs?: number;
  /** Logical names of the tables it owns. */
  readonly tables: readonly string[];
  /** Creates the tables, their keys and any index not left to `createIndexes` (plain `createTable`, not `ifNotExists`: a generation starts empty). */
  createTables(db: Kysely<DB>): Promise<void>;
  /**
   * Creates the secondary indexes: those no constraint or upsert needs (optional; a projection may
   * create every index in `createTables`). A generation that goes live at once gets them with its
   * tables. A rebuild's generation gets them after its bulk load, just before it is switched in:
   * one sort per index then costs far less than keeping every index up to date row by row.
   */
  createIndexes?(db: Kysely<DB>): Promise<void>;
  /**
   * Applies events in order, inside the batch's transaction. Deterministic: the same events give
   * the same rows (no clock, no random ids), so a rebuild reproduces the tables exactly.
   */
  apply(tx: Kysely<DB>, events: readonly RecordedEvent[], context?: ApplyContext): Promise<void>;
  /**
   * Writes what `apply` left in the memo (see `ApplyContext`), and marks it written. A `partial`
   * flush is one of a build's flushes before its last, there to bound memory: it must write what
   * the memo holds only to be written (a list of rows waiting), and may leave unwritten what the
   * memo keeps as state anyway (one row per key, rewritten at every flush otherwise), for the last.
   */
  flush?(tx: Kysely<DB>, memo: ProjectionMemo, options?: { readonly partial?: boolean }): Promise<void>;
}

export interface ApplyContext {
  /**
   * Given only while this process builds the generation into fresh tables that nothing else
   * writes and nothing reads (a rebuild, until its switch). The projection keeps its per-key state
   * there instead of reading it back batch after batch, and — if it has `flush` — may leave rows
   * unwritten in it: the batches of a build then write no checkpoint, and the one that does also
   * runs `flush`, in the same transaction. So the checkpoint never runs ahead of what the tables
   * and the memo hold together; a partial flush may leave rows its memo keeps as state to the
   * last flush, which runs before the switch. Nothing reads the generation until then, and a
   * build does not outlive its process (a restarted worker begins a new generation): its
   * checkpoint serves only its own runner, restarted in-process with the memo intact.
   */
  readonly memo?: ProjectionMemo;
}

const DELETED = Symbol('deleted');

/**
 * A projection's state in memory while its generation is built (see `ApplyContext`): values by
 * space and key. What a batch sets is staged, and `applyBatch` keeps it only once the batch's
 * transaction has committed (`commit`), or drops it with the transaction (`rollback`): the memo
 * never holds what the tables lost. It holds everything written to the generation (or left for
 * `flush`) so far, so a key it lacks has no row.
 */
export class ProjectionMemo {
  private readonly committed = new Map<string, Map<string, unknown>>();
  private staged = new Map<string, Map<string, unknown>>();

  get<T>(space: string, key: string): T | undefined {
    const value = this.staged.get(space)?.get(key);
    if (value === DELETED) return undefined;
    return (value ?? this.committed.get(space)?.get(key)) as T | undefined;
  }

  set(space: string, key: string, value: unknown): void {
    let entries = this.staged.get(space);
    if (entries === undefined) this.staged.set(space, (entries = new Map()));
    entries.set(key, value);
  }

  delete(space: string, key: string): void {
    this.set(space, key, DELETED);
  }

  /** Every entry of the space, as the batch in progress sees it. */
  *entries<T>(space: string): IterableIterator<[string, T]> {
    const staged = this.staged.get(space);
    for (const [key, value] of this.committed.get(space) ?? []) if (!staged?.has(key)) yield [key, value as T];
    for (const [key, value] of staged ?? []) if (value !== DELETED) yield [key, value as T];
  }

  /** How many entries the space holds (committed; what a batch staged is not counted). */
  size(space: string): number {
    return this.committed.get(space)?.size ?? 0;
  }

  commit(): void {
    for (const [space, entries] of this.staged) {
      let target = this.committed.get(space);
      if (target === undefined) this.committed.set(space, (target = new Map()));
      for (const [key, value] of entries) {
        if (value === DELETED) target.delete(key);
        else target.set(key, value);
      }
    }
    this.staged = new Map();
  }

  rollback(): void {
    this.staged = new Map();
  }
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
  /** See `ApplyContext`: committed with the batch, rolled back with it. */
  readonly memo?: ProjectionMemo;
  /**
   * With a memo and a projection that has `flush`: whether this batch flushes the memo and writes
   * the checkpoint (true: everything, as before the switch; 'partial': one of the flushes that
   * bound a build's memory, see `SqlProjection.flush`), or leaves both for a later batch (false,
   * the default).
   */
  readonly flush?: boolean | 'partial';
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
  const { expectedCheckpoint, memo } = options;
  // With a memo, a projection that can flush defers its rows, and so the checkpoint, to a flushing batch.
  const deferring = memo !== undefined && projection.flush !== undefined;
  if (deferring && expectedCheckpoint !== undefined) throw new Error('A build that defers its writes cannot compare-and-set its checkpoint');
  const context: ApplyContext = memo ? { memo } : {};
  // A build's flushing batch writes rows its memo no longer holds afterwards: were its commit to
  // land while its caller hears of an error (a connection lost during COMMIT), the memo must keep
  // the batch, not drop it and have the runner write the rows again. The checkpoint tells which it
  // was: moved on (its sequence) to this batch's position. Nothing else writes a building
  // generation's checkpoint but its runner, and only at another position (an event it parked).
  const seqBefore = deferring && options.flush ? ((await readCheckpointState(db.kysely, checkpoint))?.updatedSeq ?? 0) : undefined;
  try {
    await db.transaction(async (tx) => {
      // Checked before applying: a stale writer then fails with the conflict, not with whatever its
      // replayed writes would break (a duplicate key looks like a poison event), and on PostgreSQL
      // the checkpoint's row lock queues a concurrent writer before it does any work.
      if (expectedCheckpoint !== undefined && !(await compareAndSetCheckpoint(tx, checkpoint, expectedCheckpoint, position))) {
        throw new CheckpointConflictError(checkpoint, expectedCheckpoint);
      }
      const mapped = events.length > 0 || deferring ? mapGeneration<DB>(tx, target) : undefined;
      if (mapped && events.length > 0) await projection.apply(mapped, events, context);
      if (deferring && !options.flush) return;
      if (deferring && mapped && memo) await projection.flush?.(mapped, memo, { partial: options.flush === 'partial' });
      if (expectedCheckpoint === undefined) await writeCheckpoint(tx, checkpoint, position);
    });
  } catch (error) {
    if (seqBefore !== undefined && (await committedDespite(db, checkpoint, seqBefore, position))) {
      memo?.commit();
      return;
    }
    memo?.rollback();
    throw error;
  }
  memo?.commit();
}

/**
 * Whether a flushing batch that failed for its caller committed all the same: its checkpoint moved
 * on. False when that cannot be read either; the batch is then applied again, and a projection
 * whose rows could double keeps a unique index that refuses the generation at its switch (the
 * build fails, visibly; it never switches in twice-counted rows).
 */
async function committedDespite(db: ReadModelDb, checkpoint: string, seqBefore: number, position: string): Promise<boolean> {
  try {
    const after = await readCheckpointState(db.kysely, checkpoint);
    return after !== undefined && after.updatedSeq !== seqBefore && after.position === position;
  } catch {
    return false;
  }
}

export interface CreateGenerationTablesOptions {
  /**
   * Leave out the projection's `createIndexes` (a rebuild's bulk load); the caller must run
   * `createGenerationIndexes` before the generation is switched in.
   */
  readonly deferIndexes?: boolean;
}

/**
 * Creates the generation's tables through the mapping and registers its checkpoint (no position)
 * in the same transaction: a checkpoint row means the tables exist.
 */
export async function createGenerationTables<DB>(db: ReadModelDb, projection: SqlProjection<DB>, target: GenerationTarget, options: CreateGenerationTablesOptions = {}): Promise<void> {
  assertTargetCovers(projection, target);
  await db.transaction((tx) => createGenerationTablesIn(tx, projection, target, options));
}

export async function createGenerationTablesIn<DB>(tx: AnyKysely, projection: SqlProjection<DB>, target: GenerationTarget, options: CreateGenerationTablesOptions = {}): Promise<void> {
  assertTargetCovers(projection, target);
  const mapped = mapGeneration<DB>(tx, target);
  await projection.createTables(mapped);
  if (!options.deferIndexes) await projection.createIndexes?.(mapped);
  await registerCheckpoint(tx, checkpointNameOf(projection.name, target.generation));
}

/** The secondary indexes of a generation created with `deferIndexes`, in one transaction. */
export async function createGenerationIndexes<DB>(db: ReadModelDb, projection: SqlProjection<DB>, target: GenerationTarget): Promise<void> {
  assertTargetCovers(projection, target);
  if (!projection.createIndexes) return;
  await db.transaction((tx) => projection.createIndexes?.(mapGeneration<DB>(tx, target)) ?? Promise.resolve());
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
