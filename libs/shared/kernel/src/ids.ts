import { hash as digest } from 'node:crypto';

/**
 * A UUID in the version-5 layout derived from a name: the same input always gives the same id.
 * Events derived from an input (an accounting line, an Idempotency-Key, a saga's reaction to an
 * event) get their id this way, so a retry or a replay appends nothing new (invariant 2).
 * The name may hold opaque ids only — never an identity number.
 */
export function deterministicId(name: string): string {
  // One-shot `crypto.hash`: an import derives one id per line, and a Hash object costs half as much again.
  const hash = digest('sha1', `evp:${name}`, 'buffer');
  hash[6] = ((hash[6] as number) & 0x0f) | 0x50;
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80;
  const hex = hash.toString('hex', 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
