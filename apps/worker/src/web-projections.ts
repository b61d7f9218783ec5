import type { EventTypeMap } from '@evp/event-store';
import type { ProcessorRegistry } from '@evp/runtime';
import { ImportsProjection, RentMonthsProjection } from '@evp/ledger-application';
import { CaseMonthsProjection, TeamMeetingsProjection } from '@evp/cases-application';
import { WarningMonthsProjection } from '@evp/warnings-application';
import { NavMonthsProjection } from '@evp/nav-application';

/** The read models behind the web app: the import history, the dashboard's months (rent, cases, § 9-11 warnings, NAV), the husleierestanseteam's meetings. */
export function registerWebProjections(registry: ProcessorRegistry, types: EventTypeMap, graceWorkingDays: number): void {
  registry.registerProjection(new ImportsProjection(types));
  registry.registerProjection(new RentMonthsProjection(types, graceWorkingDays));
  registry.registerProjection(new CaseMonthsProjection(types));
  registry.registerProjection(new TeamMeetingsProjection(types));
  registry.registerProjection(new WarningMonthsProjection(types));
  registry.registerProjection(new NavMonthsProjection(types));
}
