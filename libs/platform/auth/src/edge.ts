import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Caller } from './caller';
import { buildProblem, ProblemException, sendProblem, type ProblemInit } from './problem';
import { hasBody } from './problem.filter';
import { NoAccessError, type NoAccessReason } from './external-issuers';
import { InvalidTokenError, KeySourceUnavailableError, type TokenVerifier } from './tokens';

/**
 * The HTTP edge of a Fastify-based Nest app, before Nest sees a request: the bearer token is
 * verified in an `onRequest` hook — before a byte of the body is read or parsed — and a body that
 * announces more than its route accepts is refused from its `content-length`. JSON is parsed with
 * a size and a nesting limit. Role checks stay in AuthGuard, which reuses the Caller verified here.
 *
 * Nothing answers without an `Authorization` header but the routes `isPublic` names (health and
 * the API documentation), matched on the route pattern Fastify found, never on the raw URL. An
 * unknown URL has no pattern, so it needs a token too: without one it is 401, not 404.
 */
export interface HttpEdgeOptions {
  readonly verifier: TokenVerifier;
  /** `route` is the matched pattern (`/api/v1/cases/:id`), undefined when nothing matched. */
  readonly isPublic: (route: string | undefined, method: string) => boolean;
  /** The largest body a request to `route` with this media type (lower case, no parameters) may carry. */
  readonly maxBody: (route: string | undefined, mediaType: string) => BodyLimit;
  /**
   * A route-level Fastify `bodyLimit` (it overrides every content-type parser's own limit for the
   * route), or undefined to leave each parser's limit. Lets a JSON route cap a CSV body too.
   */
  readonly routeBodyLimit?: (route: string) => number | undefined;
  readonly json: { readonly maxBytes: number; readonly maxDepth: number };
}

export interface BodyLimit {
  /** Refused when `content-length` says more. */
  readonly bytes: number;
  /** The limit the answer states, when it differs (a form's file limit, without the form's own overhead). */
  readonly stated?: number;
}

/** A request as the edge leaves it: with the verified caller, also on the raw request for the request log line. */
export interface AuthenticatedRequest {
  caller?: Caller | null;
  raw?: { caller?: Caller };
}

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** Bokmål details for a refused token; the verifier's own text is English and for logs. */
function unauthorized(error?: InvalidTokenError): ProblemException {
  if (!error) return new ProblemException({ kind: 'unauthorized', detail: 'Forespørselen mangler Authorization-header med Bearer-token.' });
  const expired = /ERR_JWT_EXPIRED/.test(error.message);
  return new ProblemException({
    kind: 'unauthorized',
    detail: expired ? 'Tokenet er utløpt; hent et nytt.' : 'Tokenet ble avvist: det er ugyldig, utløpt eller utstedt for en annen tjeneste.',
  });
}

/** The Caller of a bearer token the verifier verified before (no promise, no signature check); undefined when it must be verified. */
function knownCaller(verifier: TokenVerifier, header: string | string[] | undefined): Caller | undefined {
  const match = typeof header === 'string' ? BEARER.exec(header) : null;
  return match?.[1] ? verifier.verified(match[1]) : undefined;
}

/** Bokmål for a genuine token that gives no access here (403: signing in again would not help). */
const NO_ACCESS: Record<NoAccessReason, string> = {
  'no-role': 'Du er logget inn, men brukeren din har ingen rolle i denne tjenesten. Kontakt den som gir tilganger.',
  'no-municipality': 'Du er logget inn, men brukeren din er ikke knyttet til noen kommune i denne tjenesten. Kontakt den som gir tilganger.',
  'no-nav-office': 'Du er logget inn som NAV-veileder, men brukeren din er ikke knyttet til et NAV-kontor. Kontakt den som gir tilganger.',
  'ambiguous-nav-office': 'Brukeren din er knyttet til mer enn ett NAV-kontor; den kan bare høre til ett. Kontakt den som gir tilganger.',
  'group-overage': 'Brukeren din er medlem av for mange grupper til at tilgangen kan leses fra innloggingen. Kontakt den som gir tilganger.',
  'assurance-level': 'Innloggingen har for lavt sikkerhetsnivå for denne tjenesten. Logg inn på nytt med et høyere nivå, for eksempel BankID.',
};

/**
 * Verifies the `Authorization` header; a missing or refused token is a 401 ProblemException, a
 * genuine token that gives no access here (no role we know, no mapped group) a 403.
 */
export async function authenticate(verifier: TokenVerifier, header: string | string[] | undefined): Promise<Caller> {
  const match = typeof header === 'string' ? BEARER.exec(header) : null;
  if (!match?.[1]) throw unauthorized();
  try {
    return await verifier.verify(match[1]);
  } catch (error) {
    if (error instanceof InvalidTokenError) throw unauthorized(error);
    if (error instanceof NoAccessError) throw new ProblemException({ kind: 'forbidden', detail: NO_ACCESS[error.reason] });
    if (error instanceof KeySourceUnavailableError) throw new ProblemException({ kind: 'unavailable', detail: 'Innloggingstjenesten svarer ikke akkurat nå; prøv igjen om litt.' });
    throw error;
  }
}

