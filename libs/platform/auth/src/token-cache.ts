import { hash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Caller } from './caller';

export const DEFAULT_TOKEN_CACHE_MAX_ENTRIES = 10_000;
export const DEFAULT_TOKEN_CACHE_MAX_AGE_SECONDS = 300;

export interface TokenCacheOptions {
  /** How many verified tokens are kept at most; the least recently used goes first. */
  readonly maxEntries?: number | undefined;
  /** How long an entry lives at most, whatever the token's `exp` says. */
  readonly maxAgeSeconds?: number | undefined;
}

interface Entry {
  readonly caller: Caller;
  /** Epoch milliseconds after which the entry is never served: min(token exp, cached + max age). */
  readonly until: number;
}

/**
 * Verified tokens, so a caller's every request does not pay for a signature check (the read
 * benchmark measured it as a hot spot). The key is the SHA-256 of the token: the token itself —
 * a bearer credential, for ID-porten also carrying the `pid` — is never held as a key.
 *
 * An entry is served until the token's `exp` or the cache's maximum age, whichever is first. A key
 * the identity provider revokes or rotates away in the meantime does not end an entry early: a token
 * verified once stays accepted for at most `maxAgeSeconds` after that (and never past its `exp`),
 * which is the price of not verifying every request. Keep the maximum age short.
 *
 * Time is the verifier's injected clock, read once per look-up for the `until` check, which alone
 * decides. lru-cache keeps no TTL of its own: it would read the clock again on every look-up (a
 * test clock's is a `stat`), and the entry count bounds the memory anyway; an expired entry goes
 * when it is next looked up, or as the least recently used.
 */
export class VerifiedTokenCache {
  private readonly entries: LRUCache<string, Entry>;
  private readonly maxAgeMs: number;

  constructor(
    options: TokenCacheOptions,
    private readonly now: () => number,
  ) {
    const max = options.maxEntries ?? DEFAULT_TOKEN_CACHE_MAX_ENTRIES;
    const maxAge = options.maxAgeSeconds ?? DEFAULT_TOKEN_CACHE_MAX_AGE_SECONDS;
    if (!Number.isInteger(max) || max < 1) throw new Error('The token cache needs a positive whole number of entries');
    if (!Number.isInteger(maxAge) || maxAge < 1) throw new Error('The token cache needs a positive whole number of seconds');
    this.maxAgeMs = maxAge * 1000;
    this.entries = new LRUCache<string, Entry>({ max });
  }

  /** `crypto.hash`, the one-shot form: half the cost of a `createHash` object, on every request. */
  static keyOf(token: string): string {
    return hash('sha256', token, 'base64url');
  }

  get(token: string): Caller | undefined {
    const key = VerifiedTokenCache.keyOf(token);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.now() >= entry.until) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.caller;
  }

  /** `expSeconds` is the verified token's `exp`; a token at or past it is not kept. */
  set(token: string, caller: Caller, expSeconds: number): void {
    const now = this.now();
    const until = Math.min(expSeconds * 1000, now + this.maxAgeMs);
    if (until <= now) return;
    this.entries.set(VerifiedTokenCache.keyOf(token), { caller, until });
  }

  get size(): number {
    return this.entries.size;
  }
}
