import type { FiredDeadline, LocalDate, WorkflowEvent, WorkflowInput } from '@evp/shared-kernel';
import { arrearsWorkflow, type ArrearsWorkflowState } from './arrears-workflow';
import type { CasePolicy } from './decide';

/**
 * Given (the state the runner loads) → when (one input) → then (the outputs), with literal events:
 * nothing here is produced by the code under test.
 */
const policy: CasePolicy = { arrearsThresholdMonthsOfRent: 1, graceWorkingDays: 3, daysPastGraceToOpen: 14, firstContactWorkingDays: 5 };

const given = (state: ArrearsWorkflowState) => ({
  when: (input: WorkflowInput, today: LocalDate) => ({
    then: (expected: unknown[]) => expect(arrearsWorkflow(input, state, policy, today)).toEqual(expected),
  }),
});

const event = (type: string, data: unknown, streamName = 'tenancy-5035-100234'): WorkflowEvent => ({
  kind: 'event',
  type,
  data,
  id: '7d1f2a0e-0000-5000-8000-000000000001',
  streamName,
  occurredAt: '2026-11-26T08:00:00.000Z',
});

const fired = (type: `deadline.${string}`, id: string, payload: Record<string, string>, dueOn: LocalDate): FiredDeadline => ({ kind: 'deadline', type, id, payload, dueOn });

/** Rent of 9 282 kr due Monday 2 November 2026, unpaid; 3 working days of grace end Thursday 5 November. */
const unpaidSinceNovember = {
  municipalityNumber: '5035',
  tenancyId: '100234',
  navOffice: 'nav-stjordal',
  monthlyRentOre: 928200,
  overdueOre: 928200,
  arrearsOre: 928200,
  daysPastGrace: 21,
  unpaidDueDates: ['2026-11-02'],
};

const withinGrace = { ...unpaidSinceNovember, arrearsOre: 0, daysPastGrace: 0 };
const paidUp = { ...unpaidSinceNovember, overdueOre: 0, arrearsOre: 0, daysPastGrace: 0, unpaidDueDates: [] };

