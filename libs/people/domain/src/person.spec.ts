import { syntheticNationalIds } from '@evp/shared-kernel';
import { addYears, archiveObligation, decideErasure, decideLiftRestriction, decideRecording, decideRestriction, evolvePerson, initialPerson, maskNationalId, PeopleRuleError, type DatedEvent, type PeopleEvent, type Person } from './index';

/**
 * The erasure and restriction decisions and the archive rule, each as given (literal events) /
 * when (a command, today) / then (the events decided, or the refusal).
 */
const P = 'p0123456789abcdef0123456789abcdef';
const OTHER = 'pfedcba9876543210fedcba9876543210';
const recorded: PeopleEvent = { type: 'people.PersonRecorded', data: { personId: P, keyId: 'k1', encrypted: { iv: 'aXY=', tag: 'dGFn', data: 'ZGF0YQ==' } } };
const linked: PeopleEvent = { type: 'people.PersonLinkedToTenancy', data: { personId: P, municipalityNumber: '5035', tenancyId: '100234' } };
const erased: PeopleEvent = { type: 'people.PersonErased', data: { personId: P, reason: 'no-longer-necessary', erasedOn: '2026-12-01' } };
const restricted: PeopleEvent = { type: 'people.PersonRestricted', data: { personId: P, basis: 'archive-obligation' } };

const given = (...events: PeopleEvent[]): Person => events.reduce(evolvePerson, initialPerson());

/** The rule code a decision refuses with. */
function refusal(decide: () => unknown): string {
  try {
    decide();
  } catch (error) {
    expect(error).toBeInstanceOf(PeopleRuleError);
    return (error as PeopleRuleError).code;
  }
  throw new Error('not refused');
}

const details = (tenantPersonIds: string[]) => ({ address: 'Kirkegata 1', monthlyRentOre: 928200, landlordKind: 'municipal', navOffice: 'nav-stjordal', tenantPersonIds });
const registered = (at: string, tenants: string[]): DatedEvent => ({ type: 'ledger.TenancyRegistered', occurredAt: at, data: { municipalityNumber: '5035', tenancyId: '100234', ...details(tenants) } });
const tenantsChanged = (at: string, tenants: string[]): DatedEvent => ({ type: 'ledger.TenancyDetailsChanged', occurredAt: at, data: details(tenants) });
const charge: DatedEvent = { type: 'ledger.ChargePosted', occurredAt: '2026-10-15T08:00:00.000Z', data: { voucherRef: 'F1', date: '2026-10-15', dueDate: '2026-11-02', period: '2026-11', amountOre: 928200 } };
const opened = (at: string): DatedEvent => ({ type: 'cases.CaseOpened', occurredAt: at, data: { caseId: '5035-100234-1', caseNo: 1, municipalityNumber: '5035', tenancyId: '100234', navOffice: 'nav-stjordal', openedOn: at.slice(0, 10) } });
const escalated = (at: string): DatedEvent => ({ type: 'cases.CaseEscalatedToArrearsTeam', occurredAt: at, data: { caseId: '5035-100234-1', escalatedOn: at.slice(0, 10), reasons: [] } });
const resolved = (at: string): DatedEvent => ({ type: 'cases.CaseResolved', occurredAt: at, data: { caseId: '5035-100234-1', resolvedOn: at.slice(0, 10), outcome: 'paid', explanation: 'Betalt' } });
const tenancy = (tenancyEvents: DatedEvent[], caseEvents: DatedEvent[]) => [{ municipalityNumber: '5035', tenancyId: '100234', tenancyEvents, caseEvents }];
const policy = { caseRetentionYears: 10 };

