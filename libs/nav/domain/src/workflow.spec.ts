import type { FiredDeadline, LocalDate, WorkflowEvent, WorkflowInput } from '@evp/shared-kernel';
import { NAV_EVENT_TYPES, type NavEvent } from './events';
import { evolveNavHousehold, initialNavHousehold } from './household';
import type { NavPolicy } from './policy';
import { LEDGER_EVENT_TYPES } from '@evp/ledger-contract';
import { CASE_EVENT_TYPES, type CaseEvent } from '@evp/cases-contract';
import { NAV_WORKFLOW_LEDGER_TYPES, navWorkflow } from './workflow';

/**
 * Given (NAV's record of the household, from literal events) → when (one input) → then (the
 * workflow's outputs). The runner executes them; these tests prove what it is asked to do.
 */
const policy: NavPolicy = { pickupWorkingDays: 3, adviceStartNormWorkingDays: 10, planToleranceDays: 5, incomeCheckDay: 10 };
const given = (...events: NavEvent[]) => ({
  when: (input: WorkflowInput, today: LocalDate) => ({
    then: (expected: unknown[]) => expect(navWorkflow(input, events.length ? { household: events.reduce(evolveNavHousehold, initialNavHousehold()) } : {}, policy, today)).toEqual(expected),
  }),
});

const event = (type: string, data: unknown, streamName = 'nav-5035-100234'): WorkflowEvent => ({
  kind: 'event',
  type,
  data,
  id: '7d1f2a0e-0000-5000-8000-000000000009',
  streamName,
  occurredAt: '2026-11-16T08:00:00.000Z',
});
const fired = (type: `deadline.${string}`, id: string, payload: Record<string, string>, dueOn: LocalDate): FiredDeadline => ({ kind: 'deadline', type, id, payload, dueOn });

const CASE = '5035-100234-1';
const REFERRAL = `${CASE}.escalation.1`;
const received: NavEvent = {
  type: 'nav.ReferralReceived',
  data: {
    caseId: CASE,
    referralId: REFERRAL,
    municipalityNumber: '5035',
    tenancyId: '100234',
    navOffice: 'nav-stjordal',
    source: 'escalation',
    referredOn: '2026-11-16',
    pickupDueOn: '2026-11-19',
    reasons: [],
    petitionOn: null,
    evictionOn: null,
    pickedUpOn: null,
  },
};
const claimed: NavEvent = { type: 'nav.ReferralClaimed', data: { caseId: CASE, adviser: { actorId: 'a_kari', role: 'nav-adviser' }, claimedOn: '2026-11-17', pickedUp: [REFERRAL] } };
const planAgreed: NavEvent = {
  type: 'nav.PaymentPlanAgreed',
  data: {
    caseId: CASE,
    planId: 'plan-1',
    agreedOn: '2026-11-20',
    instalments: [
      { dueOn: '2026-12-01', amountOre: 464100 },
      { dueOn: '2027-01-04', amountOre: 464100 },
    ],
    toleranceDays: 5,
    startOverdueOre: 928200,
  },
};

