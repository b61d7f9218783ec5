import type { CaseEvent } from './events';
import { CaseRuleError, closeCase, escalateIfNoContact, escalationHold, evaluateArrears, nextArrearsEvaluation, recordContact, recordNavContact, type ArrearsSnapshot, type CasePolicy } from './decide';
import { evolveCases, initialTenancyCases, type TenancyCases } from './prevention-case';

const policy: CasePolicy = { arrearsThresholdMonthsOfRent: 1, graceWorkingDays: 3, daysPastGraceToOpen: 14, firstContactWorkingDays: 5 };
const given = (...events: CaseEvent[]): TenancyCases => events.reduce(evolveCases, initialTenancyCases());
const snapshot = (overrides: Partial<ArrearsSnapshot> = {}): ArrearsSnapshot => ({
  municipalityNumber: '5035',
  tenancyId: '100234',
  navOffice: 'nav-stjordal',
  monthlyRentOre: 928200,
  overdueOre: 928200,
  arrearsOre: 928200,
  daysPastGrace: 1,
  unpaidDueDates: ['2026-11-02'],
  ...overrides,
});

const [opened] = evaluateArrears(initialTenancyCases(), snapshot(), policy, '2026-11-26') as [CaseEvent];

describe('opening a case', () => {
  it('opens when arrears reach one month of rent, with the reason and a first-contact deadline in working days', () => {
    expect(opened).toEqual({
      type: 'cases.CaseOpened',
      data: expect.objectContaining({
        caseId: '5035-100234-1',
        caseNo: 1,
        openedOn: '2026-11-26',
        firstContactDeadline: '2026-12-03',
        reasons: [{ policy: 'arrearsReachMonthsOfRent', explanation: 'Restansen er 9\u00a0282,00 kr, minst 1 månedsleie (9\u00a0282,00 kr), etter 3 virkedagers henstand.' }],
      }),
    });
  });

  it('opens when less than a month is owed but for too long', () => {
    const [event] = evaluateArrears(initialTenancyCases(), snapshot({ arrearsOre: 100000, overdueOre: 100000, daysPastGrace: 14 }), policy, '2026-11-26');
    expect(event?.type === 'cases.CaseOpened' && event.data.reasons.map((r) => r.policy)).toEqual(['rentOverdueTooLong']);
  });

  it('does not open while the unpaid rent is still within its grace period', () => {
    expect(evaluateArrears(initialTenancyCases(), snapshot({ arrearsOre: 0, daysPastGrace: 0 }), policy, '2026-11-04')).toEqual([]);
  });

  it('does not open a second case while one is active', () => {
    expect(evaluateArrears(given(opened), snapshot({ arrearsOre: 5_000_000 }), policy, '2026-11-27')).toEqual([]);
  });

  it('numbers the next case after a resolved one', () => {
    const resolved = evaluateArrears(given(opened), snapshot({ overdueOre: 0, arrearsOre: 0 }), policy, '2026-11-28');
    const [second] = evaluateArrears(given(opened, ...resolved), snapshot(), policy, '2027-01-10');
    expect(second?.type === 'cases.CaseOpened' && second.data.caseId).toBe('5035-100234-2');
  });
});

describe('resolving', () => {
  it('resolves the active case as paid when nothing is overdue', () => {
    expect(evaluateArrears(given(opened), snapshot({ overdueOre: 0, arrearsOre: 0 }), policy, '2026-11-30')).toEqual([
      { type: 'cases.CaseResolved', data: { caseId: '5035-100234-1', resolvedOn: '2026-11-30', outcome: 'paid', explanation: 'Det er ingen forfalt, ubetalt husleie lenger.' } },
    ]);
  });
});