describe('a person folded from their stream', () => {
  it('is unknown with an empty stream, active once recorded or linked, and holds no value in clear', () => {
    expect(given().status).toBeUndefined();
    const person = given(recorded, linked, linked);
    expect(person).toEqual({ status: 'active', restriction: null, record: { keyId: 'k1', encrypted: recorded.data.encrypted }, tenancies: [{ municipalityNumber: '5035', tenancyId: '100234' }], households: [] });
  });

  it('forgets the record on erasure, keeps a restriction over new records, and becomes active again when recorded after an erasure', () => {
    expect(given(recorded, erased)).toMatchObject({ status: 'erased', record: null });
    expect(given(recorded, restricted, recorded)).toMatchObject({ status: 'restricted', restriction: 'archive-obligation' });
    expect(given(recorded, erased, recorded)).toMatchObject({ status: 'active', record: { keyId: 'k1' } });
    expect(given(recorded, erased, restricted).status).toBe('erased');
  });
});

describe('recording a tenant', () => {
  it('given a new person, when registered on a tenancy, then the ciphertext and the link', () => {
    expect(decideRecording(given(), { personId: P, record: recorded.data as never, tenancies: [{ municipalityNumber: '5035', tenancyId: '100234' }] })).toEqual([recorded, linked]);
  });

  it('given the same data and link, when registered again, then nothing', () => {
    expect(decideRecording(given(recorded, linked), { personId: P, record: null, tenancies: [{ municipalityNumber: '5035', tenancyId: '100234' }] })).toEqual([]);
  });

  it('given a linked person, when registered on a second tenancy twice in one file, then one new link', () => {
    const events = decideRecording(given(recorded, linked), {
      personId: P,
      record: null,
      tenancies: [
        { municipalityNumber: '5035', tenancyId: '200100' },
        { municipalityNumber: '5035', tenancyId: '200100' },
      ],
    });
    expect(events).toEqual([{ type: 'people.PersonLinkedToTenancy', data: { personId: P, municipalityNumber: '5035', tenancyId: '200100' } }]);
  });
});

describe('erasure', () => {
  const erase = (person: Person, obligation?: ReturnType<typeof archiveObligation>) => decideErasure(person, { personId: P, reason: 'no-longer-necessary', today: '2026-12-01', obligation });

  it('given a recorded person without an archive obligation, when erased, then PersonErased with the reason and the day, and nothing personal', () => {
    expect(erase(given(recorded, linked))).toEqual({ events: [erased], result: { outcome: 'erased' } });
  });

  it('given an erased person, when erased again, then nothing (idempotent)', () => {
    expect(erase(given(recorded, linked, erased))).toEqual({ events: [], result: { outcome: 'already-erased' } });
  });

  it('given an archive obligation, when erased, then refused and restricted instead; a second attempt restricts nothing more', () => {
    const obligation = { caseId: '5035-100234-1', caseStatus: 'active' as const, keepUntil: null, reason: 'arkivplikt' };
    expect(erase(given(recorded, linked), obligation)).toEqual({ events: [restricted], result: { outcome: 'restricted', obligation } });
    expect(erase(given(recorded, linked, restricted), obligation)).toEqual({ events: [], result: { outcome: 'restricted', obligation } });
  });

  it('given a restricted person whose obligation has ended, when erased, then erased', () => {
    expect(erase(given(recorded, linked, restricted)).events).toEqual([erased]);
  });

  it('given no stream, when erased, then not found', () => {
    expect(refusal(() => erase(given()))).toBe('PERSON_NOT_FOUND');
  });
});

describe('restriction', () => {
  const restrict = (person: Person) => decideRestriction(person, { personId: P, basis: 'accuracy-contested' });

  it('given an active person, when restricted, then PersonRestricted with the basis', () => {
    expect(restrict(given(recorded, linked))).toEqual([{ type: 'people.PersonRestricted', data: { personId: P, basis: 'accuracy-contested' } }]);
  });

  it('given a restricted person, when restricted again, then nothing (idempotent)', () => {
    expect(restrict(given(recorded, linked, restricted))).toEqual([]);
  });

  it('given an erased person, when restricted, then refused: nothing is left to restrict', () => {
    expect(refusal(() => restrict(given(recorded, erased)))).toBe('PERSON_ERASED');
    expect(refusal(() => restrict(given()))).toBe('PERSON_NOT_FOUND');
  });
});

