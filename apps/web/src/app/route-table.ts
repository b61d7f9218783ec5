import { hasAnyRole, type Session } from '../auth/session';
import type { Role } from '../format/labels';

/**
 * The app's pages without their components: address, who may open each and its menu label. The
 * home page lists its cards from this, so it need not import the route table that imports it.
 */
export interface RouteInfo {
  readonly path: string;
  /** Who may open it; absent: anyone signed in. `public`: also without signing in. */
  readonly roles?: readonly Role[];
  readonly public?: boolean;
  /** In the main menu, with this label. */
  readonly menu?: string;
}

const STAFF: Role[] = ['accounting', 'arrears-team', 'nav-adviser', 'nav-lead', 'admin'];
const NAV: Role[] = ['nav-adviser', 'nav-lead'];

const TABLE = [
  { path: '/logg-inn', public: true },
  { path: '/logg-inn/tilbake', public: true },
  { path: '/tilgjengelighet', public: true },
  { path: '/' },
  { path: '/regnskap', roles: ['accounting', 'admin'], menu: 'Filimport' },
  { path: '/regnskap/restanser', roles: ['accounting', 'arrears-team', 'nav-adviser', 'nav-lead', 'admin'], menu: 'Restanser' },
  { path: '/team', roles: ['arrears-team', 'admin'], menu: 'Teamets kø' },
  { path: '/team/motepakke', roles: ['arrears-team', 'admin'], menu: 'Møtepakke' },
  { path: '/saker', roles: STAFF, menu: 'Saker' },
  { path: '/saker/:id', roles: STAFF },
  { path: '/dashbord', roles: ['accounting', 'arrears-team', 'admin'], menu: 'Dashbord' },
  { path: '/drift', roles: ['admin'], menu: 'Drift' },
  { path: '/utleier/varsler', roles: ['landlord'], menu: 'Mine varsler' },
  { path: '/utleier/varsler/ny', roles: ['landlord'], menu: 'Nytt varsel' },
  { path: '/utleier/varsler/:id', roles: ['landlord'] },
  { path: '/nav', roles: NAV, menu: 'NAV-innboks' },
  { path: '/nav/saker/:id', roles: NAV },
] as const satisfies readonly RouteInfo[];

export type RoutePath = (typeof TABLE)[number]['path'];

/** In matching order: the first whose path matches wins. */
export const ROUTE_TABLE: ReadonlyArray<RouteInfo & { readonly path: RoutePath }> = TABLE;

export type MenuEntry = RouteInfo & { readonly path: RoutePath; readonly menu: string };

/** The menu entries the person may open, in the table's order: the main menu and the home page's cards. */
export function menuFor(session: Session): MenuEntry[] {
  return ROUTE_TABLE.filter((r): r is MenuEntry => !!r.menu && (!r.roles || hasAnyRole(session, ...r.roles)));
}