describe('NAV workflow: the inbox and the pickup limit', () => {
  const referred = {
    caseId: CASE,
    referralId: REFERRAL,
    municipalityNumber: '5035',
    tenancyId: '100234',
    navOffice: 'nav-stjordal',
    source: 'escalation',
    referredOn: '2026-11-16',
    reasons: [],
    petitionOn: null,
    evictionOn: null,
  };

  it('a referral from the case: receive it into the office inbox', () => {
    given()
      .when(event('cases.ReferredToNav', referred, 'case-5035-100234'), '2026-11-16')
      .then([{ kind: 'send', command: { type: 'nav.ReceiveReferral', referral: referred } }]);
  });

  it('received: schedule the pickup deadline for the day after its last day', () => {
    given(received)
      .when(event('nav.ReferralReceived', received.data), '2026-11-16')
      .then([{ kind: 'schedule', deadline: 'nav.referral-pickup', delivery: 'timer', id: `nav.${REFERRAL}.pickup`, payload: { caseId: CASE, referralId: REFERRAL }, dueOn: '2026-11-20' }]);
  });

  it('received by a household someone already has: nothing to wait for', () => {
    given()
      .when(event('nav.ReferralReceived', { ...received.data, pickedUpOn: '2026-11-16' }), '2026-11-16')
      .then([{ kind: 'ignored', reason: 'Henvisningen kom til en oppfølging som allerede er tatt.' }]);
  });

  it('claimed: cancel the pickup deadline of every referral it picked up', () => {
    given(received, claimed)
      .when(event('nav.ReferralClaimed', claimed.data), '2026-11-17')
      .then([{ kind: 'cancel', deadline: 'nav.referral-pickup', id: `nav.${REFERRAL}.pickup` }]);
  });

  it('the pickup deadline fired: send the escalation, which re-checks the referral', () => {
    given(received)
      .when(fired('deadline.nav.referral-pickup', `nav.${REFERRAL}.pickup`, { caseId: CASE, referralId: REFERRAL }, '2026-11-20'), '2026-11-20')
      .then([{ kind: 'send', command: { type: 'nav.EscalateOverduePickup', caseId: CASE, referralId: REFERRAL } }]);
  });

  it('one escalation per overdue referral: the escalation schedules nothing more', () => {
    given(received)
      .when(
        event('nav.ReferralPickupOverdue', { caseId: CASE, referralId: REFERRAL, pickupDueOn: '2026-11-19', escalatedOn: '2026-11-20', escalatedTo: ['nav-lead', 'arrears-team'], reason: '…' }),
        '2026-11-20',
      )
      .then([{ kind: 'ignored', reason: 'Henvisningen er eskalert én gang; fristen er brukt.' }]);
  });

  it('the case closed before anyone claimed it: note it; the note cancels the wait', () => {
    given(received)
      .when(event('cases.CaseResolved', { caseId: CASE, resolvedOn: '2026-11-18', outcome: 'paid', explanation: 'Betalt.' }, 'case-5035-100234'), '2026-11-18')
      .then([{ kind: 'send', command: { type: 'nav.NoteCaseResolved', caseId: CASE, resolvedOn: '2026-11-18', outcome: 'paid' } }]);
    given(received)
      .when(event('nav.CaseResolvedNoted', { caseId: CASE, resolvedOn: '2026-11-18', outcome: 'paid' }), '2026-11-18')
      .then([{ kind: 'cancel', deadline: 'nav.referral-pickup', id: `nav.${REFERRAL}.pickup` }]);
  });

  it('a case NAV never saw closes: ignored', () => {
    given()
      .when(event('cases.CaseResolved', { caseId: CASE, resolvedOn: '2026-11-18', outcome: 'paid', explanation: 'Betalt.' }, 'case-5035-100234'), '2026-11-18')
      .then([{ kind: 'ignored', reason: 'NAV har ingen oppfølging av saken.' }]);
  });

  it('reassigned by the office lead before anyone claimed it: cancel the pickup deadline of every referral it picked up', () => {
    const reassigned: NavEvent = {
      type: 'nav.ReferralReassigned',
      data: { caseId: CASE, from: null, to: { actorId: 'a_kari', role: 'nav-adviser' }, reassignedOn: '2026-11-18', by: { actorId: 'a_lead', role: 'nav-lead' }, pickedUp: [REFERRAL] },
    };
    given(received, reassigned)
      .when(event('nav.ReferralReassigned', reassigned.data), '2026-11-18')
      .then([{ kind: 'cancel', deadline: 'nav.referral-pickup', id: `nav.${REFERRAL}.pickup` }]);
  });

  it('claimed or reassigned with no referral waiting (a claim after a release stored before releases had a pickup limit, a claimed follow-up handed to another adviser): nothing to cancel', () => {
    const released: NavEvent = {
      type: 'nav.ReferralReleased',
      data: { caseId: CASE, adviser: { actorId: 'a_kari', role: 'nav-adviser' }, releasedOn: '2026-11-18', by: { actorId: 'a_kari', role: 'nav-adviser' }, referralId: null, pickupDueOn: null },
    };
    const claimedAgain: NavEvent = { type: 'nav.ReferralClaimed', data: { caseId: CASE, adviser: { actorId: 'a_ola', role: 'nav-adviser' }, claimedOn: '2026-11-19', pickedUp: [] } };
    given(received, claimed, released, claimedAgain)
      .when(event('nav.ReferralClaimed', claimedAgain.data), '2026-11-19')
      .then([{ kind: 'ignored', reason: 'Ingen henvisning ventet på å bli tatt.' }]);
    const handedOver: NavEvent = {
      type: 'nav.ReferralReassigned',
      data: { caseId: CASE, from: { actorId: 'a_kari', role: 'nav-adviser' }, to: { actorId: 'a_ola', role: 'nav-adviser' }, reassignedOn: '2026-11-19', by: { actorId: 'a_lead', role: 'nav-lead' }, pickedUp: [] },
    };
    given(received, claimed, handedOver)
      .when(event('nav.ReferralReassigned', handedOver.data), '2026-11-19')
      .then([{ kind: 'ignored', reason: 'Ingen henvisning ventet på å bli tatt.' }]);
  });

  describe('released back to the inbox', () => {
    const kari = { actorId: 'a_kari', role: 'nav-adviser' };
    const RELEASE = `${CASE}.release.1`;
    /** Released on Wednesday 23 December 2026; three working days to claim it again: Tuesday 29 December. */
    const released: NavEvent = { type: 'nav.ReferralReleased', data: { caseId: CASE, adviser: kari, releasedOn: '2026-12-23', by: kari, referralId: RELEASE, pickupDueOn: '2026-12-29' } };

    it('released: schedule the pickup deadline of its wait for the day after its last day', () => {
      given(received, claimed, released)
        .when(event('nav.ReferralReleased', released.data), '2026-12-23')
        .then([{ kind: 'schedule', deadline: 'nav.referral-pickup', delivery: 'timer', id: `nav.${RELEASE}.pickup`, payload: { caseId: CASE, referralId: RELEASE }, dueOn: '2026-12-30' }]);
    });

    it('released before releases had a pickup limit (a version-1 event, upcast to no referral and no date): ignored, with why', () => {
      const legacy = { caseId: CASE, adviser: kari, releasedOn: '2026-11-18', by: kari, referralId: null, pickupDueOn: null };
      given(received, claimed, { type: 'nav.ReferralReleased', data: legacy })
        .when(event('nav.ReferralReleased', legacy), '2026-11-18')
        .then([{ kind: 'ignored', reason: 'Saken ble frigitt før frigitte saker fikk frist for å bli tatt igjen; ingen frist settes.' }]);
    });

    it('claimed again: the claim cancels the release’s pickup deadline', () => {
      const claimedAgain: NavEvent = { type: 'nav.ReferralClaimed', data: { caseId: CASE, adviser: { actorId: 'a_per', role: 'nav-adviser' }, claimedOn: '2026-12-28', pickedUp: [RELEASE] } };
      given(received, claimed, released, claimedAgain)
        .when(event('nav.ReferralClaimed', claimedAgain.data), '2026-12-28')
        .then([{ kind: 'cancel', deadline: 'nav.referral-pickup', id: `nav.${RELEASE}.pickup` }]);
    });

    it('its pickup deadline fired: send the escalation, which re-checks the wait', () => {
      given(received, claimed, released)
        .when(fired('deadline.nav.referral-pickup', `nav.${RELEASE}.pickup`, { caseId: CASE, referralId: RELEASE }, '2026-12-30'), '2026-12-30')
        .then([{ kind: 'send', command: { type: 'nav.EscalateOverduePickup', caseId: CASE, referralId: RELEASE } }]);
    });
  });

  it('the case closed after its referral was claimed or escalated: no wait left to cancel', () => {
    given(received, claimed)
      .when(event('nav.CaseResolvedNoted', { caseId: CASE, resolvedOn: '2026-11-18', outcome: 'paid' }), '2026-11-18')
      .then([{ kind: 'ignored', reason: 'Ingen henvisning venter på å bli tatt.' }]);
    const overdue: NavEvent = {
      type: 'nav.ReferralPickupOverdue',
      data: { caseId: CASE, referralId: REFERRAL, pickupDueOn: '2026-11-19', escalatedOn: '2026-11-20', escalatedTo: ['nav-lead', 'arrears-team'], reason: 'Ikke tatt innen fristen.' },
    };
    given(received, overdue)
      .when(event('nav.CaseResolvedNoted', { caseId: CASE, resolvedOn: '2026-11-23', outcome: 'paid' }), '2026-11-23')
      .then([{ kind: 'ignored', reason: 'Ingen henvisning venter på å bli tatt.' }]);
  });
});

