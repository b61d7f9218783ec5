/**
 * The web app's routes that the HTTP edge must let through without a user's bearer token, by
 * their registered pattern. Each has its own gate instead: the development sign-in exists only in
 * development and test; `/api/config` holds nothing secret; `/metrics` checks its scrape token;
 * `/admin/queues` checks its session cookie; `/*` is the web app's own files.
 */
export function isWebPublicRoute(route: string | undefined, method: string): boolean {
  if (route === undefined) return false;
  if (method === 'POST') return route === '/api/dev/token';
  if (method !== 'GET' && method !== 'HEAD') return false;
  return route === '/api/config' || route === '/metrics' || route === '/*' || route === '/admin/queues' || route.startsWith('/admin/queues/');
}
