import {
  EventStoreDBClient,
  StreamNotFoundError,
  WrongExpectedVersionError,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type Position,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { DuplicateEventIdError, EventStoreUnavailableError, InvalidEventError, WrongExpectedRevisionError } from '../errors';
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  GlobalPosition,
  JsonObject,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
  EventMetadata,
  StreamAppend,
} from '../port';
import { assertValidStreamName, matchesFilter, validateAndSerialise } from '../validation';

export interface EventStoreDbOptions {
  /** e.g. `esdb://127.0.0.1:2113?tls=false` */
  readonly connectionString: string;
}

/**
 * The production event store on EventStoreDB (`@eventstore/db-client`). It passes the same
 * contract suite as the SQLite store; the differences the port hides:
 * - positions are EventStoreDB's commit/prepare pair, encoded as `commit/prepare`;
 * - EventStoreDB drops a re-sent event id only shortly after the first append (invariant 9), so a
 *   conflicting retry is checked against the stream here before it is reported as a conflict.
 */
export class EventStoreDbEventStore implements EventStore {
  readonly backend = 'eventstoredb' as const;
  private readonly client: EventStoreDBClient;
  private readonly subscriptions = new Set<Subscription>();

  constructor(options: EventStoreDbOptions) {
    this.client = EventStoreDBClient.connectionString(options.connectionString);
  }

  async appendToStream(streamName: string, events: readonly NewEvent[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    const serialised = validateAndSerialise(streamName, events, options.expectedRevision);
    const expected = options.expectedRevision;
    if (serialised.length === 0) {
      const last = await this.readStream(streamName, { direction: 'backwards', maxCount: 1 });
      const current = last[0]?.revision ?? null;
      if (expected === 'no_stream' && current !== null) throw new WrongExpectedRevisionError(streamName, expected, String(current));
      if (expected === 'stream_exists' && current === null) throw new WrongExpectedRevisionError(streamName, expected, 'no stream');
      if (typeof expected === 'number' && expected !== current) throw new WrongExpectedRevisionError(streamName, String(expected), current === null ? 'no stream' : String(current));
      return { nextExpectedRevision: current ?? -1, alreadyAppended: false };
    }
    const existing = await this.findExisting(streamName, serialised.map((s) => s.event.id));
    if (existing.found === serialised.length) return { nextExpectedRevision: existing.current, alreadyAppended: true };
    if (existing.found > 0) {
      throw new DuplicateEventIdError(`Stream ${streamName}: ${existing.found} of ${serialised.length} event ids are already stored; an append is retried whole or not at all`);
    }
    try {
      const result = await this.client.appendToStream(
        streamName,
        serialised.map(({ event }) =>
          jsonEvent({ id: event.id, type: event.type, data: event.data, metadata: event.metadata as unknown as JsonObject }),
        ),
        { expectedRevision: typeof expected === 'number' ? BigInt(expected) : expected },
      );
      return { nextExpectedRevision: Number(result.nextExpectedRevision), alreadyAppended: false };
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        const again = await this.findExisting(streamName, serialised.map((s) => s.event.id));
        if (again.found === serialised.length) return { nextExpectedRevision: again.current, alreadyAppended: true };
        throw new WrongExpectedRevisionError(streamName, String(expected), String(error.actualVersion));
      }
      throw mapConnectionError(error);
    }
  }