describe('contact and escalation', () => {
  const contact = { caseId: '5035-100234-1', contactId: 'c-1', channel: 'phone' as const, contactedOn: '2026-11-27', byRole: 'accounting' };

  it('records contact once per contact id', () => {
    const events = recordContact(given(opened), contact);
    expect(events).toHaveLength(1);
    expect(recordContact(given(opened, ...events), contact)).toEqual([]);
  });

  it('refuses contact on an unknown or resolved case', () => {
    expect(() => recordContact(given(opened), { ...contact, caseId: '5035-100234-9' })).toThrow(CaseRuleError);
    const resolved = evaluateArrears(given(opened), snapshot({ overdueOre: 0 }), policy, '2026-11-28');
    expect(() => recordContact(given(opened, ...resolved), contact)).toThrow(expect.objectContaining({ code: 'CASE_CLOSED' }));
  });

  it('escalates after the deadline when nobody made contact, and explains why', () => {
    expect(escalateIfNoContact(given(opened), '5035-100234-1', '2026-12-03', policy)).toEqual([]); // the deadline day itself still counts
    const explanation = 'Ingen kontakt er registrert innen 5 virkedager etter at saken ble åpnet 2026-11-26 (frist 2026-12-03), og restansen er ikke betalt.';
    expect(escalateIfNoContact(given(opened), '5035-100234-1', '2026-12-04', policy, 'nav-stjordal')).toEqual([
      {
        type: 'cases.CaseEscalatedToArrearsTeam',
        data: { caseId: '5035-100234-1', escalatedOn: '2026-12-04', reasons: [{ policy: 'noContactWithinDeadline', explanation }] },
      },
      {
        // The escalation also refers the household to the tenancy's current NAV office, once.
        type: 'cases.ReferredToNav',
        data: {
          caseId: '5035-100234-1',
          referralId: '5035-100234-1.escalation.1',
          municipalityNumber: '5035',
          tenancyId: '100234',
          navOffice: 'nav-stjordal',
          source: 'escalation',
          referredOn: '2026-12-04',
          reasons: [{ policy: 'noContactWithinDeadline', explanation }],
          petitionOn: null,
          evictionOn: null,
        },
      },
    ]);
  });

  it('a deadline firing twice, after contact, or after escalation does nothing', () => {
    const contacted = given(opened, ...recordContact(given(opened), contact));
    expect(escalateIfNoContact(contacted, '5035-100234-1', '2026-12-10', policy)).toEqual([]);
    const escalated = given(opened, ...escalateIfNoContact(given(opened), '5035-100234-1', '2026-12-04', policy));
    expect(escalateIfNoContact(escalated, '5035-100234-1', '2026-12-05', policy)).toEqual([]);
  });
});

describe('when to look again without a posting', () => {
  it('is the day after the grace ends, then the day the overdue limit is reached', () => {
    // Due Monday 2 Nov; 3 working days of grace end Thursday 5 Nov.
    const s = snapshot({ unpaidDueDates: ['2026-11-02'] });
    expect(nextArrearsEvaluation(s, policy, '2026-11-03')).toBe('2026-11-06');
    expect(nextArrearsEvaluation(s, policy, '2026-11-06')).toBe('2026-11-19');
    expect(nextArrearsEvaluation(s, policy, '2026-11-19')).toBeNull();
  });

  it('looks again when each unpaid charge becomes too old, not only the oldest (a newer charge opens the case after NAV closed one)', () => {
    // Due Tuesday 1 December; grace ends Friday 4 December; 14 days past it on 18 December.
    const s = snapshot({ unpaidDueDates: ['2026-11-02', '2026-12-01'] });
    expect(nextArrearsEvaluation(s, policy, '2026-11-19')).toBe('2026-12-05');
    expect(nextArrearsEvaluation(s, policy, '2026-12-05')).toBe('2026-12-18');
    expect(nextArrearsEvaluation(s, policy, '2026-12-18')).toBeNull();
  });
});

