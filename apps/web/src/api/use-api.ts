import { useCallback, useEffect, useState } from 'react';
import { api } from './client';
import { problemOf, type Problem } from './problem';

export type Resource<T> =
  | { readonly state: 'loading'; readonly data?: T; readonly reload: () => void }
  | { readonly state: 'ok'; readonly data: T; readonly reload: () => void }
  | { readonly state: 'error'; readonly problem: Problem; readonly data?: T; readonly reload: () => void };

/**
 * GET `path` (null: nothing to fetch yet) whenever it changes; a newer request cancels the older
 * one. `reload` fetches again and keeps the old data on screen meanwhile. With `keepPrevious` (a
 * list moving to its next page or another sort), the rows on screen stay until the new ones come,
 * so the list and the focus in it stay put; the page marks it busy meanwhile.
 */
export function useApi<T>(path: string | null, options: { keepPrevious?: boolean } = {}): Resource<T> {
  const [version, setVersion] = useState(0);
  const [result, setResult] = useState<{ path: string | null; state: 'loading' | 'ok' | 'error'; data?: T; problem?: Problem }>({ path, state: 'loading' });
  const reload = useCallback(() => setVersion((v) => v + 1), []);

  useEffect(() => {
    if (path === null) return;
    const controller = new AbortController();
    setResult((r) => ({ path, state: 'loading', ...((r.path === path || options.keepPrevious) && r.data !== undefined ? { data: r.data } : {}) }));
    api<T>(path, { signal: controller.signal }).then(
      (data) => {
        setResult({ path, state: 'ok', data });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setResult({ path, state: 'error', problem: problemOf(error) });
      },
    );
    return () => controller.abort();
    // keepPrevious is a property of the call site, not something that changes between renders.
  }, [path, version]);

  // A result for another path than the one asked for is not shown (the effect has not run yet), unless kept on purpose.
  const keep = result.path === path || options.keepPrevious === true;
  if (result.path !== path || result.state === 'loading') return { state: 'loading', ...(keep && result.data !== undefined ? { data: result.data } : {}), reload };
  if (result.state === 'error') return { state: 'error', problem: result.problem as Problem, reload };
  return { state: 'ok', data: result.data as T, reload };
}
