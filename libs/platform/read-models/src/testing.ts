import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Migration } from 'kysely';
import { Client } from 'pg';
import type { RecordedEvent } from '@evp/event-store';
import { ReadModelDb, type ReadModelBackend } from './db';
import { ProjectionGenerations } from './generations';
import { applyBatch, type GenerationTarget, type SqlProjection } from './projection';

export { describeReadModelContract } from './contract';
export { dumpTables, indexNames, tableNames, type TableDump } from './inspect';

/** The PostgreSQL server tests use; every run works in a schema of its own inside it. */
export const TEST_POSTGRES_URL = process.env['READ_MODELS_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** `rm_<label>_<pid>_<random>`: no other test run, in this process or another, uses it. */
export function uniqueTestSchema(label = 'test'): string {
  const clean = label.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 20);
  return `rm_${clean}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

export async function dropTestSchema(schema: string, connectionString = TEST_POSTGRES_URL): Promise<void> {
  if (!/^rm_[a-z0-9_]+$/.test(schema)) throw new Error(`Refusing to drop "${schema}": not a test schema`);
  const client = new Client({ connectionString });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

export interface ThrowawayOptions {
  /** Used in the file or schema name, to find leftovers. */
  readonly label?: string;
  /** Run the platform migrations plus these on open (default); false leaves the store empty. */
  readonly migrate?: boolean | Readonly<Record<string, Migration>>;
}

export interface ThrowawayReadModelDb {
  readonly db: ReadModelDb;
  readonly backend: ReadModelBackend;
  /** Another connection to the same store (the api's reader: `{ readonly: true }` on SQLite); closed by `dispose`. */
  openAnother(overrides?: { readonly?: boolean }): Promise<ReadModelDb>;
  /** Closes every connection and removes the file or drops the schema. */
  dispose(): Promise<void>;
}

/** A read-model store in a fresh SQLite file under the OS temp folder. */
export async function openThrowawaySqlite(options: ThrowawayOptions = {}): Promise<ThrowawayReadModelDb> {
  const dir = mkdtempSync(join(tmpdir(), `evp-rm-${options.label ?? 'test'}-`));
  const backend: ReadModelBackend = { kind: 'sqlite', file: join(dir, 'read-models.sqlite') };
  return throwaway(backend, options, async () => rmSync(dir, { recursive: true, force: true }));
}

/** A read-model store in a fresh schema of the test PostgreSQL database. */
export async function openThrowawayPostgres(options: ThrowawayOptions = {}): Promise<ThrowawayReadModelDb> {
  const schema = uniqueTestSchema(options.label);
  const backend: ReadModelBackend = { kind: 'postgres', connectionString: TEST_POSTGRES_URL, schema, poolMax: 4 };
  return throwaway(backend, options, () => dropTestSchema(schema));
}

async function throwaway(backend: ReadModelBackend, options: ThrowawayOptions, remove: () => Promise<void>): Promise<ThrowawayReadModelDb> {
  const opened: ReadModelDb[] = [];
  const open = async (b: ReadModelBackend) => {
    const db = await ReadModelDb.open(b);
    opened.push(db);
    return db;
  };
  try {
    const db = await open(backend);
    if (options.migrate !== false) await db.migrate(options.migrate === true || options.migrate === undefined ? {} : options.migrate);
    return {
      db,
      backend,
      openAnother: (overrides = {}) => open(backend.kind === 'sqlite' ? { ...backend, ...overrides } : backend),
      dispose: async () => {
        for (const each of opened) await each.close();
        await remove();
      },
    };
  } catch (err) {
    for (const each of opened) await each.close();
    await remove();
    throw err;
  }
}

/**
 * A new generation of `projection` built from `batches`, one `applyBatch` each (checkpoint: the
 * batch's last position), switched in unless `switchIn` is false: what a projection spec compares
 * across batchings.
 */
export async function buildGeneration<DB>(db: ReadModelDb, projection: SqlProjection<DB>, batches: ReadonlyArray<readonly RecordedEvent[]>, options: { switchIn?: boolean } = {}): Promise<GenerationTarget> {
  const generations = new ProjectionGenerations(db);
  const target = await generations.beginWithTables(projection);
  for (const batch of batches) await applyBatch(db, projection, target, batch, (batch[batch.length - 1] as RecordedEvent).position);
  if (options.switchIn !== false) await generations.switchTo(projection.name, target.generation);
  return target;
}
