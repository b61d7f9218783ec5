import { Suspense, useEffect, type MouseEvent } from 'react';
import { BodyShort, HStack, InternalHeader, Page, Spacer, VStack } from '@navikt/ds-react';
import { LeaveIcon } from '@navikt/aksel-icons';
import { endSession, hasAnyRole, useSession, type Session } from '../auth/session';
import { ROLE_NAMES } from '../format/labels';
import { Loading, PageHeading } from '../components/page';
import { Link, isPlainClick, matchPath, navigate, useLocation, type Location } from './router';
import { ROUTES, type RouteDef } from './routes';
import { menuFor } from './route-table';

function findRoute(pathname: string): { route: RouteDef; params: Record<string, string> } | null {
  for (const route of ROUTES) {
    const params = matchPath(route.path, pathname);
    if (params) return { route, params };
  }
  return null;
}

function Menu({ session, location }: { session: Session; location: Location }) {
  const items = menuFor(session);
  if (items.length === 0) return null;
  return (
    <nav aria-label="Hovedmeny" className="menu">
      <ul className="menu__list">
        {items.map((r) => {
          const active = location.pathname === r.path;
          return (
            <li key={r.path}>
              <Link to={r.path} className="menu__link" aria-current={active ? 'page' : undefined}>
                {r.menu}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

function Header({ session }: { session: Session | null }) {
  return (
    <InternalHeader>
      <InternalHeader.Title
        href="/"
        onClick={(event: MouseEvent<HTMLAnchorElement>) => {
          if (!isPlainClick(event)) return;
          event.preventDefault();
          navigate('/');
        }}
      >
        Forebygging av utkastelser
      </InternalHeader.Title>
      <Spacer />
      {session ? (
        <>
          <InternalHeader.User name={ROLE_NAMES[session.role]} description={`Kommune ${session.municipalities.join(', ')}${session.navOffice ? ` · ${session.navOffice}` : ''}`} />
          <InternalHeader.Button
            onClick={() => {
              endSession('signed-out');
              navigate('/logg-inn');
            }}
          >
            <LeaveIcon aria-hidden fontSize="1.25rem" />
            Logg ut
          </InternalHeader.Button>
        </>
      ) : null}
    </InternalHeader>
  );
}

function Footer() {
  return (
    <footer className="footer">
      <Page.Block width="xl" gutters>
        <HStack gap="space-24" align="center" wrap>
          <BodyShort size="small">Forebygging av utkastelser – for kommunens regnskap, husleierestanseteamet, NAV og drift.</BodyShort>
          <Link to="/tilgjengelighet">Tilgjengelighetserklæring</Link>
        </HStack>
      </Page.Block>
    </footer>
  );
}

function NotAllowed({ session, route }: { session: Session; route: RouteDef }) {
  return (
    <VStack gap="space-16">
      <PageHeading title="Ingen tilgang">Du har ikke tilgang til denne siden</PageHeading>
      <BodyShort>
        Siden er for {route.roles?.map((r) => ROLE_NAMES[r].toLowerCase()).join(', ')}. Du er logget inn som {ROLE_NAMES[session.role].toLowerCase()}.
      </BodyShort>
      <div>
        <Link to="/">Til forsiden</Link>
      </div>
    </VStack>
  );
}

function NotFound() {
  return (
    <VStack gap="space-16">
      <PageHeading title="Fant ikke siden">Fant ikke siden</PageHeading>
      <BodyShort>Adressen finnes ikke i tjenesten. Kanskje lenken er gammel, eller adressen er skrevet feil.</BodyShort>
      <div>
        <Link to="/">Til forsiden</Link>
      </div>
    </VStack>
  );
}

export function App() {
  const location = useLocation();
  const session = useSession();
  const found = findRoute(location.pathname);
  const mustSignIn = !!found && !found.route.public && !session;

  useEffect(() => {
    if (mustSignIn) navigate(`/logg-inn?neste=${encodeURIComponent(location.href)}`, { replace: true });
  }, [mustSignIn, location.href]);

  let content;
  if (!found) content = <NotFound />;
  else if (mustSignIn) content = <Loading text="Sender deg til innlogging …" />;
  else if (session && found.route.roles && !hasAnyRole(session, ...found.route.roles)) content = <NotAllowed session={session} route={found.route} />;
  else {
    const Component = found.route.component;
    content = (
      <Suspense fallback={<Loading text="Henter siden …" />}>
        <Component params={found.params} />
      </Suspense>
    );
  }

  return (
    <div className="app">
      <a href="#hovedinnhold" className="skip-link">
        Hopp til hovedinnholdet
      </a>
      <Header session={session} />
      {session ? (
        <div className="menu-bar">
          <Page.Block width="xl" gutters>
            <Menu session={session} location={location} />
          </Page.Block>
        </div>
      ) : null}
      <main id="hovedinnhold" tabIndex={-1} className="main">
        <Page.Block width="xl" gutters>
          {content}
        </Page.Block>
      </main>
      <Footer />
    </div>
  );
}
