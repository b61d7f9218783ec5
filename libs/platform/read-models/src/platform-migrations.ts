import { sql, type Migration } from 'kysely';
import type { AnyKysely } from './types';

export const CHECKPOINTS_TABLE = 'rm_checkpoints';
export const GENERATIONS_TABLE = 'rm_generations';

/**
 * The store's own tables. They live in a migration table of their own (`rm_platform_migration`),
 * so a platform migration added later never has to sort before a context's migrations that have
 * already run: Kysely's Migrator refuses out-of-order names.
 */
export const PLATFORM_MIGRATIONS: Readonly<Record<string, Migration>> = Object.freeze({
  '0001_rm_checkpoints': {
    async up(db: AnyKysely) {
      await db.schema
        .createTable(CHECKPOINTS_TABLE)
        .addColumn('name', 'text', (c) => c.primaryKey())
        // Null: registered (the generation's tables exist) but nothing applied yet.
        .addColumn('position', 'text')
        // Counts writes instead of timestamping them: no clock in the store, and "has it moved since
        // the last look" is what a health check asks.
        .addColumn('updated_seq', 'bigint', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  },
  '0002_rm_generations': {
    async up(db: AnyKysely) {
      await db.schema
        .createTable(GENERATIONS_TABLE)
        .addColumn('projection', 'text', (c) => c.notNull())
        .addColumn('generation', 'integer', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        // JSON object { logical: physical }.
        .addColumn('tables', 'text', (c) => c.notNull())
        // ISO instants from the caller's injected clock, for operators; null when none was given.
        .addColumn('created_at', 'text')
        .addColumn('switched_at', 'text')
        .addPrimaryKeyConstraint('rm_generations_pk', ['projection', 'generation'])
        .addCheckConstraint('rm_generations_status_check', sql`status in ('building', 'active', 'retired')`)
        .execute();
      // The database, not the code, guarantees that queries never see two active generations.
      await db.schema
        .createIndex('rm_generations_one_active')
        .on(GENERATIONS_TABLE)
        .column('projection')
        .unique()
        .where(sql.ref('status'), '=', 'active')
        .execute();
    },
  },
});
