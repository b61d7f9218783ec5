import type { WorkflowEvent } from '@evp/shared-kernel';
import type { CaseEvent } from './events';
import type { CasePolicy } from './decide';
import { attachWarning, evolveWarningCases, initialWarningCases, recordWarningStep, warningReferralWorkflow, type AttachWarning, type RecordWarningStep, type WarningCases } from './warning-referral';

/** Given (the case stream's events, written out) → when (one decision or input) → then (what it appends or sends). */
const policy: CasePolicy = { arrearsThresholdMonthsOfRent: 1, graceWorkingDays: 3, daysPastGraceToOpen: 14, firstContactWorkingDays: 5 };
const given = (events: readonly CaseEvent[]): WarningCases => events.reduce(evolveWarningCases, initialWarningCases());

const WARNING = '3f1c2a9e-5b7d-5e21-9c3a-0d4e5f6a7b8c';

const attach: AttachWarning = {
  type: 'cases.AttachWarning',
  warningId: WARNING,
  municipalityNumber: '5035',
  tenancyId: 'h3c9a1b2c3d4e5f6a7b8c9d0e',
  ledgerTenancy: false,
  navOffice: 'nav-stjordal',
  ground: 'unpaid-rent',
  arrearsOre: 1856400,
  petitionOn: '2026-12-21',
  evictionOn: null,
};

const reasons = [{ policy: 'evictionWarning', explanation: 'Utleier har varslet om mulig fravikelse (husleieloven § 9-11): ubetalt husleie; begjæring om fravikelse 2026-12-21.' }];

const opened: CaseEvent = {
  type: 'cases.CaseOpened',
  data: {
    caseId: '5035-h3c9a1b2c3d4e5f6a7b8c9d0e-1',
    caseNo: 1,
    municipalityNumber: '5035',
    tenancyId: 'h3c9a1b2c3d4e5f6a7b8c9d0e',
    navOffice: 'nav-stjordal',
    openedOn: '2026-12-02',
    firstContactDeadline: '2026-12-09',
    arrearsOre: 1856400,
    monthlyRentOre: 0,
    daysPastGrace: 0,
    reasons,
  },
};
const attached: CaseEvent = {
  type: 'cases.WarningAttached',
  data: { caseId: '5035-h3c9a1b2c3d4e5f6a7b8c9d0e-1', warningId: WARNING, attachedOn: '2026-12-02', ground: 'unpaid-rent', petitionOn: '2026-12-21', evictionOn: null, openedForIt: true, ledgerTenancy: false },
};
const referred: CaseEvent = {
  type: 'cases.ReferredToNav',
  data: {
    caseId: '5035-h3c9a1b2c3d4e5f6a7b8c9d0e-1',
    referralId: '5035-h3c9a1b2c3d4e5f6a7b8c9d0e-1.warning.1',
    municipalityNumber: '5035',
    tenancyId: 'h3c9a1b2c3d4e5f6a7b8c9d0e',
    navOffice: 'nav-stjordal',
    source: 'warning',
    referredOn: '2026-12-02',
    reasons,
    petitionOn: '2026-12-21',
    evictionOn: null,
  },
};

