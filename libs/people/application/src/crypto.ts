import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { EncryptedPayload } from '@evp/people-contract';

/**
 * Crypto-shredding (ARCHITECTURE.md, invariant 7): every person's data is sealed with AES-256-GCM
 * under a random data key of their own; deleting the key makes every ciphertext of theirs noise,
 * wherever copies of the event log went. The data keys are themselves sealed with a key-encryption
 * key derived from PERSON_KEYS_MASTER_KEY, so a copy of the key table alone opens nothing.
 *
 * GCM with a 96-bit random IV: a data key seals a handful of records in its life, far below the
 * 2^32 messages per key where random IVs start to risk a repeat.
 */
const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * What is sealed for a person. A § 9-11 warning may know a tenant only by name and birth date (no
 * number), and a private landlord by name alone. Household notes (NAV's) are sealed apart, see
 * `sealHouseholdNote`.
 */
export interface PersonalData {
  readonly nationalId: string | null;
  readonly name: string;
  /** `YYYY-MM-DD`, when known. */
  readonly birthDate: string | null;
}

export interface DataKey {
  readonly personId: string;
  /** Random, recorded in each event it sealed: a key replaced after an erasure never opens the old events. */
  readonly keyId: string;
  readonly key: Buffer;
}

/** The ciphertext cannot be opened: wrong or deleted key, another person's record, or tampering. Never says more. */
export class PersonalDataUnreadableError extends Error {
  override readonly name = 'PersonalDataUnreadableError';
  constructor() {
    super('personal data cannot be decrypted');
  }
}

/** A fresh data key for one person. */
export function newDataKey(personId: string): DataKey {
  return { personId, keyId: `k${randomBytes(16).toString('hex')}`, key: randomBytes(KEY_BYTES) };
}

function seal(key: Buffer, plaintext: Buffer, aad: string): EncryptedPayload {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

function open(key: Buffer, payload: EncryptedPayload, aad: string): Buffer {
  const iv = Buffer.from(payload.iv ?? '', 'base64');
  const tag = Buffer.from(payload.tag ?? '', 'base64');
  if (key.length !== KEY_BYTES || iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new PersonalDataUnreadableError();
  try {
    const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(payload.data ?? '', 'base64')), decipher.final()]);
  } catch {
    throw new PersonalDataUnreadableError();
  }
}

/**
 * The associated data binds a ciphertext to its person and key: copied into another person's
 * stream, or presented with another key id, it does not open.
 */
const dataAad = (personId: string, keyId: string) => `evp/person-data/v1|${personId}|${keyId}`;
const keyAad = (personId: string, keyId: string) => `evp/person-key/v1|${personId}|${keyId}`;

export function encryptPersonalData(dataKey: DataKey, data: PersonalData): EncryptedPayload {
  const plaintext = Buffer.from(JSON.stringify({ v: 2, nationalId: data.nationalId, name: data.name, birthDate: data.birthDate }), 'utf8');
  return seal(dataKey.key, plaintext, dataAad(dataKey.personId, dataKey.keyId));
}

/** Opens what `encryptPersonalData` sealed for this person under the key with `keyId`; anything else throws `PersonalDataUnreadableError`. */
export function decryptPersonalData(dataKey: DataKey, record: { readonly personId: string; readonly keyId: string; readonly encrypted: EncryptedPayload }): PersonalData {
  if (dataKey.keyId !== record.keyId || dataKey.personId !== record.personId) throw new PersonalDataUnreadableError();
  const plaintext = open(dataKey.key, record.encrypted, dataAad(record.personId, record.keyId));
  const parsed = JSON.parse(plaintext.toString('utf8')) as { v?: number; nationalId?: unknown; name?: unknown; birthDate?: unknown };
  // v1 (before birth dates): a number and a name, both always there.
  if (parsed.v === 1 && typeof parsed.nationalId === 'string' && typeof parsed.name === 'string') return { nationalId: parsed.nationalId, name: parsed.name, birthDate: null };
  const optional = (v: unknown) => v === null || typeof v === 'string';
  if (parsed.v !== 2 || typeof parsed.name !== 'string' || !optional(parsed.nationalId) || !optional(parsed.birthDate)) throw new PersonalDataUnreadableError();
  return { nationalId: (parsed.nationalId as string | null) || null, name: parsed.name, birthDate: (parsed.birthDate as string | null) || null };
}