describe('lifting a restriction (GDPR art. 18 (3))', () => {
  const onRequest: PeopleEvent = { type: 'people.PersonRestricted', data: { personId: P, basis: 'accuracy-contested' } };
  const lift = (person: Person, subjectInformedOn = '2026-12-01') => decideLiftRestriction(person, { personId: P, today: '2026-12-02', subjectInformedOn, reason: 'accuracy-verified' });
  const lifted: PeopleEvent = { type: 'people.RestrictionLifted', data: { personId: P, basis: 'accuracy-contested', liftedOn: '2026-12-02', subjectInformedOn: '2026-12-01', reason: 'accuracy-verified' } };

  it('given a person restricted on request, told the day before, when lifted, then RestrictionLifted with the basis and both dates; the person is active again', () => {
    expect(lift(given(recorded, linked, onRequest))).toEqual([lifted]);
    expect(given(recorded, linked, onRequest, lifted)).toMatchObject({ status: 'active', restriction: null });
  });

  it('given a person told the same day, when lifted, then lifted; told only tomorrow, then refused', () => {
    expect(lift(given(recorded, onRequest), '2026-12-02')).toHaveLength(1);
    expect(refusal(() => lift(given(recorded, onRequest), '2026-12-03'))).toBe('SUBJECT_NOT_INFORMED');
  });

  it('given a restriction that stands in for a refused erasure, when lifted, then refused (archive obligation)', () => {
    expect(refusal(() => lift(given(recorded, linked, restricted)))).toBe('ARCHIVE_OBLIGATION');
  });

  it('given a person not restricted, or lifted already, when lifted, then nothing (idempotent)', () => {
    expect(lift(given(recorded, linked))).toEqual([]);
    expect(lift(given(recorded, linked, onRequest, lifted))).toEqual([]);
  });

  it('given an erased person or none, when lifted, then refused', () => {
    expect(refusal(() => lift(given(recorded, erased)))).toBe('PERSON_ERASED');
    expect(refusal(() => lift(given()))).toBe('PERSON_NOT_FOUND');
  });

  it('given a lifted restriction, when restricted again, then restricted again', () => {
    expect(decideRestriction(given(recorded, onRequest, lifted), { personId: P, basis: 'legal-claims' })).toEqual([{ type: 'people.PersonRestricted', data: { personId: P, basis: 'legal-claims' } }]);
  });
});

