import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { actingRole, type Caller, type Role } from '@evp/auth';
import type { CommandContext } from '@evp/ledger-application';
import { UnsupportedMediaTypeError } from './errors';

export function correlationIdOf(request: FastifyRequest): string {
  const header = request.headers['x-correlation-id'];
  return typeof header === 'string' && /^[A-Za-z0-9_.:-]{1,100}$/.test(header) ? header : randomUUID();
}

export function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const header = request.headers['idempotency-key'];
  return typeof header === 'string' ? header : undefined;
}

export function commandContext(request: FastifyRequest, caller: Caller, allowed: readonly Role[], now: Date): CommandContext {
  return { actor: { id: caller.actorId, role: actingRole(caller, allowed) }, correlationId: correlationIdOf(request), now, municipalities: caller.municipalities };
}

export function requireJson(request: FastifyRequest): void {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') throw new UnsupportedMediaTypeError(`Forventer application/json, fikk ${type || 'ingen innholdstype'}`);
}

/** A CSV upload: the raw file as `text/csv`, or a multipart form with one file field. */
export async function readUpload(request: FastifyRequest): Promise<Buffer> {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'text/csv' || type === 'application/csv' || type === 'text/plain') return request.body as Buffer;
  if (type === 'multipart/form-data') {
    const file = await (request as unknown as { file(): Promise<{ toBuffer(): Promise<Buffer> } | undefined> }).file();
    if (!file) throw new UnsupportedMediaTypeError('Skjemaet mangler en fil');
    return file.toBuffer();
  }
  throw new UnsupportedMediaTypeError(`Forventer text/csv eller multipart/form-data, fikk ${type || 'ingen innholdstype'}`);
}
