import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The bull-board page cannot send our bearer header (it is a single-page app of its own that
 * fetches its api with cookies), so an admin first asks the api for a short-lived session: an
 * HttpOnly, SameSite=Strict cookie, scoped to `/admin/queues`, holding a signed token that the
 * board's hook verifies. The token is ours (HMAC), not an identity provider's JWT: it grants
 * exactly one thing, looking at the queues, for minutes.
 */
export const QUEUES_COOKIE = 'evp_queues';
export const QUEUES_PATH = '/admin/queues';
/** Short: a cookie lives in the browser, and the board is opened from the operator page when needed. */
export const QUEUES_SESSION_SECONDS = 15 * 60;

export interface QueuesSession {
  /** Opaque actor id of the admin: who looked. */
  readonly actorId: string;
  /** Expiry, seconds since the epoch. */
  readonly exp: number;
}

/** A key of its own, derived from PERSON_ID_KEY, so this cookie's signature can be nothing else. */
export function queuesSessionKey(personIdKey: string): Buffer {
  return createHmac('sha256', personIdKey).update('evp/queues-session/v1').digest();
}

export function signQueuesSession(key: Buffer, session: QueuesSession): string {
  const payload = Buffer.from(JSON.stringify({ a: session.actorId, e: session.exp }), 'utf8').toString('base64url');
  return `v1.${payload}.${createHmac('sha256', key).update(payload).digest('base64url')}`;
}

/** The session in a cookie header, if it is ours, untampered and not expired. */
export function verifyQueuesSession(key: Buffer, cookieHeader: string | undefined, nowSeconds: number): QueuesSession | undefined {
  const token = cookieValue(cookieHeader, QUEUES_COOKIE);
  const parts = token?.split('.');
  if (!parts || parts.length !== 3 || parts[0] !== 'v1') return undefined;
  const [, payload, signature] = parts as [string, string, string];
  const expected = createHmac('sha256', key).update(payload).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const { a, e } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { a?: unknown; e?: unknown };
    if (typeof a !== 'string' || typeof e !== 'number' || e <= nowSeconds) return undefined;
    return { actorId: a, exp: e };
  } catch {
    return undefined;
  }
}

export function queuesCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  return `${QUEUES_COOKIE}=${token}; Path=${QUEUES_PATH}; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}
