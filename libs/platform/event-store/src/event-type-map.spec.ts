import type { RecordedEvent } from './port';
import { EventTypeMap, UnknownEventTypeError } from './event-type-map';
import { StoredEvent } from './stored-event';

class RentCharged extends StoredEvent<{ amountOre: number; dueDate: string }> {}
class SomethingElse extends StoredEvent {}

const recorded = (type: string, data: object, schemaVersion = 1): RecordedEvent => ({
  id: '00000000-0000-4000-8000-000000000001',
  type,
  data: data as RecordedEvent['data'],
  metadata: { correlationId: 'c', causationId: null, actor: { id: 'a', role: 'accounting' }, occurredAt: '2026-11-26T00:00:00Z', schemaVersion },
  streamName: 'tenancy-5035-1',
  revision: 3,
  position: '17',
  recordedAt: '2026-11-26T00:00:00Z',
});

describe('EventTypeMap', () => {
  // Version 1 stored kroner as a number; version 2 stores whole øre and renames the due date.
  const map = new EventTypeMap().register('ledger.ChargePosted', RentCharged, {
    schemaVersion: 2,
    upcasters: { 1: (d) => ({ amountOre: Math.round(Number(d['amountKr']) * 100), dueDate: d['due'] as string }) },
  });

  it('maps stable type names to classes and back, never by class name', () => {
    expect(map.typeNameOf(RentCharged)).toBe('ledger.ChargePosted');
    expect(() => map.typeNameOf(SomethingElse)).toThrow(UnknownEventTypeError);
  });

  it('rehydrates a stored event into an instance of its class, upcasting old versions on read', () => {
    const event = map.rehydrate<RentCharged>(recorded('ledger.ChargePosted', { amountKr: 9282, due: '2026-12-01' }, 1));
    expect(event).toBeInstanceOf(RentCharged);
    expect(event.data).toEqual({ amountOre: 928200, dueDate: '2026-12-01' });
    expect(event.context).toMatchObject({ streamName: 'tenancy-5035-1', revision: 3, position: '17' });
    expect(map.rehydrate<RentCharged>(recorded('ledger.ChargePosted', { amountOre: 1, dueDate: '2026-12-01' }, 2)).data.amountOre).toBe(1);
  });

  it('refuses unknown types, newer versions than the code knows, and a version without an upcaster', () => {
    expect(() => map.rehydrate(recorded('ledger.Unknown', {}))).toThrow(UnknownEventTypeError);
    expect(() => map.rehydrate(recorded('ledger.ChargePosted', {}, 3))).toThrow(/newer/);
    expect(() => new EventTypeMap().register('x.Y', SomethingElse, { schemaVersion: 2 })).toThrow(/no upcaster from version 1/);
    expect(() => map.register('ledger.Other', RentCharged)).toThrow(/already mapped/);
  });
});
