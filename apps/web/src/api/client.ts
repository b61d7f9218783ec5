/**
 * Every call to the api: same origin, the session's bearer token, JSON in and out, problem details
 * as `ApiError`. A 401 ends the session and sends the person to sign in again, back to this page.
 */
import { currentSession, endSession } from '../auth/session';
import { navigate } from '../app/router';
import { ApiError, networkProblem, toProblem } from './problem';

export interface RequestOptions {
  readonly method?: string;
  readonly json?: unknown;
  readonly headers?: Record<string, string>;
  readonly signal?: AbortSignal;
  /** false for the sign-in calls, which go without a token. */
  readonly auth?: boolean;
}

export function authHeaders(): Record<string, string> {
  const s = currentSession();
  return s ? { authorization: `Bearer ${s.token}` } : {};
}

/** The session is over (the api said 401): sign in again, then come back here. */
export function sessionExpired(): void {
  const here = window.location.pathname + window.location.search;
  endSession('expired');
  if (!window.location.pathname.startsWith('/logg-inn')) navigate(`/logg-inn?neste=${encodeURIComponent(here)}`, { replace: true });
}

async function parseBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function send(path: string, options: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json', ...(options.auth === false ? {} : authHeaders()), ...(options.headers ?? {}) };
  let body: string | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  let response: Response;
  try {
    response = await fetch(path, { method: options.method ?? 'GET', headers, ...(body !== undefined ? { body } : {}), ...(options.signal ? { signal: options.signal } : {}), credentials: 'same-origin' });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(networkProblem());
  }
  if (response.status === 401 && options.auth !== false) {
    sessionExpired();
    throw new ApiError(toProblem(401, await parseBody(response)));
  }
  if (!response.ok) throw new ApiError(toProblem(response.status, await parseBody(response)));
  return response;
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const response = await send(path, options);
  return (await parseBody(response)) as T;
}

/** A fresh key per form submission: a repeated click or a retry after a lost answer writes once. */
export function idempotencyKey(): string {
  // randomUUID exists only in secure contexts (https, localhost); getRandomValues everywhere.
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = ((b[6] as number) & 0x0f) | 0x40;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A query string from the values that are set. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') q.set(key, String(value));
  const s = q.toString();
  return s ? `?${s}` : '';
}