describe('arrears workflow: ledger events', () => {
  it('a charge on an account in arrears: evaluate it, no later evaluation left to schedule', () => {
    given({ account: unpaidSinceNovember })
      .when(event('ledger.ChargePosted', { voucherRef: 'F-2026-12', date: '2026-11-26', dueDate: '2026-12-01', period: '2026-12', amountOre: 928200 }), '2026-11-26')
      .then([
        { kind: 'send', command: { type: 'cases.EvaluateArrears', municipalityNumber: '5035', tenancyId: '100234' } },
        { kind: 'cancel', deadline: 'cases.arrears-evaluation', id: 'tenancy.5035-100234.arrears-evaluation' },
      ]);
  });

  it('a charge still within its grace period: nothing can open yet; evaluate again the day after the grace ends', () => {
    given({ account: withinGrace })
      .when(event('ledger.ChargePosted', { voucherRef: 'F-2026-11', date: '2026-10-20', dueDate: '2026-11-02', period: '2026-11', amountOre: 928200 }), '2026-11-03')
      .then([
        { kind: 'ignored', reason: 'Ingen restanse etter henstandsperioden; ingen sak kan åpnes nå.' },
        {
          kind: 'schedule',
          deadline: 'cases.arrears-evaluation',
          delivery: 'sheet',
          id: 'tenancy.5035-100234.arrears-evaluation',
          payload: { municipalityNumber: '5035', tenancyId: '100234' },
          dueOn: '2026-11-06',
        },
      ]);
  });

  it('a payment always evaluates (it may resolve the open case) and cancels the time-driven evaluation when nothing is owed', () => {
    given({ account: paidUp })
      .when(event('ledger.PaymentPosted', { voucherRef: 'I-1', date: '2026-11-27', amountOre: 928200 }), '2026-11-27')
      .then([
        { kind: 'send', command: { type: 'cases.EvaluateArrears', municipalityNumber: '5035', tenancyId: '100234' } },
        { kind: 'cancel', deadline: 'cases.arrears-evaluation', id: 'tenancy.5035-100234.arrears-evaluation' },
      ]);
  });

  it.each([['ledger.CreditPosted'], ['ledger.WriteOffPosted']])('%s reduces the debt: evaluate', (type) => {
    given({ account: paidUp })
      .when(event(type, { voucherRef: 'K-1', date: '2026-11-27', amountOre: 100000 }), '2026-11-27')
      .then([
        { kind: 'send', command: { type: 'cases.EvaluateArrears', municipalityNumber: '5035', tenancyId: '100234' } },
        { kind: 'cancel', deadline: 'cases.arrears-evaluation', id: 'tenancy.5035-100234.arrears-evaluation' },
      ]);
  });

  it('a registration with nothing owed: ignored with its reason, nothing scheduled', () => {
    given({ account: paidUp })
      .when(
        event('ledger.TenancyRegistered', { municipalityNumber: '5035', tenancyId: '100234', address: 'Kjøpmannsgata 1', monthlyRentOre: 928200, landlordKind: 'municipal', navOffice: 'nav-stjordal', tenantPersonIds: ['p1'] }),
        '2026-11-01',
      )
      .then([
        { kind: 'ignored', reason: 'Ingen restanse etter henstandsperioden; ingen sak kan åpnes nå.' },
        { kind: 'cancel', deadline: 'cases.arrears-evaluation', id: 'tenancy.5035-100234.arrears-evaluation' },
      ]);
  });

  it('changed details (a lower rent lowers the threshold) evaluate an account in arrears', () => {
    given({ account: unpaidSinceNovember })
      .when(event('ledger.TenancyDetailsChanged', { address: 'Kjøpmannsgata 1', monthlyRentOre: 627700, landlordKind: 'municipal', navOffice: 'nav-stjordal', tenantPersonIds: ['p1'] }), '2026-11-26')
      .then([
        { kind: 'send', command: { type: 'cases.EvaluateArrears', municipalityNumber: '5035', tenancyId: '100234' } },
        { kind: 'cancel', deadline: 'cases.arrears-evaluation', id: 'tenancy.5035-100234.arrears-evaluation' },
      ]);
  });

  it.each([['ledger.BalanceStated'], ['ledger.BalanceDiscrepancyRecorded']])('%s changes nothing owed: ignored', (type) => {
    given({ account: unpaidSinceNovember })
      .when(event(type, { voucherRef: 'S-1', asOf: '2026-11-25', statedBalanceOre: 0, computedBalanceOre: 928200 }), '2026-11-26')
      .then([{ kind: 'ignored', reason: 'En saldo fra økonomisystemet endrer ikke hva som skyldes.' }]);
  });

  it('an event for a tenancy that is not registered: ignored', () => {
    given({})
      .when(event('ledger.PaymentPosted', { voucherRef: 'I-1', date: '2026-11-27', amountOre: 1 }), '2026-11-27')
      .then([{ kind: 'ignored', reason: 'Leieforholdet er ikke registrert.' }]);
  });
});

describe('arrears workflow: the time-driven evaluation', () => {
  it('fires on the day the grace ends: evaluate, then look again when the arrears become too old', () => {
    given({ account: { ...unpaidSinceNovember, daysPastGrace: 1 } })
      .when(fired('deadline.cases.arrears-evaluation', 'tenancy.5035-100234.arrears-evaluation', { municipalityNumber: '5035', tenancyId: '100234' }, '2026-11-06'), '2026-11-06')
      .then([
        { kind: 'send', command: { type: 'cases.EvaluateArrears', municipalityNumber: '5035', tenancyId: '100234' } },
        {
          kind: 'schedule',
          deadline: 'cases.arrears-evaluation',
          delivery: 'sheet',
          id: 'tenancy.5035-100234.arrears-evaluation',
          payload: { municipalityNumber: '5035', tenancyId: '100234' },
          dueOn: '2026-11-19',
        },
      ]);
  });

  it('fires after everything was paid: ignored, and nothing left to look at', () => {
    given({ account: paidUp })
      .when(fired('deadline.cases.arrears-evaluation', 'tenancy.5035-100234.arrears-evaluation', { municipalityNumber: '5035', tenancyId: '100234' }, '2026-11-19'), '2026-11-19')
      .then([
        { kind: 'ignored', reason: 'Ingen restanse etter henstandsperioden; ingen sak kan åpnes nå.' },
        { kind: 'cancel', deadline: 'cases.arrears-evaluation', id: 'tenancy.5035-100234.arrears-evaluation' },
      ]);
  });
});

