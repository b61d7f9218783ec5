import { deleteCheckpoint } from './checkpoints';
import type { ReadModelDb } from './db';
import { GENERATIONS_TABLE } from './platform-migrations';
import { assertLogicalTables, checkpointNameOf, physicalTableName } from './naming';
import { createGenerationTablesIn, type CreateGenerationTablesOptions, type GenerationTarget, type SqlProjection } from './projection';
import type { AnyKysely } from './types';

export type GenerationStatus = 'building' | 'active' | 'retired';

export interface ActiveGeneration extends GenerationTarget {
  readonly version: number;
}

export interface ProjectionGeneration extends ActiveGeneration {
  readonly projection: string;
  readonly status: GenerationStatus;
  /** From the injected clock, when one was given; for operators only. */
  readonly createdAt: string | null;
  readonly switchedAt: string | null;
}

export interface ProjectionGenerationsOptions {
  /** The injected clock (ISO instant), recorded on begin and switch for operators. */
  readonly now?: () => string;
}

interface GenerationRow {
  projection: string;
  generation: number;
  version: number;
  status: GenerationStatus;
  tables: string;
  created_at: string | null;
  switched_at: string | null;
}

/**
 * Blue/green generations of projections, so one can be rebuilt without downtime: a new version
 * is built into fresh tables (`case_list__g2`) while queries keep reading the active generation,
 * then `switchTo` flips them in one transaction. The database allows one active generation per
 * projection (a partial unique index), whatever the code does.
 *
 * Readers must resolve the active generation per query (a primary-key look-up) rather than keep
 * it: after `dropRetired` the old tables are gone, and a query against them fails with
 * "no such table" (a transient error: retry after resolving again).
 */
export class ProjectionGenerations {
  constructor(
    private readonly db: ReadModelDb,
    private readonly options: ProjectionGenerationsOptions = {},
  ) {}

  /** The generation queries read, or undefined before the first switch. */
  async active(projection: string): Promise<ActiveGeneration | undefined> {
    const row = await this.db.kysely
      .selectFrom(GENERATIONS_TABLE)
      .selectAll()
      .where('projection', '=', projection)
      .where('status', '=', 'active')
      .executeTakeFirst();
    if (row === undefined) return undefined;
    const { generation, version, tables } = toGeneration(row as GenerationRow);
    return { generation, version, tables };
  }

  async get(projection: string, generation: number): Promise<ProjectionGeneration | undefined> {
    const row = await this.db.kysely
      .selectFrom(GENERATIONS_TABLE)
      .selectAll()
      .where('projection', '=', projection)
      .where('generation', '=', generation)
      .executeTakeFirst();
    return row === undefined ? undefined : toGeneration(row as GenerationRow);
  }

  /** Every registered generation of the projection, oldest first. */
  async list(projection: string): Promise<ProjectionGeneration[]> {
    const rows = await this.db.kysely.selectFrom(GENERATIONS_TABLE).selectAll().where('projection', '=', projection).orderBy('generation').execute();
    return rows.map((row) => toGeneration(row as GenerationRow));
  }

  /**
   * Registers a new generation (the highest number so far plus one) as `building`. Its tables
   * are not created here; see `createGenerationTables`, or `beginWithTables` for both at once.
   */
  async begin(projection: string, version: number, logicalTables: readonly string[]): Promise<ProjectionGeneration> {
    return this.db.transaction((tx) => this.beginIn(tx, projection, version, logicalTables));
  }

  /**
   * `begin` and `createGenerationTables` in one transaction, so a crash never leaves a building
   * generation without its tables. With `deferIndexes`, run `createGenerationIndexes` before
   * switching to it.
   */
  async beginWithTables<DB>(projection: SqlProjection<DB>, options: CreateGenerationTablesOptions = {}): Promise<ProjectionGeneration> {
    return this.db.transaction(async (tx) => {
      const generation = await this.beginIn(tx, projection.name, projection.version, projection.tables);
      await createGenerationTablesIn(tx, projection, generation, options);
      return generation;
    });
  }