describe('NAV workflow: the case before and beside its referral', () => {
  const opened: CaseEvent = {
    type: 'cases.CaseOpened',
    data: {
      caseId: CASE,
      caseNo: 1,
      municipalityNumber: '5035',
      tenancyId: '100234',
      navOffice: 'nav-stjordal',
      openedOn: '2026-11-02',
      firstContactDeadline: '2026-11-09',
      arrearsOre: 928200,
      monthlyRentOre: 928200,
      daysPastGrace: 14,
      reasons: [{ policy: 'ARREARS_OPEN_DAYS', explanation: 'Husleien er 14 dager på etterskudd.' }],
    },
  };
  const contact: CaseEvent = { type: 'cases.ContactRecorded', data: { caseId: CASE, contactId: 'c1', channel: 'phone', contactedOn: '2026-11-04', byRole: 'arrears-officer' } };
  const escalated: CaseEvent = {
    type: 'cases.CaseEscalatedToArrearsTeam',
    data: { caseId: CASE, escalatedOn: '2026-11-12', reasons: [{ policy: 'ESCALATE_AFTER_DAYS', explanation: 'Ingen betaling etter første kontakt.' }] },
  };

  it.each([opened, contact, escalated].map((c) => [c.type, c] as const))('%s before the referral: ignored, the arrears case follows it up', (_type, c) => {
    given()
      .when(event(c.type, c.data, 'case-5035-100234'), '2026-11-16')
      .then([{ kind: 'ignored', reason: 'Saken følges opp i restansesaken til den henvises til NAV.' }]);
  });

  it('the same steps of a case NAV already follows up: still ignored, nothing of NAV’s depends on them', () => {
    given(received, claimed)
      .when(event('cases.ContactRecorded', { caseId: CASE, contactId: 'c2', channel: 'nav', contactedOn: '2026-11-18', byRole: 'nav-adviser' }, 'case-5035-100234'), '2026-11-18')
      .then([{ kind: 'ignored', reason: 'Saken følges opp i restansesaken til den henvises til NAV.' }]);
    given(received, claimed)
      .when(event('cases.CaseEscalatedToArrearsTeam', escalated.data, 'case-5035-100234'), '2026-11-18')
      .then([{ kind: 'ignored', reason: 'Saken følges opp i restansesaken til den henvises til NAV.' }]);
  });

  const others: ReadonlyArray<[CaseEvent, string]> = [
    [{ type: 'cases.TeamDecisionRecorded', data: { caseId: CASE, meetingId: 'm-2026-11-18', decision: 'NAV kontakter husstanden.', decidedOn: '2026-11-18' } }, 'NAVs arbeidsflyt reagerer ikke på cases.TeamDecisionRecorded.'],
    [
      {
        type: 'cases.WarningAttached',
        data: { caseId: CASE, warningId: 'w1', attachedOn: '2026-11-18', ground: 'unpaid-rent', petitionOn: '2027-01-04', evictionOn: null, openedForIt: false, ledgerTenancy: true },
      },
      'NAVs arbeidsflyt reagerer ikke på cases.WarningAttached.',
    ],
    [
      {
        type: 'cases.WarningStepRecorded',
        data: { caseId: CASE, warningId: 'w1', stepId: 's1', step: 'petition-filed', on: '2027-01-04', petitionOn: '2027-01-04', evictionOn: null, closesWarning: false, explanation: 'Begjæring sendt.' },
      },
      'NAVs arbeidsflyt reagerer ikke på cases.WarningStepRecorded.',
    ],
  ];

  it.each(others.map(([c, reason]) => [c.type, c, reason] as const))('%s: ignored, with the type named (the referral carries what NAV needs)', (_type, c, reason) => {
    given(received, claimed)
      .when(event(c.type, c.data, 'case-5035-100234'), '2026-11-18')
      .then([{ kind: 'ignored', reason }]);
  });

  it('every case event is either acted on, ignored by name, or ignored as unknown: none is left out of these tests', () => {
    const tested = ['cases.ReferredToNav', 'cases.CaseResolved', opened.type, contact.type, escalated.type, ...others.map(([c]) => c.type)];
    expect([...tested].sort()).toEqual([...CASE_EVENT_TYPES].sort());
  });
});

