import type { LocalDate } from '@evp/shared-kernel';
import type { EventStore, EventTypeMap } from '@evp/event-store';
import { accountPosition, evolveTenancy, initialTenancy, tenancyStreamName, type LedgerEvent, type Tenancy } from '@evp/ledger-domain';
import type { RentAccountPosition, RentAccounts } from '@evp/ledger-contract';

/** The ledger's own reading of a tenancy stream, every event decoded through the type map. */
export async function loadTenancy(store: EventStore, types: EventTypeMap, municipalityNumber: string, tenancyId: string): Promise<{ state: Tenancy; revision: number }> {
  const events = await store.readStream(tenancyStreamName(municipalityNumber, tenancyId));
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
}
