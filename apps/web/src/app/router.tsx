/**
 * A router on the History API, small enough to read in one go: real paths (deep links work
 * because the api serves index.html for every unknown path under the app), the back button
 * through `popstate`, and query parameters as the state of lists (sort, filter, cursor).
 */
import { useSyncExternalStore, type MouseEvent, type ReactNode } from 'react';
import { Link as AkselLink, Button, type ButtonProps, type LinkProps as AkselLinkProps } from '@navikt/ds-react';

const listeners = new Set<() => void>();
let navigations = 0;

function notify(): void {
  navigations += 1;
  for (const listener of listeners) listener();
}

/** True once the person has moved inside the app (a link, a form, the back button) since the page loaded. */
export function hasNavigated(): boolean {
  return navigations > 0;
}

if (typeof window !== 'undefined') window.addEventListener('popstate', notify);

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const current = () => window.location.pathname + window.location.search;

export interface Location {
  readonly pathname: string;
  readonly search: URLSearchParams;
  /** pathname + search, for return addresses. */
  readonly href: string;
}

export function useLocation(): Location {
  const href = useSyncExternalStore(subscribe, current);
  const url = new URL(href, window.location.origin);
  return { pathname: url.pathname, search: url.searchParams, href };
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === current()) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  notify();
}

/** The path with these query parameters set (undefined or '' removes one). */
export function withQuery(pathname: string, search: URLSearchParams, changes: Record<string, string | undefined>): string {
  const next = new URLSearchParams(search);
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined || value === '') next.delete(key);
    else next.set(key, value);
  }
  const query = next.toString();
  return query ? `${pathname}?${query}` : pathname;
}

/** `/saker/:id` against `/saker/5035-100234-1` → `{ id: '5035-100234-1' }`; null when it does not match. */
export function matchPath(pattern: string, pathname: string): Record<string, string> | null {
  const want = pattern.split('/').filter(Boolean);
  const have = pathname.replace(/\/+$/, '').split('/').filter(Boolean);
  if (want.length !== have.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] as string;
    const h = have[i] as string;
    if (w.startsWith(':')) {
      try {
        params[w.slice(1)] = decodeURIComponent(h);
      } catch {
        return null;
      }
    } else if (w !== h) return null;
  }
  return params;
}

/** A plain left click without modifiers: the router handles it; anything else (new tab) the browser does. */
export function isPlainClick(event: MouseEvent<HTMLElement>): boolean {
  return event.button === 0 && !event.metaKey && !event.ctrlKey && !event.shiftKey && !event.altKey && !event.defaultPrevented;
}

type LinkProps = Omit<AkselLinkProps, 'href'> & { to: string; children: ReactNode };

/** Aksel's Link, navigating inside the app. */
export function Link({ to, onClick, children, ...rest }: LinkProps) {
  return (
    <AkselLink
      {...rest}
      href={to}
      onClick={(event: MouseEvent<HTMLAnchorElement>) => {
        onClick?.(event);
        if (!isPlainClick(event) || rest.target) return;
        event.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </AkselLink>
  );
}

/** An Aksel Button that is a link inside the app («Neste side»). */
export function ButtonLink({ to, children, onNavigate, ...rest }: Omit<ButtonProps, 'onClick'> & { to: string; onNavigate?: () => void }) {
  return (
    <Button
      as="a"
      href={to}
      // Aksel gives a Button rendered as <a> role=button; it navigates, so it is a link.
      role="link"
      {...rest}
      onClick={(event: MouseEvent<HTMLElement>) => {
        if (!isPlainClick(event)) return;
        event.preventDefault();
        navigate(to);
        onNavigate?.();
      }}
    >
      {children}
    </Button>
  );
}

/** A return address from the query (`?neste=`): only a path inside this app, never another origin. */
export function safeReturnPath(value: string | null | undefined, fallback = '/'): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return fallback;
  return value;
}
