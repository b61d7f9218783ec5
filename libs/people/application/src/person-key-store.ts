import type { Migration } from 'kysely';
import { ReadModelDb, type AnyKysely, type ReadModelBackend } from '@evp/read-models';
import type { EncryptedPayload } from '@evp/people-contract';
import { deriveKeyEncryptionKey, masterKeyCheck, masterKeyOpens, newDataKey, unwrapDataKey, wrapDataKey, type DataKey } from './crypto';

export const PERSON_KEYS_TABLE = 'person_keys';
export const PERSON_KEYS_META_TABLE = 'person_keys_meta';

interface PersonKeyRow {
  person_id: string;
  key_id: string;
  iv: string;
  tag: string;
  wrapped: string;
  /** Which key-encryption key wrapped it: a new master key re-wraps row by row. */
  kek_version: number;
  created_at: string;
}

/**
 * The key table's own migrations. It is not a read model: nothing rebuilds it, and losing it
 * loses every person's data (see the README, «Personal data and key backup»).
 */
export const PERSON_KEY_MIGRATIONS: Readonly<Record<string, Migration>> = Object.freeze({
  '0001_person_keys': {
    async up(db: AnyKysely) {
      await db.schema
        .createTable(PERSON_KEYS_TABLE)
        // One key per person at a time: erasure deletes the row, a later registration makes a new one.
        .addColumn('person_id', 'text', (c) => c.primaryKey())
        .addColumn('key_id', 'text', (c) => c.notNull().unique())
        .addColumn('iv', 'text', (c) => c.notNull())
        .addColumn('tag', 'text', (c) => c.notNull())
        .addColumn('wrapped', 'text', (c) => c.notNull())
        .addColumn('kek_version', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable(PERSON_KEYS_META_TABLE)
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
    },
  },
});

const KEK_VERSION = 1;
const MASTER_KEY_CHECK = 'master-key-check';
const CHUNK = 400;

export class PersonKeyStoreError extends Error {
  override readonly name = 'PersonKeyStoreError';
}

/**
 * The per-person data keys, each wrapped with the key-encryption key, in a store of their own: an
 * SQLite file (PERSON_KEYS_SQLITE_FILE) or a PostgreSQL schema (PERSON_KEYS_POSTGRES_SCHEMA) —
 * never the event log, never a read model a rebuild recreates. The api writes it (a new person's
 * key before their event) and deletes from it (erasure).
 */
export class PersonKeyStore {
  private closed = false;

  private constructor(
    private readonly db: ReadModelDb,
    private readonly kek: Buffer,
    private readonly now: () => Date,
  ) {}

  /**
   * Opens the store, runs its migrations, and proves the master key is the one the store was made
   * with: a wrong key would make every person read as erased, so it stops the start instead.
   */
  static async open(backend: ReadModelBackend, masterKey: string, options: { now?: () => Date } = {}): Promise<PersonKeyStore> {
    const db = await ReadModelDb.open(backend);
    try {
      await db.migrate(PERSON_KEY_MIGRATIONS);
      const store = new PersonKeyStore(db, deriveKeyEncryptionKey(masterKey), options.now ?? (() => new Date()));
      await store.checkMasterKey();
      return store;
    } catch (error) {
      await db.close();
      throw error;
    }
  }

  private get kysely(): AnyKysely {
    return this.db.kysely;
  }

  private async checkMasterKey(): Promise<void> {
    const check = JSON.stringify(masterKeyCheck(this.kek));
    await this.kysely.insertInto(PERSON_KEYS_META_TABLE).values({ name: MASTER_KEY_CHECK, value: check }).onConflict((oc) => oc.column('name').doNothing()).execute();
    const row = (await this.kysely.selectFrom(PERSON_KEYS_META_TABLE).select('value').where('name', '=', MASTER_KEY_CHECK).executeTakeFirst()) as { value: string } | undefined;
    if (!row || !masterKeyOpens(this.kek, JSON.parse(row.value) as EncryptedPayload)) {
      throw new PersonKeyStoreError('PERSON_KEYS_MASTER_KEY does not open this person-key store: it is not the master key the store was created with');
    }
  }

  /** The person's current key; undefined when they have none (never recorded, or erased). */
  async find(personId: string): Promise<DataKey | undefined> {
    return (await this.findMany([personId])).get(personId);
  }

  async findMany(personIds: readonly string[]): Promise<Map<string, DataKey>> {
    const found = new Map<string, DataKey>();
    for (let i = 0; i < personIds.length; i += CHUNK) {
      const rows = (await this.kysely.selectFrom(PERSON_KEYS_TABLE).selectAll().where('person_id', 'in', personIds.slice(i, i + CHUNK)).execute()) as PersonKeyRow[];
      for (const row of rows) {
        const key = this.unwrap(row);
        if (key) found.set(row.person_id, key);
      }
    }
    return found;
  }

  /**
   * Each person's key, made now for those who have none, in one transaction. `replace` names
   * people whose stored key must not be used again (a person erased earlier, whose key deletion
   * may not have completed): their row is replaced by a new key. Concurrent callers creating a key
   * for the same person agree on one: the insert yields to the row that is there.
   */
  async ensureKeys(personIds: readonly string[], replace: ReadonlySet<string> = new Set()): Promise<Map<string, DataKey>> {
    if (personIds.length === 0) return new Map();
    const createdAt = this.now().toISOString();
    const rows = await this.db.transaction(async (tx) => {
      const out: PersonKeyRow[] = [];
      for (let i = 0; i < personIds.length; i += CHUNK) {
        const ids = personIds.slice(i, i + CHUNK);
        const stale = ids.filter((id) => replace.has(id));
        if (stale.length) await tx.deleteFrom(PERSON_KEYS_TABLE).where('person_id', 'in', stale).execute();
        const fresh = ids.map((personId) => this.row(newDataKey(personId), createdAt));
        await tx.insertInto(PERSON_KEYS_TABLE).values(fresh).onConflict((oc) => oc.column('person_id').doNothing()).execute();
        out.push(...((await tx.selectFrom(PERSON_KEYS_TABLE).selectAll().where('person_id', 'in', ids).execute()) as PersonKeyRow[]));
      }
      return out;
    });
    const keys = new Map<string, DataKey>();
    for (const row of rows) {
      const key = this.unwrap(row);
      if (!key) throw new PersonKeyStoreError('A stored person key cannot be unwrapped: the key table has been altered');
      keys.set(row.person_id, key);
    }
    return keys;
  }

  /** Crypto-shredding: the person's key is gone, and with it every ciphertext it sealed. True when a row was deleted. */
  async delete(personId: string): Promise<boolean> {
    const result = await this.kysely.deleteFrom(PERSON_KEYS_TABLE).where('person_id', '=', personId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async ping(): Promise<void> {
    await this.db.ping();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.db.close();
  }

  /** Nest calls this on shutdown for the provider instance. */
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  private row(key: DataKey, createdAt: string): PersonKeyRow {
    const wrapped = wrapDataKey(this.kek, key);
    return { person_id: key.personId, key_id: key.keyId, iv: wrapped.iv, tag: wrapped.tag, wrapped: wrapped.data, kek_version: KEK_VERSION, created_at: createdAt };
  }

  /** A row that does not open (altered, or wrapped under another key) counts as no key: the person reads as a placeholder. */
  private unwrap(row: PersonKeyRow): DataKey | undefined {
    try {
      return unwrapDataKey(this.kek, row.person_id, row.key_id, { iv: row.iv, tag: row.tag, data: row.wrapped });
    } catch {
      return undefined;
    }
  }
}
