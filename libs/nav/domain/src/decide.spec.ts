import type { LocalDate } from '@evp/shared-kernel';
import {
  checkIncomeManagement,
  checkPaymentPlan,
  claim,
  endPause,
  escalateOverduePickup,
  noteCaseResolved,
  reassign,
  receiveReferral,
  recordStep,
  release,
  releaseAssistanceHold,
  transferFollowUp,
  NavRuleError,
  type NavPerson,
} from './decide';
import type { NavEvent } from './events';
import { evolveNavHousehold, initialNavHousehold, isWaiting, type NavHousehold } from './household';
import { holdOf } from './holds';
import type { NavPolicy } from './policy';

/**
 * Given (literal events, never produced by the code under test) → when (one decision) → then (the
 * events it records, or the rule it refuses with).
 */
const policy: NavPolicy = { pickupWorkingDays: 3, adviceStartNormWorkingDays: 10, planToleranceDays: 5, incomeCheckDay: 10 };
const state = (...events: NavEvent[]): NavHousehold => events.reduce(evolveNavHousehold, initialNavHousehold());
const given = (...events: NavEvent[]) => ({
  when: (decide: (s: NavHousehold) => NavEvent[]) => ({
    then: (expected: NavEvent[]) => expect(decide(state(...events))).toEqual(expected),
    thenRefused: (code: NavRuleError['code'], details: Record<string, unknown> = {}) => {
      let error: unknown;
      try {
        decide(state(...events));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(NavRuleError);
      expect(error).toMatchObject({ code, details: expect.objectContaining(details) });
    },
  }),
});

const CASE = '5035-100234-1';
const kari: NavPerson = { actorId: 'a_kari', role: 'nav-adviser', navOffice: 'nav-stjordal' };
const per: NavPerson = { actorId: 'a_per', role: 'nav-adviser', navOffice: 'nav-stjordal' };
const lead: NavPerson = { actorId: 'a_lead', role: 'nav-lead', navOffice: 'nav-stjordal' };
const levanger: NavPerson = { actorId: 'a_lev', role: 'nav-adviser', navOffice: 'nav-levanger' };

/** The arrears workflow escalated on Monday 16 November 2026; three working days to claim it: Thursday 19 November. */
const received: NavEvent = {
  type: 'nav.ReferralReceived',
  data: {
    caseId: CASE,
    referralId: `${CASE}.escalation.1`,
    municipalityNumber: '5035',
    tenancyId: '100234',
    navOffice: 'nav-stjordal',
    source: 'escalation',
    referredOn: '2026-11-16',
    pickupDueOn: '2026-11-19',
    reasons: [{ policy: 'noContactWithinDeadline', explanation: 'Ingen kontakt.' }],
    petitionOn: null,
    evictionOn: null,
    pickedUpOn: null,
  },
};
const claimedByKari: NavEvent = { type: 'nav.ReferralClaimed', data: { caseId: CASE, adviser: { actorId: 'a_kari', role: 'nav-adviser' }, claimedOn: '2026-11-17', pickedUp: [`${CASE}.escalation.1`] } };

describe('the inbox: a referral arrives', () => {
  const referred = {
    caseId: CASE,
    referralId: `${CASE}.escalation.1`,
    municipalityNumber: '5035',
    tenancyId: '100234',
    navOffice: 'nav-stjordal',
    source: 'escalation' as const,
    referredOn: '2026-11-16',
    reasons: [{ policy: 'noContactWithinDeadline', explanation: 'Ingen kontakt.' }],
    petitionOn: null,
    evictionOn: null,
  };

  it('is received with its pickup limit in working days (Monday + 3 = Thursday)', () => {
    given()
      .when((s) => receiveReferral(s, referred, policy))
      .then([received]);
  });

  it('counts the pickup limit across a public holiday (Wednesday 13 May 2026 + 3 skips Ascension Day)', () => {
    const [event] = receiveReferral(initialNavHousehold(), { ...referred, referredOn: '2026-05-13' }, policy);
    expect(event?.type === 'nav.ReferralReceived' && event.data.pickupDueOn).toBe('2026-05-19');
  });

  it('is received once: the same referral again is a no-op', () => {
    given(received)
      .when((s) => receiveReferral(s, referred, policy))
      .then([]);
  });

  it('a second referral for a household someone has already claimed is picked up on arrival', () => {
    const [event] = receiveReferral(state(received, claimedByKari), { ...referred, referralId: `${CASE}.warning.1`, source: 'warning', referredOn: '2026-11-20', evictionOn: '2027-01-15' }, policy);
    expect(event).toMatchObject({ type: 'nav.ReferralReceived', data: { referralId: `${CASE}.warning.1`, pickedUpOn: '2026-11-20', evictionOn: '2027-01-15' } });
  });
});

describe('the inbox: claim, release, reassign', () => {
  it('an adviser of the office claims it, picking up the waiting referral', () => {
    given(received)
      .when((s) => claim(s, CASE, kari, '2026-11-17'))
      .then([claimedByKari]);
  });

  it('the same adviser claiming again changes nothing', () => {
    given(received, claimedByKari)
      .when((s) => claim(s, CASE, kari, '2026-11-17'))
      .then([]);
  });

  it('another adviser is refused with who has it (opaque actor id and role, never a name)', () => {
    given(received, claimedByKari)
      .when((s) => claim(s, CASE, per, '2026-11-17'))
      .thenRefused('ALREADY_CLAIMED', { claimedBy: { actorId: 'a_kari', role: 'nav-adviser' } });
  });

  it('an adviser of another office does not find it', () => {
    given(received)
      .when((s) => claim(s, CASE, levanger, '2026-11-17'))
      .thenRefused('NOT_FOUND');
  });

  it('the adviser releases it back to the inbox, where it waits with a new pickup limit (Wednesday + 3 = Monday); another adviser may not', () => {
    given(received, claimedByKari)
      .when((s) => release(s, CASE, kari, '2026-11-18', policy))
      .then([
        {
          type: 'nav.ReferralReleased',
          data: {
            caseId: CASE,
            adviser: { actorId: 'a_kari', role: 'nav-adviser' },
            releasedOn: '2026-11-18',
            by: { actorId: 'a_kari', role: 'nav-adviser' },
            referralId: `${CASE}.release.1`,
            pickupDueOn: '2026-11-23',
          },
        },
      ]);
    given(received, claimedByKari)
      .when((s) => release(s, CASE, per, '2026-11-18', policy))
      .thenRefused('NOT_ALLOWED');
  });

  it('the office lead reassigns it; an adviser may not', () => {
    given(received, claimedByKari)
      .when((s) => reassign(s, CASE, lead, 'a_per', '2026-11-18'))
      .then([
        {
          type: 'nav.ReferralReassigned',
          data: { caseId: CASE, from: { actorId: 'a_kari', role: 'nav-adviser' }, to: { actorId: 'a_per', role: 'nav-adviser' }, reassignedOn: '2026-11-18', by: { actorId: 'a_lead', role: 'nav-lead' }, pickedUp: [] },
        },
      ]);
    given(received)
      .when((s) => reassign(s, CASE, kari, 'a_per', '2026-11-18'))
      .thenRefused('NOT_ALLOWED');
  });
});

describe('the inbox: a released follow-up must be claimed again within the pickup limit', () => {
  /** Kari gives it back on Wednesday 23 December 2026: 24 December is a working day, Christmas Day and the weekend are not. */
  const released: NavEvent = {
    type: 'nav.ReferralReleased',
    data: {
      caseId: CASE,
      adviser: { actorId: 'a_kari', role: 'nav-adviser' },
      releasedOn: '2026-12-23',
      by: { actorId: 'a_kari', role: 'nav-adviser' },
      referralId: `${CASE}.release.1`,
      pickupDueOn: '2026-12-29',
    },
  };
  /** As the type map reads a release stored at schema version 1 (before releases had a pickup limit). */
  const releasedBeforePickupLimit: NavEvent = {
    type: 'nav.ReferralReleased',
    data: { caseId: CASE, adviser: { actorId: 'a_kari', role: 'nav-adviser' }, releasedOn: '2026-11-18', by: { actorId: 'a_kari', role: 'nav-adviser' }, referralId: null, pickupDueOn: null },
  };
  const claimedByPer: NavEvent = { type: 'nav.ReferralClaimed', data: { caseId: CASE, adviser: { actorId: 'a_per', role: 'nav-adviser' }, claimedOn: '2026-12-28', pickedUp: [`${CASE}.release.1`] } };

  it('released: it waits in the inbox as a referral of its own, the pickup limit counted in working days from the release (23 Dec + 3 skips Christmas Day and the weekend: 29 Dec)', () => {
    given(received, claimedByKari)
      .when((s) => release(s, CASE, kari, '2026-12-23', policy))
      .then([released]);
    const f = state(received, claimedByKari, released).followUps[0];
    expect(f?.assignee).toBeNull();
    expect(f?.referrals.map((r) => [r.referralId, r.source, r.referredOn, r.pickupDueOn, r.pickedUpOn, isWaiting(r)])).toEqual([
      [`${CASE}.escalation.1`, 'escalation', '2026-11-16', '2026-11-19', '2026-11-17', false],
      [`${CASE}.release.1`, 'release', '2026-12-23', '2026-12-29', null, true],
    ]);
  });

  it('the office lead may release what an adviser has: the same wait starts', () => {
    given(received, claimedByKari)
      .when((s) => release(s, CASE, lead, '2026-12-23', policy))
      .then([{ ...released, data: { ...released.data, by: { actorId: 'a_lead', role: 'nav-lead' } } } as NavEvent]);
  });

  it('a release decided again (a retry after a conflict) decides the same id; once released, releasing again is a no-op; the next release counts on', () => {
    const s = state(received, claimedByKari);
    expect(release(s, CASE, kari, '2026-12-23', policy)).toEqual(release(s, CASE, kari, '2026-12-23', policy));
    given(received, claimedByKari, released)
      .when((s2) => release(s2, CASE, kari, '2026-12-23', policy))
      .then([]);
    const [again] = release(state(received, claimedByKari, released, claimedByPer), CASE, per, '2027-01-04', policy);
    expect(again).toMatchObject({ type: 'nav.ReferralReleased', data: { referralId: `${CASE}.release.2`, releasedOn: '2027-01-04', pickupDueOn: '2027-01-07' } });
  });

  it('claimed again: the claim picks the release up; so does the office lead’s assignment', () => {
    given(received, claimedByKari, released)
      .when((s) => claim(s, CASE, per, '2026-12-28'))
      .then([claimedByPer]);
    given(received, claimedByKari, released)
      .when((s) => reassign(s, CASE, lead, 'a_per', '2026-12-28'))
      .then([
        {
          type: 'nav.ReferralReassigned',
          data: { caseId: CASE, from: null, to: { actorId: 'a_per', role: 'nav-adviser' }, reassignedOn: '2026-12-28', by: { actorId: 'a_lead', role: 'nav-lead' }, pickedUp: [`${CASE}.release.1`] },
        },
      ]);
  });

  it('nobody claims it again: not on its last day, the day after it escalates to the office lead and the husleierestanseteam, once', () => {
    const overdue: NavEvent = {
      type: 'nav.ReferralPickupOverdue',
      data: {
        caseId: CASE,
        referralId: `${CASE}.release.1`,
        pickupDueOn: '2026-12-29',
        escalatedOn: '2026-12-30',
        escalatedTo: ['nav-lead', 'arrears-team'],
        reason: 'Ingen veileder har tatt henvisningen innen 3 virkedager etter at den kom 2026-12-23 (frist 2026-12-29).',
      },
    };
    given(received, claimedByKari, released)
      .when((s) => escalateOverduePickup(s, CASE, `${CASE}.release.1`, '2026-12-29', policy))
      .then([]);
    given(received, claimedByKari, released)
      .when((s) => escalateOverduePickup(s, CASE, `${CASE}.release.1`, '2026-12-30', policy))
      .then([overdue]);
    given(received, claimedByKari, released, overdue)
      .when((s) => escalateOverduePickup(s, CASE, `${CASE}.release.1`, '2026-12-31', policy))
      .then([]);
    given(received, claimedByKari, released, claimedByPer)
      .when((s) => escalateOverduePickup(s, CASE, `${CASE}.release.1`, '2026-12-30', policy))
      .then([]);
  });

  it('released before releases had a pickup limit (schema version 1): nobody has it, nothing waits, nothing escalates; the next release is the first with an id', () => {
    const f = state(received, claimedByKari, releasedBeforePickupLimit).followUps[0];
    expect(f).toMatchObject({ assignee: null, referrals: [{ referralId: `${CASE}.escalation.1`, pickedUpOn: '2026-11-17' }] });
    expect(f?.referrals).toHaveLength(1);
    given(received, claimedByKari, releasedBeforePickupLimit)
      .when((s) => claim(s, CASE, per, '2026-11-19'))
      .then([{ type: 'nav.ReferralClaimed', data: { caseId: CASE, adviser: { actorId: 'a_per', role: 'nav-adviser' }, claimedOn: '2026-11-19', pickedUp: [] } }]);
    const claimedAgain: NavEvent = { type: 'nav.ReferralClaimed', data: { caseId: CASE, adviser: { actorId: 'a_per', role: 'nav-adviser' }, claimedOn: '2026-11-19', pickedUp: [] } };
    const [next] = release(state(received, claimedByKari, releasedBeforePickupLimit, claimedAgain), CASE, per, '2026-12-23', policy);
    expect(next).toMatchObject({ data: { referralId: `${CASE}.release.1`, pickupDueOn: '2026-12-29' } });
  });

  it('a concluded follow-up is not released back to the inbox', () => {
    const concluded: NavEvent = { type: 'nav.FollowUpConcluded', data: { caseId: CASE, municipalityNumber: '5035', tenancyId: '100234', outcome: 'moved', concludedOn: '2026-12-20', noteRef: null } };
    given(received, claimedByKari, concluded)
      .when((s) => release(s, CASE, kari, '2026-12-23', policy))
      .thenRefused('CONCLUDED');
  });
});

describe('the inbox: a referral nobody claims escalates once', () => {
  const overdue: NavEvent = {
    type: 'nav.ReferralPickupOverdue',
    data: {
      caseId: CASE,
      referralId: `${CASE}.escalation.1`,
      pickupDueOn: '2026-11-19',
      escalatedOn: '2026-11-20',
      escalatedTo: ['nav-lead', 'arrears-team'],
      reason: 'Ingen veileder har tatt henvisningen innen 3 virkedager etter at den kom 2026-11-16 (frist 2026-11-19).',
    },
  };

  it('not on its last day, which still counts', () => {
    given(received)
      .when((s) => escalateOverduePickup(s, CASE, `${CASE}.escalation.1`, '2026-11-19', policy))
      .then([]);
  });

  it('the day after: to the office lead and the husleierestanseteam, with the reason', () => {
    given(received)
      .when((s) => escalateOverduePickup(s, CASE, `${CASE}.escalation.1`, '2026-11-20', policy))
      .then([overdue]);
  });

  it('once: a second firing after the escalation records nothing', () => {
    given(received, overdue)
      .when((s) => escalateOverduePickup(s, CASE, `${CASE}.escalation.1`, '2026-11-23', policy))
      .then([]);
  });

  it('not when someone claimed it, nor when the case closed', () => {
    given(received, claimedByKari)
      .when((s) => escalateOverduePickup(s, CASE, `${CASE}.escalation.1`, '2026-11-20', policy))
      .then([]);
    given(received, { type: 'nav.CaseResolvedNoted', data: { caseId: CASE, resolvedOn: '2026-11-18', outcome: 'paid' } })
      .when((s) => escalateOverduePickup(s, CASE, `${CASE}.escalation.1`, '2026-11-20', policy))
      .then([]);
  });

  it('a closed case is noted once', () => {
    given(received)
      .when((s) => noteCaseResolved(s, CASE, '2026-11-18', 'paid'))
      .then([{ type: 'nav.CaseResolvedNoted', data: { caseId: CASE, resolvedOn: '2026-11-18', outcome: 'paid' } }]);
    given(received, { type: 'nav.CaseResolvedNoted', data: { caseId: CASE, resolvedOn: '2026-11-18', outcome: 'paid' } })
      .when((s) => noteCaseResolved(s, CASE, '2026-11-18', 'paid'))
      .then([]);
  });
});

describe('economic advice (sosialtjenesteloven § 17): request → written decision → start → follow-up → concluded', () => {
  const requested: NavEvent = {
    type: 'nav.EconomicAdviceRequested',
    data: { caseId: CASE, requestId: 'r1', requestedOn: '2026-11-18', form: 'oral', startNormDueOn: '2026-12-02', noteRef: null },
  };
  const granted: NavEvent = { type: 'nav.EconomicAdviceDecided', data: { caseId: CASE, requestId: 'r1', decidedOn: '2026-11-20', outcome: 'granted', reasonRef: null } };

  it('nothing is recorded before someone has claimed the referral', () => {
    given(received)
      .when((s) => recordStep(s, CASE, kari, { type: 'economic-advice-requested', requestId: 'r1', requestedOn: '2026-11-18', form: 'oral', noteRef: null }, '2026-11-18', policy))
      .thenRefused('NOT_CLAIMED');
  });

  it('an oral request is a request, with the start norm in working days', () => {
    given(received, claimedByKari)
      .when((s) => recordStep(s, CASE, kari, { type: 'economic-advice-requested', requestId: 'r1', requestedOn: '2026-11-18', form: 'oral', noteRef: null }, '2026-11-18', policy))
      .then([requested]);
  });

  it('a refusal without a reason is refused (forvaltningsloven §§ 24–25); with one it is the written decision', () => {
    given(received, claimedByKari, requested)
      .when((s) => recordStep(s, CASE, kari, { type: 'economic-advice-decided', requestId: 'r1', decidedOn: '2026-11-20', outcome: 'refused', reasonRef: null }, '2026-11-20', policy))
      .thenRefused('INVALID', { field: 'reason' });
    given(received, claimedByKari, requested)
      .when((s) => recordStep(s, CASE, kari, { type: 'economic-advice-decided', requestId: 'r1', decidedOn: '2026-11-20', outcome: 'refused', reasonRef: 'note-1' }, '2026-11-20', policy))
      .then([{ type: 'nav.EconomicAdviceDecided', data: { caseId: CASE, requestId: 'r1', decidedOn: '2026-11-20', outcome: 'refused', reasonRef: 'note-1' } }]);
  });

  it('the service cannot start without a written decision to grant it', () => {
    given(received, claimedByKari, requested)
      .when((s) => recordStep(s, CASE, kari, { type: 'economic-advice-started', requestId: 'r1', startedOn: '2026-11-23', lateReasonRef: null }, '2026-11-23', policy))
      .thenRefused('INVALID', { field: 'requestId' });
  });

  it('a start within the norm is in time', () => {
    given(received, claimedByKari, requested, granted)
      .when((s) => recordStep(s, CASE, kari, { type: 'economic-advice-started', requestId: 'r1', startedOn: '2026-12-02', lateReasonRef: null }, '2026-12-02', policy))
      .then([{ type: 'nav.EconomicAdviceStarted', data: { caseId: CASE, requestId: 'r1', startedOn: '2026-12-02', startNormDueOn: '2026-12-02', late: false, lateReasonRef: null } }]);
  });

  it('a start later than the norm needs a reason, and says it was late', () => {
    given(received, claimedByKari, requested, granted)
      .when((s) => recordStep(s, CASE, kari, { type: 'economic-advice-started', requestId: 'r1', startedOn: '2026-12-03', lateReasonRef: null }, '2026-12-03', policy))
      .thenRefused('INVALID', { field: 'lateReason' });
    given(received, claimedByKari, requested, granted)
      .when((s) => recordStep(s, CASE, kari, { type: 'economic-advice-started', requestId: 'r1', startedOn: '2026-12-03', lateReasonRef: 'note-2' }, '2026-12-03', policy))
      .then([{ type: 'nav.EconomicAdviceStarted', data: { caseId: CASE, requestId: 'r1', startedOn: '2026-12-03', startNormDueOn: '2026-12-02', late: true, lateReasonRef: 'note-2' } }]);
  });

  it('follow-up and conclusion come after the start', () => {
    const started: NavEvent = { type: 'nav.EconomicAdviceStarted', data: { caseId: CASE, requestId: 'r1', startedOn: '2026-11-25', startNormDueOn: '2026-12-02', late: false, lateReasonRef: null } };
    given(received, claimedByKari, requested, granted, started)
      .when((s) => recordStep(s, CASE, kari, { type: 'economic-advice-followed-up', requestId: 'r1', followedUpOn: '2026-12-09', noteRef: 'note-3' }, '2026-12-09', policy))
      .then([{ type: 'nav.EconomicAdviceFollowedUp', data: { caseId: CASE, requestId: 'r1', followedUpOn: '2026-12-09', noteRef: 'note-3' } }]);
    given(received, claimedByKari, requested, granted, started)
      .when((s) => recordStep(s, CASE, kari, { type: 'economic-advice-concluded', requestId: 'r1', concludedOn: '2027-01-15', noteRef: null }, '2027-01-15', policy))
      .then([{ type: 'nav.EconomicAdviceConcluded', data: { caseId: CASE, requestId: 'r1', concludedOn: '2027-01-15', noteRef: null } }]);
  });

  it('dates in the future are refused', () => {
    given(received, claimedByKari)
      .when((s) => recordStep(s, CASE, kari, { type: 'contact-made', contactId: 'c1', channel: 'phone', contactedOn: '2026-11-19', noteRef: null }, '2026-11-18', policy))
      .thenRefused('INVALID', { field: 'contactedOn' });
  });
});

/** A plan on 9 282 kr overdue: two instalments of 4 641 kr on 1 December and 4 January, 5 days' tolerance. */
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

describe('the payment plan against the ledger', () => {
  it('is agreed with the overdue amount the ledger shows and the default tolerance', () => {
    given(received, claimedByKari)
      .when((s) =>
        recordStep(
          s,
          CASE,
          kari,
          { type: 'payment-plan-agreed', planId: 'plan-1', agreedOn: '2026-11-20', instalments: planAgreed.data.instalments as never, toleranceDays: null, startOverdueOre: 928200 },
          '2026-11-20',
          policy,
        ),
      )
      .then([planAgreed]);
  });

  it('refuses instalments out of order', () => {
    given(received, claimedByKari)
      .when((s) =>
        recordStep(
          s,
          CASE,
          kari,
          {
            type: 'payment-plan-agreed',
            planId: 'plan-1',
            agreedOn: '2026-11-20',
            instalments: [
              { dueOn: '2027-01-04', amountOre: 1 },
              { dueOn: '2026-12-01', amountOre: 1 },
            ],
            toleranceDays: null,
            startOverdueOre: 2,
          },
          '2026-11-20',
          policy,
        ),
      )
      .thenRefused('INVALID', { field: 'instalments.1.dueOn' });
  });

  it('inside the tolerance: nothing to check yet (1 December + 5 days is still on time)', () => {
    given(received, claimedByKari, planAgreed)
      .when((s) => checkPaymentPlan(s, CASE, { overdueOre: 928200 }, '2026-12-06'))
      .then([]);
  });

  it('outside the tolerance, the instalment paid: on track, nothing flagged', () => {
    given(received, claimedByKari, planAgreed)
      .when((s) => checkPaymentPlan(s, CASE, { overdueOre: 464100 }, '2026-12-07'))
      .then([]);
  });

  it('outside the tolerance, the instalment missed: a breach, with expected and actual overdue', () => {
    given(received, claimedByKari, planAgreed)
      .when((s) => checkPaymentPlan(s, CASE, { overdueOre: 928200 }, '2026-12-07'))
      .then([
        {
          type: 'nav.PaymentPlanBreached',
          data: { caseId: CASE, planId: 'plan-1', breachNo: 1, detectedOn: '2026-12-07', instalmentNo: 1, instalmentDueOn: '2026-12-01', expectedOverdueOre: 464100, actualOverdueOre: 928200 },
        },
      ]);
  });

  const breached: NavEvent = {
    type: 'nav.PaymentPlanBreached',
    data: { caseId: CASE, planId: 'plan-1', breachNo: 1, detectedOn: '2026-12-07', instalmentNo: 1, instalmentDueOn: '2026-12-01', expectedOverdueOre: 464100, actualOverdueOre: 928200 },
  };

  it('once per breach: still behind at the next check flags nothing new', () => {
    given(received, claimedByKari, planAgreed, breached)
      .when((s) => checkPaymentPlan(s, CASE, { overdueOre: 928200 }, '2027-01-10'))
      .then([]);
  });

  it('a payment that catches up ends the breach; a later miss is a second breach', () => {
    given(received, claimedByKari, planAgreed, breached)
      .when((s) => checkPaymentPlan(s, CASE, { overdueOre: 464100 }, '2026-12-12'))
      .then([{ type: 'nav.PaymentPlanBackOnTrack', data: { caseId: CASE, planId: 'plan-1', breachNo: 1, on: '2026-12-12' } }]);
    given(received, claimedByKari, planAgreed, breached, { type: 'nav.PaymentPlanBackOnTrack', data: { caseId: CASE, planId: 'plan-1', breachNo: 1, on: '2026-12-12' } })
      .when((s) => checkPaymentPlan(s, CASE, { overdueOre: 464100 }, '2027-01-10'))
      .then([
        {
          type: 'nav.PaymentPlanBreached',
          data: { caseId: CASE, planId: 'plan-1', breachNo: 2, detectedOn: '2027-01-10', instalmentNo: 2, instalmentDueOn: '2027-01-04', expectedOverdueOre: 0, actualOverdueOre: 464100 },
        },
      ]);
  });

  it('kept to the end: the plan closes with that outcome', () => {
    given(received, claimedByKari, planAgreed)
      .when((s) => checkPaymentPlan(s, CASE, { overdueOre: 0 }, '2027-01-10'))
      .then([{ type: 'nav.PaymentPlanKept', data: { caseId: CASE, planId: 'plan-1', keptOn: '2027-01-10' } }]);
  });

  it('nothing is flagged while the follow-up is paused', () => {
    given(received, claimedByKari, planAgreed, { type: 'nav.FollowUpPaused', data: { caseId: CASE, pauseId: 'p1', pausedOn: '2026-12-01', until: '2026-12-20', reasonRef: 'note-4' } })
      .when((s) => checkPaymentPlan(s, CASE, { overdueOre: 928200 }, '2026-12-07'))
      .then([]);
  });
});

const incomeManagement: NavEvent = { type: 'nav.IncomeManagementAgreed', data: { caseId: CASE, consentOn: '2026-11-20', covers: ['rent', 'electricity'], startOn: '2026-12-01', endOn: null } };

describe('income management (frivillig forvaltning): consent, the monthly check, withdrawal at any time', () => {
  it('must cover the rent', () => {
    given(received, claimedByKari)
      .when((s) => recordStep(s, CASE, kari, { type: 'income-management-agreed', consentOn: '2026-11-20', covers: ['electricity'], startOn: '2026-12-01', endOn: null }, '2026-11-20', policy))
      .thenRefused('INVALID', { field: 'covers' });
  });

  it('the monthly check records whether the rent arrived from it', () => {
    given(received, claimedByKari, incomeManagement)
      .when((s) => checkIncomeManagement(s, CASE, { unpaidDueDates: [] }, '2026-12-10'))
      .then([{ type: 'nav.IncomeManagementRentChecked', data: { caseId: CASE, month: '2026-12', checkedOn: '2026-12-10', arrived: true, unpaidDueDates: [] } }]);
    given(received, claimedByKari, incomeManagement)
      .when((s) => checkIncomeManagement(s, CASE, { unpaidDueDates: ['2026-11-02', '2026-12-01', '2027-01-04'] }, '2026-12-10'))
      .then([{ type: 'nav.IncomeManagementRentChecked', data: { caseId: CASE, month: '2026-12', checkedOn: '2026-12-10', arrived: false, unpaidDueDates: ['2026-12-01'] } }]);
  });

  it('consent withdrawn mid-plan: monitoring stops, the adviser is told, the running plan is named as at risk', () => {
    given(received, claimedByKari, planAgreed, incomeManagement)
      .when((s) => recordStep(s, CASE, per, { type: 'income-management-withdrawn', withdrawnOn: '2026-12-15' }, '2026-12-15', policy))
      .then([
        {
          type: 'nav.IncomeManagementConsentWithdrawn',
          data: { caseId: CASE, withdrawnOn: '2026-12-15', monitoringStopped: true, adviserTold: { actorId: 'a_kari', role: 'nav-adviser' }, activePlanId: 'plan-1' },
        },
      ]);
  });

  it('withdrawal is possible at any time, even after NAV concluded; a check after it records nothing', () => {
    const concluded: NavEvent = { type: 'nav.FollowUpConcluded', data: { caseId: CASE, municipalityNumber: '5035', tenancyId: '100234', outcome: 'moved', concludedOn: '2026-12-20', noteRef: null } };
    const [withdrawn] = recordStep(state(received, claimedByKari, incomeManagement, concluded), CASE, kari, { type: 'income-management-withdrawn', withdrawnOn: '2026-12-21' }, '2026-12-21', policy);
    expect(withdrawn?.type).toBe('nav.IncomeManagementConsentWithdrawn');
    given(received, claimedByKari, incomeManagement, withdrawn as NavEvent)
      .when((s) => checkIncomeManagement(s, CASE, { unpaidDueDates: [] }, '2027-01-10'))
      .then([]);
  });
});

describe('financial assistance (sosialtjenesteloven §§ 18/19) on its way', () => {
  const grant: NavEvent = {
    type: 'nav.FinancialAssistanceDecided',
    data: { caseId: CASE, assistanceId: 'fa1', paragraph: '19', form: 'grant', amountOre: 928200, decidedOn: '2026-11-24', outcome: 'granted', expectedPaymentOn: '2026-12-02', reasonRef: null },
  };

  it('a grant needs its expected payment date', () => {
    given(received, claimedByKari)
      .when((s) =>
        recordStep(
          s,
          CASE,
          kari,
          { type: 'financial-assistance-decided', assistanceId: 'fa1', paragraph: '19', form: 'grant', amountOre: 928200, decidedOn: '2026-11-24', outcome: 'granted', expectedPaymentOn: null, reasonRef: null },
          '2026-11-24',
          policy,
        ),
      )
      .thenRefused('INVALID', { field: 'expectedPaymentOn' });
  });

  it('counts as on its way up to and including its date, then not', () => {
    expect(holdOf(state(received, claimedByKari, grant), '2026-12-02')).toEqual({ onItsWayOre: 928200, pausedUntil: null });
    expect(holdOf(state(received, claimedByKari, grant), '2026-12-03')).toEqual({ onItsWayOre: 0, pausedUntil: null });
  });

  it('the day after the date: the hold is released, once', () => {
    given(received, claimedByKari, grant)
      .when((s) => releaseAssistanceHold(s, CASE, 'fa1', '2026-12-02'))
      .then([]);
    const passed: NavEvent[] = [
      { type: 'nav.FinancialAssistanceDatePassed', data: { caseId: CASE, assistanceId: 'fa1', expectedPaymentOn: '2026-12-02', passedOn: '2026-12-03' } },
      { type: 'nav.HoldReleased', data: { caseId: CASE, municipalityNumber: '5035', tenancyId: '100234', releasedOn: '2026-12-03', cause: 'assistance-date-passed' } },
    ];
    given(received, claimedByKari, grant)
      .when((s) => releaseAssistanceHold(s, CASE, 'fa1', '2026-12-03'))
      .then(passed);
    given(received, claimedByKari, grant, ...passed)
      .when((s) => releaseAssistanceHold(s, CASE, 'fa1', '2026-12-04'))
      .then([]);
  });
});

describe('pause: no escalation while paused; it resumes by itself', () => {
  const paused: NavEvent = { type: 'nav.FollowUpPaused', data: { caseId: CASE, pauseId: 'p1', pausedOn: '2026-11-20', until: '2026-12-04', reasonRef: 'note-5' } };

  it('needs a reason and an end date after today', () => {
    given(received, claimedByKari)
      .when((s) => recordStep(s, CASE, kari, { type: 'paused', pauseId: 'p1', until: '2026-12-04', reasonRef: null }, '2026-11-20', policy))
      .thenRefused('INVALID', { field: 'reason' });
    given(received, claimedByKari)
      .when((s) => recordStep(s, CASE, kari, { type: 'paused', pauseId: 'p1', until: '2026-12-04', reasonRef: 'note-5' }, '2026-11-20', policy))
      .then([paused]);
  });

  it('holds until its last day', () => {
    expect(holdOf(state(received, claimedByKari, paused), '2026-12-04')).toEqual({ onItsWayOre: 0, pausedUntil: '2026-12-04' });
    expect(holdOf(state(received, claimedByKari, paused), '2026-12-05')).toEqual({ onItsWayOre: 0, pausedUntil: null });
  });

  it('ends by itself the day after, releasing the hold; not before, not twice', () => {
    given(received, claimedByKari, paused)
      .when((s) => endPause(s, CASE, 'p1', '2026-12-04'))
      .then([]);
    const resumed: NavEvent[] = [
      { type: 'nav.FollowUpResumed', data: { caseId: CASE, pauseId: 'p1', resumedOn: '2026-12-05', automatically: true } },
      { type: 'nav.HoldReleased', data: { caseId: CASE, municipalityNumber: '5035', tenancyId: '100234', releasedOn: '2026-12-05', cause: 'pause-ended' } },
    ];
    given(received, claimedByKari, paused)
      .when((s) => endPause(s, CASE, 'p1', '2026-12-05'))
      .then(resumed);
    given(received, claimedByKari, paused, ...resumed)
      .when((s) => endPause(s, CASE, 'p1', '2026-12-06'))
      .then([]);
  });

  it('an adviser may lift it early', () => {
    given(received, claimedByKari, paused)
      .when((s) => recordStep(s, CASE, kari, { type: 'resumed' }, '2026-11-25', policy))
      .then([
        { type: 'nav.FollowUpResumed', data: { caseId: CASE, pauseId: 'p1', resumedOn: '2026-11-25', automatically: false } },
        { type: 'nav.HoldReleased', data: { caseId: CASE, municipalityNumber: '5035', tenancyId: '100234', releasedOn: '2026-11-25', cause: 'pause-lifted' } },
      ]);
  });
});

describe('flags, housing decisions and the outcome', () => {
  it('children and vulnerability are flags for NAV only', () => {
    given(received, claimedByKari)
      .when((s) => recordStep(s, CASE, kari, { type: 'flags-set', vulnerable: false, childrenInHousehold: true }, '2026-11-18', policy))
      .then([{ type: 'nav.HouseholdFlagsSet', data: { caseId: CASE, vulnerable: false, childrenInHousehold: true, setOn: '2026-11-18' } }]);
  });

  it('startlån and bostøtte are noted with their outcome; a § 6 decision is asked for and made', () => {
    given(received, claimedByKari)
      .when((s) => recordStep(s, CASE, kari, { type: 'housing-application-noted', applicationId: 'h1', scheme: 'bostotte', appliedOn: '2026-11-18', outcome: 'granted', decidedOn: '2026-11-25' }, '2026-11-26', policy))
      .then([{ type: 'nav.HousingApplicationNoted', data: { caseId: CASE, applicationId: 'h1', scheme: 'bostotte', appliedOn: '2026-11-18', outcome: 'granted', decidedOn: '2026-11-25' } }]);
    const asked: NavEvent = { type: 'nav.HousingDecisionRequested', data: { caseId: CASE, requestId: 'b6', requestedOn: '2026-11-18' } };
    given(received, claimedByKari, asked)
      .when((s) => recordStep(s, CASE, kari, { type: 'housing-decision-made', requestId: 'b6', decidedOn: '2026-11-30', outcome: 'refused', reasonRef: null }, '2026-11-30', policy))
      .thenRefused('INVALID', { field: 'reason' });
  });

  it("«plan honoured» needs a kept plan; the outcome is published for the case to close", () => {
    const step = { type: 'concluded' as const, outcome: 'plan-honoured' as const, concludedOn: '2027-01-11', noteRef: null };
    given(received, claimedByKari, planAgreed)
      .when((s) => recordStep(s, CASE, kari, step, '2027-01-11', policy))
      .thenRefused('INVALID', { field: 'outcome' });
    given(received, claimedByKari, planAgreed, { type: 'nav.PaymentPlanKept', data: { caseId: CASE, planId: 'plan-1', keptOn: '2027-01-10' } })
      .when((s) => recordStep(s, CASE, kari, step, '2027-01-11', policy))
      .then([{ type: 'nav.FollowUpConcluded', data: { caseId: CASE, municipalityNumber: '5035', tenancyId: '100234', outcome: 'plan-honoured', concludedOn: '2027-01-11', noteRef: null } }]);
  });

  it('after the conclusion nothing more is recorded', () => {
    const concluded: NavEvent = { type: 'nav.FollowUpConcluded', data: { caseId: CASE, municipalityNumber: '5035', tenancyId: '100234', outcome: 'moved', concludedOn: '2026-12-20', noteRef: null } };
    given(received, claimedByKari, concluded)
      .when((s) => recordStep(s, CASE, kari, { type: 'contact-made', contactId: 'c9', channel: 'phone', contactedOn: '2026-12-21', noteRef: null }, '2026-12-21' as LocalDate, policy))
      .thenRefused('CONCLUDED');
  });
});

describe('the tenancy moves to another NAV office: the follow-up moves with it', () => {
  /** Thursday 26 November 2026; three working days to claim it at the new office: Tuesday 1 December. */
  const transferred: NavEvent = {
    type: 'nav.FollowUpTransferred',
    data: {
      caseId: CASE,
      fromOffice: 'nav-stjordal',
      toOffice: 'nav-levanger',
      transferredOn: '2026-11-26',
      previousAdviser: { actorId: 'a_kari', role: 'nav-adviser' },
      referralId: `${CASE}.transfer.1`,
      pickupDueOn: '2026-12-01',
      supersededReferrals: [],
    },
  };
  const unclaimedTransferred: NavEvent = {
    type: 'nav.FollowUpTransferred',
    data: {
      caseId: CASE,
      fromOffice: 'nav-stjordal',
      toOffice: 'nav-levanger',
      transferredOn: '2026-11-26',
      previousAdviser: null,
      referralId: `${CASE}.transfer.1`,
      pickupDueOn: '2026-12-01',
      supersededReferrals: [`${CASE}.escalation.1`],
    },
  };
  const levangerLead: NavPerson = { actorId: 'a_levlead', role: 'nav-lead', navOffice: 'nav-levanger' };
  const grant: NavEvent = {
    type: 'nav.FinancialAssistanceDecided',
    data: { caseId: CASE, assistanceId: 'fa1', paragraph: '19', form: 'grant', amountOre: 928200, decidedOn: '2026-11-24', outcome: 'granted', expectedPaymentOn: '2026-12-02', reasonRef: null },
  };
  const paused: NavEvent = { type: 'nav.FollowUpPaused', data: { caseId: CASE, pauseId: 'p1', pausedOn: '2026-11-24', until: '2026-12-04', reasonRef: 'note-5' } };

  it('claimed at the old office: the claim is released and it waits at the new office, its pickup limit counted in working days from the transfer', () => {
    given(received, claimedByKari)
      .when((s) => transferFollowUp(s, CASE, 'nav-levanger', '2026-11-26', policy))
      .then([transferred]);
  });

  it('still waiting at the old office: that wait is superseded by the wait at the new office', () => {
    given(received)
      .when((s) => transferFollowUp(s, CASE, 'nav-levanger', '2026-11-26', policy))
      .then([unclaimedTransferred]);
  });

  it('idempotent: already at that office, a second change to it, a concluded or an unknown follow-up decides nothing', () => {
    given(received, claimedByKari)
      .when((s) => transferFollowUp(s, CASE, 'nav-stjordal', '2026-11-26', policy))
      .then([]);
    given(received, claimedByKari, transferred)
      .when((s) => transferFollowUp(s, CASE, 'nav-levanger', '2026-11-27', policy))
      .then([]);
    given(received, claimedByKari, { type: 'nav.FollowUpConcluded', data: { caseId: CASE, municipalityNumber: '5035', tenancyId: '100234', outcome: 'moved', concludedOn: '2026-11-25', noteRef: null } })
      .when((s) => transferFollowUp(s, CASE, 'nav-levanger', '2026-11-26', policy))
      .then([]);
    given(received)
      .when((s) => transferFollowUp(s, '5035-100234-2', 'nav-levanger', '2026-11-26', policy))
      .then([]);
  });

  it('afterwards the old office finds nothing: its adviser can neither act on it nor claim it', () => {
    given(received, claimedByKari, transferred)
      .when((s) => recordStep(s, CASE, kari, { type: 'contact-made', contactId: 'c9', channel: 'phone', contactedOn: '2026-11-26', noteRef: null }, '2026-11-26', policy))
      .thenRefused('NOT_FOUND');
    given(received, claimedByKari, transferred)
      .when((s) => claim(s, CASE, per, '2026-11-26'))
      .thenRefused('NOT_FOUND');
    given(received, claimedByKari, transferred)
      .when((s) => release(s, CASE, kari, '2026-11-26', policy))
      .thenRefused('NOT_FOUND');
  });

  it('the new office must claim it before recording a step; its adviser claims it, picking up the transfer', () => {
    given(received, claimedByKari, transferred)
      .when((s) => recordStep(s, CASE, levanger, { type: 'contact-made', contactId: 'c9', channel: 'phone', contactedOn: '2026-11-26', noteRef: null }, '2026-11-26', policy))
      .thenRefused('NOT_CLAIMED');
    given(received, claimedByKari, transferred)
      .when((s) => claim(s, CASE, levanger, '2026-11-27'))
      .then([{ type: 'nav.ReferralClaimed', data: { caseId: CASE, adviser: { actorId: 'a_lev', role: 'nav-adviser' }, claimedOn: '2026-11-27', pickedUp: [`${CASE}.transfer.1`] } }]);
    given(received, unclaimedTransferred)
      .when((s) => reassign(s, CASE, levangerLead, 'a_lev2', '2026-11-27'))
      .then([
        {
          type: 'nav.ReferralReassigned',
          data: { caseId: CASE, from: null, to: { actorId: 'a_lev2', role: 'nav-adviser' }, reassignedOn: '2026-11-27', by: { actorId: 'a_levlead', role: 'nav-lead' }, pickedUp: [`${CASE}.transfer.1`] },
        },
      ]);
  });

  it("the new pickup limit escalates once if nobody at the new office claims it; the old office's superseded wait never does", () => {
    given(received, unclaimedTransferred)
      .when((s) => escalateOverduePickup(s, CASE, `${CASE}.escalation.1`, '2026-11-30', policy))
      .then([]);
    given(received, unclaimedTransferred)
      .when((s) => escalateOverduePickup(s, CASE, `${CASE}.transfer.1`, '2026-12-01', policy))
      .then([]);
    given(received, unclaimedTransferred)
      .when((s) => escalateOverduePickup(s, CASE, `${CASE}.transfer.1`, '2026-12-02', policy))
      .then([
        {
          type: 'nav.ReferralPickupOverdue',
          data: {
            caseId: CASE,
            referralId: `${CASE}.transfer.1`,
            pickupDueOn: '2026-12-01',
            escalatedOn: '2026-12-02',
            escalatedTo: ['nav-lead', 'arrears-team'],
            reason: 'Ingen veileder har tatt henvisningen innen 3 virkedager etter at den kom 2026-11-26 (frist 2026-12-01).',
          },
        },
      ]);
  });

  it('what runs for the household runs on: the plan is still checked, income management still checked, assistance and the pause still hold', () => {
    const before = state(received, claimedByKari, planAgreed, incomeManagement, grant, paused);
    const after = state(received, claimedByKari, planAgreed, incomeManagement, grant, paused, transferred);
    expect(holdOf(after, '2026-11-30')).toEqual(holdOf(before, '2026-11-30'));
    expect(holdOf(after, '2026-11-30')).toEqual({ onItsWayOre: 928200, pausedUntil: '2026-12-04' });
    expect(after.followUps[0]).toMatchObject({ navOffice: 'nav-levanger', assignee: null, plans: [{ planId: 'plan-1', status: 'active' }], incomeManagement: { withdrawnOn: null } });
    given(received, claimedByKari, planAgreed, incomeManagement, transferred)
      .when((s) => checkIncomeManagement(s, CASE, { unpaidDueDates: ['2026-12-01'] }, '2026-12-10'))
      .then([{ type: 'nav.IncomeManagementRentChecked', data: { caseId: CASE, month: '2026-12', checkedOn: '2026-12-10', arrived: false, unpaidDueDates: ['2026-12-01'] } }]);
    given(received, claimedByKari, planAgreed, transferred)
      .when((s) => checkPaymentPlan(s, CASE, { overdueOre: 928200 }, '2026-12-07'))
      .then([
        {
          type: 'nav.PaymentPlanBreached',
          data: { caseId: CASE, planId: 'plan-1', breachNo: 1, detectedOn: '2026-12-07', instalmentNo: 1, instalmentDueOn: '2026-12-01', expectedOverdueOre: 464100, actualOverdueOre: 928200 },
        },
      ]);
  });

  it('moving on again before anyone claimed it: the wait at the second office is superseded in turn', () => {
    given(received, unclaimedTransferred)
      .when((s) => transferFollowUp(s, CASE, 'nav-verdal', '2026-11-30', policy))
      .then([
        {
          type: 'nav.FollowUpTransferred',
          data: {
            caseId: CASE,
            fromOffice: 'nav-levanger',
            toOffice: 'nav-verdal',
            transferredOn: '2026-11-30',
            previousAdviser: null,
            referralId: `${CASE}.transfer.2`,
            pickupDueOn: '2026-12-03',
            supersededReferrals: [`${CASE}.transfer.1`],
          },
        },
      ]);
  });
});
