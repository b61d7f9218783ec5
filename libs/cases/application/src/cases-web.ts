import { ListMeetingsHandler, MeetingPackHandler, MeetingReportHandler } from './arrears-team-queries';
import { CaseMonthsHandler } from './case-months-projection';
import { RecordArrearsTeamMeetingHandler } from './team-meeting-commands';

/** The cases context's commands and queries behind the web app: the husleierestanseteam's meetings and the dashboard. */
export const CASE_WEB_COMMAND_HANDLERS = [RecordArrearsTeamMeetingHandler];
export const CASE_WEB_QUERY_HANDLERS = [MeetingPackHandler, MeetingReportHandler, ListMeetingsHandler, CaseMonthsHandler];
