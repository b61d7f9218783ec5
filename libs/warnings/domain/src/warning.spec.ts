import type { LocalDate } from '@evp/shared-kernel';
import type { WarningEvent, WarningSubmitted } from '@evp/warnings-contract';
import { DEFAULT_WARNING_DEADLINE_POLICY as policy } from './deadline-engine';
import {
  WarningRuleError,
  evolveWarning,
  forwardWarning,
  initialWarning,
  possibleSteps,
  reportStep,
  stopIfPaid,
  submitWarning,
  type ObjectionMatch,
  type ReportStep,
  type Warning,
} from './warning';

/**
 * Given (the warning's events, written out) → when (one decision) → then (the events it appends,
 * or the refusal with its reason). Nothing in `given` is produced by the code under test.
 */
const given = (events: readonly WarningEvent[]) => {
  const state: Warning = events.reduce(evolveWarning, initialWarning());
  return {
    state,
    when: (decide: (w: Warning) => WarningEvent[]) => ({
      then: (expected: unknown[]) => expect(decide(state)).toEqual(expected),
      thenRefused: (code: string, reason: string | RegExp, field: string | null = 'kind') => {
        try {
          decide(state);
        } catch (error) {
          expect(error).toBeInstanceOf(WarningRuleError);
          expect((error as WarningRuleError).code).toBe(code);
          expect((error as WarningRuleError).message).toMatch(reason);
          expect((error as WarningRuleError).field).toBe(field);
          return;
        }
        throw new Error('expected a refusal');
      },
    }),
  };
};

const WARNING = '3f1c2a9e-5b7d-5e21-9c3a-0d4e5f6a7b8c';

/** A private landlord's warning for two co-tenants of a private dwelling, unpaid rent, each with their own § 4-18 notice. */
const submitted: WarningSubmitted = {
  type: 'warnings.WarningSubmitted',
  data: {
    warningId: WARNING,
    landlordId: 'utleier-hansen',
    landlord: { kind: 'private-person', name: null, organisationNumber: null, personId: 'p0000000000000000000000000000000a' },
    municipalityNumber: '5035',
    dwelling: { address: 'Kirkeveien 4, 7500 Stjørdal', tenancyId: null },
    householdId: 'h3c9a1b2c3d4e5f6a7b8c9d0e',
    tenants: [
      { tenantRef: 't1', personId: 'p11111111111111111111111111111111', matchKeys: ['p11111111111111111111111111111111', 'n11111111111111111111111111111111'], identifiedBy: 'national-id', noticeSentOn: '2026-12-01' },
      { tenantRef: 't2', personId: 'p22222222222222222222222222222222', matchKeys: ['n22222222222222222222222222222222'], identifiedBy: 'name-and-birth-date', noticeSentOn: null },
    ],
    ground: 'unpaid-rent',
    arrearsOre: 1856400,
    arrearsMonths: ['2026-11', '2026-12'],
    plannedPetitionOn: '2026-12-16',
    declarations: { tenantGotCopy: true, noWrittenObjectionReceived: true },
    submittedOn: '2026-12-02',
    fingerprint: 'f1',
  },
};

const forwarded: WarningEvent = {
  type: 'warnings.WarningForwarded',
  data: {
    warningId: WARNING,
    forwardedOn: '2026-12-02',
    municipalityNumber: '5035',
    householdId: 'h3c9a1b2c3d4e5f6a7b8c9d0e',
    tenancyId: null,
    navOffice: 'nav-stjordal',
    ground: 'unpaid-rent',
    arrearsOre: 1856400,
    petitionOn: '2026-12-16',
    evictionOn: null,
    tenantPersonIds: ['p11111111111111111111111111111111', 'p22222222222222222222222222222222'],
    advice: [],
  },
};

