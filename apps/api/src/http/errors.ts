import { Catch } from '@nestjs/common';
import type { ZodError } from 'zod';
import { EventStoreError, EventStoreUnavailableError, WrongExpectedRevisionError } from '@evp/event-store';
import { InputRejectedError } from '@evp/ledger-application';
import { CaseRuleError } from '@evp/cases-domain';
import { isTransientError } from '@evp/runtime';
import { ProblemDetailsFilter, type ProblemFieldError, type ProblemInit } from '@evp/auth';

/**
 * The api's errors as problem details (RFC 9457; the kinds and their `type` URIs are in
 * @evp/auth `PROBLEM_KINDS`). This file maps the api's own errors; ProblemDetailsFilter does the
 * rest (HttpExceptions, Fastify's body errors, unknown errors as 500 or, for an outage, 503).
 */

export class RequestValidationError extends Error {
  constructor(
    readonly errors: readonly ProblemFieldError[],
    /** How many errors there were in all; `errors` may list only the first of them. */
    readonly total: number = errors.length,
  ) {
    super('validation failed');
  }

  static fromZod(error: ZodError): RequestValidationError {
    return new RequestValidationError(error.issues.map((i) => ({ line: null, column: i.path.map(String).join('.') || null, reason: zodReason(i) })));
  }
}

export class UnsupportedMediaTypeError extends Error {}

type ZodIssue = ZodError['issues'][number];

/**
 * zod's own messages are English and may quote what came in (`Unrecognized key: "…"`), so each is
 * replaced by a fixed bokmål text for its code; a message a schema sets itself (`'må være et
 * kommunenummer (fire siffer)'`) is ours and kept.
 */
const ZOD_DEFAULT_MESSAGE = /^(Invalid|Too (big|small)|Unrecognized|Expected|Required|Input not instance)\b/;

const TYPE_NAMES: Record<string, string> = { string: 'tekst', number: 'et tall', int: 'et heltall', boolean: 'true eller false', object: 'et objekt', array: 'en liste', date: 'en dato', bigint: 'et heltall' };

export function zodReason(issue: ZodIssue): string {
  if (issue.code === 'custom' || !ZOD_DEFAULT_MESSAGE.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return `mangler eller har feil type (forventer ${TYPE_NAMES[issue.expected] ?? 'en annen type'})`;
    case 'too_big':
      return issue.origin === 'string' ? `er lengre enn ${String(issue.maximum)} tegn` : issue.origin === 'array' ? `har mer enn ${String(issue.maximum)} elementer` : `er større enn ${String(issue.maximum)}`;
    case 'too_small':
      return issue.origin === 'string' ? `er kortere enn ${String(issue.minimum)} tegn` : issue.origin === 'array' ? `har færre enn ${String(issue.minimum)} elementer` : `er mindre enn ${String(issue.minimum)}`;
    case 'invalid_format':
      return 'har feil format';
    case 'invalid_value':
      // The allowed values are the schema's, not the request's.
      return `må være en av: ${issue.values.map(String).join(', ')}`;
    case 'unrecognized_keys':
      return 'inneholder felt som ikke er kjent';
    case 'not_multiple_of':
      return `må være et multiplum av ${String(issue.divisor)}`;
    case 'invalid_key':
      return 'har en ugyldig nøkkel';
    case 'invalid_element':
      return 'har et ugyldig element';
    case 'invalid_union':
      return 'har ingen av de tillatte formene';
    default:
      return 'er ugyldig';
  }
}

function counted(total: number, shown: number, what: string): string {
  const first = shown < total ? `; de første ${shown} vises` : '';
  return `${total} feil i ${what}${first}; ingenting er lagret.`;
}

/** The api's own errors; undefined lets ProblemDetailsFilter handle the rest. */
export function apiProblem(exception: unknown): ProblemInit | undefined {
  if (exception instanceof RequestValidationError) {
    return { kind: 'validation', detail: counted(exception.total, Math.min(exception.errors.length, 200), 'forespørselen'), errors: exception.errors, total: exception.total };
  }
  if (exception instanceof InputRejectedError) {
    const kind = exception.kind === 'conflict' ? 'voucher-conflict' : exception.kind === 'forbidden' ? 'forbidden' : 'validation';
    const total = exception.errors.length;
    return { kind, detail: counted(total, Math.min(total, 200), 'innsendingen'), errors: exception.errors, total };
  }
  if (exception instanceof UnsupportedMediaTypeError) return { kind: 'unsupported-media-type', detail: exception.message };
  if (exception instanceof CaseRuleError) {
    return exception.code === 'CASE_NOT_FOUND' ? { kind: 'not-found' } : { kind: 'case-closed', detail: 'Saken er avsluttet; kontakt kan ikke registreres.' };
  }
  if (exception instanceof WrongExpectedRevisionError) return { kind: 'conflict' };
  if (exception instanceof EventStoreUnavailableError) return { kind: 'unavailable' };
  // The store refused what it was given (too large an event, a stream name it cannot take): the
  // input's fault, but its message is for operators (stream names, revisions) and stays in the log.
  if (exception instanceof EventStoreError) return { kind: 'unprocessable' };
  return undefined;
}

@Catch()
export class ApiExceptionFilter extends ProblemDetailsFilter {
  constructor() {
    super({ map: apiProblem, isUnavailable: isTransientError, passThrough503Routes: ['/health'] });
  }
}