  async appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    // Validate everything first, so bad input writes nothing even here.
    for (const a of appends) validateAndSerialise(a.streamName, a.events, a.expectedRevision);
    const results: AppendResult[] = [];
    for (const a of appends) results.push(await this.appendToStream(a.streamName, a.events, { expectedRevision: a.expectedRevision }));
    return results;
  }

  /**
   * Event ids are unique per store in our model. EventStoreDB cannot look an id up, so the check
   * covers the stream's recent tail, which is where a retried append's events are.
   */
  private async findExisting(streamName: string, ids: string[]): Promise<{ found: number; current: number }> {
    const tail = await this.readStream(streamName, { direction: 'backwards', maxCount: Math.max(ids.length * 2, 100) });
    const wanted = new Set(ids);
    return { found: tail.filter((e) => wanted.has(e.id)).length, current: tail[0]?.revision ?? -1 };
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    assertValidStreamName(streamName);
    const backwards = options.direction === 'backwards';
    const events: RecordedEvent[] = [];
    try {
      for await (const resolved of this.client.readStream(streamName, {
        direction: backwards ? 'backwards' : 'forwards',
        fromRevision: options.fromRevision !== undefined ? BigInt(options.fromRevision) : backwards ? 'end' : 'start',
        ...(options.maxCount !== undefined ? { maxCount: options.maxCount } : {}),
      })) {
        const recorded = toRecorded(resolved);
        if (recorded) events.push(recorded);
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw mapConnectionError(error);
    }
    return events;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const after = options.after === undefined ? undefined : decodePosition(options.after);
    const limit = options.maxCount ?? Number.POSITIVE_INFINITY;
    const events: RecordedEvent[] = [];
    try {
      for await (const resolved of this.client.readAll({ direction: 'forwards', fromPosition: after ?? 'start' })) {
        const recorded = toRecorded(resolved);
        if (!recorded || recorded.streamName.startsWith('$')) continue;
        if (after && recorded.position === encodePosition(after)) continue; // readAll's start is inclusive
        if (!matchesFilter(recorded.streamName, options.filter?.streamPrefixes)) continue;
        events.push(recorded);
        if (events.length >= limit) break;
      }
    } catch (error) {
      throw mapConnectionError(error);
    }
    return events;
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    const after = options.after === undefined ? undefined : decodePosition(options.after);
    const prefixes = options.filter?.streamPrefixes?.filter((p) => p.length > 0);
    const esdbSubscription = this.client.subscribeToAll({
      fromPosition: after ?? 'start',
      filter: prefixes?.length ? streamNameFilter({ prefixes: [...prefixes] }) : excludeSystemEvents(),
    });
    const subscriptions = this.subscriptions;
    const subscription: Subscription = {
      async stop() {
        subscriptions.delete(subscription);
        await esdbSubscription.unsubscribe();
      },
      async *[Symbol.asyncIterator]() {
        for await (const resolved of esdbSubscription as AsyncIterable<AllStreamResolvedEvent>) {
          const recorded = toRecorded(resolved);
          if (!recorded || recorded.streamName.startsWith('$')) continue;
          if (after && recorded.position === encodePosition(after)) continue;
          yield recorded;
        }
      },
    };
    subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<GlobalPosition | undefined> {
    for await (const resolved of this.client.readAll({ maxCount: 50, direction: 'backwards', fromPosition: 'end' })) {
      const recorded = toRecorded(resolved);
      if (recorded && !recorded.streamName.startsWith('$')) return recorded.position;
    }
    return undefined;
  }

  async ping(): Promise<void> {
    try {
      for await (const _ of this.client.readAll({ maxCount: 1, direction: 'backwards', fromPosition: 'end' })) break;
    } catch (error) {
      throw mapConnectionError(error);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await this.client.dispose();
  }
}

function toRecorded(resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent | undefined {
  const event = resolved.event;
  if (!event || !event.isJson) return undefined;
  const position = (event as { position?: Position }).position ?? (resolved as { commitPosition?: bigint }).commitPosition;
  return {
    id: event.id,
    type: event.type,
    data: event.data as JsonObject,
    metadata: event.metadata as unknown as EventMetadata,
    streamName: event.streamId,
    revision: Number(event.revision),
    position: typeof position === 'object' && position ? encodePosition(position) : '',
    recordedAt: event.created.toISOString(),
  };
}

function encodePosition(position: Position): GlobalPosition {
  return `${position.commit}/${position.prepare}`;
}

function decodePosition(position: GlobalPosition): Position {
  const match = /^(\d+)\/(\d+)$/.exec(position);
  if (!match) throw new InvalidEventError(`Invalid EventStoreDB global position ${JSON.stringify(position)}: expected "commit/prepare"`);
  return { commit: BigInt(match[1] as string), prepare: BigInt(match[2] as string) };
}

function mapConnectionError(error: unknown): unknown {
  const type = (error as { type?: string }).type;
  if (type === 'unavailable' || type === 'deadline-exceeded') {
    return new EventStoreUnavailableError(`EventStoreDB is unavailable: ${(error as Error).message}`);
  }
  return error;
}
