import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { containsIdentityNumber } from '@evp/shared-kernel';
import { ProblemException, actingRole, mediaTypeOf, type Caller, type Role } from '@evp/auth';
import type { CommandContext } from '@evp/ledger-application';
import { UnsupportedMediaTypeError } from './errors';
import { CSV_MEDIA_TYPES } from './limits';

/**
 * The client's correlation id, when it is a safe token; it goes into every event's metadata, so one
 * that holds an identity number (the canary suite sends one) is replaced by a fresh id.
 */
export function correlationIdOf(request: FastifyRequest): string {
  const header = request.headers['x-correlation-id'];
  return typeof header === 'string' && /^[A-Za-z0-9_.:-]{1,100}$/.test(header) && !containsIdentityNumber(header) ? header : randomUUID();
}

export function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const header = request.headers['idempotency-key'];
  return typeof header === 'string' ? header : undefined;
}

export function commandContext(request: FastifyRequest, caller: Caller, allowed: readonly Role[], now: Date): CommandContext {
  return { actor: { id: caller.actorId, role: actingRole(caller, allowed) }, correlationId: correlationIdOf(request), now, municipalities: caller.municipalities };
}

// The refusals name what is expected, never the content type that came (it is the client's text).
export function requireJson(request: FastifyRequest): void {
  if (mediaTypeOf(request) !== 'application/json') throw new UnsupportedMediaTypeError('Forventer application/json.');
}

/** A CSV upload: the raw file as `text/csv`, or a multipart form with one file field. */
export async function readUpload(request: FastifyRequest): Promise<Buffer> {
  const type = mediaTypeOf(request);
  if ((CSV_MEDIA_TYPES as readonly string[]).includes(type)) return request.body as Buffer;
  if (type === 'multipart/form-data') {
    try {
      const file = await (request as unknown as { file(): Promise<{ toBuffer(): Promise<Buffer> } | undefined> }).file();
      if (!file) throw new UnsupportedMediaTypeError('Skjemaet mangler en fil.');
      return await file.toBuffer();
    } catch (error) {
      // @fastify/multipart's own errors carry a status (413 for too large a file); busboy's (a
      // missing boundary, a cut-off form) do not, and are the client's malformed form, not a 500.
      if (error instanceof UnsupportedMediaTypeError || typeof (error as { statusCode?: unknown }).statusCode === 'number') throw error;
      throw new ProblemException({ kind: 'bad-request', detail: 'Skjemaet kan ikke leses som multipart/form-data.' });
    }
  }
  throw new UnsupportedMediaTypeError('Forventer text/csv eller multipart/form-data.');
}
