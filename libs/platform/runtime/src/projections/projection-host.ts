import type { EventFilter, GlobalPosition, RecordedEvent } from '@evp/event-store';
import { ProjectionMemo, applyBatch, checkpointNameOf, deleteCheckpoint, readCheckpoint, writeCheckpoint, type ReadModelDb, type SqlProjection } from '@evp/read-models';
import type { CheckpointStore } from '../checkpoint-store';
import type { EventProcessor } from '../subscription-runner';

export interface GenerationTarget {
  readonly generation: number;
  readonly tables: Record<string, string>;
}

/** Events a build applies between two flushes of what its projection defers (see `ApplyContext`). */
const DEFAULT_FLUSH_EVERY = 100_000;

/** One generation of one SQL projection as a subscription's processor: writes and checkpoint in one transaction. */
export class ProjectionHost implements EventProcessor {
  readonly commitsCheckpoint = true;
  readonly name: string;
  readonly filter: EventFilter;
  private memo: ProjectionMemo | undefined;
  private readonly flushEvery: number;
  private sinceFlush = 0;
  private lastPosition: GlobalPosition | undefined;
  /** Batches and the final flush, one after the other. */
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * @param options.building the generation's tables were just created, empty, and nothing but this
   *   host writes or reads them until `finishBuilding()`: the projection may keep its state in
   *   memory (`ApplyContext.memo`) instead of reading it back batch after batch, and defer rows to
   *   a flush every `flushEvery` events (default 100 000) and at the end.
   */
  constructor(
    readonly projection: SqlProjection,
    readonly target: GenerationTarget,
    private readonly db: ReadModelDb,
    options: { readonly building?: boolean; readonly flushEvery?: number } = {},
  ) {
    this.name = checkpointNameOf(projection.name, target.generation);
    this.filter = projection.filter;
    if (options.building) this.memo = new ProjectionMemo();
    this.flushEvery = options.flushEvery ?? DEFAULT_FLUSH_EVERY;
  }

  /** The projection's, once built: a build catches up with the whole log, it never gathers. */
  get gatherMs(): number | undefined {
    return this.memo === undefined ? this.projection.gatherMs : undefined;
  }

  /**
   * Before the generation is switched in: writes what the projection still holds in memory, with
   * the checkpoint of the last event handled, then runs `thenIndex` (the deferred indexes), and
   * only then reads and writes the tables as a live generation (others may write them once it is
   * active: the daily roll). Batches that arrive meanwhile wait for both: a live batch's upsert
   * may need an index the bulk load went without (the accounts' postings key).
   */
  finishBuilding(thenIndex: () => Promise<void> = async () => undefined): Promise<void> {
    return this.serially(async () => {
      const memo = this.memo;
      if (memo === undefined) return;
      // Always, not only when events came since the last flush: a partial flush may leave rows for this one.
      if (this.lastPosition !== undefined) await applyBatch(this.db, this.projection, this.target, [], this.lastPosition, { memo, flush: true });
      this.sinceFlush = 0;
      await thenIndex();
      this.memo = undefined;
    });
  }

  handle(event: RecordedEvent, upTo: GlobalPosition): Promise<void> {
    return this.apply([event], upTo);
  }

  handleBatch(events: readonly RecordedEvent[], upTo: GlobalPosition): Promise<void> {
    return this.apply(events, upTo);
  }

  private apply(events: readonly RecordedEvent[], upTo: GlobalPosition): Promise<void> {
    if (this.memo === undefined) return applyBatch(this.db, this.projection, this.target, events, upTo);
    return this.serially(async () => {
      const memo = this.memo;
      if (memo === undefined) return applyBatch(this.db, this.projection, this.target, events, upTo);
      const flush = this.sinceFlush + events.length >= this.flushEvery;
      await applyBatch(this.db, this.projection, this.target, events, upTo, { memo, flush: flush && 'partial' });
      this.sinceFlush = flush ? 0 : this.sinceFlush + events.length;
      this.lastPosition = upTo;
    });
  }

  private serially<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/** Checkpoints in the read-model database, beside the data they describe. */
export class SqlCheckpointStore implements CheckpointStore {
  constructor(private readonly db: ReadModelDb) {}

  load(name: string): Promise<GlobalPosition | undefined> {
    return readCheckpoint(this.db.kysely, name);
  }

  store(name: string, position: GlobalPosition): Promise<void> {
    return writeCheckpoint(this.db.kysely, name, position);
  }

  reset(name: string): Promise<void> {
    return deleteCheckpoint(this.db.kysely, name);
  }
}