describe('NAV holding an escalation back (@evp/nav-contract NAV_HOLDS)', () => {
  // Opened Thursday 26 November with 9 282 kr owed; nobody made contact by Thursday 3 December.
  const explanation = 'Ingen kontakt er registrert innen 5 virkedager etter at saken ble åpnet 2026-11-26 (frist 2026-12-03), og restansen er ikke betalt.';
  const escalated = [
    { type: 'cases.CaseEscalatedToArrearsTeam', data: { caseId: '5035-100234-1', escalatedOn: '2026-12-04', reasons: [{ policy: 'noContactWithinDeadline', explanation }] } },
    expect.objectContaining({ type: 'cases.ReferredToNav' }),
  ];

  it('given assistance on its way that covers the arrears (expected 10 December): no escalation while the date has not passed', () => {
    // The port counts it as on its way up to and including its date.
    expect(escalateIfNoContact(given(opened), '5035-100234-1', '2026-12-04', policy, 'nav-stjordal', snapshot({ onItsWayOre: 928200 }))).toEqual([]);
  });

  it('given the date passed unpaid (the port no longer counts it): the escalation goes ahead', () => {
    expect(escalateIfNoContact(given(opened), '5035-100234-1', '2026-12-11', policy, 'nav-stjordal', snapshot({ onItsWayOre: 0 }))).toEqual([
      { type: 'cases.CaseEscalatedToArrearsTeam', data: { caseId: '5035-100234-1', escalatedOn: '2026-12-11', reasons: [{ policy: 'noContactWithinDeadline', explanation }] } },
      expect.objectContaining({ type: 'cases.ReferredToNav' }),
    ]);
  });

  it('given assistance on its way that covers only part of the arrears: the rest escalates', () => {
    expect(escalateIfNoContact(given(opened), '5035-100234-1', '2026-12-04', policy, 'nav-stjordal', snapshot({ onItsWayOre: 400000 }))).toEqual(escalated);
  });

  it('given NAV paused the follow-up until 10 December: held through that day, escalates the day after', () => {
    expect(escalateIfNoContact(given(opened), '5035-100234-1', '2026-12-10', policy, 'nav-stjordal', snapshot({ navPausedUntil: '2026-12-10' }))).toEqual([]);
    expect(escalateIfNoContact(given(opened), '5035-100234-1', '2026-12-11', policy, 'nav-stjordal', snapshot({ navPausedUntil: '2026-12-10' }))).toEqual([
      expect.objectContaining({ type: 'cases.CaseEscalatedToArrearsTeam' }),
      expect.objectContaining({ type: 'cases.ReferredToNav' }),
    ]);
  });

  it('each hold explains itself without amounts', () => {
    expect(escalationHold(snapshot({ onItsWayOre: 928200 }), '2026-12-04')).toEqual({ policy: 'assistanceOnItsWay', explanation: 'Økonomisk stønad fra NAV som dekker restansen er på vei.' });
    expect(escalationHold(snapshot({ navPausedUntil: '2026-12-10' }), '2026-12-04')).toEqual({ policy: 'navPaused', explanation: 'NAV har satt oppfølgingen på pause til og med 2026-12-10.' });
    expect(escalationHold(snapshot(), '2026-12-04')).toBeNull();
  });

  it('assistance on its way does not open a case for the amount it covers, and opens one when it no longer counts', () => {
    expect(evaluateArrears(initialTenancyCases(), snapshot({ onItsWayOre: 928200 }), policy, '2026-11-26')).toEqual([]);
    expect(evaluateArrears(initialTenancyCases(), snapshot({ onItsWayOre: 0 }), policy, '2026-12-11')).toEqual([expect.objectContaining({ type: 'cases.CaseOpened' })]);
  });
});

describe('closing a case with NAV’s outcome', () => {
  it('closes the open case with the outcome and a fixed explanation (never NAV’s notes)', () => {
    expect(closeCase(given(opened), '5035-100234-1', 'rehoused', '2027-01-11')).toEqual([
      { type: 'cases.CaseResolved', data: { caseId: '5035-100234-1', resolvedOn: '2027-01-11', outcome: 'rehoused', explanation: 'NAV avsluttet oppfølgingen: husstanden har fått en annen bolig.' } },
    ]);
  });

  it('a closed or unknown case: nothing', () => {
    const resolved = evaluateArrears(given(opened), snapshot({ overdueOre: 0, arrearsOre: 0 }), policy, '2026-11-30');
    expect(closeCase(given(opened, ...resolved), '5035-100234-1', 'moved', '2026-12-01')).toEqual([]);
    expect(closeCase(given(opened), '5035-100234-9', 'moved', '2026-12-01')).toEqual([]);
  });
});

describe('closing with NAV’s outcome records what was overdue that day', () => {
  it('the closing carries the overdue amount the household owed when NAV concluded', () => {
    expect(closeCase(given(opened), '5035-100234-1', 'moved', '2026-12-10', 1856400)).toEqual([
      {
        type: 'cases.CaseResolved',
        data: { caseId: '5035-100234-1', resolvedOn: '2026-12-10', outcome: 'moved', explanation: 'NAV avsluttet oppfølgingen: husstanden har flyttet.', overdueAtClosingOre: 1856400 },
      },
    ]);
  });
});

/**
 * Issue 10: after NAV closed a case with an outcome, the next posting must not reopen a case for
 * the same arrears. Given literal case events; the account as the ledger publishes it.
 */