/**
 * A household note (NAV's free text about the household) is sealed under a key derived from the
 * data keys of ALL the household's tenant persons at the time of writing (HKDF over the keys in
 * person-id order, a random salt, bound to the note and to who it was sealed for). Opening needs
 * every one of those keys, so erasing any one of them shreds it — see `household-notes.ts` for why.
 */
const noteAad = (owner: string, noteId: string, sealedFor: ReadonlyArray<{ personId: string; keyId: string }>) =>
  `evp/household-note/v1|${owner}|${noteId}|${sealedFor.map((p) => `${p.personId}:${p.keyId}`).join(',')}`;

function noteKey(keys: readonly DataKey[], salt: Buffer, aad: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.concat(keys.map((k) => k.key)), salt, aad, KEY_BYTES));
}

const byPersonId = (a: { personId: string }, b: { personId: string }) => (a.personId < b.personId ? -1 : a.personId > b.personId ? 1 : 0);

export interface SealedHouseholdNote {
  readonly sealedFor: ReadonlyArray<{ readonly personId: string; readonly keyId: string }>;
  readonly salt: string;
  readonly encrypted: EncryptedPayload;
}

export function sealHouseholdNote(keys: readonly DataKey[], owner: string, noteId: string, text: string): SealedHouseholdNote {
  if (keys.length === 0) throw new Error('a household note needs at least one person to be sealed for');
  const sorted = [...keys].sort(byPersonId);
  const sealedFor = sorted.map((k) => ({ personId: k.personId, keyId: k.keyId }));
  const salt = randomBytes(16);
  const aad = noteAad(owner, noteId, sealedFor);
  return { sealedFor, salt: salt.toString('base64'), encrypted: seal(noteKey(sorted, salt, aad), Buffer.from(JSON.stringify({ v: 1, text }), 'utf8'), aad) };
}

/** Opens a household note with the current keys of the persons it was sealed for; any key missing or replaced throws `PersonalDataUnreadableError`. */
export function openHouseholdNote(keys: ReadonlyMap<string, DataKey>, owner: string, noteId: string, note: SealedHouseholdNote): string {
  const sorted = [...note.sealedFor].sort(byPersonId);
  const used = sorted.map((p) => keys.get(p.personId));
  if (sorted.length === 0 || used.some((k, i) => !k || k.keyId !== sorted[i]?.keyId)) throw new PersonalDataUnreadableError();
  const aad = noteAad(owner, noteId, sorted);
  const plaintext = open(noteKey(used as DataKey[], Buffer.from(note.salt ?? '', 'base64'), aad), note.encrypted, aad);
  const parsed = JSON.parse(plaintext.toString('utf8')) as { v?: number; text?: unknown };
  if (parsed.v !== 1 || typeof parsed.text !== 'string') throw new PersonalDataUnreadableError();
  return parsed.text;
}

/**
 * The key-encryption key: HKDF-SHA256 over the configured master key (at least 32 random bytes,
 * checked at start-up), bound to this purpose so the same secret could never double as another key.
 */
export function deriveKeyEncryptionKey(masterKey: string): Buffer {
  if (!masterKey) throw new Error('No PERSON_KEYS_MASTER_KEY');
  return Buffer.from(hkdfSync('sha256', Buffer.from(masterKey, 'utf8'), 'evp/person-keys', 'key-encryption-key/v1', KEY_BYTES));
}

export function wrapDataKey(kek: Buffer, dataKey: DataKey): EncryptedPayload {
  return seal(kek, dataKey.key, keyAad(dataKey.personId, dataKey.keyId));
}

export function unwrapDataKey(kek: Buffer, personId: string, keyId: string, wrapped: EncryptedPayload): DataKey {
  return { personId, keyId, key: open(kek, wrapped, keyAad(personId, keyId)) };
}

/** A known value sealed under the key-encryption key: opening it at start proves the master key is the one the store was made with. */
const CHECK_AAD = 'evp/person-keys/master-key-check/v1';
const CHECK_VALUE = 'evp person keys';

export function masterKeyCheck(kek: Buffer): EncryptedPayload {
  return seal(kek, Buffer.from(CHECK_VALUE, 'utf8'), CHECK_AAD);
}

export function masterKeyOpens(kek: Buffer, check: EncryptedPayload): boolean {
  try {
    return open(kek, check, CHECK_AAD).toString('utf8') === CHECK_VALUE;
  } catch {
    return false;
  }
}
