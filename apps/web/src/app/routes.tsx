import { lazy, type ComponentType } from 'react';
import { SignInPage } from '../pages/sign-in/SignInPage';
import { CallbackPage } from '../pages/sign-in/CallbackPage';
import { HomePage } from '../pages/HomePage';
import { ImportsPage } from '../pages/accounting/ImportsPage';
import { ArrearsPage } from '../pages/accounting/ArrearsPage';
import { QueuePage } from '../pages/arrears-team/QueuePage';
import { MeetingPackPage } from '../pages/arrears-team/MeetingPackPage';
import { CasesPage } from '../pages/cases/CasesPage';
import { CasePage } from '../pages/cases/CasePage';
import { OperatorPage } from '../pages/operator/OperatorPage';
import { AccessibilityPage } from '../pages/AccessibilityPage';
import { WarningFormPage } from '../pages/landlord/WarningFormPage';
import { WarningsPage } from '../pages/landlord/WarningsPage';
import { WarningPage } from '../pages/landlord/WarningPage';
import { InboxPage } from '../pages/nav/InboxPage';
import { NavCasePage } from '../pages/nav/NavCasePage';
import { ROUTE_TABLE, type RouteInfo, type RoutePath } from './route-table';

// recharts is most of the dashboard's weight: it is fetched only when the dashboard is opened.
const DashboardPage = lazy(() => import('../pages/dashboard/DashboardPage'));

export interface RouteDef extends RouteInfo {
  readonly component: ComponentType<{ params: Record<string, string> }>;
}

/** Every path in ./route-table has its page here (a missing one does not compile). */
const COMPONENTS: Record<RoutePath, RouteDef['component']> = {
  '/logg-inn': SignInPage,
  '/logg-inn/tilbake': CallbackPage,
  '/tilgjengelighet': AccessibilityPage,
  '/': HomePage,
  '/regnskap': ImportsPage,
  '/regnskap/restanser': ArrearsPage,
  '/team': QueuePage,
  '/team/motepakke': MeetingPackPage,
  '/saker': CasesPage,
  '/saker/:id': CasePage,
  '/dashbord': DashboardPage,
  '/drift': OperatorPage,
  '/utleier/varsler': WarningsPage,
  '/utleier/varsler/ny': WarningFormPage,
  '/utleier/varsler/:id': WarningPage,
  '/nav': InboxPage,
  '/nav/saker/:id': NavCasePage,
};

export const ROUTES: readonly RouteDef[] = ROUTE_TABLE.map((route) => ({ ...route, component: COMPONENTS[route.path] }));
