import {
  BACKWARDS,
  END,
  EVENT_TYPE,
  EventStoreDBClient,
  FORWARDS,
  START,
  STREAM_NAME,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type AppendResult,
  type Direction,
  type EventData,
  type Filter,
  type ReadPosition,
  type ReadRevision,
  type ResolvedEvent,
} from '@eventstore/db-client';
// Deep imports into the pinned client (package.json pins 6.2.1 exactly): see `filteredReadAll`.
import { Empty } from '@eventstore/db-client/generated/shared_pb';
import { StreamsClient } from '@eventstore/db-client/generated/streams_grpc_pb';
import { ReadReq } from '@eventstore/db-client/generated/streams_pb';
import { ReadStream } from '@eventstore/db-client/dist/streams/utils/ReadStream';
import { convertGrpcEvent } from '@eventstore/db-client/dist/utils/convertGrpcEvent';

export interface EsdbReadStreamOptions {
  readonly direction: Direction;
  readonly fromRevision: ReadRevision;
  readonly maxCount?: number;
}

export interface EsdbReadAllOptions {
  readonly direction: Direction;
  readonly fromPosition: ReadPosition;
  readonly maxCount?: number;
  /** Applied by the server: only matching events cross the network. */
  readonly filter?: Filter;
}

export interface EsdbSubscribeToAllOptions {
  /** Exclusive: the server delivers events after this position. */
  readonly fromPosition: ReadPosition;
  readonly filter?: Filter;
}

export interface EsdbSubscription extends AsyncIterable<AllStreamResolvedEvent> {
  unsubscribe(): Promise<void>;
}

/**
 * The slice of `@eventstore/db-client` the adapter uses. It is the seam the adapter's unit tests
 * replace with an in-memory fake (there is no server where the tests run), and the one place that
 * knows how the pinned client version is driven.
 */
export interface EsdbClient {
  appendToStream(streamName: string, events: EventData[], options: { expectedRevision: AppendExpectedRevision }): Promise<AppendResult>;
  readStream(streamName: string, options: EsdbReadStreamOptions): AsyncIterable<ResolvedEvent>;
  readAll(options: EsdbReadAllOptions): AsyncIterable<AllStreamResolvedEvent>;
  subscribeToAll(options: EsdbSubscribeToAllOptions): EsdbSubscription;
  dispose(): Promise<void>;
}

/** The real client behind the seam. */
export function connectEsdbClient(connectionString: string): EsdbClient {
  const client = EventStoreDBClient.connectionString(connectionString);
  return {
    appendToStream: (streamName, events, options) => client.appendToStream(streamName, events, { expectedRevision: options.expectedRevision }),
    readStream: (streamName, options) =>
      client.readStream(streamName, {
        direction: options.direction,
        fromRevision: options.fromRevision,
        ...(options.maxCount !== undefined ? { maxCount: options.maxCount } : {}),
      }),
    readAll: (options) => (options.filter ? filteredReadAll(client, options) : client.readAll(options)),
    subscribeToAll: (options) => client.subscribeToAll({ fromPosition: options.fromPosition, ...(options.filter ? { filter: options.filter } : {}) }),
    dispose: () => client.dispose(),
  };
}

/** The protected members of the client that `filteredReadAll` drives (they exist in 6.2.1's Client). */
interface ClientInternals {
  GRPCStreamCreator<T>(Client: typeof StreamsClient, debugName: string, creator: (client: StreamsClient) => T): () => Promise<T>;
  callArguments(baseOptions: object, callOptions?: object): [unknown, unknown];
}

/**
 * `readAll` with a server-side filter. The server has served filtered (non-subscription) reads of
 * `$all` since 21.10, but `@eventstore/db-client` 6.2.1 always sends `noFilter` from `readAll`
 * (its options have no `filter`; an unknown option is silently ignored). Upstream added the
 * option after 6.2.1 (EventStore-Client-NodeJS #406, commit 645256a, never released as 6.x); this
 * is the same request that change builds — 6.2.1's own `readAll` request plus the filter block of
 * its own `subscribeToAll` — sent through the same internals, so reconnection and credentials
 * behave as in every other call. Without it the adapter would page `$all` through the client and
 * filter here, which is what the lag check and `headPosition` must never do. (One exception: a
 * filter that narrows a prefix to some event types. The server filters by stream name or by type,
 * not both, so the adapter drops the other types of that prefix itself, and a scan for a rare type
 * streams the prefix's events through the client.)
 */
function filteredReadAll(client: EventStoreDBClient, { direction, fromPosition, maxCount, filter }: EsdbReadAllOptions): AsyncIterable<AllStreamResolvedEvent> {
  if (!filter) throw new Error('filteredReadAll needs a filter');
  const req = new ReadReq();
  const options = new ReadReq.Options();
  const uuidOption = new ReadReq.Options.UUIDOption();
  uuidOption.setString(new Empty());
  const allOptions = new ReadReq.Options.AllOptions();
  if (fromPosition === START) allOptions.setStart(new Empty());
  else if (fromPosition === END) allOptions.setEnd(new Empty());
  else {
    const position = new ReadReq.Options.Position();
    position.setCommitPosition(fromPosition.commit.toString(10));
    position.setPreparePosition(fromPosition.prepare.toString(10));
    allOptions.setPosition(position);
  }
  options.setAll(allOptions);
  options.setResolveLinks(false);
  options.setCount(String(maxCount ?? Number.MAX_SAFE_INTEGER));
  options.setUuidOption(uuidOption);
  options.setReadDirection(direction === BACKWARDS ? ReadReq.Options.ReadDirection.BACKWARDS : ReadReq.Options.ReadDirection.FORWARDS);

  const expression = new ReadReq.Options.FilterOptions.Expression();
  if ('prefixes' in filter) expression.setPrefixList(filter.prefixes);
  if ('regex' in filter) expression.setRegex(filter.regex);
  const filterOptions = new ReadReq.Options.FilterOptions();
  if (filter.filterOn === STREAM_NAME) filterOptions.setStreamIdentifier(expression);
  else if (filter.filterOn === EVENT_TYPE) filterOptions.setEventType(expression);
  if (typeof filter.maxSearchWindow === 'number' && filter.maxSearchWindow > 0) filterOptions.setMax(filter.maxSearchWindow);
  else filterOptions.setCount(new Empty());
  filterOptions.setCheckpointintervalmultiplier(filter.checkpointInterval > 0 ? filter.checkpointInterval : 1);
  options.setFilter(filterOptions);
  req.setOptions(options);

  const internals = client as unknown as ClientInternals;
  const createGRPCStream = internals.GRPCStreamCreator(StreamsClient, 'readAll', (grpcClient) =>
    // A streaming read has no deadline, exactly as the client's own readAll.
    grpcClient.read(req, ...(internals.callArguments({}, { deadline: Infinity }) as [never, never])),
  );
  return new ReadStream<AllStreamResolvedEvent>(createGRPCStream as never, convertGrpcEvent as never, {});
}

export { FORWARDS, BACKWARDS, START, END };
