import { createHmac } from 'node:crypto';

/**
 * Opaque ids for people, keyed with PERSON_ID_KEY so that nobody without the key can go from an id
 * back to an identity number by trying all of them (there are only ~10^8 plausible fødselsnumre).
 */

/**
 * The key for actor ids, derived from PERSON_ID_KEY rather than the key itself: an actor id
 * computed from a `sub` that happens to be a fødselsnummer must not equal the person id the people
 * streams give the same number, or the audit trail would link a caller to a tenant without the
 * key holder deciding so.
 */
export function actorIdKey(personIdKey: string): Buffer {
  return createHmac('sha256', personIdKey).update('evp/actor-id/v1').digest();
}

/**
 * `a_` + 128 bits of HMAC-SHA256 over issuer and subject. The issuer is part of the input because
 * a `sub` is only unique within its issuer; JSON keeps the two parts unambiguous whatever they hold.
 */
export function deriveActorId(key: Buffer, issuer: string, subject: string): string {
  return `a_${createHmac('sha256', key).update(JSON.stringify([issuer, subject])).digest('hex').slice(0, 32)}`;
}

/**
 * The opaque person id of an identity number: the same derivation as the people streams
 * (`LedgerService.personId`), so a landlord who logs in as a person is the same opaque person.
 * Changing it changes every existing person id.
 */
export function opaquePersonId(personIdKey: string, nationalId: string): string {
  return `p${createHmac('sha256', personIdKey).update(nationalId).digest('hex').slice(0, 32)}`;
}
