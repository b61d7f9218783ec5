import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse, type OpenAPIObject } from '@nestjs/swagger';
import { MAX_PROBLEM_ERRORS, PROBLEM_CONTENT_TYPE, PROBLEM_KINDS, problemTypeOf, type ProblemKind } from '@evp/auth';

const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };
const problemContent = () => ({ [PROBLEM_CONTENT_TYPE]: { schema: PROBLEM_REF } });

const kindList = (Object.keys(PROBLEM_KINDS) as ProblemKind[]).map((k) => `\`${problemTypeOf(k)}\` (${PROBLEM_KINDS[k].status})`).join(', ');

/** RFC 9457 problem details, as every error of the api and the worker is answered. */
export const PROBLEM_SCHEMA = {
  type: 'object',
  description: `Feil som problem details (RFC 9457), innholdstype ${PROBLEM_CONTENT_TYPE}. Klienter skiller feil på \`type\`; tekstene er for mennesker. Typene: ${kindList}.`,
  required: ['type', 'title', 'status', 'detail', 'instance'],
  properties: {
    type: { type: 'string', format: 'uri', description: 'Stabil URI for feiltypen', example: problemTypeOf('validation') },
    title: { type: 'string', description: 'Kort, fast tekst per type', example: PROBLEM_KINDS.validation.title },
    status: { type: 'integer', description: 'HTTP-statusen', example: 422 },
    detail: { type: 'string', description: 'Hva som gikk galt her; gjentar aldri verdier fra forespørselen', example: '2 feil i innsendingen; ingenting er lagret.' },
    instance: { type: 'string', description: 'Forespørselens sti, uten spørrestreng', example: '/api/v1/ledger/postings' },
    errors: {
      type: 'array',
      description: `Feil per linje og felt (høyst ${MAX_PROBLEM_ERRORS})`,
      maxItems: MAX_PROBLEM_ERRORS,
      items: {
        type: 'object',
        required: ['line', 'column', 'reason'],
        properties: {
          line: { type: 'integer', nullable: true, description: 'Linje i filen (overskriften er linje 1) eller nummer i JSON-listen' },
          column: { type: 'string', nullable: true, description: 'Kolonnen eller feltet' },
          reason: { type: 'string' },
        },
      },
    },
    total: { type: 'integer', description: 'Hvor mange feil det var i alt; bare med når `errors` viser færre' },
  },
};

const error = (status: number, description: string) => ApiResponse({ status, description, content: problemContent() });

/** The errors every authenticated endpoint can answer with, plus the ones it names. */
export function ApiErrors(...extra: Array<[number, string]>) {
  return applyDecorators(
    ApiBearerAuth(),
    error(401, 'Mangler eller ugyldig token'),
    error(403, 'Rollen har ikke tilgang'),
    error(500, 'Uventet feil'),
    error(503, 'Midlertidig utilgjengelig (en avhengighet svarer ikke); prøv igjen'),
    ...extra.map(([status, description]) => error(status, description)),
  );
}

/** What a JSON body can be refused for before the handler sees it. */
export const JSON_BODY_ERRORS: Array<[number, string]> = [
  [400, 'Ikke gyldig JSON (feil syntaks, tomt, eller nestet for dypt)'],
  [413, 'Større enn 1 MiB'],
];

/**
 * Adds the Problem schema and makes every error response of every operation (4xx and 5xx; the
 * readiness check's 503, which answers with its own checks, excepted) an application/problem+json
 * Problem — whoever declared the response and however.
 */
export function withProblemDetails(document: OpenAPIObject): OpenAPIObject {
  document.components = { ...document.components, schemas: { ...document.components?.schemas, Problem: PROBLEM_SCHEMA as never } };
  for (const [path, item] of Object.entries(document.paths)) {
    if (path === '/health') continue;
    for (const operation of Object.values(item as Record<string, { responses?: Record<string, { description?: string; content?: unknown }> }>)) {
      if (!operation || typeof operation !== 'object' || !operation.responses) continue;
      for (const [code, response] of Object.entries(operation.responses)) {
        if (Number(code) >= 400) operation.responses[code] = { description: response.description ?? '', content: problemContent() };
      }
    }
  }
  return document;
}

export const IDEMPOTENCY_HEADER = { name: 'Idempotency-Key', required: false, description: 'Gjentas forespørselen med samme nøkkel, får du det første svaret igjen uten at noe lagres på nytt.' };
