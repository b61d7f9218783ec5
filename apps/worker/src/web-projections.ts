import type { EventTypeMap } from '@evp/event-store';
import type { ProcessorRegistry } from '@evp/runtime';
import { ImportsProjection, RentMonthsProjection } from '@evp/ledger-application';
import { CaseMonthsProjection, TeamMeetingsProjection } from '@evp/cases-application';

/** The read models behind the web app: the import history, the dashboard's months, the husleierestanseteam's meetings. */
export function registerWebProjections(registry: ProcessorRegistry, types: EventTypeMap, graceWorkingDays: number): void {
  registry.registerProjection(new ImportsProjection(types));
  registry.registerProjection(new RentMonthsProjection(types, graceWorkingDays));
  registry.registerProjection(new CaseMonthsProjection(types));
  registry.registerProjection(new TeamMeetingsProjection(types));
}