describe('NAV workflow: the payment plan against the ledger', () => {
  it('agreed: the first check is the day after the first instalment’s tolerance (1 Dec + 5 → 7 Dec), from the daily sheet', () => {
    given(received, claimed, planAgreed)
      .when(event('nav.PaymentPlanAgreed', planAgreed.data), '2026-11-20')
      .then([{ kind: 'schedule', deadline: 'nav.payment-plan-check', delivery: 'sheet', id: `nav.${CASE}.plan.plan-1.check`, payload: { caseId: CASE, planId: 'plan-1' }, dueOn: '2026-12-07' }]);
  });

  it('the check fired: check against the ledger, and look again after the next instalment’s tolerance', () => {
    given(received, claimed, planAgreed)
      .when(fired('deadline.nav.payment-plan-check', `nav.${CASE}.plan.plan-1.check`, { caseId: CASE, planId: 'plan-1' }, '2026-12-07'), '2026-12-07')
      .then([
        { kind: 'send', command: { type: 'nav.CheckPaymentPlan', caseId: CASE } },
        { kind: 'schedule', deadline: 'nav.payment-plan-check', delivery: 'sheet', id: `nav.${CASE}.plan.plan-1.check`, payload: { caseId: CASE, planId: 'plan-1' }, dueOn: '2027-01-10' },
      ]);
  });

  it('the last check fired: check, and nothing left to schedule', () => {
    given(received, claimed, planAgreed)
      .when(fired('deadline.nav.payment-plan-check', `nav.${CASE}.plan.plan-1.check`, { caseId: CASE, planId: 'plan-1' }, '2027-01-10'), '2027-01-10')
      .then([
        { kind: 'send', command: { type: 'nav.CheckPaymentPlan', caseId: CASE } },
        { kind: 'cancel', deadline: 'nav.payment-plan-check', id: `nav.${CASE}.plan.plan-1.check` },
      ]);
  });

  it('a payment to a household with a running plan: match it against the plan', () => {
    given(received, claimed, planAgreed)
      .when(event('ledger.PaymentPosted', { voucherRef: 'I-1', date: '2026-12-01', amountOre: 464100 }, 'tenancy-5035-100234'), '2026-12-01')
      .then([{ kind: 'send', command: { type: 'nav.CheckPaymentPlan', caseId: CASE } }]);
  });

  it('a payment to a household without a plan, or a charge: ignored', () => {
    given(received, claimed)
      .when(event('ledger.PaymentPosted', { voucherRef: 'I-1', date: '2026-12-01', amountOre: 464100 }, 'tenancy-5035-100234'), '2026-12-01')
      .then([{ kind: 'ignored', reason: 'Ingen nedbetalingsavtale løper for husstanden.' }]);
    given(received, claimed, planAgreed)
      .when(event('ledger.ChargePosted', { voucherRef: 'F-1', date: '2026-11-15', dueDate: '2026-12-01', period: '2026-12', amountOre: 928200 }, 'tenancy-5035-100234'), '2026-11-15')
      .then([{ kind: 'ignored', reason: 'Bare innbetalinger, kreditnotaer og avskrivninger kan endre en nedbetalingsavtale.' }]);
  });

  // The subscription asks the store for NAV_WORKFLOW_LEDGER_TYPES alone: safe only while the
  // workflow ignores every other event of the ledger, even for a household with a running plan.
  it.each(LEDGER_EVENT_TYPES.filter((t) => !NAV_WORKFLOW_LEDGER_TYPES.includes(t)).map((t) => [t]))('%s is ignored, so the subscription may leave it out', (type) => {
    given(received, claimed, planAgreed)
      .when(event(type, { voucherRef: 'X-1', date: '2026-12-01' }, 'tenancy-5035-100234'), '2026-12-01')
      .then([{ kind: 'ignored', reason: 'Bare innbetalinger, kreditnotaer og avskrivninger kan endre en nedbetalingsavtale.' }]);
  });

  it('kept or cancelled: no more checks', () => {
    given(received, claimed, planAgreed)
      .when(event('nav.PaymentPlanKept', { caseId: CASE, planId: 'plan-1', keptOn: '2027-01-10' }), '2027-01-10')
      .then([{ kind: 'cancel', deadline: 'nav.payment-plan-check', id: `nav.${CASE}.plan.plan-1.check` }]);
    const cancelled: NavEvent = { type: 'nav.PaymentPlanCancelled', data: { caseId: CASE, planId: 'plan-1', cancelledOn: '2026-12-15', reasonRef: 'n3' } };
    given(received, claimed, planAgreed, cancelled)
      .when(event('nav.PaymentPlanCancelled', cancelled.data), '2026-12-15')
      .then([{ kind: 'cancel', deadline: 'nav.payment-plan-check', id: `nav.${CASE}.plan.plan-1.check` }]);
  });

  it('agreed without instalments: nothing to check', () => {
    const empty: NavEvent = { type: 'nav.PaymentPlanAgreed', data: { caseId: CASE, planId: 'plan-0', agreedOn: '2026-11-20', instalments: [], toleranceDays: 5, startOverdueOre: 928200 } };
    given(received, claimed, empty)
      .when(event('nav.PaymentPlanAgreed', empty.data), '2026-11-20')
      .then([{ kind: 'ignored', reason: 'Avtalen har ingen avdrag.' }]);
  });

  it('the check fired for a plan no longer running (kept, cancelled, never agreed, or a household NAV no longer has): ignored', () => {
    const check = fired('deadline.nav.payment-plan-check', `nav.${CASE}.plan.plan-1.check`, { caseId: CASE, planId: 'plan-1' }, '2027-01-10');
    given(received, claimed, planAgreed, { type: 'nav.PaymentPlanKept', data: { caseId: CASE, planId: 'plan-1', keptOn: '2027-01-08' } })
      .when(check, '2027-01-10')
      .then([{ kind: 'ignored', reason: 'Nedbetalingsavtalen løper ikke lenger.' }]);
    given(received, claimed, planAgreed, { type: 'nav.PaymentPlanCancelled', data: { caseId: CASE, planId: 'plan-1', cancelledOn: '2026-12-15', reasonRef: 'n3' } })
      .when(check, '2027-01-10')
      .then([{ kind: 'ignored', reason: 'Nedbetalingsavtalen løper ikke lenger.' }]);
    given(received, claimed)
      .when(check, '2027-01-10')
      .then([{ kind: 'ignored', reason: 'Nedbetalingsavtalen løper ikke lenger.' }]);
    given()
      .when(check, '2027-01-10')
      .then([{ kind: 'ignored', reason: 'Nedbetalingsavtalen løper ikke lenger.' }]);
  });

  it('a check that fires after the follow-up was concluded (before its cancel arrived): ignored, nothing scheduled again', () => {
    const concluded: NavEvent = { type: 'nav.FollowUpConcluded', data: { caseId: CASE, municipalityNumber: '5035', tenancyId: '100234', outcome: 'rehoused', concludedOn: '2027-01-05', noteRef: null } };
    given(received, claimed, planAgreed, concluded)
      .when(fired('deadline.nav.payment-plan-check', `nav.${CASE}.plan.plan-1.check`, { caseId: CASE, planId: 'plan-1' }, '2027-01-10'), '2027-01-10')
      .then([{ kind: 'ignored', reason: 'Nedbetalingsavtalen løper ikke lenger.' }]);
    const income: NavEvent = { type: 'nav.IncomeManagementAgreed', data: { caseId: CASE, consentOn: '2026-11-20', covers: ['rent'], startOn: '2026-12-01', endOn: null } };
    given(received, claimed, income, concluded)
      .when(fired('deadline.nav.income-management-check', `nav.${CASE}.income-management.check`, { caseId: CASE }, '2027-01-10'), '2027-01-10')
      .then([{ kind: 'ignored', reason: 'Forvaltningen av inntekt løper ikke lenger.' }]);
  });

  it('a credit note or a write-off counts like a payment: match it against the plan', () => {
    given(received, claimed, planAgreed)
      .when(event('ledger.CreditPosted', { voucherRef: 'K-1', date: '2026-12-02', amountOre: 464100 }, 'tenancy-5035-100234'), '2026-12-02')
      .then([{ kind: 'send', command: { type: 'nav.CheckPaymentPlan', caseId: CASE } }]);
    given(received, claimed, planAgreed)
      .when(event('ledger.WriteOffPosted', { voucherRef: 'A-1', date: '2026-12-02', amountOre: 464100 }, 'tenancy-5035-100234'), '2026-12-02')
      .then([{ kind: 'send', command: { type: 'nav.CheckPaymentPlan', caseId: CASE } }]);
  });

  it('a payment to a household with several follow-ups: check each running plan; a kept plan or a concluded follow-up is not checked', () => {
    const referral = (n: number, pickupDueOn: string): NavEvent => ({
      type: 'nav.ReferralReceived',
      data: {
        caseId: `5035-100234-${n}`,
        referralId: `5035-100234-${n}.escalation.1`,
        municipalityNumber: '5035',
        tenancyId: '100234',
        navOffice: 'nav-stjordal',
        source: 'escalation',
        referredOn: '2026-11-16',
        pickupDueOn,
        reasons: [],
        petitionOn: null,
        evictionOn: null,
        pickedUpOn: null,
      },
    });
    const plan = (n: number, planId: string): NavEvent => ({
      type: 'nav.PaymentPlanAgreed',
      data: { caseId: `5035-100234-${n}`, planId, agreedOn: '2026-11-20', instalments: [{ dueOn: '2026-12-01', amountOre: 464100 }], toleranceDays: 5, startOverdueOre: 464100 },
    });
    given(
      referral(1, '2026-11-19'),
      plan(1, 'plan-1'),
      referral(2, '2026-11-19'),
      plan(2, 'plan-2'),
      { type: 'nav.PaymentPlanKept', data: { caseId: '5035-100234-2', planId: 'plan-2', keptOn: '2026-11-30' } },
      referral(3, '2026-11-19'),
      plan(3, 'plan-3'),
      { type: 'nav.FollowUpConcluded', data: { caseId: '5035-100234-3', municipalityNumber: '5035', tenancyId: '100234', outcome: 'moved', concludedOn: '2026-11-30', noteRef: null } },
      referral(4, '2026-11-19'),
      plan(4, 'plan-4'),
    )
      .when(event('ledger.PaymentPosted', { voucherRef: 'I-2', date: '2026-12-01', amountOre: 464100 }, 'tenancy-5035-100234'), '2026-12-01')
      .then([
        { kind: 'send', command: { type: 'nav.CheckPaymentPlan', caseId: '5035-100234-1' } },
        { kind: 'send', command: { type: 'nav.CheckPaymentPlan', caseId: '5035-100234-4' } },
      ]);
  });
});

