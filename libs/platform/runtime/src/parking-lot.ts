import { randomUUID } from 'node:crypto';
import type { EventStore, RecordedEvent } from '@evp/event-store';

export interface ParkedEntry {
  readonly eventId: string;
  readonly streamName: string;
  readonly revision: number;
  readonly position: string;
  readonly type: string;
  /** `parked`: the handler failed on it. `held`: it waits behind a parked event of its stream. */
  readonly reason: 'parked' | 'held';
  readonly error: string | null;
  readonly attempts: number;
  readonly at: string;
}

/** Everything parked for one subscription, blocked stream by blocked stream. */
export type ParkedState = Map<string, ParkedEntry[]>;

/**
 * Poison events and the events of the same stream that must wait behind them, stored as events in
 * `parked-<subscription>` so they survive restarts on either backend and an operator can list and
 * retry them. A release records that a stream flows again.
 */
export class ParkingLot {
  constructor(
    private readonly store: EventStore,
    private readonly subscription: string,
  ) {}

  /** Subscription names may hold characters stream names may not (`ledger-accounts@g2`). */
  private get stream(): string {
    return `parked-${this.subscription.replace(/[^A-Za-z0-9_.:-]/g, '.')}`;
  }

  async load(): Promise<ParkedState> {
    const state: ParkedState = new Map();
    for (const event of await this.store.readStream(this.stream)) {
      const data = event.data as unknown as ParkedEntry & { streamName: string };
      if (event.type === 'platform.EventParked' || event.type === 'platform.EventHeld') {
        const entries = state.get(data.streamName) ?? [];
        const existing = entries.findIndex((e) => e.eventId === data.eventId);
        if (existing >= 0) entries[existing] = data;
        else entries.push(data);
        state.set(data.streamName, entries);
      } else if (event.type === 'platform.StreamReleased') {
        state.delete(data.streamName);
      }
    }
    for (const entries of state.values()) entries.sort((a, b) => a.revision - b.revision);
    return state;
  }

  async park(event: RecordedEvent, error: unknown, attempts: number, reason: 'parked' | 'held', at: Date): Promise<ParkedEntry> {
    const entry: ParkedEntry = {
      eventId: event.id,
      streamName: event.streamName,
      revision: event.revision,
      position: event.position,
      type: event.type,
      reason,
      error: error === null ? null : describeError(error),
      attempts,
      at: at.toISOString(),
    };
    await this.store.appendToStream(
      this.stream,
      [
        {
          // Re-delivery after a crash is recognised by the runner from the loaded state, not by id:
          // the same event may be parked, released and parked again over its life.
          id: randomUUID(),
          type: reason === 'parked' ? 'platform.EventParked' : 'platform.EventHeld',
          data: { ...entry },
          metadata: systemMetadata(this.subscription, event.id, at),
        },
      ],
      { expectedRevision: 'any' },
    );
    return entry;
  }

  async release(streamName: string, at: Date): Promise<void> {
    await this.store.appendToStream(
      this.stream,
      [{ id: randomUUID(), type: 'platform.StreamReleased', data: { streamName }, metadata: systemMetadata(this.subscription, null, at) }],
      { expectedRevision: 'any' },
    );
  }
}

function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, 2000);
}

function systemMetadata(subscription: string, causationId: string | null, at: Date) {
  return { correlationId: subscription, causationId, actor: { id: 'worker', role: 'system' }, occurredAt: at.toISOString(), schemaVersion: 1 };
}
