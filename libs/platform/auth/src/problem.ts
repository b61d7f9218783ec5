import { HttpException } from '@nestjs/common';

/**
 * Errors as problem details (RFC 9457, `application/problem+json`), one shape for the api and the
 * worker: `type`, `title`, `status`, `detail`, `instance`, and for input errors the extension
 * members `errors` (each `{ line, column, reason }`) and `total` (how many there were in all, only
 * when `errors` lists fewer).
 *
 * Every kind of error has a stable `type` URI, `https://evp.no/problems/<kind>`, which clients
 * switch on (the texts are for people and may change). The URIs identify; nothing need be served
 * there. A new kind is added here, never invented at a throw site.
 *
 * Nothing in a problem repeats a value from the request: titles are fixed per kind, details are
 * our own texts, and as a last line of defence every text is cut to a bounded length and any
 * 11-digit run (the shape of a fødselsnummer or d-nummer) is masked (invariant 7), so an error body
 * stays small and never carries an identity number whatever came in.
 */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
export const PROBLEM_TYPE_BASE = 'https://evp.no/problems/';

export const PROBLEM_KINDS = {
  'bad-request': { status: 400, title: 'Ugyldig forespørsel' },
  unauthorized: { status: 401, title: 'Ikke autentisert' },
  forbidden: { status: 403, title: 'Ingen tilgang' },
  'not-found': { status: 404, title: 'Finnes ikke' },
  // A worker split by WORKER_ROLE: this process does not run what was asked; the other may.
  'not-run-here': { status: 404, title: 'Kjøres ikke i denne prosessen' },
  'method-not-allowed': { status: 405, title: 'Metoden er ikke tillatt' },
  conflict: { status: 409, title: 'Konflikt' },
  'voucher-conflict': { status: 409, title: 'Bilagsnummer bokført med annet innhold' },
  'case-closed': { status: 409, title: 'Saken er avsluttet' },
  'in-progress': { status: 409, title: 'Forespørselen pågår allerede' },
  'archive-obligation': { status: 409, title: 'Arkivplikt' },
  'payload-too-large': { status: 413, title: 'For stor forespørsel' },
  'unsupported-media-type': { status: 415, title: 'Ukjent innholdstype' },
  validation: { status: 422, title: 'Ugyldige data' },
  'idempotency-key-reused': { status: 422, title: 'Idempotency-Key er brukt før' },
  unprocessable: { status: 422, title: 'Kan ikke behandles' },
  'client-error': { status: 400, title: 'Forespørselen kan ikke behandles' },
  internal: { status: 500, title: 'Intern feil' },
  unavailable: { status: 503, title: 'Midlertidig utilgjengelig' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemKind = keyof typeof PROBLEM_KINDS;

/** What a kind says when the throw site has nothing more precise to say (bokmål, no request values). */
const DEFAULT_DETAILS: Record<ProblemKind, string> = {
  'bad-request': 'Forespørselen kan ikke leses.',
  unauthorized: 'Forespørselen mangler et gyldig Bearer-token.',
  forbidden: 'Du har ikke tilgang til dette.',
  'not-found': 'Finnes ikke, eller er utenfor din tilgang.',
  'not-run-here': 'Denne workerprosessen kjører ikke dette.',
  'method-not-allowed': 'Metoden er ikke tillatt her.',
  conflict: 'Noen andre endret det samme samtidig; prøv igjen.',
  'voucher-conflict': 'Et bilagsnummer er bokført før med annet innhold; ingenting er lagret.',
  'case-closed': 'Saken er avsluttet.',
  'in-progress': 'En forespørsel med samme Idempotency-Key pågår; prøv igjen straks.',
  'archive-obligation': 'Opplysningene må arkiveres og kan ikke slettes; de er skjermet i stedet.',
  'payload-too-large': 'Forespørselen er for stor.',
  'unsupported-media-type': 'Innholdstypen støttes ikke her.',
  validation: 'Forespørselen har feil; ingenting er lagret.',
  'idempotency-key-reused': 'Idempotency-Key er brukt før med en annen forespørsel.',
  unprocessable: 'Forespørselen kan ikke lagres slik den er; ingenting er lagret.',
  'client-error': 'Forespørselen kan ikke behandles.',
  internal: 'Det oppstod en uventet feil. Feilen er logget.',
  unavailable: 'Tjenesten er midlertidig utilgjengelig; prøv igjen om litt.',
};

export interface ProblemFieldError {
  readonly line: number | null;
  readonly column: string | null;
  readonly reason: string;
}

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance: string;
  readonly errors?: readonly ProblemFieldError[];
  /** How many errors there were in all; present only when `errors` lists fewer. */
  readonly total?: number;
  /** Further extension members a kind defines (RFC 9457 §3.2), e.g. an archive obligation's `keepUntil`. */
  readonly [extension: string]: unknown;
}

export interface ProblemInit {
  readonly kind: ProblemKind;
  readonly detail?: string | undefined;
  readonly errors?: readonly ProblemFieldError[] | undefined;
  /** How many errors there were in all, when `errors` may be only the first of them. */
  readonly total?: number | undefined;
  /** Only for `client-error`: the 4xx status it stands for (an unusual status from a library, kept as it was). */
  readonly status?: number | undefined;
  /**
   * Extension members beside the standard ones (which they can never replace): short texts, numbers
   * and booleans our code chose, e.g. `{ keepUntil: '2036-12-31' }`. Never a value from the request.
   */
  readonly extensions?: Readonly<Record<string, string | number | boolean | null>> | undefined;
}

const RESERVED_MEMBERS = new Set(['type', 'title', 'status', 'detail', 'instance', 'errors', 'total']);
const MAX_EXTENSION_MEMBERS = 10;

/** A problem body lists at most this many errors, like the input parsers (ledger MAX_REPORTED_ERRORS). */
export const MAX_PROBLEM_ERRORS = 200;
const MAX_DETAIL_LENGTH = 1000;
const MAX_REASON_LENGTH = 300;
const MAX_COLUMN_LENGTH = 60;
const MAX_INSTANCE_LENGTH = 1000;

/** 11 digits, optionally with one space or dash after the sixth (DDMMÅÅ NNNNN), not inside a longer number. */
const IDENTITY_NUMBER_LIKE = /(?<!\d)\d{6}[ -]?\d{5}(?!\d)/g;

/** Masks anything shaped like an identity number. */
export function maskIdentityNumbers(text: string): string {
  return text.replace(IDENTITY_NUMBER_LIKE, '***********');
}

function clean(text: string, max: number): string {
  const masked = maskIdentityNumbers(text);
  return masked.length > max ? `${masked.slice(0, max - 1)}…` : masked;
}

/** The request path without its query string (which may carry search terms), bounded and masked. */
export function instanceOf(url: string | undefined): string {
  const path = (url ?? '/').split('?')[0] ?? '/';
  return clean(path || '/', MAX_INSTANCE_LENGTH);
}

export function problemTypeOf(kind: ProblemKind): string {
  return `${PROBLEM_TYPE_BASE}${kind}`;
}

/** The one place a problem body is made: fixed title, bounded texts, at most 200 errors. */
export function buildProblem(init: ProblemInit, url: string | undefined): Problem {
  const { title } = PROBLEM_KINDS[init.kind];
  const status = init.kind === 'client-error' && init.status !== undefined && init.status >= 400 && init.status < 500 ? init.status : PROBLEM_KINDS[init.kind].status;
  const errors = init.errors?.slice(0, MAX_PROBLEM_ERRORS).map((e) => ({
    line: typeof e.line === 'number' && Number.isFinite(e.line) ? e.line : null,
    column: typeof e.column === 'string' ? clean(e.column, MAX_COLUMN_LENGTH) : null,
    reason: clean(String(e.reason), MAX_REASON_LENGTH),
  }));
  const total = Math.max(init.total ?? 0, init.errors?.length ?? 0);
  const extensions = Object.entries(init.extensions ?? {})
    .filter(([name]) => !RESERVED_MEMBERS.has(name) && /^[A-Za-z][A-Za-z0-9]{0,40}$/.test(name))
    .slice(0, MAX_EXTENSION_MEMBERS)
    .map(([name, value]) => [name, typeof value === 'string' ? clean(value, MAX_REASON_LENGTH) : value] as const);
  return {
    ...Object.fromEntries(extensions),
    type: problemTypeOf(init.kind),
    title,
    status,
    detail: clean(init.detail ?? DEFAULT_DETAILS[init.kind], MAX_DETAIL_LENGTH),
    instance: instanceOf(url),
    ...(errors ? { errors } : {}),
    ...(errors && total > errors.length ? { total } : {}),
  };
}

/** The kind an HTTP status falls back to when nothing more precise is known. */
export function kindForStatus(status: number): ProblemKind {
  switch (status) {
    case 400:
      return 'bad-request';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not-found';
    case 405:
      return 'method-not-allowed';
    case 409:
      return 'conflict';
    case 413:
      return 'payload-too-large';
    case 415:
      return 'unsupported-media-type';
    case 422:
      return 'validation';
    case 503:
      return 'unavailable';
    default:
      // An unusual 4xx keeps its status (buildProblem's `status`); anything else is our failure.
      return status >= 400 && status < 500 ? 'client-error' : 'internal';
  }
}

/**
 * An error our own code throws to answer with a problem: the kind, a bokmål detail that never
 * quotes the request, and field errors. An HttpException, so Nest's own handling of it is sane too.
 */
export class ProblemException extends HttpException {
  constructor(readonly problem: ProblemInit) {
    super({ kind: problem.kind, detail: problem.detail ?? DEFAULT_DETAILS[problem.kind] }, PROBLEM_KINDS[problem.kind].status);
  }
}

/** The smallest reply surface both Fastify's reply and a raw Node response can offer. */
export interface ProblemReply {
  code(status: number): ProblemReply;
  header(name: string, value: string): ProblemReply;
  send(payload: string): unknown;
}

/** Sends a problem as `application/problem+json`, serialised here so no serializer can change its type. */
export function sendProblem(reply: ProblemReply, problem: Problem, headers: Record<string, string> = {}): void {
  let r = reply.code(problem.status).header('content-type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`);
  for (const [name, value] of Object.entries(headers)) r = r.header(name, value);
  void r.send(JSON.stringify(problem));
}
