import { existsSync } from 'node:fs';
import type { Kysely } from 'kysely';
import { ProjectionGenerations, ReadModelDb, mapGeneration, type ActiveGeneration, type ReadModelBackend } from '@evp/read-models';

/** The read models cannot answer now: not built yet, being rebuilt for a new version, or the store is down. The api answers 503. */
export class ReadModelsUnavailableError extends Error {
  override readonly name = 'ReadModelsUnavailableError';
}

const GENERATION_CACHE_MS = 1_000;

export interface ReadModelReaderOptions {
  /**
   * Results `cached()` keeps, measured in the weight each caller gives its result (a list page:
   * its rows); the least recently used go first. 0 turns the result cache off.
   */
  readonly resultCacheWeight?: number;
  /**
   * How long (ms) the active generation of a projection is taken as known without reading it again
   * (default 1 000). 0 for a caller that writes the active tables, which must never write a
   * generation a rebuild has just switched out (the worker's periodic work).
   */
  readonly generationCacheMs?: number;
}

/** About 10 MB of list rows. */
const DEFAULT_RESULT_CACHE_WEIGHT = 20_000;

interface GenerationEntry {
  readonly at: number;
  readonly active: ActiveGeneration | undefined;
  /** The database mapped to `active`'s tables, built once per generation. */
  readonly mapped: Kysely<unknown> | undefined;
}

interface CachedResult {
  readonly dataVersion: number;
  readonly value: unknown;
  readonly weight: number;
}

/**
 * The api's side of the read models: it only reads (the worker is the only writer). Queries ask
 * for a projection by name and the version their code was written for, and get a database mapped
 * to that projection's active generation; until a generation of that version is active (a rebuild
 * after a deployment), the answer is «unavailable», never rows of another shape.
 */
export class ReadModelReader {
  private opening: Promise<ReadModelDb> | undefined;
  /** What `opening` resolved to, once it has. */
  private opened: ReadModelDb | undefined;
  private readonly cache = new Map<string, GenerationEntry>();
  private readonly results = new Map<string, CachedResult>();
  private resultsWeight = 0;
  private readonly resultCacheWeight: number;
  private readonly generationCacheMs: number;

  constructor(
    private readonly backend: ReadModelBackend | ReadModelDb,
    options: ReadModelReaderOptions = {},
  ) {
    this.resultCacheWeight = Math.max(0, options.resultCacheWeight ?? DEFAULT_RESULT_CACHE_WEIGHT);
    this.generationCacheMs = Math.max(0, options.generationCacheMs ?? GENERATION_CACHE_MS);
  }

  async database(): Promise<ReadModelDb> {
    if (this.backend instanceof ReadModelDb) return this.backend;
    if (!this.opening) {
      if (this.backend.kind === 'sqlite' && this.backend.file !== ':memory:' && !existsSync(this.backend.file)) {
        throw new ReadModelsUnavailableError('read models are not built yet: the worker creates them at start');
      }
      const opening = ReadModelDb.open(this.backend);
      this.opening = opening;
      opening.then(
        (db) => {
          if (this.opening === opening) this.opened = db;
        },
        () => {
          if (this.opening === opening) this.opening = undefined;
        },
      );
    }
    return this.opening;
  }

  /** The projection's active tables, typed by their logical names. */
  async projection<DB>(name: string, version: number): Promise<Kysely<DB>> {
    return (await this.active<DB>(name, version)).db;
  }

