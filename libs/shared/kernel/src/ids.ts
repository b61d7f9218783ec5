import { createHash } from 'node:crypto';

/**
 * A UUID in the version-5 layout derived from a name: the same input always gives the same id.
 * Events derived from an input (an accounting line, an Idempotency-Key, a saga's reaction to an
 * event) get their id this way, so a retry or a replay appends nothing new (invariant 2).
 * The name may hold opaque ids only — never an identity number.
 */
export function deterministicId(name: string): string {
  const hash = createHash('sha1').update('evp:').update(name).digest();
  hash[6] = ((hash[6] as number) & 0x0f) | 0x50;
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
