import { randomBytes } from 'node:crypto';
import { syntheticNationalIds } from '@evp/shared-kernel';
import type { Caller } from '@evp/auth';
import { evolvePerson, initialPerson, type PeopleEvent } from '@evp/people-domain';
import { createCipheriv } from 'node:crypto';
import { decryptPersonalData, deriveKeyEncryptionKey, encryptPersonalData, masterKeyCheck, masterKeyOpens, newDataKey, openHouseholdNote, PersonalDataUnreadableError, sealHouseholdNote, unwrapDataKey, wrapDataKey } from './crypto';
import { personView } from './person-views';

const P = 'p0123456789abcdef0123456789abcdef';
const Q = 'pfedcba9876543210fedcba9876543210';
const [nationalId] = syntheticNationalIds(1, 77) as [string];
const data = { nationalId, name: 'Åse Ørnø Brække', birthDate: null };

/** Flips one bit of a base64 field. */
function flip(base64: string, byte = 0): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[byte] = (bytes[byte] as number) ^ 0x01;
  return bytes.toString('base64');
}

describe('personal data under a per-person key (AES-256-GCM)', () => {
  it('round-trips, and the ciphertext holds neither the number nor the name', () => {
    const key = newDataKey(P);
    const encrypted = encryptPersonalData(key, data);
    expect(decryptPersonalData(key, { personId: P, keyId: key.keyId, encrypted })).toEqual(data);
    const stored = JSON.stringify(encrypted);
    expect(stored).not.toContain(nationalId);
    expect(stored).not.toContain('Brække');
    expect(Buffer.from(encrypted.data, 'base64').toString('latin1')).not.toContain(nationalId);
  });

  it('seals the same data differently each time (random IV)', () => {
    const key = newDataKey(P);
    expect(encryptPersonalData(key, data).data).not.toBe(encryptPersonalData(key, data).data);
  });

  it('does not open with another key, another key id, or for another person', () => {
    const key = newDataKey(P);
    const encrypted = encryptPersonalData(key, data);
    const record = { personId: P, keyId: key.keyId, encrypted };
    expect(() => decryptPersonalData(newDataKey(P), record)).toThrow(PersonalDataUnreadableError);
    expect(() => decryptPersonalData({ ...newDataKey(P), key: key.key }, record)).toThrow(PersonalDataUnreadableError);
    // The same key presented for another person (a ciphertext copied into another stream) fails on the associated data.
    expect(() => decryptPersonalData({ ...key, personId: Q }, { ...record, personId: Q })).toThrow(PersonalDataUnreadableError);
  });

  it.each([
    ['the ciphertext', (e: { iv: string; tag: string; data: string }) => ({ ...e, data: flip(e.data, 3) })],
    ['the tag', (e: { iv: string; tag: string; data: string }) => ({ ...e, tag: flip(e.tag) })],
    ['the IV', (e: { iv: string; tag: string; data: string }) => ({ ...e, iv: flip(e.iv) })],
    ['a truncated tag', (e: { iv: string; tag: string; data: string }) => ({ ...e, tag: Buffer.from(e.tag, 'base64').subarray(0, 8).toString('base64') })],
    ['an empty record', () => ({ iv: '', tag: '', data: '' })],
  ])('refuses tampering with %s', (_, tamper) => {
    const key = newDataKey(P);
    const encrypted = encryptPersonalData(key, data);
    expect(() => decryptPersonalData(key, { personId: P, keyId: key.keyId, encrypted: tamper(encrypted) })).toThrow(PersonalDataUnreadableError);
  });

  it('says nothing about the data when it refuses', () => {
    const key = newDataKey(P);
    const encrypted = encryptPersonalData(key, data);
    expect(() => decryptPersonalData(newDataKey(P), { personId: P, keyId: key.keyId, encrypted })).toThrow(/^personal data cannot be decrypted$/);
  });
});

describe('data keys wrapped under the key-encryption key', () => {
  const master = randomBytes(32).toString('hex');

  it('unwrap what they wrapped, bound to the person and key id', () => {
    const kek = deriveKeyEncryptionKey(master);
    const key = newDataKey(P);
    const wrapped = wrapDataKey(kek, key);
    expect(unwrapDataKey(kek, P, key.keyId, wrapped).key.equals(key.key)).toBe(true);
    expect(Buffer.from(wrapped.data, 'base64').equals(key.key)).toBe(false);
    expect(() => unwrapDataKey(kek, Q, key.keyId, wrapped)).toThrow(PersonalDataUnreadableError);
    expect(() => unwrapDataKey(kek, P, 'kother', wrapped)).toThrow(PersonalDataUnreadableError);
  });

  it('do not unwrap under another master key, which the store check detects', () => {
    const kek = deriveKeyEncryptionKey(master);
    const other = deriveKeyEncryptionKey(randomBytes(32).toString('hex'));
    const key = newDataKey(P);
    expect(() => unwrapDataKey(other, P, key.keyId, wrapDataKey(kek, key))).toThrow(PersonalDataUnreadableError);
    expect(masterKeyOpens(kek, masterKeyCheck(kek))).toBe(true);
    expect(masterKeyOpens(other, masterKeyCheck(kek))).toBe(false);
  });
});