describe('arrears workflow: case events and the first-contact deadline', () => {
  const opened = event(
    'cases.CaseOpened',
    {
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
      reasons: [{ policy: 'arrearsReachMonthsOfRent', explanation: 'Restansen er 9 282,00 kr.' }],
    },
    'case-5035-100234',
  );

  it('a case opened: schedule the first-contact deadline for the day after the deadline day', () => {
    given({})
      .when(opened, '2026-11-26')
      .then([{ kind: 'schedule', deadline: 'cases.first-contact', delivery: 'timer', id: 'case.5035-100234-1.first-contact', payload: { caseId: '5035-100234-1' }, dueOn: '2026-12-04' }]);
  });

  it('contact recorded (by anyone, through any channel): cancel the first-contact deadline', () => {
    given({})
      .when(event('cases.ContactRecorded', { caseId: '5035-100234-1', contactId: 'c-1', channel: 'phone', contactedOn: '2026-11-27', byRole: 'accounting' }, 'case-5035-100234'), '2026-11-27')
      .then([{ kind: 'cancel', deadline: 'cases.first-contact', id: 'case.5035-100234-1.first-contact' }]);
  });

  it('a case escalated: its deadline is not needed any more', () => {
    given({})
      .when(event('cases.CaseEscalatedToArrearsTeam', { caseId: '5035-100234-1', escalatedOn: '2026-12-04', reasons: [] }, 'case-5035-100234'), '2026-12-04')
      .then([{ kind: 'cancel', deadline: 'cases.first-contact', id: 'case.5035-100234-1.first-contact' }]);
  });

  it('a case resolved: cancel its deadline', () => {
    given({})
      .when(event('cases.CaseResolved', { caseId: '5035-100234-1', resolvedOn: '2026-11-30', outcome: 'paid', explanation: 'Betalt.' }, 'case-5035-100234'), '2026-11-30')
      .then([{ kind: 'cancel', deadline: 'cases.first-contact', id: 'case.5035-100234-1.first-contact' }]);
  });

  it("a referral to NAV is NAV's to follow up: ignored here, with the reason", () => {
    given({})
      .when(event('cases.ReferredToNav', { caseId: '5035-100234-1', referralId: '5035-100234-1.escalation.1', navOffice: 'nav-stjordal', source: 'escalation' }, 'case-5035-100234'), '2026-12-04')
      .then([{ kind: 'ignored', reason: 'En henvisning til NAV følges opp av NAV-kontoret.' }]);
  });

  it('the first-contact deadline fired: send the escalation, which re-checks the case', () => {
    given({})
      .when(fired('deadline.cases.first-contact', 'case.5035-100234-1.first-contact', { caseId: '5035-100234-1' }, '2026-12-04'), '2026-12-04')
      .then([{ kind: 'send', command: { type: 'cases.EscalateIfNoContact', caseId: '5035-100234-1' } }]);
  });

  it('an event it does not know: ignored, with the type named', () => {
    given({})
      .when(event('warnings.WarningSubmitted', {}, 'warning-1'), '2026-12-04')
      .then([{ kind: 'ignored', reason: 'Arbeidsflyten for restanser reagerer ikke på warnings.WarningSubmitted.' }]);
  });
});