const step = (stepId: string, s: ReportStep['step'], reportedOn: LocalDate, extra: Partial<{ passedToNav: boolean; withheldBecause: string[] }> = {}): WarningEvent => ({
  type: 'warnings.StepReported',
  data: { warningId: WARNING, stepId, reportedOn, step: s, municipalityNumber: '5035', householdId: 'h3c9a1b2c3d4e5f6a7b8c9d0e', passedToNav: true, withheldBecause: [], rulings: [], ...extra },
});

const report = (stepId: string, s: ReportStep['step'], today: LocalDate, objections: ObjectionMatch[] = []) => (w: Warning) => reportStep(w, { stepId, step: s, today, objections }, policy);

describe('submitting a warning', () => {
  it('is stored as received; forwarding is the workflow’s next step', () => {
    given([])
      .when((w) => submitWarning(w, submitted.data, []))
      .then([submitted]);
  });

  it('the same warning again (landlord, tenants, notice dates and content) changes nothing', () => {
    given([submitted])
      .when((w) => submitWarning(w, submitted.data, []))
      .then([]);
  });

  it('the same landlord, tenants and notice dates with other content is refused', () => {
    given([submitted])
      .when((w) => submitWarning(w, { ...submitted.data, arrearsOre: 1, fingerprint: 'f2' }, []))
      .thenRefused('CONFLICTING_RESUBMISSION', /Meld endringer på det eksisterende varselet/, null);
  });

  it('an objection already on record for a co-tenant: stored and, in the same write, not forwarded — the decision names the objection', () => {
    given([])
      .when((w) => submitWarning(w, submitted.data, [{ objectionId: 'o-7', tenantRef: 't2' }]))
      .then([
        submitted,
        {
          type: 'warnings.WarningNotForwarded',
          data: {
            warningId: WARNING,
            decidedOn: '2026-12-02',
            basis: 'objection-on-record',
            objectionIds: ['o-7'],
            tenantRefs: ['t2'],
            explanation: 'Varselet er lagret, men blir ikke sendt til NAV: leietaker 2 har reservert seg skriftlig mot slike varsler (husleieloven § 9-11). Et varsel sendes aldri videre mens en reservasjon står.',
          },
        },
      ]);
  });

  it('the landlord declares that a written objection was received: stored, never forwarded', () => {
    const declared = { ...submitted.data, declarations: { tenantGotCopy: true, noWrittenObjectionReceived: false } };
    given([])
      .when((w) => submitWarning(w, declared, []))
      .then([
        { type: 'warnings.WarningSubmitted', data: declared },
        {
          type: 'warnings.WarningNotForwarded',
          data: {
            warningId: WARNING,
            decidedOn: '2026-12-02',
            basis: 'landlord-declared-objection',
            objectionIds: [],
            tenantRefs: ['t1', 't2'],
            explanation: 'Varselet er lagret, men blir ikke sendt til NAV: du har oppgitt at leietakeren har reservert seg skriftlig mot slike varsler (husleieloven § 9-11).',
          },
        },
      ]);
  });
});

