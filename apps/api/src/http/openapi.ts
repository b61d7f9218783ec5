import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse } from '@nestjs/swagger';

const errorSchema = {
  type: 'object',
  properties: {
    error: { type: 'string' },
    message: { type: 'string' },
    errors: {
      type: 'array',
      items: { type: 'object', properties: { line: { type: 'integer', nullable: true }, column: { type: 'string', nullable: true }, reason: { type: 'string' } } },
    },
  },
};

/** The errors every authenticated endpoint can answer with, plus the ones it names. */
export function ApiErrors(...extra: Array<[number, string]>) {
  return applyDecorators(
    ApiBearerAuth(),
    ApiResponse({ status: 401, description: 'Mangler eller ugyldig token', schema: errorSchema }),
    ApiResponse({ status: 403, description: 'Rollen har ikke tilgang', schema: errorSchema }),
    ...extra.map(([status, description]) => ApiResponse({ status, description, schema: errorSchema })),
  );
}

export const IDEMPOTENCY_HEADER = { name: 'Idempotency-Key', required: false, description: 'Gjentas forespørselen med samme nøkkel, får du det første svaret igjen uten at noe lagres på nytt.' };
