/**
 * The signed-in person's token: in memory, and in sessionStorage so a reload or a deep link in the
 * same tab keeps it (it dies with the tab; never localStorage). The api is the judge of expiry: a
 * 401 ends the session and sends the person to sign in again, back to where they were. The
 * token's `exp` is not compared with the browser's clock, which may disagree with the api's.
 */
import { useSyncExternalStore } from 'react';
import { ROLES, type Role } from '../format/labels';

export interface Session {
  readonly token: string;
  readonly expiresAt: string | null;
  readonly role: Role;
  readonly roles: readonly Role[];
  readonly municipalities: readonly string[];
  /** The municipality the lists are for: the first of the token's. */
  readonly municipality: string;
  readonly navOffice: string | null;
  readonly landlordId: string | null;
  readonly via: 'development' | 'oidc';
}

const KEY = 'evp.session';
const ENDED_KEY = 'evp.session.ended';

let session: Session | null = read();
const listeners = new Set<() => void>();

function read(): Session | null {
  try {
    const raw = window.sessionStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

function publish(next: Session | null): void {
  session = next;
  try {
    if (next) window.sessionStorage.setItem(KEY, JSON.stringify(next));
    else window.sessionStorage.removeItem(KEY);
  } catch {
    // Storage refused (private mode, quota): the session lives in memory for this page only.
  }
  for (const listener of listeners) listener();
}

export function currentSession(): Session | null {
  return session;
}

export function useSession(): Session | null {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => session,
  );
}

export function signIn(next: Session): void {
  try {
    window.sessionStorage.removeItem(ENDED_KEY);
  } catch {
    // ignore
  }
  publish(next);
}

/** Why the last session ended, shown once on the sign-in page. */
export type EndReason = 'expired' | 'signed-out';

export function endSession(reason: EndReason): void {
  try {
    window.sessionStorage.setItem(ENDED_KEY, reason);
  } catch {
    // ignore
  }
  publish(null);
}

export function endReason(): EndReason | null {
  try {
    return window.sessionStorage.getItem(ENDED_KEY) as EndReason | null;
  } catch {
    return null;
  }
}

export function clearEndReason(): void {
  try {
    window.sessionStorage.removeItem(ENDED_KEY);
  } catch {
    // ignore
  }
}

/** The claims of a JWT's payload, unverified: only to label the page (the api verifies every request). */
export function claimsOf(token: string): Record<string, unknown> {
  const part = token.split('.')[1];
  if (!part) return {};
  try {
    const base64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const claims: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return claims && typeof claims === 'object' ? (claims as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The token's `exp` as an ISO instant, or null (an opaque or unreadable token). */
export function expiryOf(token: string): string | null {
  const exp = claimsOf(token)['exp'];
  return typeof exp === 'number' && Number.isFinite(exp) ? new Date(exp * 1000).toISOString() : null;
}

/** What `GET /api/v1/me` answers: the caller as the api mapped the token. */
export interface MeView {
  readonly roles: readonly string[];
  readonly municipalities: readonly string[];
  readonly navOffice: string | null;
  readonly landlordId: string | null;
}

function sessionOf(token: string, via: Session['via'], expiresAt: string | null, view: { roles: unknown; municipalities: unknown; navOffice: unknown; landlordId: unknown }): Session | null {
  const roles = (Array.isArray(view.roles) ? view.roles : []).filter((r): r is Role => (ROLES as readonly unknown[]).includes(r));
  const municipalities = (Array.isArray(view.municipalities) ? view.municipalities : []).filter((m): m is string => typeof m === 'string');
  const role = roles[0];
  const municipality = municipalities[0];
  if (!role || !municipality) return null;
  return {
    token,
    expiresAt,
    role,
    roles,
    municipalities,
    municipality,
    navOffice: typeof view.navOffice === 'string' ? view.navOffice : null,
    landlordId: typeof view.landlordId === 'string' ? view.landlordId : null,
    via,
  };
}

/**
 * A session from a development token's own claims (`roles`, `municipalities`, `navOffice`,
 * `landlordId`, `exp`), as the api reads them. An Entra ID or ID-porten token carries none of these
 * (its roles and municipalities come from the api's mapping): for it this is null, never an error,
 * and the session comes from `sessionFromMe` instead.
 */
export function sessionFromToken(token: string, via: Session['via'], expiresAt?: string | null): Session | null {
  const claims = claimsOf(token);
  return sessionOf(token, via, expiresAt ?? expiryOf(token), { roles: claims['roles'], municipalities: claims['municipalities'], navOffice: claims['navOffice'], landlordId: claims['landlordId'] });
}

/** A session from the api's own reading of the token (`GET /api/v1/me`): works for every issuer. */
export function sessionFromMe(token: string, me: MeView, via: Session['via'], expiresAt?: string | null): Session | null {
  return sessionOf(token, via, expiresAt ?? expiryOf(token), me);
}

export function hasAnyRole(s: Session | null, ...roles: Role[]): boolean {
  return !!s && s.roles.some((r) => roles.includes(r));
}
