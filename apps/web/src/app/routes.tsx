import { lazy, type ComponentType } from 'react';
import type { Role } from '../format/labels';
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

// recharts is most of the dashboard's weight: it is fetched only when the dashboard is opened.
const DashboardPage = lazy(() => import('../pages/dashboard/DashboardPage'));

export interface RouteDef {
  readonly path: string;
  readonly component: ComponentType<{ params: Record<string, string> }>;
  /** Who may open it; absent: anyone signed in. `public`: also without signing in. */
  readonly roles?: readonly Role[];
  readonly public?: boolean;
  /** In the main menu, with this label. */
  readonly menu?: string;
}

const STAFF: Role[] = ['accounting', 'arrears-team', 'nav-adviser', 'nav-lead', 'admin'];
const NAV: Role[] = ['nav-adviser', 'nav-lead'];

export const ROUTES: readonly RouteDef[] = [
  { path: '/logg-inn', component: SignInPage, public: true },
  { path: '/logg-inn/tilbake', component: CallbackPage, public: true },
  { path: '/tilgjengelighet', component: AccessibilityPage, public: true },
  { path: '/', component: HomePage },
  { path: '/regnskap', component: ImportsPage, roles: ['accounting', 'admin'], menu: 'Filimport' },
  { path: '/regnskap/restanser', component: ArrearsPage, roles: ['accounting', 'arrears-team', 'nav-adviser', 'nav-lead', 'admin'], menu: 'Restanser' },
  { path: '/team', component: QueuePage, roles: ['arrears-team', 'admin'], menu: 'Teamets kø' },
  { path: '/team/motepakke', component: MeetingPackPage, roles: ['arrears-team', 'admin'], menu: 'Møtepakke' },
  { path: '/saker', component: CasesPage, roles: STAFF, menu: 'Saker' },
  { path: '/saker/:id', component: CasePage, roles: STAFF },
  { path: '/dashbord', component: DashboardPage, roles: ['accounting', 'arrears-team', 'admin'], menu: 'Dashbord' },
  { path: '/drift', component: OperatorPage, roles: ['admin'], menu: 'Drift' },
  { path: '/utleier/varsler', component: WarningsPage, roles: ['landlord'], menu: 'Mine varsler' },
  { path: '/utleier/varsler/ny', component: WarningFormPage, roles: ['landlord'], menu: 'Nytt varsel' },
  { path: '/utleier/varsler/:id', component: WarningPage, roles: ['landlord'] },
  { path: '/nav', component: InboxPage, roles: NAV, menu: 'NAV-innboks' },
  { path: '/nav/saker/:id', component: NavCasePage, roles: NAV },
];