describe('forwarding a received warning', () => {
  it('goes to the NAV office with advice: a petition planned inside the two-week lead, and a co-tenant without a notice of their own', () => {
    given([submitted])
      .when((w) => forwardWarning(w, [], 'nav-stjordal', '2026-12-02', policy))
      .then([
        {
          type: 'warnings.WarningForwarded',
          data: {
            ...forwarded.data,
            advice: [
              // t1: notice 1 December → legal 15 December; the 16th is before the careful date (Monday 21 December, policy).
              expect.objectContaining({ rule: 'petitionCareful', date: '2026-12-21', kind: 'policy', tenantRef: 't1' }),
              expect.objectContaining({ rule: 'noticePerTenant', kind: 'advice', tenantRef: 't2' }),
              // NAV notified 2 December: two weeks on is the 16th, so the planned day itself is fine.
            ],
          },
        },
      ]);
  });

  it('advises on the lead when the petition is planned within two weeks of the NAV notice', () => {
    const w = given([{ ...submitted, data: { ...submitted.data, plannedPetitionOn: '2026-12-15' } }]).state;
    const [event] = forwardWarning(w, [], 'nav-stjordal', '2026-12-02', policy);
    expect((event?.data as unknown as { advice: Array<{ rule: string; date: string }> }).advice.map((a) => [a.rule, a.date])).toEqual([
      ['petitionCareful', '2026-12-21'],
      ['noticePerTenant', '2026-12-15'],
      ['leadAfterNavNotice', '2026-12-16'],
    ]);
  });

  it('an objection registered after the warning came in but before it was forwarded: not forwarded, naming the objection', () => {
    given([submitted])
      .when((w) => forwardWarning(w, [{ objectionId: 'o-9', tenantRef: 't1' }], 'nav-stjordal', '2026-12-03', policy))
      .then([
        {
          type: 'warnings.WarningNotForwarded',
          data: expect.objectContaining({ warningId: WARNING, decidedOn: '2026-12-03', basis: 'objection-on-record', objectionIds: ['o-9'], tenantRefs: ['t1'] }),
        },
      ]);
  });

  it.each([
    ['already forwarded', [submitted, forwarded]],
    ['already not forwarded', [submitted, { type: 'warnings.WarningNotForwarded', data: { warningId: WARNING, decidedOn: '2026-12-02', basis: 'objection-on-record', objectionIds: ['o-7'], tenantRefs: ['t2'], explanation: '…' } }]],
    ['withdrawn before it was forwarded', [submitted, step('s-1', { kind: 'withdrawn', withdrawnOn: '2026-12-02' }, '2026-12-02', { passedToNav: false })]],
  ] as Array<[string, WarningEvent[]]>)('%s: nothing to do (a repeated or late command is harmless)', (_what, events) => {
    given(events)
      .when((w) => forwardWarning(w, [], 'nav-stjordal', '2026-12-04', policy))
      .then([]);
  });

  it('a warning that does not exist: nothing', () => {
    given([])
      .when((w) => forwardWarning(w, [], 'nav-stjordal', '2026-12-04', policy))
      .then([]);
  });
});

