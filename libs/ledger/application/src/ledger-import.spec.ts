import { EventStoreDbEventStore, EventTypeMap, type EventStore } from '@evp/event-store';
import { InMemoryEsdbClient } from '@evp/event-store/testing';
import type { PeopleRecords } from '@evp/people-contract';
import { registerLedgerEventTypes } from './event-classes';
import { LedgerService } from './ledger.service';
import type { PostingLine } from './postings-input';

/**
 * A posting file on the EventStoreDB adapter (here over the in-memory model of the server the
 * adapter's own contract suite runs against): EventStoreDB appends atomically only within one
 * stream, so the file goes in as one import stream and fans out idempotently.
 */
const noPeople = {} as PeopleRecords; // postings record no people
const ctx = { actor: { id: 'a_accounting', role: 'accounting' }, correlationId: 'import-test', now: new Date('2026-11-02T09:00:00Z'), municipalities: ['5035'] };
const tenancies = ['100234', '100235', '100236'];
const lines: PostingLine[] = tenancies.map((tenancyId, i) => ({
  line: i + 2,
  municipalityNumber: '5035',
  tenancyId,
  posting: { kind: 'charge', voucherRef: `F-2026-11-${tenancyId}`, date: '2026-10-15', dueDate: '2026-11-02', period: '2026-11', amountOre: 928200 },
}));

async function registered(store: EventStore): Promise<void> {
  for (const tenancyId of tenancies) {
    await store.appendToStream(
      `tenancy-5035-${tenancyId}`,
      [
        {
          id: `00000000-0000-4000-8000-000000${tenancyId}`,
          type: 'ledger.TenancyRegistered',
          data: { municipalityNumber: '5035', tenancyId, address: 'Gate 1', monthlyRentOre: 928200, landlordKind: 'municipal', navOffice: 'nav-stjordal', tenantPersonIds: [] },
          metadata: { correlationId: ctx.correlationId, causationId: null, actor: ctx.actor, occurredAt: ctx.now.toISOString(), schemaVersion: 1 },
        },
      ],
      { expectedRevision: 'no_stream' },
    );
  }
}

describe('a posting file on EventStoreDB', () => {
  it('goes in as one import stream, fans out to every tenancy, and a repeat writes nothing', async () => {
    const store = new EventStoreDbEventStore({ client: new InMemoryEsdbClient() });
    await registered(store);
    const ledger = new LedgerService(store, noPeople, registerLedgerEventTypes(new EventTypeMap()));
    const first = await ledger.post(lines, ctx);
    expect(first).toMatchObject({ lines: 3, eventsWritten: 3, noOp: false });
    for (const tenancyId of tenancies) {
      expect((await store.readStream(`tenancy-5035-${tenancyId}`)).map((e) => e.type)).toEqual(['ledger.TenancyRegistered', 'ledger.ChargePosted']);
    }
    const protocol = await store.readStream(`import-ledger-${first.importId}`);
    expect(protocol.map((e) => e.type)).toEqual(expect.arrayContaining(['platform.ImportAccepted', 'platform.ImportSealed', 'platform.ImportCompleted']));
    // The ledger's own record of the import, for accounting's history, stays in its own stream.
    expect((await store.readStream(`import-${first.importId}`)).map((e) => e.type)).toEqual(['ledger.ImportAccepted']);

    const again = await ledger.post(lines, ctx);
    expect(again).toMatchObject({ eventsWritten: 0, alreadyPosted: 3, noOp: true });
    expect((await store.readStream('tenancy-5035-100234')).length).toBe(2);
    await store.close();
  });
});