describe('NAV workflow: income management', () => {
  const agreed: NavEvent = { type: 'nav.IncomeManagementAgreed', data: { caseId: CASE, consentOn: '2026-11-20', covers: ['rent', 'electricity'], startOn: '2026-12-01', endOn: null } };

  it('agreed: the monthly check on the 10th, from the daily sheet', () => {
    given(received, claimed, agreed)
      .when(event('nav.IncomeManagementAgreed', agreed.data), '2026-11-20')
      .then([{ kind: 'schedule', deadline: 'nav.income-management-check', delivery: 'sheet', id: `nav.${CASE}.income-management.check`, payload: { caseId: CASE }, dueOn: '2026-12-10' }]);
  });

  it('the monthly check fired: check, and schedule next month’s', () => {
    given(received, claimed, agreed)
      .when(fired('deadline.nav.income-management-check', `nav.${CASE}.income-management.check`, { caseId: CASE }, '2026-12-10'), '2026-12-10')
      .then([
        { kind: 'send', command: { type: 'nav.CheckIncomeManagement', caseId: CASE } },
        { kind: 'schedule', deadline: 'nav.income-management-check', delivery: 'sheet', id: `nav.${CASE}.income-management.check`, payload: { caseId: CASE }, dueOn: '2027-01-10' },
      ]);
  });

  it('consent withdrawn mid-plan: the monitoring stops; the plan’s own checks go on', () => {
    const withdrawn: NavEvent = {
      type: 'nav.IncomeManagementConsentWithdrawn',
      data: { caseId: CASE, withdrawnOn: '2026-12-15', monitoringStopped: true, adviserTold: { actorId: 'a_kari', role: 'nav-adviser' }, activePlanId: 'plan-1' },
    };
    given(received, claimed, planAgreed, agreed, withdrawn)
      .when(event('nav.IncomeManagementConsentWithdrawn', withdrawn.data), '2026-12-15')
      .then([{ kind: 'cancel', deadline: 'nav.income-management-check', id: `nav.${CASE}.income-management.check` }]);
    given(received, claimed, planAgreed, agreed, withdrawn)
      .when(fired('deadline.nav.payment-plan-check', `nav.${CASE}.plan.plan-1.check`, { caseId: CASE, planId: 'plan-1' }, '2027-01-10'), '2027-01-10')
      .then([
        { kind: 'send', command: { type: 'nav.CheckPaymentPlan', caseId: CASE } },
        { kind: 'cancel', deadline: 'nav.payment-plan-check', id: `nav.${CASE}.plan.plan-1.check` },
      ]);
    given(received, claimed, planAgreed, agreed, withdrawn)
      .when(fired('deadline.nav.income-management-check', `nav.${CASE}.income-management.check`, { caseId: CASE }, '2027-01-10'), '2027-01-10')
      .then([{ kind: 'ignored', reason: 'Forvaltningen av inntekt løper ikke lenger.' }]);
  });

  it('agreed for a period that ends before its first check day: nothing to check', () => {
    const short: NavEvent = { type: 'nav.IncomeManagementAgreed', data: { caseId: CASE, consentOn: '2026-11-20', covers: ['rent'], startOn: '2026-12-01', endOn: '2026-12-05' } };
    given(received, claimed, short)
      .when(event('nav.IncomeManagementAgreed', short.data), '2026-11-20')
      .then([{ kind: 'ignored', reason: 'Forvaltningen er allerede over.' }]);
  });

  it('the last monthly check within the agreed period fired: check, and nothing left to schedule', () => {
    const twoMonths: NavEvent = { type: 'nav.IncomeManagementAgreed', data: { caseId: CASE, consentOn: '2026-11-20', covers: ['rent'], startOn: '2026-12-01', endOn: '2027-01-31' } };
    given(received, claimed, twoMonths)
      .when(fired('deadline.nav.income-management-check', `nav.${CASE}.income-management.check`, { caseId: CASE }, '2027-01-10'), '2027-01-10')
      .then([
        { kind: 'send', command: { type: 'nav.CheckIncomeManagement', caseId: CASE } },
        { kind: 'cancel', deadline: 'nav.income-management-check', id: `nav.${CASE}.income-management.check` },
      ]);
  });
});

