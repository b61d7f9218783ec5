import type { LocalDate } from '@evp/shared-kernel';
import type { EventStore, EventTypeMap, RecordedEvent } from '@evp/event-store';
import { accountPosition, evolveTenancy, initialTenancy, tenancyStreamName, type LedgerEvent, type Tenancy } from '@evp/ledger-domain';
import type { RentAccountPosition, RentAccounts } from '@evp/ledger-contract';

/** The ledger's own reading of a tenancy stream, every event decoded through the type map. */
export async function loadTenancy(store: EventStore, types: EventTypeMap, municipalityNumber: string, tenancyId: string): Promise<{ state: Tenancy; revision: number }> {
  return foldTenancy(types, await store.readStream(tenancyStreamName(municipalityNumber, tenancyId)));
}

/** The ledger's reading of many tenancy streams at once (an import's), keyed by stream name. */
export async function loadTenancies(store: EventStore, types: EventTypeMap, streamNames: readonly string[]): Promise<Map<string, { state: Tenancy; revision: number }>> {
  const read = await store.readStreams(streamNames);
  return new Map([...read].map(([name, events]) => [name, foldTenancy(types, events)]));
}

function foldTenancy(types: EventTypeMap, events: readonly RecordedEvent[]): { state: Tenancy; revision: number } {
  const state = events.reduce((s, e) => evolveTenancy(s, { type: e.type, data: types.upcast(e) } as unknown as LedgerEvent), initialTenancy());
  return { state, revision: events.length - 1 };
}

/** The published view of a rent account, computed from the tenancy's stream on the given day. */
export function positionOf(state: Tenancy & { status: 'registered' }, revision: number, today: LocalDate, graceWorkingDays: number): RentAccountPosition {
  const position = accountPosition(state.charges, state.reductions, today, graceWorkingDays);
  return {
    municipalityNumber: state.municipalityNumber,
    tenancyId: state.tenancyId,
    navOffice: state.navOffice,
    landlordKind: state.landlordKind,
    monthlyRentOre: state.monthlyRentOre,
    balanceOre: position.balanceOre,
    overdueOre: position.overdueOre,
    arrearsOre: position.arrearsOre,
    daysPastGrace: position.daysPastGrace,
    unpaidDueDates: position.unpaidCharges.map((c) => c.dueDate),
    asOf: today,
    revision,
  };
}

/**
 * `RentAccounts` for other contexts: exact, because it reads the event stream (a read model may
 * lag the event that triggered a decision).
 */
export class StreamRentAccounts implements RentAccounts {
  constructor(
    private readonly store: EventStore,
    private readonly types: EventTypeMap,
    private readonly graceWorkingDays: number,
  ) {}

  async position(municipalityNumber: string, tenancyId: string, today: LocalDate): Promise<RentAccountPosition | undefined> {
    const { state, revision } = await loadTenancy(this.store, this.types, municipalityNumber, tenancyId);
    return state.status === 'registered' ? positionOf(state, revision, today, this.graceWorkingDays) : undefined;
  }

  /** One `readStreams` for the lot: a few hundred tenancy streams per statement on SQLite. */
  async positions(tenancies: ReadonlyArray<{ readonly municipalityNumber: string; readonly tenancyId: string }>, today: LocalDate): Promise<Map<string, RentAccountPosition>> {
    const loaded = await loadTenancies(this.store, this.types, tenancies.map((t) => tenancyStreamName(t.municipalityNumber, t.tenancyId)));
    const out = new Map<string, RentAccountPosition>();
    for (const t of tenancies) {
      const found = loaded.get(tenancyStreamName(t.municipalityNumber, t.tenancyId));
      if (found?.state.status === 'registered') out.set(`${t.municipalityNumber}-${t.tenancyId}`, positionOf(found.state, found.revision, today, this.graceWorkingDays));
    }
    return out;
  }
}