describe('what a reader sees', () => {
  const key = newDataKey(P);
  const recorded: PeopleEvent = { type: 'people.PersonRecorded', data: { personId: P, keyId: key.keyId, encrypted: encryptPersonalData(key, data) } };
  const linked: PeopleEvent = { type: 'people.PersonLinkedToTenancy', data: { personId: P, municipalityNumber: '5035', tenancyId: '100234' } };
  const person = [recorded, linked].reduce(evolvePerson, initialPerson());
  const caller = (roles: Caller['roles']): Caller => ({ actorId: 'a_x', roles, municipalities: ['5035'], navOffice: 'nav-stjordal', landlordId: null, landlordPersonId: null });

  it('shows admin the whole number and everyone else the date of birth only', () => {
    expect(personView(caller(['admin']), P, person, key)).toEqual({ personId: P, name: data.name, nationalId, status: 'active' });
    expect(personView(caller(['accounting']), P, person, key)).toEqual({ personId: P, name: data.name, nationalId: `${nationalId.slice(0, 6)}*****`, status: 'active' });
  });

  it('shows «slettet person» once the key is erased, and never fails', () => {
    expect(personView(caller(['admin']), P, person, undefined)).toEqual({ personId: P, name: 'slettet person', nationalId: null, status: 'active' });
    const erased = evolvePerson(person, { type: 'people.PersonErased', data: { personId: P, reason: 'no-longer-necessary', erasedOn: '2026-12-01' } });
    expect(personView(caller(['admin']), P, erased, key)).toEqual({ personId: P, name: 'slettet person', nationalId: null, status: 'erased' });
    expect(personView(caller(['admin']), P, person, newDataKey(P))).toMatchObject({ name: 'slettet person', nationalId: null });
  });

  it('shows restricted data to admin only', () => {
    const restricted = evolvePerson(person, { type: 'people.PersonRestricted', data: { personId: P, basis: 'archive-obligation' } });
    expect(personView(caller(['admin']), P, restricted, key)).toEqual({ personId: P, name: data.name, nationalId, status: 'restricted' });
    for (const role of ['accounting', 'arrears-team', 'nav-adviser'] as const) {
      expect(personView(caller([role]), P, restricted, key)).toEqual({ personId: P, name: 'skjermet person', nationalId: null, status: 'restricted' });
    }
  });
});

describe('what else is sealed: birth dates, and household notes for all the household’s people', () => {
  it('a tenant known by name and birth date round-trips; a version-1 record (number and name) still opens', () => {
    const key = newDataKey(P);
    const named = { nationalId: null, name: 'Per Ødegård', birthDate: '1985-03-09' };
    expect(decryptPersonalData(key, { personId: P, keyId: key.keyId, encrypted: encryptPersonalData(key, named) })).toEqual(named);
    // Version 1, sealed as the code before birth dates did.
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key.key, iv, { authTagLength: 16 });
    cipher.setAAD(Buffer.from(`evp/person-data/v1|${P}|${key.keyId}`, 'utf8'));
    const body = Buffer.concat([cipher.update(JSON.stringify({ v: 1, nationalId, name: 'Åse' }), 'utf8'), cipher.final()]);
    const v1 = { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: body.toString('base64') };
    expect(decryptPersonalData(key, { personId: P, keyId: key.keyId, encrypted: v1 })).toEqual({ nationalId, name: 'Åse', birthDate: null });
  });

  it('a household note opens only with every key it was sealed for, bound to its owner and id', () => {
    const a = newDataKey(P);
    const b = newDataKey(Q);
    const note = sealHouseholdNote([b, a], 'nav', 'n1', 'Ønsker nedbetaling.');
    expect(note.sealedFor.map((p) => p.personId)).toEqual([P, Q]);
    expect(JSON.stringify(note)).not.toContain('nedbetaling');
    const both = new Map([
      [P, a],
      [Q, b],
    ]);
    expect(openHouseholdNote(both, 'nav', 'n1', note)).toBe('Ønsker nedbetaling.');
    // One person erased (key gone) or registered again after an erasure (a new key): shredded.
    expect(() => openHouseholdNote(new Map([[P, a]]), 'nav', 'n1', note)).toThrow(PersonalDataUnreadableError);
    expect(() => openHouseholdNote(new Map([[P, a], [Q, newDataKey(Q)]]), 'nav', 'n1', note)).toThrow(PersonalDataUnreadableError);
    // Another owner, another note id, or a tampered list of who it was sealed for: nothing opens.
    expect(() => openHouseholdNote(both, 'warnings', 'n1', note)).toThrow(PersonalDataUnreadableError);
    expect(() => openHouseholdNote(both, 'nav', 'n2', note)).toThrow(PersonalDataUnreadableError);
    expect(() => openHouseholdNote(both, 'nav', 'n1', { ...note, sealedFor: note.sealedFor.slice(0, 1) })).toThrow(PersonalDataUnreadableError);
  });
});
