import { existsSync, statSync } from 'node:fs';
import { join, normalize, resolve, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { ProblemException, TokenVerifier, authenticate, buildProblem, sendProblem } from '@evp/auth';
import { oidcProvidersFrom, type AppConfig } from '@evp/runtime';

/** Paths the api itself answers: never the web app's index.html, so an unknown one is a real 404. */
const API_PATHS = /^\/(api|health|metrics|admin)(\/|$)/;
/** Vite puts content-hashed files under `assets/`: a new build has new names, so they may be cached for good. */
const HASHED = /^assets\//;

/**
 * The policy for the web app's pages: everything from this origin, nothing inline, no framing.
 * The OpenID Connect providers' origins are allowed for `fetch` only — the browser exchanges the
 * authorization code at the provider's token endpoint (PKCE); sign-in itself is a navigation.
 */
export function contentSecurityPolicy(config: AppConfig): string {
  const providers = [...new Set(oidcProvidersFrom(config).map((p) => new URL(p.issuer).origin))];
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${providers.map((o) => ` ${o}`).join('')}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Serves the built web app (apps/web, `vite build`) from the api's own origin (no CORS): a file
 * that exists is sent (hashed assets cached for a year, the rest revalidated), any other path
 * outside the api's own gets `index.html`, so a deep link or a reload on `/saker/5035-100234-1`
 * opens the app there. Unknown `/api/…` paths go to the api's 404. Without a build (development
 * uses Vite's dev server) nothing is registered. Call before `listen`; returns whether it serves.
 */
export async function registerWeb(app: NestFastifyApplication, config: AppConfig): Promise<boolean> {
  const root = resolve(config.WEB_DIST_DIR);
  if (!existsSync(join(root, 'index.html'))) {
    new Logger('Web').warn({ msg: 'no web app build to serve; build apps/web or use its dev server', dir: root });
    return false;
  }
  const csp = contentSecurityPolicy(config);
  const verifier = app.get(TokenVerifier);
  // In a scope of its own: @fastify/static decorates the reply, and bull-board registers it again in its scope.
  await app.register(async (scope: FastifyInstance) => {
    await scope.register(fastifyStatic, { root, serve: false });
    scope.get('/*', async (request, reply) => {
      const path = request.url.split('?')[0] ?? '/';
      if (API_PATHS.test(path)) {
        // The edge lets this route through without a token (it serves the app), so an unknown api
        // path gets the edge's answers here: 401 without a valid token, the api's 404 with one.
        try {
          await authenticate(verifier, request.headers.authorization);
        } catch (error) {
          if (!(error instanceof ProblemException)) throw error;
          sendProblem(reply, buildProblem(error.problem, request.url), { 'www-authenticate': 'Bearer realm="evp"' });
          return reply;
        }
        return reply.callNotFound();
      }
      const file = existingFile(root, path);
      void reply
        .header('content-security-policy', csp)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .header('cache-control', file && HASHED.test(file) ? 'public, max-age=31536000, immutable' : 'no-cache');
      return reply.sendFile(file ?? 'index.html', root, { cacheControl: false });
    });
  });
  return true;
}

/** The file under `root` a URL path names, relative to it, or undefined (missing, a folder, hidden, or outside). */
function existingFile(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  const relative = normalize(decoded).replace(/^[/\\]+/, '');
  if (relative === '' || relative.split(/[/\\]/).some((segment) => segment.startsWith('.'))) return undefined;
  const full = resolve(root, relative);
  if (!full.startsWith(root + sep)) return undefined;
  try {
    return statSync(full).isFile() ? relative.split(sep).join('/') : undefined;
  } catch {
    return undefined;
  }
}