describe('a new case after NAV closed the last one (openingAfterNavClosed)', () => {
  const nav = '\u00a0';
  const openedNov = {
    type: 'cases.CaseOpened',
    data: {
      caseId: '5035-100234-1',
      caseNo: 1,
      municipalityNumber: '5035',
      tenancyId: '100234',
      navOffice: 'nav-stjordal',
      openedOn: '2026-11-20',
      firstContactDeadline: '2026-11-27',
      arrearsOre: 928200,
      monthlyRentOre: 928200,
      daysPastGrace: 15,
      reasons: [{ policy: 'rentOverdueTooLong', explanation: 'Eldste ubetalte husleie er 15 dager over forfall.' }],
    },
  } as const;
  const closedBy = (outcome: 'moved' | 'rehoused' | 'plan-honoured' | 'arrears-cleared', overdueAtClosingOre?: number): CaseEvent => ({
    type: 'cases.CaseResolved',
    data: { caseId: '5035-100234-1', resolvedOn: '2026-12-10', outcome, explanation: 'NAV avsluttet oppfølgingen.', ...(overdueAtClosingOre === undefined ? {} : { overdueAtClosingOre }) },
  });
  // November's and December's rent unpaid when NAV concluded on 10 December: 18 564 kr overdue.
  const sameArrears = snapshot({ overdueOre: 1856400, arrearsOre: 1856400, daysPastGrace: 97, unpaidDueDates: ['2026-11-02', '2026-12-01'] });

  it.each([['moved'], ['rehoused'], ['plan-honoured'], ['arrears-cleared']] as const)('closed as %s: the same arrears open no case, the next day or months later', (outcome) => {
    const state = given(openedNov, closedBy(outcome, 1856400));
    expect(evaluateArrears(state, sameArrears, policy, '2026-12-11')).toEqual([]);
    expect(evaluateArrears(state, sameArrears, policy, '2027-03-01')).toEqual([]);
  });

  it('the household pays each new month’s rent after the closing (arrears stay at what NAV’s conclusion covered): no case', () => {
    // Payments settle the oldest charges first, so January's charge is the unpaid one now — but nothing grew.
    const paysCurrentRent = snapshot({ overdueOre: 1856400, arrearsOre: 1856400, daysPastGrace: 40, unpaidDueDates: ['2026-12-01', '2027-01-01'] });
    expect(evaluateArrears(given(openedNov, closedBy('plan-honoured', 1856400)), paysCurrentRent, policy, '2027-01-20')).toEqual([]);
  });

  it('a new charge falls unpaid past grace and the arrears grow by a month’s rent: a new case, the reason naming the closed case', () => {
    // January's rent, due Friday 1 January 2027 (a holiday), grace ends Wednesday 6 January.
    const grown = snapshot({ overdueOre: 2784600, arrearsOre: 2784600, daysPastGrace: 63, unpaidDueDates: ['2026-11-02', '2026-12-01', '2027-01-01'] });
    expect(evaluateArrears(given(openedNov, closedBy('moved', 1856400)), grown, policy, '2027-01-07')).toEqual([
      {
        type: 'cases.CaseOpened',
        data: {
          caseId: '5035-100234-2',
          caseNo: 2,
          municipalityNumber: '5035',
          tenancyId: '100234',
          navOffice: 'nav-stjordal',
          openedOn: '2027-01-07',
          firstContactDeadline: '2027-01-14',
          arrearsOre: 2784600,
          monthlyRentOre: 928200,
          daysPastGrace: 63,
          reasons: [
            {
              policy: 'arrearsReachMonthsOfRent',
              explanation: `Ny restanse etter at NAV avsluttet sak 5035-100234-1 2026-12-10 (da var 18${nav}564,00 kr forfalt og ubetalt): Restansen er 9${nav}282,00 kr, minst 1 månedsleie (9${nav}282,00 kr), etter 3 virkedagers henstand.`,
            },
          ],
        },
      },
    ]);
  });

  it('a small new shortfall opens a case only when the new charge is 14 days past its grace, its age counted from that charge', () => {
    const short = snapshot({ overdueOre: 1956400, arrearsOre: 1956400, daysPastGrace: 63, unpaidDueDates: ['2026-11-02', '2026-12-01', '2027-01-01'] });
    const state = given(openedNov, closedBy('arrears-cleared', 1856400));
    expect(evaluateArrears(state, short, policy, '2027-01-07')).toEqual([]);
    expect(evaluateArrears(state, short, policy, '2027-01-19')).toEqual([]);
    const [event] = evaluateArrears(state, short, policy, '2027-01-20');
    expect(event?.type === 'cases.CaseOpened' && event.data.reasons).toEqual([
      {
        policy: 'rentOverdueTooLong',
        explanation: `Ny restanse etter at NAV avsluttet sak 5035-100234-1 2026-12-10 (da var 18${nav}564,00 kr forfalt og ubetalt): Eldste ubetalte husleie er 14 dager over forfall etter 3 virkedagers henstand (grensen er 14 dager).`,
      },
    ]);
  });

  it('a closing recorded before the amount was kept: the arrears the case opened with stand in for it', () => {
    const state = given(openedNov, closedBy('moved'));
    expect(evaluateArrears(state, snapshot({ overdueOre: 928200, arrearsOre: 928200, daysPastGrace: 40, unpaidDueDates: ['2026-11-02'] }), policy, '2026-12-11')).toEqual([]);
    expect(evaluateArrears(state, snapshot({ overdueOre: 1856400, arrearsOre: 1856400, daysPastGrace: 40, unpaidDueDates: ['2026-11-02', '2026-12-01'] }), policy, '2026-12-11')).toEqual([
      expect.objectContaining({ type: 'cases.CaseOpened' }),
    ]);
  });

  it('a case the ledger resolved as paid is no baseline: arrears later open a case by the ordinary policies', () => {
    const paid: CaseEvent = { type: 'cases.CaseResolved', data: { caseId: '5035-100234-1', resolvedOn: '2026-11-24', outcome: 'paid', explanation: 'Det er ingen forfalt, ubetalt husleie lenger.' } };
    const [event] = evaluateArrears(given(openedNov, paid), snapshot({ daysPastGrace: 1, unpaidDueDates: ['2026-12-01'] }), policy, '2026-12-05');
    expect(event?.type === 'cases.CaseOpened' && event.data.reasons.map((r) => r.explanation)).toEqual(['Restansen er 9\u00a0282,00 kr, minst 1 månedsleie (9\u00a0282,00 kr), etter 3 virkedagers henstand.']);
  });
});

