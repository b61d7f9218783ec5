import { containsIdentityNumber, startsLikeSpreadsheetFormula, type LocalDate } from '@evp/shared-kernel';
import { parseCaseId, type ArrearsTeamMeetingHeld, type CaseEvent } from './events';
import { CaseRuleError } from './decide';
import { findCase, type TenancyCases } from './prevention-case';

/**
 * The husleierestanseteam's monthly meeting (DOMAIN.md: «the monthly meeting needs a pack … decisions
 * taken in the meeting recorded as events»). Each decision goes to its case's stream; the meeting's
 * own stream records that the meeting was held and which cases it decided on.
 */

export interface TeamDecisionInput {
  readonly caseId: string;
  /** Free text in bokmål: what the team decided («Tilbud om nedbetalingsavtale; NAV kontakter husstanden»). */
  readonly decision: string;
}

export interface RecordArrearsTeamMeeting {
  readonly meetingId: string;
  readonly municipalityNumber: string;
  readonly heldOn: LocalDate;
  readonly decisions: readonly TeamDecisionInput[];
}

/** One problem with a meeting as submitted, in bokmål, naming the field it is about (`decisions.2.decision`). */
export interface MeetingProblem {
  readonly field: string;
  readonly reason: string;
}

/** The meeting as submitted breaks a rule below; nothing is recorded. */
export class MeetingRuleError extends Error {
  constructor(readonly problems: readonly MeetingProblem[]) {
    super(`${problems.length} feil i møtet; ingenting er lagret`);
  }
}

export const MAX_DECISION_LENGTH = 2000;
export const MAX_DECISIONS_PER_MEETING = 500;

/**
 * Why a decision's text is refused, or null. Two rules, each from its source:
 * - the pack is exported and copied into spreadsheets, so text that a spreadsheet would run as a
 *   formula is refused (OWASP «CSV Injection»; refusal is clearer than silent escaping);
 * - an identity number never enters an event (ARCHITECTURE.md, invariant 7): a decision names the
 *   case, never the person.
 */
export function decisionTextProblem(text: string): string | null {
  if (text.trim().length === 0) return 'må fylles ut';
  if (text.length > MAX_DECISION_LENGTH) return `kan være høyst ${MAX_DECISION_LENGTH} tegn`;
  if (startsLikeSpreadsheetFormula(text)) return 'kan ikke begynne med =, +, -, @, tabulator eller linjeskift (regnearkformel)';
  if (containsIdentityNumber(text)) return 'kan ikke inneholde et fødselsnummer eller d-nummer; vedtaket gjelder saken, ikke personen';
  return null;
}

/**
 * Everything wrong with a meeting as submitted, before anything is written. Rules: a meeting is
 * recorded after it is held, never ahead (`heldOn` ≤ today); every case belongs to the meeting's
 * municipality (invariant 12: nothing crosses that line); one decision per case and meeting.
 */
export function meetingProblems(command: Omit<RecordArrearsTeamMeeting, 'meetingId'>, today: LocalDate): MeetingProblem[] {
  const problems: MeetingProblem[] = [];
  if (command.heldOn > today) problems.push({ field: 'heldOn', reason: 'kan ikke være frem i tid' });
  if (command.decisions.length > MAX_DECISIONS_PER_MEETING) problems.push({ field: 'decisions', reason: `kan være høyst ${MAX_DECISIONS_PER_MEETING} vedtak i ett møte` });
  const seen = new Set<string>();
  command.decisions.forEach((d, i) => {
    const parsed = parseCaseId(d.caseId);
    if (!parsed) problems.push({ field: `decisions.${i}.caseId`, reason: 'er ikke et saksnummer' });
    else if (parsed.municipalityNumber !== command.municipalityNumber) problems.push({ field: `decisions.${i}.caseId`, reason: `gjelder ikke kommune ${command.municipalityNumber}` });
    else if (seen.has(d.caseId)) problems.push({ field: `decisions.${i}.caseId`, reason: 'saken har allerede et vedtak i dette møtet' });
    seen.add(d.caseId);
    const text = decisionTextProblem(d.decision);
    if (text) problems.push({ field: `decisions.${i}.decision`, reason: text });
  });
  return problems;
}

/**
 * Records one decision on its case. Idempotent by business key (STYLE.md, Eventuous): a case holds
 * at most one decision per meeting, so recording the meeting again appends nothing. A resolved
 * case still takes a decision: the team may have decided on it while the payment was on its way.
 */
export function recordTeamDecision(state: TenancyCases, command: { readonly caseId: string; readonly meetingId: string; readonly decision: string; readonly decidedOn: LocalDate }): CaseEvent[] {
  const text = decisionTextProblem(command.decision);
  if (text) throw new MeetingRuleError([{ field: 'decision', reason: text }]);
  const found = findCase(state, command.caseId);
  if (!found) throw new CaseRuleError('CASE_NOT_FOUND', 'saken finnes ikke');
  if (found.teamDecisions.some((d) => d.meetingId === command.meetingId)) return [];
  return [{ type: 'cases.TeamDecisionRecorded', data: { caseId: command.caseId, meetingId: command.meetingId, decision: command.decision, decidedOn: command.decidedOn } }];
}

export type MeetingEvent = ArrearsTeamMeetingHeld;

export interface ArrearsTeamMeeting {
  readonly held: ArrearsTeamMeetingHeld['data'] | null;
}

export const initialMeeting = (): ArrearsTeamMeeting => ({ held: null });

export function evolveMeeting(_state: ArrearsTeamMeeting, event: MeetingEvent): ArrearsTeamMeeting {
  switch (event.type) {
    case 'cases.ArrearsTeamMeetingHeld':
      return { held: event.data };
    default: {
      const never: never = event.type;
      return never;
    }
  }
}

/** The meeting's record, written once: a meeting id is derived from its content, so a second write is a retry. */
export function holdMeeting(state: ArrearsTeamMeeting, command: RecordArrearsTeamMeeting, today: LocalDate): MeetingEvent[] {
  if (state.held) return [];
  const problems = meetingProblems(command, today);
  if (problems.length) throw new MeetingRuleError(problems);
  return [
    {
      type: 'cases.ArrearsTeamMeetingHeld',
      data: { meetingId: command.meetingId, municipalityNumber: command.municipalityNumber, heldOn: command.heldOn, caseIds: command.decisions.map((d) => d.caseId) },
    },
  ];
}
