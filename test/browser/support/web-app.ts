import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TestSystem } from '../../e2e/support/system';

export const DIST = resolve(__dirname, '../../../apps/web/dist');

/**
 * Where the browser finds the web app for one TestSystem: the api itself, which serves the built
 * app (`apps/web/dist`, built by scripts/test-all.sh before Jest), the development sign-in and the
 * operator endpoints on one origin, as in production. Fails at once with the reason when the build
 * is missing or the api does not serve it, rather than letting every page time out.
 */
export interface WebApp {
  readonly origin: string;
}

export async function startWebApp(system: TestSystem): Promise<WebApp> {
  if (!existsSync(join(DIST, 'index.html'))) throw new Error('apps/web/dist is missing: build the web app first (npm run build:web; scripts/test-all.sh does it before Jest)');
  const origin = `http://127.0.0.1:${system.apiPort}`;
  const page = await fetch(`${origin}/saker`);
  const html = await page.text();
  if (page.status !== 200 || !html.includes('<div id="root">')) throw new Error(`the api does not serve the web app at ${origin}/saker (status ${page.status}); is WEB_DIST_DIR apps/web/dist?`);
  return { origin };
}