describe('NAV’s contact with the household counts as contact on the case', () => {
  const openedNov = {
    type: 'cases.CaseOpened',
    data: {
      caseId: '5035-100234-1',
      caseNo: 1,
      municipalityNumber: '5035',
      tenancyId: '100234',
      navOffice: 'nav-stjordal',
      openedOn: '2026-11-26',
      firstContactDeadline: '2026-12-03',
      arrearsOre: 928200,
      monthlyRentOre: 928200,
      daysPastGrace: 21,
      reasons: [],
    },
  } as const;

  it('records that NAV made contact and when — channel «nav», by NAV, nothing of how', () => {
    expect(recordNavContact(given(openedNov), { caseId: '5035-100234-1', navContactId: 'k-77', contactedOn: '2026-11-30' })).toEqual([
      { type: 'cases.ContactRecorded', data: { caseId: '5035-100234-1', contactId: 'nav.k-77', channel: 'nav', contactedOn: '2026-11-30', byRole: 'nav' } },
    ]);
  });

  it('the same contact twice, a resolved case or an unknown one: nothing (never an error that would park NAV’s event)', () => {
    const recorded: CaseEvent = { type: 'cases.ContactRecorded', data: { caseId: '5035-100234-1', contactId: 'nav.k-77', channel: 'nav', contactedOn: '2026-11-30', byRole: 'nav' } };
    const resolved: CaseEvent = { type: 'cases.CaseResolved', data: { caseId: '5035-100234-1', resolvedOn: '2026-11-29', outcome: 'paid', explanation: 'Betalt.' } };
    expect(recordNavContact(given(openedNov, recorded), { caseId: '5035-100234-1', navContactId: 'k-77', contactedOn: '2026-11-30' })).toEqual([]);
    expect(recordNavContact(given(openedNov, resolved), { caseId: '5035-100234-1', navContactId: 'k-78', contactedOn: '2026-11-30' })).toEqual([]);
    expect(recordNavContact(given(openedNov), { caseId: '5035-100234-9', navContactId: 'k-78', contactedOn: '2026-11-30' })).toEqual([]);
  });

  it('with NAV’s contact on record the first-contact deadline escalates nothing', () => {
    const contacted = given(openedNov, ...recordNavContact(given(openedNov), { caseId: '5035-100234-1', navContactId: 'k-77', contactedOn: '2026-11-30' }));
    expect(escalateIfNoContact(contacted, '5035-100234-1', '2026-12-04', policy, 'nav-stjordal', snapshot())).toEqual([]);
  });
});
