/**
 * The api's errors as RFC 9457 problem details: `{ type, title, status, detail, instance,
 * errors?: [{ line, column, reason }], total? }`. Older answers (`{ error, message, errors }`) are
 * read the same way, so a page shows the same thing whichever the api sends.
 */

export interface FieldError {
  readonly line: number | null;
  readonly column: string | null;
  readonly reason: string;
}

export interface Problem {
  readonly type?: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly instance?: string;
  readonly errors: readonly FieldError[];
  /** How many errors there were in all; `errors` may hold only the first of them (the api sends 200). */
  readonly total: number;
}

const TITLES: Record<number, string> = {
  0: 'Får ikke kontakt med tjenesten',
  400: 'Forespørselen er ugyldig',
  401: 'Du er ikke logget inn',
  403: 'Du har ikke tilgang til dette',
  404: 'Finnes ikke',
  409: 'Det du sendte er i konflikt med det som er lagret',
  413: 'Filen er for stor',
  415: 'Feil filtype',
  422: 'Noe er feil i det du sendte',
  429: 'For mange forespørsler',
  500: 'Noe gikk galt hos oss',
  502: 'Tjenesten svarer ikke',
  503: 'Tjenesten er midlertidig utilgjengelig',
  504: 'Tjenesten svarte ikke i tide',
};

export function titleFor(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Noe gikk galt hos oss' : 'Forespørselen ble avvist');
}

function fieldErrors(value: unknown): FieldError[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((e): e is Record<string, unknown> => !!e && typeof e === 'object')
    .map((e) => ({
      line: typeof e['line'] === 'number' ? e['line'] : null,
      column: typeof e['column'] === 'string' ? e['column'] : typeof e['field'] === 'string' ? e['field'] : null,
      reason: typeof e['reason'] === 'string' ? e['reason'] : typeof e['message'] === 'string' ? e['message'] : 'ugyldig',
    }));
}

/** A problem from a response's status and (parsed) body, whatever shape the body has. */
export function toProblem(status: number, body: unknown): Problem {
  const b = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const errors = fieldErrors(b['errors']);
  const str = (key: string) => (typeof b[key] === 'string' && b[key] !== '' ? (b[key] as string) : undefined);
  const detail = str('detail') ?? str('message');
  const type = str('type');
  const instance = str('instance');
  return {
    ...(type ? { type } : {}),
    title: str('title') ?? titleFor(status),
    status,
    ...(detail && detail !== str('title') ? { detail } : {}),
    ...(instance ? { instance } : {}),
    errors,
    total: typeof b['total'] === 'number' ? b['total'] : errors.length,
  };
}

export function networkProblem(): Problem {
  return { title: titleFor(0), status: 0, detail: 'Sjekk nettverksforbindelsen og prøv igjen.', errors: [], total: 0 };
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(`${problem.status} ${problem.title}`);
    this.name = 'ApiError';
  }
}

export function problemOf(error: unknown): Problem {
  if (error instanceof ApiError) return error.problem;
  return { title: 'Noe gikk galt', status: 0, detail: error instanceof Error ? error.message : String(error), errors: [], total: 0 };
}

/** Field errors for one form field: an error whose column names the field (or a dotted path under it). */
export function errorsFor(problem: Problem | null | undefined, ...fields: string[]): string | undefined {
  if (!problem) return undefined;
  const hits = problem.errors.filter((e) => e.column !== null && fields.some((f) => e.column === f || e.column?.startsWith(`${f}.`)));
  return hits.length ? hits.map((e) => e.reason).join('; ') : undefined;
}
