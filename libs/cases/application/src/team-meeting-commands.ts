import { createHash } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { osloDate, type LocalDate } from '@evp/shared-kernel';
import type { EventStore, EventTypeMap } from '@evp/event-store';
import { EVENT_STORE, EVENT_TYPES, decideAndAppend, type Causation, type Decider } from '@evp/runtime';
import { hasRole, mayActIn, type Caller } from '@evp/auth';
import {
  MeetingRuleError,
  caseStreamName,
  evolveCases,
  evolveMeeting,
  findCase,
  holdMeeting,
  initialMeeting,
  initialTenancyCases,
  meetingProblems,
  meetingStreamName,
  parseCaseId,
  recordTeamDecision,
  type ArrearsTeamMeeting,
  type CaseEvent,
  type MeetingEvent,
  type MeetingProblem,
  type TeamDecisionInput,
  type TenancyCases,
} from '@evp/cases-domain';
import { mayReadCase } from './commands';

const casesDecider: Decider<TenancyCases, CaseEvent> = { initialState: initialTenancyCases, evolve: evolveCases };
const meetingDecider: Decider<ArrearsTeamMeeting, MeetingEvent> = { initialState: initialMeeting, evolve: evolveMeeting };

export interface ArrearsTeamMeetingInput {
  readonly municipalityNumber: string;
  readonly heldOn: LocalDate;
  readonly decisions: readonly TeamDecisionInput[];
}

/**
 * A meeting's id from its content (municipality, day, decisions): recording the same meeting
 * again — a retry, a double click, a re-sent request days later — is the same meeting, and two
 * meetings of one day with different decisions are two.
 */
export function meetingIdOf(meeting: ArrearsTeamMeetingInput): string {
  const decisions = meeting.decisions.map((d) => JSON.stringify([d.caseId, d.decision])).sort();
  const hash = createHash('sha256').update(JSON.stringify([meeting.municipalityNumber, meeting.heldOn, decisions])).digest('hex').slice(0, 8);
  return `${meeting.municipalityNumber}-${meeting.heldOn}-${hash}`;
}

/** The husleierestanseteam records a meeting and the decisions taken in it. */
export class RecordArrearsTeamMeetingCommand {
  constructor(
    readonly caller: Caller,
    readonly meeting: ArrearsTeamMeetingInput,
    /** `id` is ignored: each decision and the meeting derive their own cause from the meeting id. */
    readonly causation: Causation,
  ) {}
}

export interface MeetingRecorded {
  readonly meetingId: string;
  /** False when the meeting was recorded before (a retry): nothing new was written. */
  readonly recorded: boolean;
  readonly decisionsRecorded: number;
}

/**
 * Checks the whole meeting first (rules, and every case exists within the caller's reach), then
 * appends each decision to its case's stream and, last, the meeting to its own stream: a meeting
 * that is listed has all its decisions, and a crash half-way is completed by recording it again
 * (every step is a no-op when already done, by the case's and the meeting's own state).
 */
@CommandHandler(RecordArrearsTeamMeetingCommand)
export class RecordArrearsTeamMeetingHandler implements ICommandHandler<RecordArrearsTeamMeetingCommand, MeetingRecorded> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(EVENT_TYPES) private readonly types: EventTypeMap,
  ) {}

  async execute({ caller, meeting, causation }: RecordArrearsTeamMeetingCommand): Promise<MeetingRecorded> {
    const today = osloDate(causation.now);
    const meetingId = meetingIdOf(meeting);
    if (!hasRole(caller, 'arrears-team', 'admin') || !mayActIn(caller, meeting.municipalityNumber)) {
      throw new MeetingRuleError([{ field: 'municipality', reason: 'du har ikke tilgang til denne kommunen' }]);
    }
    const problems = meetingProblems(meeting, today);
    if (problems.length === 0) problems.push(...(await this.unreachable(caller, meeting.decisions)));
    if (problems.length) throw new MeetingRuleError(problems);

    let decisionsRecorded = 0;
    for (const d of meeting.decisions) {
      const parsed = parseCaseId(d.caseId) as { tenancyKey: string };
      const { events } = await decideAndAppend({
        store: this.store,
        types: this.types,
        streamName: caseStreamName(parsed.tenancyKey),
        decider: casesDecider,
        causation: { ...causation, id: `team-decision-${meetingId}-${d.caseId}` },
        decide: (cases) => recordTeamDecision(cases, { caseId: d.caseId, meetingId, decision: d.decision, decidedOn: meeting.heldOn }),
      });
      decisionsRecorded += events.length;
    }
    const { events } = await decideAndAppend({
      store: this.store,
      types: this.types,
      streamName: meetingStreamName(meetingId),
      decider: meetingDecider,
      causation: { ...causation, id: `team-meeting-${meetingId}` },
      decide: (state) => holdMeeting(state, { ...meeting, meetingId }, today),
    });
    return { meetingId, recorded: events.length > 0, decisionsRecorded };
  }

  /** Cases that do not exist or that the caller may not see: the same answer for both (a 404 gives nothing away). */
  private async unreachable(caller: Caller, decisions: readonly TeamDecisionInput[]): Promise<MeetingProblem[]> {
    const problems: MeetingProblem[] = [];
    for (const [i, d] of decisions.entries()) {
      const parsed = parseCaseId(d.caseId) as { tenancyKey: string };
      const cases = (await this.store.readStream(caseStreamName(parsed.tenancyKey))).reduce((s, e) => evolveCases(s, { type: e.type, data: this.types.upcast(e) } as CaseEvent), initialTenancyCases());
      const found = findCase(cases, d.caseId);
      if (!found || !mayReadCase(caller, { municipalityNumber: found.opened.municipalityNumber, navOffice: found.opened.navOffice })) {
        problems.push({ field: `decisions.${i}.caseId`, reason: 'saken finnes ikke' });
      }
    }
    return problems;
  }
}
