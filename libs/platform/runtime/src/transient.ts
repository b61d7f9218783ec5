import { EventStoreUnavailableError } from '@evp/event-store';
import { isTransientSqlError } from '@evp/read-models';

/** Network-level failures, whoever raised them. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);

/**
 * True for an infrastructure failure — Redis, SQL or the event store unavailable or busy — which
 * says nothing about the event being handled: it is retried for as long as it lasts and never
 * parks the event (ARCHITECTURE.md, invariant 3). Parking one for it would put good events aside
 * during every outage, which is what happened before this classification existed.
 */
export function isTransientError(error: unknown): boolean {
  if (error instanceof EventStoreUnavailableError) return true;
  if (isTransientSqlError(error)) return true;
  const e = error as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return true;
  // ioredis: a command failed because the connection is gone or kept failing.
  if (e.name === 'MaxRetriesPerRequestError') return true;
  if (typeof e.message === 'string' && /^(Connection is closed|Stream isn't writeable|Reached the max retries per request limit)/.test(e.message)) return true;
  // Redis replies that mean "not now": loading a dataset, read-only replica, out of memory under noeviction.
  if (e.name === 'ReplyError' && typeof e.message === 'string' && /^(LOADING|READONLY|MISCONF|OOM|MASTERDOWN|TRYAGAIN|BUSY)\b/.test(e.message)) return true;
  return e.cause !== undefined && e.cause !== error ? isTransientError(e.cause) : false;
}

/** Error text for logs and operators: the class and message only — handlers must not put personal data in messages. */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, 2000);
}
