import type { ObjectionEvent, ObjectionRegistered, ReservationEvent } from '@evp/warnings-contract';
import { ObjectionRuleError, evolveObjection, evolveReservations, initialObjection, initialReservations, objectionsOnRecord, registerObjection, withdrawObjection, type Objection, type Reservations } from './objection';

const given = (events: readonly ObjectionEvent[]) => {
  const state: Objection = events.reduce(evolveObjection, initialObjection());
  return {
    when: (decide: (o: Objection) => ObjectionEvent[]) => ({
      then: (expected: unknown[]) => expect(decide(state)).toEqual(expected),
      thenRefused: (code: string, reason: RegExp) => {
        expect(() => decide(state)).toThrow(ObjectionRuleError);
        expect(() => decide(state)).toThrow(reason);
        try {
          decide(state);
        } catch (error) {
          expect((error as ObjectionRuleError).code).toBe(code);
        }
      },
    }),
  };
};

const registered: ObjectionRegistered = {
  type: 'warnings.ObjectionRegistered',
  data: {
    objectionId: '9b2f0c1e-7a44-5d3b-8e21-6c5d4b3a2f10',
    municipalityNumber: '5035',
    personId: 'p11111111111111111111111111111111',
    matchKeys: ['p11111111111111111111111111111111', 'n11111111111111111111111111111111'],
    receivedOn: '2026-11-20',
    registeredOn: '2026-11-23',
    registeredBy: { role: 'nav-adviser', landlordId: null },
  },
};
const withdrawn: ObjectionEvent = { type: 'warnings.ObjectionWithdrawn', data: { objectionId: registered.data.objectionId, withdrawnOn: '2026-12-10', byRole: 'nav-adviser' } };

describe('the register of written objections', () => {
  it('registers an objection', () => {
    given([]).when((o) => registerObjection(o, registered.data)).then([registered]);
  });

  it('the same registration again changes nothing (even registered on another day)', () => {
    given([registered]).when((o) => registerObjection(o, { ...registered.data, registeredOn: '2026-11-24' })).then([]);
  });

  it('the same id with another content is a conflict', () => {
    given([registered]).when((o) => registerObjection(o, { ...registered.data, receivedOn: '2026-11-21' })).thenRefused('OBJECTION_CONFLICT', /annet innhold/);
  });

  it('a withdrawn objection is not revived under the same id', () => {
    given([registered, withdrawn]).when((o) => registerObjection(o, registered.data)).thenRefused('OBJECTION_WITHDRAWN', /trukket tilbake 2026-12-10/);
  });

  it('withdrawal: once, then nothing', () => {
    given([registered]).when((o) => withdrawObjection(o, { withdrawnOn: '2026-12-10', byRole: 'nav-adviser' })).then([withdrawn]);
    given([registered, withdrawn]).when((o) => withdrawObjection(o, { withdrawnOn: '2026-12-11', byRole: 'landlord' })).then([]);
  });

  it('withdrawing one that does not exist', () => {
    given([]).when((o) => withdrawObjection(o, { withdrawnOn: '2026-12-10', byRole: 'landlord' })).thenRefused('OBJECTION_NOT_FOUND', /Finnes ikke/);
  });
});

describe('matching the register against a warning’s tenants', () => {
  const stream = (events: ReservationEvent[]): Reservations => events.reduce(evolveReservations, initialReservations());
  const recorded = (objectionId: string): ReservationEvent => ({ type: 'warnings.ReservationRecorded', data: { objectionId } });
  const lifted = (objectionId: string): ReservationEvent => ({ type: 'warnings.ReservationLifted', data: { objectionId } });
  const checked: ReservationEvent = { type: 'warnings.ForwardingChecked', data: { warningId: 'w' } };
  const tenants = [
    { tenantRef: 't1', matchKeys: ['p1', 'n1'] },
    { tenantRef: 't2', matchKeys: ['n2'] },
  ];

  it('an objection registered with the identity number stops a warning that named the tenant by number', () => {
    expect(objectionsOnRecord(tenants, new Map([['p1', stream([recorded('o-1')])]]))).toEqual([{ objectionId: 'o-1', tenantRef: 't1' }]);
  });

  it('one registered with name and birth date stops a warning that knew the number too (the keys overlap)', () => {
    expect(objectionsOnRecord(tenants, new Map([['n1', stream([recorded('o-2'), checked])]]))).toEqual([{ objectionId: 'o-2', tenantRef: 't1' }]);
  });

  it('per tenant: a co-tenant’s objection names that co-tenant', () => {
    expect(objectionsOnRecord(tenants, new Map([['n2', stream([recorded('o-3')])]]))).toEqual([{ objectionId: 'o-3', tenantRef: 't2' }]);
  });

  it('a withdrawn objection no longer counts; another one on the same person still does', () => {
    expect(objectionsOnRecord(tenants, new Map([['p1', stream([recorded('o-1'), lifted('o-1')])]]))).toEqual([]);
    expect(objectionsOnRecord(tenants, new Map([['p1', stream([recorded('o-1'), recorded('o-4'), lifted('o-1')])]]))).toEqual([{ objectionId: 'o-4', tenantRef: 't1' }]);
  });

  it('an objection about someone else changes nothing', () => {
    expect(objectionsOnRecord(tenants, new Map([['p9', stream([recorded('o-9')])]]))).toEqual([]);
  });

  it('an objection found on two of a tenant’s keys counts once', () => {
    expect(objectionsOnRecord(tenants, new Map([['p1', stream([recorded('o-1')])], ['n1', stream([recorded('o-1')])]]))).toEqual([{ objectionId: 'o-1', tenantRef: 't1' }]);
  });
});
