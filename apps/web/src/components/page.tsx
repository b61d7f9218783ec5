import { useEffect, useRef, type ReactNode } from 'react';
import { BodyShort, Heading, Loader, VStack } from '@navikt/ds-react';
import { hasNavigated } from '../app/router';

const APP_NAME = 'Forebygging av utkastelser';

/**
 * The page's one h1. It names the browser tab too, and after a navigation inside the app it takes
 * the focus, so a screen reader announces the new page as it would after a full page load.
 */
export function PageHeading({ children, title, description }: { children: ReactNode; title: string; description?: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} – ${APP_NAME}`;
    if (hasNavigated()) ref.current?.focus();
  }, [title]);
  return (
    <VStack gap="space-8" className="page-heading">
      <Heading level="1" size="large" ref={ref} tabIndex={-1} className="page-heading__title">
        {children}
      </Heading>
      {description ? <BodyShort className="page-heading__description">{description}</BodyShort> : null}
    </VStack>
  );
}

/** Loading, said in words (and to screen readers through role=status). */
export function Loading({ text = 'Henter …' }: { text?: string }) {
  return (
    <div role="status" className="loading">
      <Loader size="medium" title="" aria-hidden />
      <BodyShort as="span">{text}</BodyShort>
    </div>
  );
}

export { APP_NAME };

/**
 * A ref that takes the focus whenever `trigger` changes to something truthy: a result, an error
 * summary. After the render, not in the event handler, so the element exists when it is focused.
 */
export function useFocusOn<T extends HTMLElement>(trigger: unknown) {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (trigger) ref.current?.focus();
  }, [trigger]);
  return ref;
}