describe('arrears workflow: what NAV publishes (@evp/nav-contract)', () => {
  it('NAV’s hold released (assistance not paid by its date): evaluate the tenancy and re-check the escalation', () => {
    given({})
      .when(event('nav.HoldReleased', { caseId: '5035-100234-1', municipalityNumber: '5035', tenancyId: '100234', releasedOn: '2026-12-11', cause: 'assistance-date-passed' }, 'nav-5035-100234'), '2026-12-11')
      .then([
        { kind: 'send', command: { type: 'cases.EvaluateArrears', municipalityNumber: '5035', tenancyId: '100234' } },
        { kind: 'send', command: { type: 'cases.EscalateIfNoContact', caseId: '5035-100234-1' } },
      ]);
  });

  it('NAV’s pause ended by itself: the same re-check', () => {
    given({})
      .when(event('nav.HoldReleased', { caseId: '5035-100234-1', municipalityNumber: '5035', tenancyId: '100234', releasedOn: '2026-12-11', cause: 'pause-ended' }, 'nav-5035-100234'), '2026-12-11')
      .then([
        { kind: 'send', command: { type: 'cases.EvaluateArrears', municipalityNumber: '5035', tenancyId: '100234' } },
        { kind: 'send', command: { type: 'cases.EscalateIfNoContact', caseId: '5035-100234-1' } },
      ]);
  });

  it('NAV concluded with an outcome: close the case with it', () => {
    given({})
      .when(event('nav.FollowUpConcluded', { caseId: '5035-100234-1', municipalityNumber: '5035', tenancyId: '100234', outcome: 'moved', concludedOn: '2027-01-11', noteRef: null }, 'nav-5035-100234'), '2027-01-11')
      .then([{ kind: 'send', command: { type: 'cases.CloseCase', caseId: '5035-100234-1', outcome: 'moved' } }]);
  });

  it('the rest of NAV’s follow-up is NAV’s: ignored', () => {
    given({})
      .when(event('nav.PaymentPlanAgreed', { caseId: '5035-100234-1' }, 'nav-5035-100234'), '2026-11-20')
      .then([{ kind: 'ignored', reason: 'Bare NAVs kontakt med husstanden, slutten på et hold og NAVs utfall angår saken; resten av NAVs oppfølging er NAVs.' }]);
  });

  it('NAV made contact with the household: record it on the case (which cancels the first-contact deadline) — which case, NAV’s id and the day only, never the channel or the note', () => {
    given({})
      .when(
        event('nav.ContactMade', { caseId: '5035-100234-1', contactId: 'k-77', channel: 'home-visit', contactedOn: '2026-11-30', noteRef: 'note-3f9c' }, 'nav-5035-100234'),
        '2026-12-01',
      )
      .then([{ kind: 'send', command: { type: 'cases.RecordNavContact', caseId: '5035-100234-1', navContactId: 'k-77', contactedOn: '2026-11-30' } }]);
  });
});

