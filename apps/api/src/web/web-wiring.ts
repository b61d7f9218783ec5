import type { Provider, Type } from '@nestjs/common';
import { authDevKeyEnabled, type AppConfig } from '@evp/runtime';
import { LEDGER_GRACE_WORKING_DAYS, LEDGER_WEB_QUERY_HANDLERS } from '@evp/ledger-application';
import { CASE_WEB_COMMAND_HANDLERS, CASE_WEB_QUERY_HANDLERS } from '@evp/cases-application';
import { WARNING_WEB_QUERY_HANDLERS } from '@evp/warnings-application';
import { NAV_WEB_QUERY_HANDLERS } from '@evp/nav-application';
import { DashboardController } from '../dashboard/dashboard.controller';
import { ImportsController } from '../imports/imports.controller';
import { MeetingsController } from '../meetings/meetings.controller';
import { OperatorProxyController } from '../operator-proxy/operator-proxy.controller';
import { AppConfigController } from './app-config.controller';
import { DevTokenController } from './dev-token.controller';

/**
 * The web app's endpoints. `POST /api/dev/token` is registered only where the development key is
 * on (development and test): in production the route does not exist at all.
 */
export function webControllers(config: AppConfig): Type[] {
  return [AppConfigController, ImportsController, DashboardController, MeetingsController, OperatorProxyController, ...(authDevKeyEnabled(config) ? [DevTokenController] : [])];
}

export function webProviders(config: AppConfig): Provider[] {
  return [{ provide: LEDGER_GRACE_WORKING_DAYS, useValue: config.POLICY_GRACE_WORKING_DAYS }, ...LEDGER_WEB_QUERY_HANDLERS, ...CASE_WEB_COMMAND_HANDLERS, ...CASE_WEB_QUERY_HANDLERS, ...WARNING_WEB_QUERY_HANDLERS, ...NAV_WEB_QUERY_HANDLERS];
}
