import type { LocalDate } from '@evp/shared-kernel';
import type { EventStore, EventTypeMap, RecordedEvent } from '@evp/event-store';
import type { Decider } from '@evp/runtime';
import type { NavHold, NavHolds } from '@evp/nav-contract';
import { evolveNavHousehold, holdOf, initialNavHousehold, navStreamName, type NavEvent, type NavHousehold } from '@evp/nav-domain';

export const navDecider: Decider<NavHousehold, NavEvent> = { initialState: initialNavHousehold, evolve: evolveNavHousehold };

/** NAV's own reading of a household's stream, every event decoded through the type map. */
export async function loadHousehold(store: EventStore, types: EventTypeMap, municipalityNumber: string, tenancyId: string): Promise<NavHousehold> {
  return foldHousehold(types, await store.readStream(navStreamName(municipalityNumber, tenancyId)));
}

export function foldHousehold(types: EventTypeMap, events: readonly RecordedEvent[]): NavHousehold {
  return events.reduce((s, e) => evolveNavHousehold(s, { type: e.type, data: types.upcast(e) } as unknown as NavEvent), initialNavHousehold());
}

/**
 * `NavHolds` for the cases context: exact, because it reads NAV's stream when asked (a read model
 * may lag the grant that should hold an escalation back). A household NAV has never seen holds nothing.
 */
export class StreamNavHolds implements NavHolds {
  constructor(
    private readonly store: EventStore,
    private readonly types: EventTypeMap,
  ) {}

  async holdOn(municipalityNumber: string, tenancyId: string, today: LocalDate): Promise<NavHold> {
    return holdOf(await loadHousehold(this.store, this.types, municipalityNumber, tenancyId), today);
  }
}