describe('NAV workflow: assistance on its way and pauses', () => {
  const grant = { caseId: CASE, assistanceId: 'fa1', paragraph: '19', form: 'grant', amountOre: 928200, decidedOn: '2026-11-24', outcome: 'granted', expectedPaymentOn: '2026-12-02', reasonRef: null };

  it('granted: the hold ends the day after the expected payment date', () => {
    given(received, claimed)
      .when(event('nav.FinancialAssistanceDecided', grant), '2026-11-24')
      .then([{ kind: 'schedule', deadline: 'nav.assistance-expected', delivery: 'timer', id: `nav.${CASE}.assistance.fa1.expected`, payload: { caseId: CASE, assistanceId: 'fa1' }, dueOn: '2026-12-03' }]);
    given(received, claimed)
      .when(fired('deadline.nav.assistance-expected', `nav.${CASE}.assistance.fa1.expected`, { caseId: CASE, assistanceId: 'fa1' }, '2026-12-03'), '2026-12-03')
      .then([{ kind: 'send', command: { type: 'nav.ReleaseAssistanceHold', caseId: CASE, assistanceId: 'fa1' } }]);
  });

  it('refused: nothing is on its way', () => {
    given(received, claimed)
      .when(event('nav.FinancialAssistanceDecided', { ...grant, outcome: 'refused', expectedPaymentOn: null, reasonRef: 'n1' }), '2026-11-24')
      .then([{ kind: 'ignored', reason: 'Avslått stønad er ikke på vei.' }]);
  });

  it('paused: it resumes by itself the day after its last day', () => {
    given(received, claimed)
      .when(event('nav.FollowUpPaused', { caseId: CASE, pauseId: 'p1', pausedOn: '2026-11-20', until: '2026-12-04', reasonRef: 'n2' }), '2026-11-20')
      .then([{ kind: 'schedule', deadline: 'nav.pause-end', delivery: 'timer', id: `nav.${CASE}.pause-end`, payload: { caseId: CASE, pauseId: 'p1' }, dueOn: '2026-12-05' }]);
    given(received, claimed)
      .when(fired('deadline.nav.pause-end', `nav.${CASE}.pause-end`, { caseId: CASE, pauseId: 'p1' }, '2026-12-05'), '2026-12-05')
      .then([{ kind: 'send', command: { type: 'nav.EndPause', caseId: CASE, pauseId: 'p1' } }]);
  });

  it('resumed with a plan running: look at the plan again, since nothing was flagged while paused', () => {
    given(received, claimed, planAgreed)
      .when(event('nav.FollowUpResumed', { caseId: CASE, pauseId: 'p1', resumedOn: '2026-12-05', automatically: true }), '2026-12-05')
      .then([
        { kind: 'cancel', deadline: 'nav.pause-end', id: `nav.${CASE}.pause-end` },
        { kind: 'send', command: { type: 'nav.CheckPaymentPlan', caseId: CASE } },
      ]);
  });

  it('resumed with no plan running: only the pause’s own deadline is cancelled', () => {
    given(received, claimed, { type: 'nav.FollowUpPaused', data: { caseId: CASE, pauseId: 'p1', pausedOn: '2026-11-20', until: '2026-12-04', reasonRef: 'n2' } })
      .when(event('nav.FollowUpResumed', { caseId: CASE, pauseId: 'p1', resumedOn: '2026-11-25', automatically: false }), '2026-11-25')
      .then([{ kind: 'cancel', deadline: 'nav.pause-end', id: `nav.${CASE}.pause-end` }]);
  });

  it('concluded with a referral waiting, a pause and assistance on its way: each of their deadlines is cancelled; an escalated referral, a kept plan and refused assistance have none', () => {
    const kari = { actorId: 'a_kari', role: 'nav-adviser' };
    given(
      received,
      claimed,
      planAgreed,
      { type: 'nav.PaymentPlanKept', data: { caseId: CASE, planId: 'plan-1', keptOn: '2027-01-10' } },
      { type: 'nav.PaymentPlanAgreed', data: { caseId: CASE, planId: 'plan-2', agreedOn: '2027-01-12', instalments: [{ dueOn: '2027-02-01', amountOre: 464100 }], toleranceDays: 5, startOverdueOre: 464100 } },
      {
        type: 'nav.FinancialAssistanceDecided',
        data: { caseId: CASE, assistanceId: 'fa1', paragraph: '19', form: 'grant', amountOre: 928200, decidedOn: '2027-01-12', outcome: 'granted', expectedPaymentOn: '2027-01-20', reasonRef: null },
      },
      {
        type: 'nav.FinancialAssistanceDecided',
        data: { caseId: CASE, assistanceId: 'fa2', paragraph: '18', form: 'loan', amountOre: 300000, decidedOn: '2027-01-12', outcome: 'refused', expectedPaymentOn: null, reasonRef: 'n1' },
      },
      { type: 'nav.FollowUpPaused', data: { caseId: CASE, pauseId: 'p1', pausedOn: '2027-01-12', until: '2027-01-26', reasonRef: 'n2' } },
      { type: 'nav.ReferralReleased', data: { caseId: CASE, adviser: kari, releasedOn: '2027-01-13', by: kari, referralId: `${CASE}.release.1`, pickupDueOn: '2027-01-18' } },
      { type: 'nav.ReferralReceived', data: { ...received.data, referralId: `${CASE}.warning.1`, source: 'warning', referredOn: '2027-01-13', pickupDueOn: '2027-01-18' } },
      {
        type: 'nav.ReferralPickupOverdue',
        data: { caseId: CASE, referralId: `${CASE}.warning.1`, pickupDueOn: '2027-01-18', escalatedOn: '2027-01-19', escalatedTo: ['nav-lead', 'arrears-team'], reason: 'Ikke tatt innen fristen.' },
      },
      { type: 'nav.ReferralReceived', data: { ...received.data, referralId: `${CASE}.at-risk.1`, source: 'at-risk', referredOn: '2027-01-19', pickupDueOn: '2027-01-22' } },
    )
      .when(event('nav.FollowUpConcluded', { caseId: CASE, municipalityNumber: '5035', tenancyId: '100234', outcome: 'rehoused', concludedOn: '2027-01-20', noteRef: null }), '2027-01-20')
      .then([
        { kind: 'cancel', deadline: 'nav.referral-pickup', id: `nav.${CASE}.release.1.pickup` },
        { kind: 'cancel', deadline: 'nav.referral-pickup', id: `nav.${CASE}.at-risk.1.pickup` },
        { kind: 'cancel', deadline: 'nav.payment-plan-check', id: `nav.${CASE}.plan.plan-2.check` },
        { kind: 'cancel', deadline: 'nav.income-management-check', id: `nav.${CASE}.income-management.check` },
        { kind: 'cancel', deadline: 'nav.pause-end', id: `nav.${CASE}.pause-end` },
        { kind: 'cancel', deadline: 'nav.assistance-expected', id: `nav.${CASE}.assistance.fa1.expected` },
      ]);
  });

  it('concluded for a case NAV has no follow-up of: ignored', () => {
    given(received)
      .when(event('nav.FollowUpConcluded', { caseId: '5035-100234-9', municipalityNumber: '5035', tenancyId: '100234', outcome: 'moved', concludedOn: '2026-12-20', noteRef: null }), '2026-12-20')
      .then([{ kind: 'ignored', reason: 'NAV har ingen oppfølging av saken.' }]);
  });

  it('concluded: every deadline of the follow-up is cancelled', () => {
    given(received, claimed, planAgreed)
      .when(event('nav.FollowUpConcluded', { caseId: CASE, municipalityNumber: '5035', tenancyId: '100234', outcome: 'moved', concludedOn: '2026-12-20', noteRef: null }), '2026-12-20')
      .then([
        { kind: 'cancel', deadline: 'nav.payment-plan-check', id: `nav.${CASE}.plan.plan-1.check` },
        { kind: 'cancel', deadline: 'nav.income-management-check', id: `nav.${CASE}.income-management.check` },
      ]);
  });

  it('an input it does not know: ignored, with the type named', () => {
    given()
      .when(event('warnings.WarningSubmitted', {}, 'warning-1'), '2026-12-04')
      .then([{ kind: 'ignored', reason: 'NAVs arbeidsflyt reagerer ikke på warnings.WarningSubmitted.' }]);
  });

  it('a deadline it does not know: ignored, with the deadline named', () => {
    given(received, claimed)
      .when(fired('deadline.nav.advice-start', `nav.${CASE}.advice.r1.start`, { caseId: CASE, requestId: 'r1' }, '2026-12-04'), '2026-12-04')
      .then([{ kind: 'ignored', reason: 'NAVs arbeidsflyt kjenner ikke fristen deadline.nav.advice-start.' }]);
  });
});