describe('arrears workflow: a payment is sent to the case only when it can change something', () => {
  /** The tenancy's case stream as the event store holds it (literal events). */
  const caseOpened = {
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
  const caseResolved = { type: 'cases.CaseResolved', data: { caseId: '5035-100234-1', resolvedOn: '2026-11-24', outcome: 'paid', explanation: 'Det er ingen forfalt, ubetalt husleie lenger.' } } as const;
  const payment = event('ledger.PaymentPosted', { voucherRef: 'I-2', date: '2026-11-27', amountOre: 928200 });
  const cancelEvaluation = { kind: 'cancel', deadline: 'cases.arrears-evaluation', id: 'tenancy.5035-100234.arrears-evaluation' };
  const evaluateCommand = { kind: 'send', command: { type: 'cases.EvaluateArrears', municipalityNumber: '5035', tenancyId: '100234' } };

  it('no case stream and nothing past grace after the payment: no command', () => {
    given({ account: paidUp, caseHistory: [] })
      .when(payment, '2026-11-27')
      .then([{ kind: 'ignored', reason: 'Ingen aktiv sak og ingen restanse etter henstandsperioden; innbetalingen endrer ingen sak.' }, cancelEvaluation]);
  });

  it('an earlier case, resolved, and nothing past grace: no command', () => {
    given({ account: paidUp, caseHistory: [caseOpened, caseResolved] })
      .when(payment, '2026-11-27')
      .then([{ kind: 'ignored', reason: 'Ingen aktiv sak og ingen restanse etter henstandsperioden; innbetalingen endrer ingen sak.' }, cancelEvaluation]);
  });

  it('an active case: the payment may resolve it — evaluate', () => {
    given({ account: paidUp, caseHistory: [caseOpened] })
      .when(payment, '2026-11-27')
      .then([evaluateCommand, cancelEvaluation]);
  });

  it('an active case with contact recorded and escalated: still active, so a credit note is evaluated', () => {
    given({
      account: paidUp,
      caseHistory: [
        caseOpened,
        { type: 'cases.ContactRecorded', data: { caseId: '5035-100234-1', contactId: 'c-1', channel: 'phone', contactedOn: '2026-11-23', byRole: 'accounting' } },
        { type: 'cases.CaseEscalatedToArrearsTeam', data: { caseId: '5035-100234-1', escalatedOn: '2026-11-28', reasons: [] } },
      ],
    })
      .when(event('ledger.CreditPosted', { voucherRef: 'K-2', date: '2026-11-27', amountOre: 928200 }), '2026-11-27')
      .then([evaluateCommand, cancelEvaluation]);
  });

  it('no case but arrears past grace remain after a partial payment: evaluate (a case may open)', () => {
    given({ account: unpaidSinceNovember, caseHistory: [] })
      .when(event('ledger.PaymentPosted', { voucherRef: 'I-3', date: '2026-11-27', amountOre: 10000 }), '2026-11-27')
      .then([evaluateCommand, cancelEvaluation]);
  });

  it('a charge while a case is active: nothing a charge can change — no command, the time-driven evaluation kept', () => {
    given({ account: { ...unpaidSinceNovember, unpaidDueDates: ['2026-11-02', '2026-12-01'] }, caseHistory: [caseOpened] })
      .when(event('ledger.ChargePosted', { voucherRef: 'F-2026-12', date: '2026-11-26', dueDate: '2026-12-01', period: '2026-12', amountOre: 928200 }), '2026-11-26')
      .then([
        { kind: 'ignored', reason: 'Leieforholdet har allerede en aktiv sak; bare en innbetaling, kreditnota eller avskrivning kan avslutte den.' },
        { kind: 'schedule', deadline: 'cases.arrears-evaluation', delivery: 'sheet', id: 'tenancy.5035-100234.arrears-evaluation', payload: { municipalityNumber: '5035', tenancyId: '100234' }, dueOn: '2026-12-05' },
      ]);
  });

  it('the time-driven evaluation fires while a case is active: no command', () => {
    given({ account: unpaidSinceNovember, caseHistory: [caseOpened] })
      .when(fired('deadline.cases.arrears-evaluation', 'tenancy.5035-100234.arrears-evaluation', { municipalityNumber: '5035', tenancyId: '100234' }, '2026-11-19'), '2026-11-26')
      .then([{ kind: 'ignored', reason: 'Leieforholdet har allerede en aktiv sak; bare en innbetaling, kreditnota eller avskrivning kan avslutte den.' }, cancelEvaluation]);
  });

  it('a case NAV closed (moved) and arrears past grace still owed: evaluate — the case rule decides whether they are new', () => {
    given({
      account: unpaidSinceNovember,
      caseHistory: [caseOpened, { type: 'cases.CaseResolved', data: { caseId: '5035-100234-1', resolvedOn: '2026-11-25', outcome: 'moved', explanation: 'NAV avsluttet oppfølgingen: husstanden har flyttet.', overdueAtClosingOre: 928200 } }],
    })
      .when(event('ledger.ChargePosted', { voucherRef: 'F-2026-12', date: '2026-11-26', dueDate: '2026-12-01', period: '2026-12', amountOre: 928200 }), '2026-11-26')
      .then([evaluateCommand, cancelEvaluation]);
  });
});
