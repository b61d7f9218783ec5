import type { BodyLimit } from '@evp/auth';

/**
 * How much a request may carry (invariant 14: every limit has a default). JSON bodies are small
 * — a day's postings from an ERP come as a file — so 1 MiB is far above any real one and far below
 * what would let a caller make the api parse for long. Files go to the upload routes only, limited
 * by MAX_IMPORT_BYTES.
 */
export const MAX_JSON_BYTES = 1024 * 1024;
/** The deepest legitimate body is 5 levels (`{tenancies:[{tenants:[{…}]}]}`). */
export const MAX_JSON_DEPTH = 32;
/** A form's boundary, part headers and (at most `MAX_FORM_FIELD_BYTES`-sized) fields around its one file. */
export const MULTIPART_OVERHEAD_BYTES = 64 * 1024;
export const MAX_FORM_FIELD_BYTES = 1024;

export const CSV_MEDIA_TYPES = ['text/csv', 'application/csv', 'text/plain'] as const;

/** The routes that take a file (`text/csv` or a multipart form); every other route takes JSON or nothing. */
export const UPLOAD_ROUTES: ReadonlySet<string> = new Set(['/api/v1/ledger/imports', '/api/v1/ledger/tenancies/imports']);

/** Routes answered without a token, by their registered pattern; GET and HEAD only. */
export function isPublicRoute(route: string | undefined, method: string): boolean {
  if (route === undefined || (method !== 'GET' && method !== 'HEAD')) return false;
  return route === '/health' || route === '/health/live' || route === '/api/openapi.json' || route.startsWith('/api/docs');
}

export function maxBodyFor(maxImportBytes: number) {
  return (route: string | undefined, mediaType: string): BodyLimit => {
    if (route !== undefined && UPLOAD_ROUTES.has(route)) {
      if (mediaType === 'multipart/form-data') return { bytes: maxImportBytes + MULTIPART_OVERHEAD_BYTES, stated: maxImportBytes };
      if ((CSV_MEDIA_TYPES as readonly string[]).includes(mediaType)) return { bytes: maxImportBytes };
    }
    return { bytes: MAX_JSON_BYTES };
  };
}

/**
 * Fastify's route-level limit overrides every parser's: JSON routes get MAX_JSON_BYTES whatever the
 * content type (a CSV body sent to a JSON route stops at 1 MiB while it streams in); upload routes
 * keep each parser's own (CSV: MAX_IMPORT_BYTES, JSON: MAX_JSON_BYTES).
 */
export function routeBodyLimit(route: string): number | undefined {
  return UPLOAD_ROUTES.has(route) ? undefined : MAX_JSON_BYTES;
}