describe('the landlord reports the next step', () => {
  const filed = step('s-petition', { kind: 'petition-filed', filedOn: '2026-12-21' }, '2026-12-21');
  const dateSet = step('s-date', { kind: 'eviction-date-set', evictionOn: '2027-02-10' }, '2027-01-20');

  it('petition filed: goes on to NAV’s case, with advice (the co-tenant still has no notice of their own)', () => {
    given([submitted, forwarded])
      .when(report('s-petition', { kind: 'petition-filed', filedOn: '2026-12-21' }, '2026-12-21'))
      .then([
        {
          type: 'warnings.StepReported',
          data: {
            warningId: WARNING,
            stepId: 's-petition',
            reportedOn: '2026-12-21',
            step: { kind: 'petition-filed', filedOn: '2026-12-21' },
            municipalityNumber: '5035',
            householdId: 'h3c9a1b2c3d4e5f6a7b8c9d0e',
            passedToNav: true,
            withheldBecause: [],
            rulings: [expect.objectContaining({ rule: 'noticePerTenant', tenantRef: 't2' })],
          },
        },
      ]);
  });

  it('a petition filed before the legal date (§ 4-18: two weeks after the notice was sent) is advised on, never refused', () => {
    const [event] = reportStep(given([submitted, forwarded]).state, { stepId: 's', step: { kind: 'petition-filed', filedOn: '2026-12-10' }, today: '2026-12-10', objections: [] }, policy);
    expect((event?.data as unknown as { rulings: Array<{ rule: string; date: string; tenantRef?: string }> }).rulings.map((r) => [r.rule, r.date, r.tenantRef])).toEqual([
      ['petitionLegal', '2026-12-15', 't1'],
      ['noticePerTenant', '2026-12-10', 't2'],
      ['leadAfterNavNotice', '2026-12-16', undefined],
    ]);
  });

  it('the namsmann’s letter received: the tenant’s objection period (§ 13-6) runs 14 days, a last day on a holiday moves on', () => {
    const [event] = reportStep(given([submitted, forwarded, filed]).state, { stepId: 's-letter', step: { kind: 'namsmann-letter-received', receivedOn: '2027-05-03' }, today: '2027-05-04', objections: [] }, policy);
    expect((event?.data as unknown as { rulings: unknown[] }).rulings).toEqual([expect.objectContaining({ rule: 'objectionToNamsmann', date: '2027-05-18', basis: 'tvangsfullbyrdelsesloven § 13-6, domstolloven § 149' })]);
  });

  it('eviction carried out: closes the warning; belongings may be fetched for 14 days (§ 13-11)', () => {
    const events = reportStep(given([submitted, forwarded, filed, dateSet]).state, { stepId: 's-out', step: { kind: 'eviction-carried-out', evictedOn: '2027-02-10' }, today: '2027-02-10', objections: [] }, policy);
    expect((events[0]?.data as unknown as { rulings: unknown[] }).rulings).toEqual([expect.objectContaining({ rule: 'belongings', date: '2027-02-24' })]);
    const after = events.reduce(evolveWarning, given([submitted, forwarded, filed, dateSet]).state);
    expect([after.status, after.closure, after.stage]).toEqual(['closed', { reason: 'evicted', on: '2027-02-10' }, 'evicted']);
  });

  it('postponed by the landlord: a new, later date', () => {
    given([submitted, forwarded, filed, dateSet])
      .when(report('s-later', { kind: 'eviction-postponed', evictionOn: '2027-03-01' }, '2027-02-01'))
      .then([
        {
          type: 'warnings.StepReported',
          data: {
            warningId: WARNING,
            stepId: 's-later',
            reportedOn: '2027-02-01',
            step: { kind: 'eviction-postponed', evictionOn: '2027-03-01' },
            municipalityNumber: '5035',
            householdId: 'h3c9a1b2c3d4e5f6a7b8c9d0e',
            passedToNav: true,
            withheldBecause: [],
            rulings: [expect.objectContaining({ rule: 'evictionDate', date: '2027-03-01', basis: 'tvangsfullbyrdelsesloven § 13-12' })],
          },
        },
      ]);
  });

  it('postponed to a date that is not later: refused as invalid, naming the field', () => {
    given([submitted, forwarded, filed, dateSet])
      .when(report('s-earlier', { kind: 'eviction-postponed', evictionOn: '2027-02-01' }, '2027-01-25'))
      .thenRefused('STEP_INVALID', 'må være etter dagens fastsatte dato 2027-02-10', 'evictionOn');
  });

  it.each([
    ['an eviction date before any petition', [submitted, forwarded], { kind: 'eviction-date-set', evictionOn: '2027-02-10' }, /først etter at begjæringen er sendt/],
    ['a postponement with no date set', [submitted, forwarded, filed], { kind: 'eviction-postponed', evictionOn: '2027-03-01' }, /ingen fastsatt dato/],
    ['an eviction carried out without a date', [submitted, forwarded, filed], { kind: 'eviction-carried-out', evictedOn: '2026-12-22' }, /fastsatt; meld datoen først/],
    ['the namsmann’s letter before the petition', [submitted, forwarded], { kind: 'namsmann-letter-received', receivedOn: null }, /meld «begjæring sendt» først/],
    ['an objection to the namsmann before the petition', [submitted, forwarded], { kind: 'tenant-objected-to-namsmann', objectedOn: '2026-12-20' }, /§ 13-6/],
    ['a second petition with another date', [submitted, forwarded, filed], { kind: 'petition-filed', filedOn: '2026-12-22' }, /allerede meldt sendt 2026-12-21/],
    ['a notice after the petition', [submitted, forwarded, filed], { kind: 'notice-sent', tenantRef: 't2', sentOn: '2026-12-22' }, /skal være sendt før begjæringen/],
  ] as Array<[string, WarningEvent[], ReportStep['step'], RegExp]>)('%s cannot follow the current state: refused with the reason', (_what, events, s, reason) => {
    given(events).when(report('s-x', s, '2026-12-23')).thenRefused('STEP_REFUSED', reason);
  });

  it('«cancelled because paid» on a lease that expired: refused, payment stops only unpaid rent (§ 13-2 (3)(a))', () => {
    const expired = { ...submitted, data: { ...submitted.data, ground: 'lease-expired' as const } };
    given([expired, forwarded])
      .when(report('s-paid', { kind: 'cancelled-paid', paidOn: '2026-12-10' }, '2026-12-10'))
      .thenRefused('STEP_REFUSED', /Betaling stanser bare en fravikelse som gjelder ubetalt husleie/);
  });

  it('after the eviction was carried out nothing more can be reported — paying after the lock change does not stop it', () => {
    const out = step('s-out', { kind: 'eviction-carried-out', evictedOn: '2027-02-10' }, '2027-02-10');
    given([submitted, forwarded, filed, dateSet, out])
      .when(report('s-paid', { kind: 'cancelled-paid', paidOn: '2027-02-11' }, '2027-02-11'))
      .thenRefused('STEP_REFUSED', 'Varselet er avsluttet etter at fravikelsen ble gjennomført (2027-02-10); ingen flere steg kan meldes.');
  });

  it('a fact dated in the future is invalid', () => {
    given([submitted, forwarded])
      .when(report('s-f', { kind: 'petition-filed', filedOn: '2026-12-30' }, '2026-12-21'))
      .thenRefused('STEP_INVALID', 'kan ikke være frem i tid', 'filedOn');
  });

  it('the same step again (same id, or the same fact) changes nothing', () => {
    given([submitted, forwarded, filed])
      .when(report('s-petition', { kind: 'petition-filed', filedOn: '2026-12-21' }, '2026-12-22'))
      .then([]);
    given([submitted, forwarded, filed])
      .when(report('another-key', { kind: 'petition-filed', filedOn: '2026-12-21' }, '2026-12-22'))
      .then([]);
  });

  it('a step on a warning with an objection on record now is recorded but never passed to NAV, naming the objection', () => {
    given([submitted, forwarded])
      .when(report('s-petition', { kind: 'petition-filed', filedOn: '2026-12-21' }, '2026-12-21', [{ objectionId: 'o-late', tenantRef: 't1' }]))
      .then([expect.objectContaining({ data: expect.objectContaining({ passedToNav: false, withheldBecause: ['o-late'] }) })]);
  });

  it('a step on a warning that was never forwarded stays with the landlord', () => {
    given([submitted])
      .when(report('s-petition', { kind: 'petition-filed', filedOn: '2026-12-21' }, '2026-12-21'))
      .then([expect.objectContaining({ data: expect.objectContaining({ passedToNav: false, withheldBecause: [] }) })]);
  });

  it('a co-tenant’s own notice, sent after the warning: the legal and careful dates for that tenant', () => {
    const [event] = reportStep(given([submitted, forwarded]).state, { stepId: 's-n', step: { kind: 'notice-sent', tenantRef: 't2', sentOn: '2026-12-04' }, today: '2026-12-04', objections: [] }, policy);
    expect((event?.data as unknown as { rulings: Array<{ rule: string; date: string; tenantRef: string }> }).rulings.map((r) => [r.rule, r.date, r.tenantRef])).toEqual([
      ['petitionLegal', '2026-12-18', 't2'],
      // Receipt assumed Wednesday 9 December; the first day after the 14 is Christmas Eve, a working day.
      ['petitionCareful', '2026-12-24', 't2'],
    ]);
  });

  it('a notice for a tenant the warning does not name is invalid', () => {
    given([submitted, forwarded])
      .when(report('s-n', { kind: 'notice-sent', tenantRef: 't3', sentOn: '2026-12-04' }, '2026-12-04'))
      .thenRefused('STEP_INVALID', 'er ikke en av leietakerne i varselet', 'tenantRef');
  });

  it('offers the steps that can follow now', () => {
    expect(possibleSteps(given([submitted, forwarded]).state)).toEqual(['notice-sent', 'petition-filed', 'cancelled-paid', 'withdrawn']);
    expect(possibleSteps(given([submitted, forwarded, filed, dateSet]).state)).toEqual(['eviction-postponed', 'eviction-carried-out', 'cancelled-paid', 'withdrawn']);
  });
});