describe('NAV workflow: the steps that set no deadline', () => {
  // Each of NAV's steps the workflow has no deadline for, with the reason it gives: written out, so a
  // new step that falls through to «no deadline» unnoticed fails the completeness check below.
  const steps: ReadonlyArray<[NavEvent, string]> = [
    [{ type: 'nav.ContactMade', data: { caseId: CASE, contactId: 'k1', channel: 'phone', contactedOn: '2026-11-18', noteRef: null } }, 'Steget nav.ContactMade trenger ingen frist.'],
    [
      { type: 'nav.EconomicAdviceRequested', data: { caseId: CASE, requestId: 'r1', requestedOn: '2026-11-18', form: 'oral', startNormDueOn: '2026-12-02', noteRef: null } },
      'Steget nav.EconomicAdviceRequested trenger ingen frist.',
    ],
    [{ type: 'nav.EconomicAdviceDecided', data: { caseId: CASE, requestId: 'r1', decidedOn: '2026-11-19', outcome: 'granted', reasonRef: null } }, 'Steget nav.EconomicAdviceDecided trenger ingen frist.'],
    [
      { type: 'nav.EconomicAdviceStarted', data: { caseId: CASE, requestId: 'r1', startedOn: '2026-11-20', startNormDueOn: '2026-12-02', late: false, lateReasonRef: null } },
      'Steget nav.EconomicAdviceStarted trenger ingen frist.',
    ],
    [{ type: 'nav.EconomicAdviceFollowedUp', data: { caseId: CASE, requestId: 'r1', followedUpOn: '2026-11-27', noteRef: null } }, 'Steget nav.EconomicAdviceFollowedUp trenger ingen frist.'],
    [{ type: 'nav.EconomicAdviceConcluded', data: { caseId: CASE, requestId: 'r1', concludedOn: '2026-12-11', noteRef: null } }, 'Steget nav.EconomicAdviceConcluded trenger ingen frist.'],
    [
      {
        type: 'nav.PaymentPlanBreached',
        data: { caseId: CASE, planId: 'plan-1', breachNo: 1, detectedOn: '2026-12-07', instalmentNo: 1, instalmentDueOn: '2026-12-01', expectedOverdueOre: 464100, actualOverdueOre: 928200 },
      },
      'Steget nav.PaymentPlanBreached trenger ingen frist.',
    ],
    [{ type: 'nav.PaymentPlanBackOnTrack', data: { caseId: CASE, planId: 'plan-1', breachNo: 1, on: '2026-12-09' } }, 'Steget nav.PaymentPlanBackOnTrack trenger ingen frist.'],
    [
      { type: 'nav.IncomeManagementRentChecked', data: { caseId: CASE, month: '2026-12', checkedOn: '2026-12-10', arrived: false, unpaidDueDates: ['2026-12-01'] } },
      'Steget nav.IncomeManagementRentChecked trenger ingen frist.',
    ],
    [
      { type: 'nav.FinancialAssistanceDatePassed', data: { caseId: CASE, assistanceId: 'fa1', expectedPaymentOn: '2026-12-02', passedOn: '2026-12-03' } },
      'Steget nav.FinancialAssistanceDatePassed trenger ingen frist.',
    ],
    [
      { type: 'nav.HousingApplicationNoted', data: { caseId: CASE, applicationId: 'h1', scheme: 'bostotte', appliedOn: '2026-11-20', outcome: 'pending', decidedOn: null } },
      'Steget nav.HousingApplicationNoted trenger ingen frist.',
    ],
    [{ type: 'nav.HousingDecisionRequested', data: { caseId: CASE, requestId: 'b1', requestedOn: '2026-11-20' } }, 'Steget nav.HousingDecisionRequested trenger ingen frist.'],
    [{ type: 'nav.HousingDecisionMade', data: { caseId: CASE, requestId: 'b1', decidedOn: '2026-12-01', outcome: 'refused', reasonRef: 'n4' } }, 'Steget nav.HousingDecisionMade trenger ingen frist.'],
    [{ type: 'nav.HouseholdFlagsSet', data: { caseId: CASE, vulnerable: true, childrenInHousehold: true, setOn: '2026-11-18' } }, 'Steget nav.HouseholdFlagsSet trenger ingen frist.'],
    [
      { type: 'nav.HoldReleased', data: { caseId: CASE, municipalityNumber: '5035', tenancyId: '100234', releasedOn: '2026-12-03', cause: 'assistance-date-passed' } },
      'Steget nav.HoldReleased trenger ingen frist.',
    ],
  ];

  it.each(steps.map(([step, reason]) => [step.type, step, reason] as const))('%s: ignored, the step needs no deadline', (_type, step, reason) => {
    given(received, claimed, planAgreed, step)
      .when(event(step.type, step.data), '2026-12-11')
      .then([{ kind: 'ignored', reason }]);
  });

  it('every step of NAV is either one the workflow reacts to or one that needs no deadline: none is left out of these tests', () => {
    const reactedTo = [
      'nav.ReferralReceived',
      'nav.ReferralClaimed',
      'nav.ReferralReleased',
      'nav.ReferralReassigned',
      'nav.CaseResolvedNoted',
      'nav.ReferralPickupOverdue',
      'nav.FollowUpTransferred',
      'nav.PaymentPlanAgreed',
      'nav.PaymentPlanKept',
      'nav.PaymentPlanCancelled',
      'nav.IncomeManagementAgreed',
      'nav.IncomeManagementConsentWithdrawn',
      'nav.FinancialAssistanceDecided',
      'nav.FollowUpPaused',
      'nav.FollowUpResumed',
      'nav.FollowUpConcluded',
    ];
    expect([...reactedTo, ...steps.map(([step]) => step.type)].sort()).toEqual([...NAV_EVENT_TYPES].sort());
  });
});