describe('the archive obligation (arkivlova §§ 6 and 9, retention by configuration)', () => {
  const registeredWithP = registered('2026-10-01T08:00:00.000Z', [P]);

  it('given a tenant of a tenancy whose case is open, then an obligation naming the case, the law and that the data is restricted', () => {
    const obligation = archiveObligation(P, tenancy([registeredWithP, charge], [opened('2026-11-06T09:00:00.000Z')]), '2026-12-01', policy);
    expect(obligation).toMatchObject({ caseId: '5035-100234-1', caseStatus: 'active', keepUntil: null });
    expect(obligation?.reason).toContain('leieforhold 5035-100234');
    expect(obligation?.reason).toContain('arkivlova');
    expect(obligation?.reason).toContain('skjermet');
  });

  it('given an escalated case, then an obligation', () => {
    expect(archiveObligation(P, tenancy([registeredWithP], [opened('2026-11-06T09:00:00.000Z'), escalated('2026-11-16T07:00:00.000Z')]), '2026-12-01', policy)?.caseStatus).toBe('active');
  });

  it('given a case resolved less than the retention period ago, then an obligation until the same day ten years on', () => {
    const caseEvents = [opened('2026-11-06T09:00:00.000Z'), resolved('2026-11-16T09:00:00.000Z')];
    expect(archiveObligation(P, tenancy([registeredWithP], caseEvents), '2036-11-15', policy)).toMatchObject({ caseStatus: 'resolved', keepUntil: '2036-11-16' });
    expect(archiveObligation(P, tenancy([registeredWithP], caseEvents), '2036-11-16', policy)).toBeUndefined();
    expect(archiveObligation(P, tenancy([registeredWithP], caseEvents), '2027-01-01', { caseRetentionYears: 0 })).toBeUndefined();
  });

  it('given a tenancy without cases, or another person\'s tenancy, then none', () => {
    expect(archiveObligation(P, tenancy([registeredWithP, charge], []), '2026-12-01', policy)).toBeUndefined();
    expect(archiveObligation(OTHER, tenancy([registeredWithP], [opened('2026-11-06T09:00:00.000Z')]), '2026-12-01', policy)).toBeUndefined();
  });

  it('given a tenant who moved out before the case opened, then none; one who moved in while it ran, then one', () => {
    const movedOut = [registeredWithP, tenantsChanged('2026-11-01T08:00:00.000Z', [OTHER])];
    expect(archiveObligation(P, tenancy(movedOut, [opened('2026-11-06T09:00:00.000Z')]), '2026-12-01', policy)).toBeUndefined();
    const movedIn = [registered('2026-10-01T08:00:00.000Z', [OTHER]), tenantsChanged('2026-11-10T08:00:00.000Z', [OTHER, P])];
    expect(archiveObligation(P, tenancy(movedIn, [opened('2026-11-06T09:00:00.000Z')]), '2026-12-01', policy)).toBeDefined();
  });

  it('given a resolved case and an open one, then the open one is named', () => {
    const caseEvents = [opened('2026-01-06T09:00:00.000Z'), resolved('2026-02-01T09:00:00.000Z'), { ...opened('2026-11-06T09:00:00.000Z'), data: { caseId: '5035-100234-2' } }];
    expect(archiveObligation(P, tenancy([registered('2025-10-01T08:00:00.000Z', [P])], caseEvents), '2026-12-01', policy)).toMatchObject({ caseId: '5035-100234-2', caseStatus: 'active' });
  });

  it('counts years by the calendar, 29 February included', () => {
    expect(addYears('2026-11-16', 10)).toBe('2036-11-16');
    expect(addYears('2028-02-29', 1)).toBe('2029-02-28');
    expect(addYears('2028-02-29', 4)).toBe('2032-02-29');
  });
});

it('masks an identity number to the date of birth', () => {
  const [nationalId] = syntheticNationalIds(1, 11) as [string];
  expect(maskNationalId(nationalId)).toBe(`${nationalId.slice(0, 6)}*****`);
  expect(maskNationalId(nationalId)).not.toContain(nationalId.slice(6));
});

describe('a person a § 9-11 warning names', () => {
  const household = { municipalityNumber: '5035', householdId: 'h0123456789abcdef01234567', warningId: 'w1', role: 'tenant' as const };

  it('is linked to the warning’s household once, and that municipality’s admins answer for them', () => {
    const events = decideRecording(initialPerson(), { personId: P, record: null, tenancies: [], households: [household, household] });
    expect(events).toEqual([{ type: 'people.PersonLinkedToHousehold', data: { personId: P, ...household } }]);
    const person = given(...events);
    expect(person).toMatchObject({ status: 'active', households: [household] });
    expect(decideRecording(person, { personId: P, record: null, tenancies: [], households: [household] })).toEqual([]);
  });

  it('may not be erased while the household’s case runs, even without a tenant list (a private lease)', () => {
    const facts = [{ municipalityNumber: '5035', tenancyId: household.householdId, tenancyEvents: [], caseEvents: [opened('2026-11-01T08:00:00.000Z')], namedInWarning: true }];
    expect(archiveObligation(P, facts, '2026-12-01', policy)).toMatchObject({ caseStatus: 'active' });
    // Without the warning's link and with no tenant list, nothing ties the person to the case.
    expect(archiveObligation(P, [{ ...facts[0], namedInWarning: false }] as never, '2026-12-01', policy)).toBeUndefined();
  });
});
