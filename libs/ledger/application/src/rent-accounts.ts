import { LRUCache } from 'lru-cache';
import type { LocalDate } from '@evp/shared-kernel';
import type { EventStore, EventTypeMap, RecordedEvent } from '@evp/event-store';
import { accountPosition, foldTenancy, initialTenancy, tenancyStreamName, type LedgerEvent, type Tenancy } from '@evp/ledger-domain';
import type { RentAccountPosition, RentAccounts } from '@evp/ledger-contract';

/** The ledger's own reading of a tenancy stream, every event decoded through the type map. */
export async function loadTenancy(store: EventStore, types: EventTypeMap, municipalityNumber: string, tenancyId: string): Promise<{ state: Tenancy; revision: number }> {
  return foldStream(types, await store.readStream(tenancyStreamName(municipalityNumber, tenancyId)));
}

/** The ledger's reading of many tenancy streams at once (an import's), keyed by stream name. */
export async function loadTenancies(store: EventStore, types: EventTypeMap, streamNames: readonly string[]): Promise<Map<string, { state: Tenancy; revision: number }>> {
  const read = await store.readStreams(streamNames);
  return new Map([...read].map(([name, events]) => [name, foldStream(types, events)]));
}

function foldStream(types: EventTypeMap, events: readonly RecordedEvent[], from: { state: Tenancy; revision: number } = { state: initialTenancy(), revision: -1 }): { state: Tenancy; revision: number } {
  const state = foldTenancy(
    from.state,
    events.map((e) => ({ type: e.type, data: types.upcast(e) }) as unknown as LedgerEvent),
  );
  return { state, revision: from.revision + events.length };
}

/** Tenancies remembered per `StreamRentAccounts` (a few KB each: a year's charges and payments). */
const FOLDED_MAX = 5_000;
/** Streams read at once when only their newest events are needed (EventStoreDB: requests in flight). */
const SINCE_IN_FLIGHT = 16;

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
  /**
   * Tenancy streams as folded lately, with the revision they were folded to. A stream is
   * append-only, so one met again is brought up to date with only the events since: a workflow
   * catching up through a year of events met each tenancy in every batch that touched it and
   * read and folded its whole stream every time (the better part of a first build).
   */
  private readonly folded = new LRUCache<string, { state: Tenancy; revision: number }>({ max: FOLDED_MAX });

  constructor(
    private readonly store: EventStore,
    private readonly types: EventTypeMap,
    private readonly graceWorkingDays: number,
  ) {}

  async position(municipalityNumber: string, tenancyId: string, today: LocalDate): Promise<RentAccountPosition | undefined> {
    const name = tenancyStreamName(municipalityNumber, tenancyId);
    const { state, revision } = (await this.load([name])).get(name) as { state: Tenancy; revision: number };
    return state.status === 'registered' ? positionOf(state, revision, today, this.graceWorkingDays) : undefined;
  }

  /** One `readStreams` for the tenancies not met lately (a few hundred streams per statement on SQLite). */
  async positions(tenancies: ReadonlyArray<{ readonly municipalityNumber: string; readonly tenancyId: string }>, today: LocalDate): Promise<Map<string, RentAccountPosition>> {
    const loaded = await this.load(tenancies.map((t) => tenancyStreamName(t.municipalityNumber, t.tenancyId)));
    const out = new Map<string, RentAccountPosition>();
    for (const t of tenancies) {
      const found = loaded.get(tenancyStreamName(t.municipalityNumber, t.tenancyId));
      if (found?.state.status === 'registered') out.set(`${t.municipalityNumber}-${t.tenancyId}`, positionOf(found.state, found.revision, today, this.graceWorkingDays));
    }
    return out;
  }

  /** The streams folded to their last event: the remembered ones with what came since, the others read whole. */
  private async load(streamNames: readonly string[]): Promise<Map<string, { state: Tenancy; revision: number }>> {
    const out = new Map<string, { state: Tenancy; revision: number }>();
    const unknown: string[] = [];
    const known: Array<[string, { state: Tenancy; revision: number }]> = [];
    for (const name of new Set(streamNames)) {
      const remembered = this.folded.get(name);
      if (remembered) known.push([name, remembered]);
      else unknown.push(name);
    }
    for (let i = 0; i < known.length; i += SINCE_IN_FLIGHT) {
      await Promise.all(
        known.slice(i, i + SINCE_IN_FLIGHT).map(async ([name, remembered]) => {
          const since = await this.store.readStream(name, { fromRevision: remembered.revision + 1 });
          out.set(name, since.length ? foldStream(this.types, since, remembered) : remembered);
        }),
      );
    }
    if (unknown.length) for (const [name, folded] of await loadTenancies(this.store, this.types, unknown)) out.set(name, folded);
    for (const [name, folded] of out) this.folded.set(name, folded);
    return out;
  }
}