describe('NAV workflow: the tenancy moves to another NAV office', () => {
  const details = (navOffice: string) => ({ address: 'Kjøpmannsgata 40', monthlyRentOre: 928200, landlordKind: 'municipal', navOffice, tenantPersonIds: ['p-1'] });
  const transferred: NavEvent = {
    type: 'nav.FollowUpTransferred',
    data: {
      caseId: CASE,
      fromOffice: 'nav-stjordal',
      toOffice: 'nav-levanger',
      transferredOn: '2026-11-26',
      previousAdviser: null,
      referralId: `${CASE}.transfer.1`,
      pickupDueOn: '2026-12-01',
      supersededReferrals: [REFERRAL],
    },
  };

  it("the tenancy's NAV office changed while NAV follows the household up at another: transfer the follow-up there", () => {
    given(received, claimed)
      .when(event('ledger.TenancyDetailsChanged', details('nav-levanger'), 'tenancy-5035-100234'), '2026-11-26')
      .then([{ kind: 'send', command: { type: 'nav.TransferFollowUp', caseId: CASE, toOffice: 'nav-levanger' } }]);
  });

  it('every running follow-up of the household moves; a concluded one stays where it ended', () => {
    const second: NavEvent = {
      type: 'nav.ReferralReceived',
      data: {
        caseId: '5035-100234-2',
        referralId: '5035-100234-2.warning.1',
        municipalityNumber: '5035',
        tenancyId: '100234',
        navOffice: 'nav-stjordal',
        source: 'warning',
        referredOn: '2026-11-23',
        pickupDueOn: '2026-11-26',
        reasons: [],
        petitionOn: null,
        evictionOn: null,
        pickedUpOn: null,
      },
    };
    const concluded: NavEvent = { type: 'nav.FollowUpConcluded', data: { caseId: CASE, municipalityNumber: '5035', tenancyId: '100234', outcome: 'moved', concludedOn: '2026-11-20', noteRef: null } };
    given(received, concluded, second)
      .when(event('ledger.TenancyDetailsChanged', details('nav-levanger'), 'tenancy-5035-100234'), '2026-11-26')
      .then([{ kind: 'send', command: { type: 'nav.TransferFollowUp', caseId: '5035-100234-2', toOffice: 'nav-levanger' } }]);
  });

  it('the same office (an address or rent change, a second change to the office NAV already moved to, a redelivery): nothing', () => {
    given(received, claimed)
      .when(event('ledger.TenancyDetailsChanged', details('nav-stjordal'), 'tenancy-5035-100234'), '2026-11-26')
      .then([{ kind: 'ignored', reason: 'NAVs oppfølging er allerede hos leieforholdets NAV-kontor.' }]);
    given(received, transferred)
      .when(event('ledger.TenancyDetailsChanged', details('nav-levanger'), 'tenancy-5035-100234'), '2026-11-27')
      .then([{ kind: 'ignored', reason: 'NAVs oppfølging er allerede hos leieforholdets NAV-kontor.' }]);
  });

  it('a household NAV does not follow up, or whose follow-up is concluded: nothing', () => {
    given()
      .when(event('ledger.TenancyDetailsChanged', details('nav-levanger'), 'tenancy-5035-100234'), '2026-11-26')
      .then([{ kind: 'ignored', reason: 'NAV har ingen løpende oppfølging av husstanden.' }]);
    given(received, claimed, { type: 'nav.FollowUpConcluded', data: { caseId: CASE, municipalityNumber: '5035', tenancyId: '100234', outcome: 'moved', concludedOn: '2026-11-20', noteRef: null } })
      .when(event('ledger.TenancyDetailsChanged', details('nav-levanger'), 'tenancy-5035-100234'), '2026-11-26')
      .then([{ kind: 'ignored', reason: 'NAV har ingen løpende oppfølging av husstanden.' }]);
  });

  it("transferred: the old office's pickup deadline is cancelled, the new office's scheduled for the day after its new limit", () => {
    given(received, transferred)
      .when(event('nav.FollowUpTransferred', transferred.data), '2026-11-26')
      .then([
        { kind: 'cancel', deadline: 'nav.referral-pickup', id: `nav.${REFERRAL}.pickup` },
        { kind: 'schedule', deadline: 'nav.referral-pickup', delivery: 'timer', id: `nav.${CASE}.transfer.1.pickup`, payload: { caseId: CASE, referralId: `${CASE}.transfer.1` }, dueOn: '2026-12-02' },
      ]);
  });

  it('claimed at the new office: its pickup deadline is cancelled', () => {
    const claimedThere: NavEvent = { type: 'nav.ReferralClaimed', data: { caseId: CASE, adviser: { actorId: 'a_lev', role: 'nav-adviser' }, claimedOn: '2026-11-27', pickedUp: [`${CASE}.transfer.1`] } };
    given(received, transferred, claimedThere)
      .when(event('nav.ReferralClaimed', claimedThere.data), '2026-11-27')
      .then([{ kind: 'cancel', deadline: 'nav.referral-pickup', id: `nav.${CASE}.transfer.1.pickup` }]);
  });

  it('concluded after a transfer nobody claimed: the wait at the new office is cancelled, not the superseded one', () => {
    given(received, transferred)
      .when(event('nav.FollowUpConcluded', { caseId: CASE, municipalityNumber: '5035', tenancyId: '100234', outcome: 'moved', concludedOn: '2026-11-30', noteRef: null }), '2026-11-30')
      .then([
        { kind: 'cancel', deadline: 'nav.referral-pickup', id: `nav.${CASE}.transfer.1.pickup` },
        { kind: 'cancel', deadline: 'nav.income-management-check', id: `nav.${CASE}.income-management.check` },
      ]);
  });
});