describe('a forwarded warning attaches to the household’s case and refers it to NAV', () => {
  it('no case open: opens one (reason: the warning), attaches, refers with the petition date — first contact within five working days', () => {
    expect(attachWarning(given([]), attach, undefined, policy, '2026-12-02')).toEqual([opened, attached, referred]);
  });

  it('the household’s case is open already: attaches to it and refers it (the referral counted per source)', () => {
    const arrearsCase: CaseEvent = {
      type: 'cases.CaseOpened',
      data: {
        caseId: '5035-100235-1',
        caseNo: 1,
        municipalityNumber: '5035',
        tenancyId: '100235',
        navOffice: 'nav-stjordal',
        openedOn: '2026-11-20',
        firstContactDeadline: '2026-11-27',
        arrearsOre: 928200,
        monthlyRentOre: 928200,
        daysPastGrace: 15,
        reasons: [{ policy: 'arrearsReachMonthsOfRent', explanation: 'Restansen er 9 282,00 kr.' }],
      },
    };
    const events = attachWarning(given([arrearsCase]), { ...attach, tenancyId: '100235', ledgerTenancy: true }, { navOffice: 'nav-levanger', arrearsOre: 928200, monthlyRentOre: 928200, daysPastGrace: 15 }, policy, '2026-12-02');
    expect(events).toEqual([
      { type: 'cases.WarningAttached', data: expect.objectContaining({ caseId: '5035-100235-1', openedForIt: false, ledgerTenancy: true }) },
      // The tenancy's current NAV office, as the ledger publishes it.
      { type: 'cases.ReferredToNav', data: expect.objectContaining({ caseId: '5035-100235-1', referralId: '5035-100235-1.warning.1', navOffice: 'nav-levanger', source: 'warning', petitionOn: '2026-12-21' }) },
    ]);
  });

  it('the same warning again (a replay, a repeated command): nothing — never referred twice', () => {
    expect(attachWarning(given([opened, attached, referred]), attach, undefined, policy, '2026-12-03')).toEqual([]);
  });

  it('a second warning for a household whose case was resolved opens case 2', () => {
    const resolved: CaseEvent = { type: 'cases.CaseResolved', data: { caseId: '5035-h3c9a1b2c3d4e5f6a7b8c9d0e-1', resolvedOn: '2026-12-20', outcome: 'paid', explanation: 'Betalt.' } };
    const events = attachWarning(given([opened, attached, referred, resolved]), { ...attach, warningId: '8d7c6b5a-4f3e-5d2c-9b1a-0f9e8d7c6b5a' }, undefined, policy, '2027-02-01');
    expect(events.map((e) => [e.type, e.data.caseId])).toEqual([
      ['cases.CaseOpened', '5035-h3c9a1b2c3d4e5f6a7b8c9d0e-2'],
      ['cases.WarningAttached', '5035-h3c9a1b2c3d4e5f6a7b8c9d0e-2'],
      ['cases.ReferredToNav', '5035-h3c9a1b2c3d4e5f6a7b8c9d0e-2'],
    ]);
  });
});

describe('the landlord’s steps move the case', () => {
  const step = (over: Partial<RecordWarningStep> = {}): RecordWarningStep => ({
    type: 'cases.RecordWarningStep',
    warningId: WARNING,
    municipalityNumber: '5035',
    tenancyId: 'h3c9a1b2c3d4e5f6a7b8c9d0e',
    stepId: 's-1',
    step: 'eviction-date-set',
    on: null,
    petitionOn: null,
    evictionOn: '2027-02-10',
    closesWarning: false,
    paid: false,
    explanation: 'namsmannen har fastsatt fravikelse til 2027-02-10.',
    ...over,
  });

  it('an eviction date set: recorded on the case with the date (NAV’s priority follows it)', () => {
    expect(recordWarningStep(given([opened, attached, referred]), step(), '2027-01-20')).toEqual([
      {
        type: 'cases.WarningStepRecorded',
        data: { caseId: '5035-h3c9a1b2c3d4e5f6a7b8c9d0e-1', warningId: WARNING, stepId: 's-1', step: 'eviction-date-set', on: null, petitionOn: null, evictionOn: '2027-02-10', closesWarning: false, explanation: 'namsmannen har fastsatt fravikelse til 2027-02-10.' },
      },
    ]);
  });

  it('«cancelled because paid» on a private lease: the case opened for the warning is resolved (no ledger will)', () => {
    const events = recordWarningStep(given([opened, attached, referred]), step({ stepId: 's-2', step: 'cancelled-paid', on: '2027-01-05', evictionOn: null, closesWarning: true, paid: true }), '2027-01-05');
    expect(events.map((e) => e.type)).toEqual(['cases.WarningStepRecorded', 'cases.CaseResolved']);
    expect(events[1]).toEqual({ type: 'cases.CaseResolved', data: { caseId: '5035-h3c9a1b2c3d4e5f6a7b8c9d0e-1', resolvedOn: '2027-01-05', outcome: 'paid', explanation: 'Utleier meldte at alt er betalt; varselet om fravikelse er avsluttet.' } });
  });

  it('paid on a municipal tenancy: only the step — the ledger resolves its case', () => {
    const ledgerAttached: CaseEvent = { ...attached, data: { ...(attached.data as object), ledgerTenancy: true } } as CaseEvent;
    expect(recordWarningStep(given([opened, ledgerAttached, referred]), step({ stepId: 's-3', step: 'stopped-by-payment', paid: true, closesWarning: true }), '2027-01-05').map((e) => e.type)).toEqual(['cases.WarningStepRecorded']);
  });

  it('the same step twice, or a step of a warning no case holds: nothing', () => {
    const recorded = recordWarningStep(given([opened, attached, referred]), step(), '2027-01-20');
    expect(recordWarningStep(given([opened, attached, referred, ...recorded]), step(), '2027-01-21')).toEqual([]);
    expect(recordWarningStep(given([opened]), step(), '2027-01-20')).toEqual([]);
  });
});

