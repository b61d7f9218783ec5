import { existsSync } from 'node:fs';
import type { Kysely } from 'kysely';
import { ProjectionGenerations, ReadModelDb, mapGeneration, type ActiveGeneration, type ReadModelBackend } from '@evp/read-models';

/** The read models cannot answer now: not built yet, being rebuilt for a new version, or the store is down. The api answers 503. */
export class ReadModelsUnavailableError extends Error {
  override readonly name = 'ReadModelsUnavailableError';
}

const GENERATION_CACHE_MS = 1_000;

/**
 * The api's side of the read models: it only reads (the worker is the only writer). Queries ask
 * for a projection by name and the version their code was written for, and get a database mapped
 * to that projection's active generation; until a generation of that version is active (a rebuild
 * after a deployment), the answer is «unavailable», never rows of another shape.
 */
export class ReadModelReader {
  private opening: Promise<ReadModelDb> | undefined;
  private readonly cache = new Map<string, { at: number; active: ActiveGeneration | undefined }>();

  constructor(private readonly backend: ReadModelBackend | ReadModelDb) {}

  async database(): Promise<ReadModelDb> {
    if (this.backend instanceof ReadModelDb) return this.backend;
    if (!this.opening) {
      if (this.backend.kind === 'sqlite' && this.backend.file !== ':memory:' && !existsSync(this.backend.file)) {
        throw new ReadModelsUnavailableError('read models are not built yet: the worker creates them at start');
      }
      this.opening = ReadModelDb.open(this.backend);
      this.opening.catch(() => (this.opening = undefined));
    }
    return this.opening;
  }

  /** The projection's active tables, typed by their logical names. */
  async projection<DB>(name: string, version: number): Promise<Kysely<DB>> {
    const db = await this.database();
    const now = Date.now();
    let entry = this.cache.get(name);
    if (!entry || now - entry.at > GENERATION_CACHE_MS || entry.active?.version !== version) {
      entry = { at: now, active: await new ProjectionGenerations(db).active(name) };
      this.cache.set(name, entry);
    }
    const active = entry.active;
    if (!active) throw new ReadModelsUnavailableError(`read model ${name} is not built yet`);
    if (active.version !== version) throw new ReadModelsUnavailableError(`read model ${name} is being rebuilt for version ${version}`);
    return mapGeneration<DB>(db.kysely, active);
  }

  async ping(): Promise<void> {
    const db = await this.database();
    await db.ping();
  }

  /** Closes what it opened itself; a database it was given belongs to its giver. */
  async close(): Promise<void> {
    if (this.backend instanceof ReadModelDb) return;
    const db = await this.opening?.catch(() => undefined);
    this.opening = undefined;
    await db?.close();
  }
}