  /**
   * `compute(db)` on the projection's active generation, or the result an earlier call with the
   * same `key` returned while no row of the store has changed since. `key` must hold every input
   * `compute` depends on besides the rows: whatever the query filters on, including what limits
   * it to the caller's reach (municipality, NAV office), so that two callers share an entry only
   * when they would get the same answer. Authorise before calling; the result is shared between
   * callers, so treat it as immutable.
   *
   * Cached only on a read-only SQLite connection, the api's: every change to its rows is then
   * another connection's commit, which `PRAGMA data_version` reveals. A result is kept only if
   * the data version was the same before and after computing it (no commit in between), and is
   * used only while the version is still that one. Elsewhere (PostgreSQL, a writer's own
   * connection) this is just `compute(db)`.
   */
  async cached<DB, T>(name: string, version: number, key: string, compute: (db: Kysely<DB>) => Promise<T>, weigh: (value: T) => number = () => 1): Promise<T> {
    const { db, generation, store } = this.knownActive<DB>(name, version) ?? (await this.active<DB>(name, version));
    const before = this.resultCacheWeight > 0 && store.readOnly ? store.dataVersion() : undefined;
    if (before === undefined) return compute(db);
    const fullKey = `${name}\u0000${version}\u0000${generation}\u0000${key}`;
    const hit = this.results.get(fullKey);
    if (hit !== undefined) {
      this.results.delete(fullKey);
      this.resultsWeight -= hit.weight;
      if (hit.dataVersion === before) {
        this.remember(fullKey, hit);
        return hit.value as T;
      }
    }
    const value = await compute(db);
    if (store.dataVersion() === before) {
      const weight = Math.max(1, weigh(value));
      if (weight <= this.resultCacheWeight) this.remember(fullKey, { dataVersion: before, value, weight });
    }
    return value;
  }

  private remember(key: string, entry: CachedResult): void {
    this.results.set(key, entry);
    this.resultsWeight += entry.weight;
    while (this.resultsWeight > this.resultCacheWeight) {
      const oldest = this.results.keys().next();
      if (oldest.done) break;
      const dropped = this.results.get(oldest.value) as CachedResult;
      this.results.delete(oldest.value);
      this.resultsWeight -= dropped.weight;
    }
  }

  /**
   * What `active` would answer from its cache without awaiting anything (the store open, the
   * entry younger than a second and of this version), else undefined: a cached read's every
   * request then pays no promise for it.
   */
  private knownActive<DB>(name: string, version: number): { db: Kysely<DB>; generation: number; store: ReadModelDb } | undefined {
    const store = this.backend instanceof ReadModelDb ? this.backend : this.opened;
    const entry = this.cache.get(name);
    if (store === undefined || entry?.active === undefined || entry.active.version !== version || Date.now() - entry.at >= this.generationCacheMs) return undefined;
    return { db: entry.mapped as Kysely<DB>, generation: entry.active.generation, store };
  }

  /**
   * The active generation, looked up at most once a second per projection (a rebuild's switch is
   * seen within that second), with the database mapped to it. The mapping is kept with the entry
   * and reused only while the active generation stays the same one, so it never outlives it.
   */
  private async active<DB>(name: string, version: number): Promise<{ db: Kysely<DB>; generation: number; store: ReadModelDb }> {
    const store = await this.database();
    const now = Date.now();
    let entry = this.cache.get(name);
    if (!entry || now - entry.at >= this.generationCacheMs || entry.active?.version !== version) {
      const active = await new ProjectionGenerations(store).active(name);
      const previous = entry;
      const same = previous?.active !== undefined && active !== undefined && sameGeneration(previous.active, active);
      const mapped = active === undefined ? undefined : same ? previous?.mapped : mapGeneration<unknown>(store.kysely, active);
      entry = { at: now, active, mapped };
      this.cache.set(name, entry);
    }
    const active = entry.active;
    if (!active) throw new ReadModelsUnavailableError(`read model ${name} is not built yet`);
    if (active.version !== version) throw new ReadModelsUnavailableError(`read model ${name} is being rebuilt for version ${version}`);
    return { db: entry.mapped as Kysely<DB>, generation: active.generation, store };
  }

  async ping(): Promise<void> {
    const db = await this.database();
    await db.ping();
  }

  /** Closes what it opened itself; a database it was given belongs to its giver. */
  async close(): Promise<void> {
    this.results.clear();
    this.resultsWeight = 0;
    this.cache.clear();
    if (this.backend instanceof ReadModelDb) return;
    const db = await this.opening?.catch(() => undefined);
    this.opening = undefined;
    this.opened = undefined;
    await db?.close();
  }
}

function sameGeneration(a: ActiveGeneration, b: ActiveGeneration): boolean {
  if (a.generation !== b.generation || a.version !== b.version) return false;
  const aTables = Object.entries(a.tables);
  return aTables.length === Object.keys(b.tables).length && aTables.every(([logical, physical]) => b.tables[logical] === physical);
}
