import { sql } from 'kysely';
import { CHECKPOINTS_TABLE } from './platform-migrations';
import type { AnyKysely } from './types';

export interface CheckpointState {
  /** Null: registered (a generation's tables exist) but no batch applied yet. */
  readonly position: string | null;
  /** Grows by one with every write: "has it moved since the last look" without a clock. */
  readonly updatedSeq: number;
}

/** The position after which the next batch starts; undefined when nothing was applied yet. */
export async function readCheckpoint(db: AnyKysely, name: string): Promise<string | undefined> {
  return (await readCheckpointState(db, name))?.position ?? undefined;
}

export async function readCheckpointState(db: AnyKysely, name: string): Promise<CheckpointState | undefined> {
  const row = await db.selectFrom(CHECKPOINTS_TABLE).select(['position', 'updated_seq']).where('name', '=', name).executeTakeFirst();
  if (row === undefined) return undefined;
  return { position: row.position ?? null, updatedSeq: Number(row.updated_seq) };
}

/** Upserts the checkpoint. Call it inside the transaction that wrote the batch's effects. */
export async function writeCheckpoint(tx: AnyKysely, name: string, position: string): Promise<void> {
  await tx
    .insertInto(CHECKPOINTS_TABLE)
    .values({ name, position, updated_seq: 1 })
    .onConflict((oc) => oc.column('name').doUpdateSet({ position, updated_seq: nextSeq() }))
    .execute();
}

/**
 * Moves the checkpoint only if it still is `expected` (null: nothing applied yet, with or without
 * a registered row). False when another writer moved it; the caller rolls back its transaction.
 */
export async function compareAndSetCheckpoint(tx: AnyKysely, name: string, expected: string | null, position: string): Promise<boolean> {
  if (expected === null) {
    const result = await tx
      .insertInto(CHECKPOINTS_TABLE)
      .values({ name, position, updated_seq: 1 })
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet({ position, updated_seq: nextSeq() })
          .where(sql.ref(`${CHECKPOINTS_TABLE}.position`), 'is', null),
      )
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }
  const result = await tx
    .updateTable(CHECKPOINTS_TABLE)
    .set({ position, updated_seq: nextSeq() })
    .where('name', '=', name)
    .where('position', '=', expected)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Registers a checkpoint with no position, unless one exists. Done in the transaction that
 * creates a generation's tables, so "the row exists" means "the tables exist".
 */
export async function registerCheckpoint(tx: AnyKysely, name: string): Promise<void> {
  await tx
    .insertInto(CHECKPOINTS_TABLE)
    .values({ name, position: null, updated_seq: 0 })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
}

export async function deleteCheckpoint(tx: AnyKysely, name: string): Promise<void> {
  await tx.deleteFrom(CHECKPOINTS_TABLE).where('name', '=', name).execute();
}

const nextSeq = () => sql<number>`${sql.ref(`${CHECKPOINTS_TABLE}.updated_seq`)} + 1`;
