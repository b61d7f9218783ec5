import { createHash } from 'node:crypto';
import type { Caller } from './caller';
import { VerifiedTokenCache } from './token-cache';

const caller = (actorId: string): Caller => ({ actorId, roles: ['arrears-team'], municipalities: ['5035'], navOffice: null, landlordId: null, landlordPersonId: null });

describe('VerifiedTokenCache', () => {
  let now: number;
  const cache = (options = {}) => new VerifiedTokenCache(options, () => now);

  beforeEach(() => {
    now = Date.parse('2026-12-20T09:00:00Z');
  });

  it('serves a verified token until its exp, by the injected clock', () => {
    const c = cache();
    const exp = now / 1000 + 60;
    c.set('token-a', caller('a_1'), exp);
    expect(c.get('token-a')?.actorId).toBe('a_1');
    now = exp * 1000 - 1;
    expect(c.get('token-a')?.actorId).toBe('a_1');
    now = exp * 1000;
    expect(c.get('token-a')).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it('serves an entry no longer than its maximum age, whatever the exp says', () => {
    const c = cache({ maxAgeSeconds: 30 });
    c.set('token-a', caller('a_1'), now / 1000 + 3600);
    now += 29_999;
    expect(c.get('token-a')).toBeDefined();
    now += 1;
    expect(c.get('token-a')).toBeUndefined();
  });

  it('refuses after a jump of the clock, and keeps nothing already expired', () => {
    const c = cache();
    c.set('token-a', caller('a_1'), now / 1000 + 60);
    now += 24 * 3_600_000;
    expect(c.get('token-a')).toBeUndefined();
    c.set('token-b', caller('a_2'), now / 1000);
    expect(c.size).toBe(0);
  });

  it('keeps at most its number of entries, dropping the least recently used', () => {
    const c = cache({ maxEntries: 2 });
    const exp = now / 1000 + 60;
    c.set('token-a', caller('a_1'), exp);
    c.set('token-b', caller('a_2'), exp);
    expect(c.get('token-a')).toBeDefined();
    c.set('token-c', caller('a_3'), exp);
    expect(c.get('token-b')).toBeUndefined();
    expect(c.get('token-a')).toBeDefined();
    expect(c.get('token-c')).toBeDefined();
  });

  it('keys entries by the token hash, never the token', () => {
    expect(VerifiedTokenCache.keyOf('token-a')).not.toContain('token-a');
    expect(VerifiedTokenCache.keyOf('token-a')).toBe(VerifiedTokenCache.keyOf('token-a'));
    expect(VerifiedTokenCache.keyOf('token-a')).toBe(createHash('sha256').update('token-a').digest('base64url'));
  });
});