describe('a payment that clears the arrears before the lock change (§ 13-2 (3)(a))', () => {
  const municipal: WarningSubmitted = {
    type: 'warnings.WarningSubmitted',
    data: {
      ...submitted.data,
      landlordId: 'enhet-bygg',
      landlord: { kind: 'municipal', name: 'Stjørdal kommune, Eiendom', organisationNumber: null, personId: null },
      dwelling: { address: 'Kjøpmannsgata 12', tenancyId: '100235' },
      householdId: '100235',
    },
  };
  const stopped = {
    type: 'warnings.EvictionStoppedByPayment',
    data: {
      warningId: WARNING,
      stoppedOn: '2027-01-05',
      municipalityNumber: '5035',
      householdId: '100235',
      tenancyId: '100235',
      ledgerRevision: 7,
      asOf: '2027-01-05',
      basis: 'tvangsfullbyrdelsesloven § 13-2 tredje ledd bokstav a',
      explanation: 'Hele beløpet (restanse, husleie forfalt siden, renter og kostnader beregnet 2027-01-05) er betalt før låsen ble skiftet.',
    },
  };

  it('nothing owed any more: the eviction for unpaid rent stops and the warning closes', () => {
    given([municipal, forwarded])
      .when((w) => stopIfPaid(w, { overdueOre: 0, asOf: '2027-01-05', revision: 7 }, '2027-01-05'))
      .then([stopped]);
    const after = given([municipal, forwarded, stopped as WarningEvent]).state;
    expect([after.status, after.closure]).toEqual(['closed', { reason: 'stopped-by-payment', on: '2027-01-05' }]);
  });

  it('something still owed: nothing', () => {
    given([municipal, forwarded])
      .when((w) => stopIfPaid(w, { overdueOre: 100, asOf: '2027-01-05', revision: 7 }, '2027-01-05'))
      .then([]);
  });

  it('an expired lease is not stopped by paying', () => {
    given([{ ...municipal, data: { ...municipal.data, ground: 'lease-expired' } }, forwarded])
      .when((w) => stopIfPaid(w, { overdueOre: 0, asOf: '2027-01-05', revision: 7 }, '2027-01-05'))
      .then([]);
  });

  it('after the lock was changed, paying does not stop it', () => {
    const filed = step('s-p', { kind: 'petition-filed', filedOn: '2026-12-21' }, '2026-12-21');
    const dateSet = step('s-d', { kind: 'eviction-date-set', evictionOn: '2027-02-10' }, '2027-01-20');
    const out = step('s-o', { kind: 'eviction-carried-out', evictedOn: '2027-02-10' }, '2027-02-10');
    given([municipal, forwarded, filed, dateSet, out])
      .when((w) => stopIfPaid(w, { overdueOre: 0, asOf: '2027-02-11', revision: 9 }, '2027-02-11'))
      .then([]);
  });

  it('a private dwelling has no ledger account: the landlord reports «cancelled because paid» instead', () => {
    given([submitted, forwarded])
      .when((w) => stopIfPaid(w, { overdueOre: 0, asOf: '2027-01-05', revision: 7 }, '2027-01-05'))
      .then([]);
  });
});
