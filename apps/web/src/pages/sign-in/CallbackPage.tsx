import { useEffect, useRef, useState } from 'react';
import { Alert, VStack } from '@navikt/ds-react';
import { completeOidcSignIn } from '../../auth/oidc';
import { signIn } from '../../auth/session';
import { Loading, PageHeading } from '../../components/page';
import { Link, navigate, safeReturnPath } from '../../app/router';
import { START_PAGE } from './SignInPage';

/** Where the OpenID Connect provider sends the browser back with the authorization code. */
export function CallbackPage() {
  const [error, setError] = useState<string | null>(null);
  const started = useRef(false);

  useEffect(() => {
    // The code can be exchanged once: StrictMode's second effect run must not try again.
    if (started.current) return;
    started.current = true;
    const search = new URLSearchParams(window.location.search);
    completeOidcSignIn(search).then(
      ({ session, next }) => {
        signIn(session);
        navigate(safeReturnPath(next === '/' ? null : next, START_PAGE[session.role]), { replace: true });
      },
      (e: unknown) => setError(e instanceof Error ? e.message : 'Innloggingen feilet.'),
    );
  }, []);

  return (
    <VStack gap="space-24">
      <PageHeading title="Logger inn">Logger inn</PageHeading>
      {error ? (
        <VStack gap="space-16">
          <Alert variant="error" role="alert">
            {error}
          </Alert>
          <div>
            <Link to="/logg-inn">Til innloggingen</Link>
          </div>
        </VStack>
      ) : (
        <Loading text="Fullfører innloggingen …" />
      )}
    </VStack>
  );
}
