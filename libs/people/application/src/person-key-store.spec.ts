import { randomBytes } from 'node:crypto';
import { ReadModelDb } from '@evp/read-models';
import { openThrowawayPostgres, openThrowawaySqlite, type ThrowawayReadModelDb } from '@evp/read-models/testing';
import { PERSON_KEYS_META_TABLE, PERSON_KEYS_TABLE, PersonKeyStore, PersonKeyStoreError } from './person-key-store';

const P = 'p0123456789abcdef0123456789abcdef';
const Q = 'pfedcba9876543210fedcba9876543210';

describe.each([
  ['SQLite', openThrowawaySqlite],
  ['PostgreSQL', openThrowawayPostgres],
])('the person-key store on %s', (_, openThrowaway) => {
  let throwaway: ThrowawayReadModelDb;
  let store: PersonKeyStore;
  const master = randomBytes(32).toString('hex');

  beforeEach(async () => {
    // Migrated, so the throwaway's own connection has run a query: a PostgreSQL ReadModelDb closed
    // before its first query leaves its pool (and Jest) running.
    throwaway = await openThrowaway({ label: 'person-keys' });
    store = await PersonKeyStore.open(throwaway.backend, master, { now: () => new Date('2026-11-02T08:00:00Z') });
  });
  afterEach(async () => {
    await store.close();
    await throwaway.dispose();
  });

  it('makes one key per person and gives the same one back, also to a second process', async () => {
    const made = await store.ensureKeys([P, Q]);
    expect(made.get(P)?.key).toHaveLength(32);
    expect(made.get(P)?.keyId).not.toBe(made.get(Q)?.keyId);
    expect((await store.ensureKeys([P])).get(P)?.key.equals(made.get(P)?.key as Buffer)).toBe(true);
    const other = await PersonKeyStore.open(throwaway.backend, master);
    try {
      expect((await other.find(P))?.key.equals(made.get(P)?.key as Buffer)).toBe(true);
    } finally {
      await other.close();
    }
  });

  it('deletes a key for good (crypto-shredding), and a replaced key is a new one', async () => {
    const first = (await store.ensureKeys([P])).get(P);
    expect(await store.delete(P)).toBe(true);
    expect(await store.delete(P)).toBe(false);
    expect(await store.find(P)).toBeUndefined();
    const again = (await store.ensureKeys([P])).get(P);
    expect(again?.keyId).not.toBe(first?.keyId);
    const replaced = (await store.ensureKeys([P], new Set([P]))).get(P);
    expect(replaced?.keyId).not.toBe(again?.keyId);
  });

  it('holds only wrapped keys: a copy of the table without the master key opens nothing', async () => {
    const key = (await store.ensureKeys([P])).get(P);
    const reader = await ReadModelDb.open(throwaway.backend);
    try {
      const rows = (await reader.kysely.selectFrom(PERSON_KEYS_TABLE).selectAll().execute()) as Array<Record<string, unknown>>;
      expect(rows).toEqual([{ person_id: P, key_id: key?.keyId, iv: expect.any(String), tag: expect.any(String), wrapped: expect.any(String), kek_version: 1, created_at: '2026-11-02T08:00:00.000Z' }]);
      const everything = JSON.stringify(rows) + JSON.stringify(await reader.kysely.selectFrom(PERSON_KEYS_META_TABLE).selectAll().execute());
      for (const encoding of ['hex', 'base64', 'base64url'] as const) expect(everything).not.toContain(key?.key.toString(encoding));
    } finally {
      await reader.close();
    }
  });

  it('refuses to open with another master key instead of reading every person as erased', async () => {
    await expect(PersonKeyStore.open(throwaway.backend, randomBytes(32).toString('hex'))).rejects.toThrow(PersonKeyStoreError);
  });
});
