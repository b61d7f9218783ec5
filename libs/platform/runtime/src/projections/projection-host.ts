import type { EventFilter, GlobalPosition, RecordedEvent } from '@evp/event-store';
import { applyBatch, checkpointNameOf, deleteCheckpoint, readCheckpoint, writeCheckpoint, type ReadModelDb, type SqlProjection } from '@evp/read-models';
import type { CheckpointStore } from '../checkpoint-store';
import type { EventProcessor } from '../subscription-runner';

export interface GenerationTarget {
  readonly generation: number;
  readonly tables: Record<string, string>;
}

/** One generation of one SQL projection as a subscription's processor: writes and checkpoint in one transaction. */
export class ProjectionHost implements EventProcessor {
  readonly commitsCheckpoint = true;
  readonly name: string;
  readonly filter: EventFilter;

  constructor(
    readonly projection: SqlProjection,
    readonly target: GenerationTarget,
    private readonly db: ReadModelDb,
  ) {
    this.name = checkpointNameOf(projection.name, target.generation);
    this.filter = projection.filter;
  }

  handle(event: RecordedEvent, upTo: GlobalPosition): Promise<void> {
    return applyBatch(this.db, this.projection, this.target, [event], upTo);
  }

  handleBatch(events: readonly RecordedEvent[], upTo: GlobalPosition): Promise<void> {
    return applyBatch(this.db, this.projection, this.target, events, upTo);
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
