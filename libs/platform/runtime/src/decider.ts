import { deterministicId } from '@evp/shared-kernel';
import { WrongExpectedRevisionError, type EventStore, type EventTypeMap, type JsonObject } from '@evp/event-store';
import type { Causation } from './workflow/workflow-runner';

/** An event as deciders see it: its stable type name and its data in the current schema version. */
export interface DomainEvent {
  readonly type: string;
  readonly data: unknown;
}

/** How a stream's events fold into the state a decision needs (Emmett's `evolve` and `initialState`). */
export interface Decider<S, E extends DomainEvent> {
  initialState(): S;
  evolve(state: S, event: E): S;
}

export interface DecideAndAppend<S, E extends DomainEvent> {
  readonly store: EventStore;
  readonly types: EventTypeMap;
  readonly streamName: string;
  readonly decider: Decider<S, E>;
  /** The decision: pure, on the state as loaded now; may throw a domain error. Called again after a conflict. */
  readonly decide: (state: S, revision: number) => readonly E[] | Promise<readonly E[]>;
  readonly causation: Causation;
  readonly maxRetries?: number;
}

export interface Decided<S, E> {
  readonly events: readonly E[];
  /** The state after the new events. */
  readonly state: S;
}

/**
 * The one shape of a command handler (ARCHITECTURE.md, invariants 1, 2, 6 and 9): load the stream
 * (every event decoded through the type map, so upcasters apply), decide, append with the expected
 * revision, and on a conflict load and decide again. Event ids derive from the stream, the cause
 * and the position in the decision, so the same cause appends nothing twice; metadata comes from
 * the one causation object.
 */
export async function decideAndAppend<S, E extends DomainEvent>(options: DecideAndAppend<S, E>): Promise<Decided<S, E>> {
  const { store, types, streamName, decider, causation } = options;
  const maxRetries = options.maxRetries ?? 5;
  for (let attempt = 0; ; attempt++) {
    const recorded = await store.readStream(streamName);
    const state = recorded.reduce((s, e) => decider.evolve(s, { type: e.type, data: types.upcast(e) } as E), decider.initialState());
    const revision = recorded.length - 1;
    const events = await options.decide(state, revision);
    if (events.length === 0) return { events, state };
    try {
      await store.appendToStream(
        streamName,
        events.map((e, i) => ({
          id: deterministicId(`${streamName}|${causation.id}|${i}|${e.type}`),
          type: e.type,
          data: e.data as JsonObject,
          metadata: {
            correlationId: causation.correlationId,
            causationId: causation.id,
            actor: causation.actor,
            occurredAt: causation.now.toISOString(),
            schemaVersion: types.schemaVersionOf(e.type),
          },
        })),
        { expectedRevision: revision < 0 ? 'no_stream' : revision },
      );
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError && attempt < maxRetries) continue;
      throw error;
    }
    return { events, state: events.reduce(decider.evolve, state) };
  }
}
