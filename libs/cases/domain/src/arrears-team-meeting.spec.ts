import type { CaseEvent, MeetingEvent } from './index';
import { MeetingRuleError, evolveMeeting, holdMeeting, initialMeeting, meetingProblems, recordTeamDecision } from './arrears-team-meeting';
import { CaseRuleError } from './decide';
import { evolveCases, initialTenancyCases } from './prevention-case';

/** Given (literal events) → when (a command) → then (the events decided, or the refusal). */
const givenCase = (...events: CaseEvent[]) => {
  const state = events.reduce(evolveCases, initialTenancyCases());
  return {
    when: (command: Parameters<typeof recordTeamDecision>[1]) => ({
      then: (expected: CaseEvent[]) => expect(recordTeamDecision(state, command)).toEqual(expected),
      thenRefused: (error: unknown) => expect(() => recordTeamDecision(state, command)).toThrow(error as Error),
    }),
  };
};

const givenMeeting = (...events: MeetingEvent[]) => {
  const state = events.reduce(evolveMeeting, initialMeeting());
  return {
    when: (command: Parameters<typeof holdMeeting>[1], today: string) => ({
      then: (expected: MeetingEvent[]) => expect(holdMeeting(state, command, today)).toEqual(expected),
      thenRefused: () => {
        try {
          holdMeeting(state, command, today);
        } catch (error) {
          expect(error).toBeInstanceOf(MeetingRuleError);
          return (error as MeetingRuleError).problems;
        }
        throw new Error('expected the meeting to be refused');
      },
    }),
  };
};

const opened: CaseEvent = {
  type: 'cases.CaseOpened',
  data: {
    caseId: '5035-100234-1',
    caseNo: 1,
    municipalityNumber: '5035',
    tenancyId: '100234',
    navOffice: 'nav-stjordal',
    openedOn: '2026-11-06',
    firstContactDeadline: '2026-11-13',
    arrearsOre: 928200,
    monthlyRentOre: 928200,
    daysPastGrace: 1,
    reasons: [{ policy: 'arrearsReachMonthsOfRent', explanation: 'Restansen er 9 282,00 kr.' }],
  },
};
const escalated: CaseEvent = { type: 'cases.CaseEscalatedToArrearsTeam', data: { caseId: '5035-100234-1', escalatedOn: '2026-11-16', reasons: [{ policy: 'noContactWithinDeadline', explanation: 'Ingen kontakt.' }] } };
const decided: CaseEvent = { type: 'cases.TeamDecisionRecorded', data: { caseId: '5035-100234-1', meetingId: '5035-2026-11-20-0a1b2c3d', decision: 'Tilby nedbetalingsavtale.', decidedOn: '2026-11-20' } };
const decision = { caseId: '5035-100234-1', meetingId: '5035-2026-11-20-0a1b2c3d', decision: 'Tilby nedbetalingsavtale.', decidedOn: '2026-11-20' };

describe('a decision of the husleierestanseteam', () => {
  it('is recorded on the case with the meeting it was taken in', () => {
    givenCase(opened, escalated).when(decision).then([decided]);
  });

  it('is recorded once per meeting: recording the meeting again appends nothing', () => {
    givenCase(opened, escalated, decided).when({ ...decision, decision: 'Noe annet.' }).then([]);
  });

  it('another meeting may decide on the same case again', () => {
    givenCase(opened, escalated, decided)
      .when({ ...decision, meetingId: '5035-2026-12-18-9f8e7d6c', decidedOn: '2026-12-18' })
      .then([{ type: 'cases.TeamDecisionRecorded', data: { ...decided.data, meetingId: '5035-2026-12-18-9f8e7d6c', decidedOn: '2026-12-18' } } as CaseEvent]);
  });

  it('is refused for a case that does not exist', () => {
    givenCase(opened).when({ ...decision, caseId: '5035-100234-2' }).thenRefused(CaseRuleError);
  });

  it('refuses text a spreadsheet would run as a formula, and identity numbers (invariant 7)', () => {
    givenCase(opened).when({ ...decision, decision: '=HYPERLINK("http://x")' }).thenRefused(MeetingRuleError);
    givenCase(opened).when({ ...decision, decision: 'Gjelder 15828500012' }).thenRefused(MeetingRuleError);
  });
});

describe('recording a meeting', () => {
  const meeting = { meetingId: '5035-2026-11-20-0a1b2c3d', municipalityNumber: '5035', heldOn: '2026-11-20', decisions: [{ caseId: '5035-100234-1', decision: 'Tilby nedbetalingsavtale.' }] };
  const held: MeetingEvent = { type: 'cases.ArrearsTeamMeetingHeld', data: { meetingId: '5035-2026-11-20-0a1b2c3d', municipalityNumber: '5035', heldOn: '2026-11-20', caseIds: ['5035-100234-1'] } };

  it('records the meeting and the cases it decided on', () => {
    givenMeeting().when(meeting, '2026-11-20').then([held]);
  });

  it('a meeting recorded twice is recorded once', () => {
    givenMeeting(held).when(meeting, '2026-11-21').then([]);
  });

  it('refuses a meeting in the future, a case of another municipality, a case twice and a formula, naming each field', () => {
    const problems = givenMeeting()
      .when(
        {
          ...meeting,
          heldOn: '2026-11-21',
          decisions: [
            { caseId: '5037-1-1', decision: 'Ok.' },
            { caseId: '5035-100234-1', decision: '+47 99 99 99 99' },
            { caseId: '5035-100234-1', decision: 'Ok.' },
            { caseId: 'not-a-case', decision: ' ' },
          ],
        },
        '2026-11-20',
      )
      .thenRefused();
    expect(problems.map((p) => p.field)).toEqual(['heldOn', 'decisions.0.caseId', 'decisions.1.decision', 'decisions.2.caseId', 'decisions.3.caseId', 'decisions.3.decision']);
  });

  it('a meeting without decisions is still a meeting', () => {
    expect(meetingProblems({ municipalityNumber: '5035', heldOn: '2026-11-20', decisions: [] }, '2026-11-20')).toEqual([]);
  });
});