export function mediaTypeOf(request: Pick<FastifyRequest, 'headers'>): string {
  return (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** Answers from a hook: the body is not read, so the connection closes when one was announced. */
function refuse(request: FastifyRequest, reply: FastifyReply, init: ProblemInit): FastifyReply {
  const problem = buildProblem(init, request.url);
  const headers: Record<string, string> = {};
  if (problem.status === 401) headers['www-authenticate'] = 'Bearer realm="evp"';
  if (hasBody(request)) headers['connection'] = 'close';
  sendProblem(reply, problem, headers);
  return reply;
}

/** Deeper than `max` levels of `[`/`{`, counted without parsing (strings skipped): refused before JSON.parse recurses. */
export function jsonNestingExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

/**
 * Installs the edge on the app's Fastify instance. Call it right after `NestFactory.create` (with
 * `bodyParser: false`, so this JSON parser is the only one) and before anything registers routes.
 */
export function installHttpEdge(fastify: FastifyInstance, options: HttpEdgeOptions): void {
  if (!fastify.hasRequestDecorator('caller')) fastify.decorateRequest('caller', null);

  if (options.routeBodyLimit) {
    const limitFor = options.routeBodyLimit;
    fastify.addHook('onRoute', (route) => {
      const limit = limitFor(route.url);
      if (limit !== undefined && route.bodyLimit === undefined) route.bodyLimit = limit;
    });
  }

  // Fastify's own parser (secure-json-parse: __proto__ and constructor.prototype refused), behind a
  // nesting check: 10 000 levels must be a 400, not a stack overflow in a parser or in JSON.stringify later.
  const defaultJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: options.json.maxBytes }, (request, body, done) => {
    const text = body as string;
    if (jsonNestingExceeds(text, options.json.maxDepth)) {
      done(new ProblemException({ kind: 'bad-request', detail: `JSON-innholdet er nestet dypere enn ${options.json.maxDepth} nivåer.` }), undefined);
      return;
    }
    defaultJson(request, text, (error, value) => {
      if (!error) return done(null, value);
      // The parser's message quotes the body; ours says what is wrong without it.
      const empty = (error as { code?: string }).code === 'FST_ERR_CTP_EMPTY_JSON_BODY';
      done(new ProblemException({ kind: 'bad-request', detail: empty ? 'Innholdet er tomt; forventer JSON.' : 'Innholdet er ikke gyldig JSON.' }), undefined);
    });
  });

  fastify.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions.url;
    if (options.isPublic(route, request.method)) return;
    try {
      const caller = knownCaller(options.verifier, request.headers.authorization) ?? (await authenticate(options.verifier, request.headers.authorization));
      (request as AuthenticatedRequest).caller = caller;
      // The request log line names who asked (opaque actor id and roles): every read and write is attributable.
      (request.raw as AuthenticatedRequest['raw'] & object).caller = caller;
    } catch (error) {
      if (error instanceof ProblemException) return refuse(request, reply, error.problem);
      throw error;
    }
  });

  // After authentication: an anonymous caller learns nothing about limits, and pays nothing for a body.
  fastify.addHook('onRequest', async (request, reply) => {
    const announced = Number(request.headers['content-length']);
    if (!Number.isFinite(announced)) return; // chunked: the parsers stop at the limit as the body streams in
    const limit = options.maxBody(request.routeOptions.url, mediaTypeOf(request));
    if (announced > limit.bytes) {
      return refuse(request, reply, { kind: 'payload-too-large', detail: `Forespørselen er større enn grensen på ${formatBytes(limit.stated ?? limit.bytes)}.` });
    }
  });
}

/**
 * Fastify's `frameworkErrors` option: the router's own refusals (a path that is not valid
 * percent-encoding, a path parameter over `maxParamLength`), which never reach Nest or the hooks
 * and by default answer with a body quoting the whole path.
 */
export function problemFrameworkErrors(error: { code?: string; statusCode?: number }, request: Pick<FastifyRequest, 'url' | 'headers'>, reply: FastifyReply): void {
  const init: ProblemInit =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? { kind: 'client-error', status: 414, detail: 'En del av stien er for lang.' }
      : error.code === 'FST_ERR_BAD_URL'
        ? { kind: 'bad-request', detail: 'Stien er ikke gyldig URL-koding.' }
        : { kind: 'internal' };
  const headers: Record<string, string> = hasBody(request) ? { connection: 'close' } : {};
  sendProblem(reply, buildProblem(init, request.url), headers);
}

/** «1 MiB», «256 KiB», «32 MiB»: the limit as people read it. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} byte`;
}