  /**
   * Makes a building generation the one queries read and retires the previous active one, in
   * one transaction. Switching to the already active generation does nothing.
   */
  async switchTo(projection: string, generation: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      const row = await findRow(tx, projection, generation);
      if (row === undefined) throw new Error(`Projection "${projection}" has no generation ${generation}`);
      if (row.status === 'active') return;
      if (row.status !== 'building') throw new Error(`Generation ${generation} of "${projection}" is ${row.status}; only a building generation can become active`);
      // Retire first: the one-active index is checked per statement.
      await tx.updateTable(GENERATIONS_TABLE).set({ status: 'retired' }).where('projection', '=', projection).where('status', '=', 'active').execute();
      await tx
        .updateTable(GENERATIONS_TABLE)
        .set({ status: 'active', switched_at: this.now() })
        .where('projection', '=', projection)
        .where('generation', '=', generation)
        .execute();
    });
  }

  /**
   * Drops the tables (with their indexes) of the projection's retired generations, their
   * checkpoints and their rows, in one transaction. Returns the generations dropped.
   */
  async dropRetired(projection: string): Promise<number[]> {
    return this.db.transaction(async (tx) => {
      const rows = (await tx
        .selectFrom(GENERATIONS_TABLE)
        .selectAll()
        .where('projection', '=', projection)
        .where('status', '=', 'retired')
        .orderBy('generation')
        .execute()) as GenerationRow[];
      for (const row of rows) await removeGeneration(tx, toGeneration(row));
      return rows.map((row) => row.generation);
    });
  }

  /** Drops a building generation that will not be used (a failed or superseded rebuild). Unknown: nothing to do. */
  async abandon(projection: string, generation: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      const row = await findRow(tx, projection, generation);
      if (row === undefined) return;
      if (row.status !== 'building') throw new Error(`Generation ${generation} of "${projection}" is ${row.status}; only a building generation can be abandoned`);
      await removeGeneration(tx, toGeneration(row));
    });
  }

  private async beginIn(tx: AnyKysely, projection: string, version: number, logicalTables: readonly string[]): Promise<ProjectionGeneration> {
    if (projection === '') throw new Error('A projection needs a name');
    if (!Number.isSafeInteger(version) || version < 1) throw new Error(`A projection version is a positive integer, got ${version}`);
    const { max } = (await tx
      .selectFrom(GENERATIONS_TABLE)
      .select((eb) => eb.fn.max('generation').as('max'))
      .where('projection', '=', projection)
      .executeTakeFirstOrThrow()) as { max: number | string | null };
    const generation = Number(max ?? 0) + 1;
    assertLogicalTables(logicalTables, generation);
    const tables = Object.fromEntries([...logicalTables].sort().map((logical) => [logical, physicalTableName(logical, generation)]));
    // A number is reused only after its generation was removed with its tables; dropping again
    // keeps anything a hand-run clean-up left behind out of the new generation.
    await dropTables(tx, Object.values(tables));
    await deleteCheckpoint(tx, checkpointNameOf(projection, generation));
    const createdAt = this.now();
    await tx
      .insertInto(GENERATIONS_TABLE)
      .values({ projection, generation, version, status: 'building', tables: JSON.stringify(tables), created_at: createdAt, switched_at: null })
      .execute();
    return { projection, generation, version, status: 'building', tables, createdAt, switchedAt: null };
  }

  private now(): string | null {
    return this.options.now?.() ?? null;
  }
}

async function findRow(tx: AnyKysely, projection: string, generation: number): Promise<GenerationRow | undefined> {
  return (await tx
    .selectFrom(GENERATIONS_TABLE)
    .selectAll()
    .where('projection', '=', projection)
    .where('generation', '=', generation)
    .executeTakeFirst()) as GenerationRow | undefined;
}

async function removeGeneration(tx: AnyKysely, generation: ProjectionGeneration): Promise<void> {
  await dropTables(tx, Object.values(generation.tables));
  await deleteCheckpoint(tx, checkpointNameOf(generation.projection, generation.generation));
  await tx.deleteFrom(GENERATIONS_TABLE).where('projection', '=', generation.projection).where('generation', '=', generation.generation).execute();
}

async function dropTables(tx: AnyKysely, tables: readonly string[]): Promise<void> {
  // Dropping a table drops its indexes on both engines.
  for (const table of tables) await tx.schema.dropTable(table).ifExists().execute();
}

function toGeneration(row: GenerationRow): ProjectionGeneration {
  return {
    projection: row.projection,
    generation: Number(row.generation),
    version: Number(row.version),
    status: row.status,
    tables: JSON.parse(row.tables) as Record<string, string>,
    createdAt: row.created_at,
    switchedAt: row.switched_at,
  };
}