describe('warning referral workflow: the warnings context’s published events in, cases commands out', () => {
  const event = (type: string, data: unknown): WorkflowEvent => ({ kind: 'event', type, data, id: '6a0b1c2d-0000-5000-8000-000000000002', streamName: `warning-${WARNING}`, occurredAt: '2026-12-02T09:00:00.000Z' });

  it('forwarded: attach and refer', () => {
    expect(
      warningReferralWorkflow(
        event('warnings.WarningForwarded', {
          warningId: WARNING,
          forwardedOn: '2026-12-02',
          municipalityNumber: '5035',
          householdId: 'h3c9a1b2c3d4e5f6a7b8c9d0e',
          tenancyId: null,
          navOffice: 'nav-stjordal',
          ground: 'unpaid-rent',
          arrearsOre: 1856400,
          petitionOn: '2026-12-21',
          evictionOn: null,
          tenantPersonIds: ['p1'],
          advice: [],
        }),
      ),
    ).toEqual([{ kind: 'send', command: attach }]);
  });

  it('a step that went to NAV: record it on the case', () => {
    expect(
      warningReferralWorkflow(
        event('warnings.StepReported', {
          warningId: WARNING,
          stepId: 's-9',
          reportedOn: '2026-12-22',
          step: { kind: 'petition-filed', filedOn: '2026-12-22' },
          municipalityNumber: '5035',
          householdId: 'h3c9a1b2c3d4e5f6a7b8c9d0e',
          passedToNav: true,
          withheldBecause: [],
          rulings: [],
        }),
      ),
    ).toEqual([
      {
        kind: 'send',
        command: {
          type: 'cases.RecordWarningStep',
          warningId: WARNING,
          municipalityNumber: '5035',
          tenancyId: 'h3c9a1b2c3d4e5f6a7b8c9d0e',
          stepId: 's-9',
          step: 'petition-filed',
          on: '2026-12-22',
          petitionOn: '2026-12-22',
          evictionOn: null,
          closesWarning: false,
          paid: false,
          explanation: 'begjæring om fravikelse sendt namsmannen 2026-12-22.',
        },
      },
    ]);
  });

  it('a step withheld because the tenant has objected since: never reaches the case', () => {
    expect(
      warningReferralWorkflow(
        event('warnings.StepReported', { warningId: WARNING, stepId: 's-10', reportedOn: '2026-12-22', step: { kind: 'withdrawn', withdrawnOn: '2026-12-22' }, municipalityNumber: '5035', householdId: 'h1', passedToNav: false, withheldBecause: ['o-1'], rulings: [] }),
      ),
    ).toEqual([{ kind: 'ignored', reason: 'Steget går ikke til NAV: varselet er ikke videresendt, eller leietakeren har reservert seg.' }]);
  });

  it('a payment stopped the eviction: recorded as a closing, paid step', () => {
    const [output] = warningReferralWorkflow(
      event('warnings.EvictionStoppedByPayment', { warningId: WARNING, stoppedOn: '2027-01-05', municipalityNumber: '5035', householdId: '100235', tenancyId: '100235', ledgerRevision: 7, asOf: '2027-01-05', basis: 'tvangsfullbyrdelsesloven § 13-2 tredje ledd bokstav a', explanation: '…' }),
    );
    expect(output).toMatchObject({ kind: 'send', command: { type: 'cases.RecordWarningStep', tenancyId: '100235', stepId: `${WARNING}.stopped-by-payment`, closesWarning: true, paid: true } });
  });

  it.each([['warnings.WarningSubmitted'], ['warnings.WarningNotForwarded']])('%s never reaches the case', (type) => {
    expect(warningReferralWorkflow(event(type, { warningId: WARNING }))).toEqual([{ kind: 'ignored', reason: 'Et varsel som ikke er sendt til NAV, hører ikke til saken.' }]);
  });
});
