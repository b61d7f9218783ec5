import type { StoredEventContext } from './event-type-map';

/**
 * Base of the classes stored events are rehydrated into (through the `EventTypeMap`), for
 * `@nestjs/cqrs` handlers, which dispatch on the class. The stored type name is the map's key,
 * never the class name.
 */
export abstract class StoredEvent<TData = unknown> {
  constructor(
    readonly data: TData,
    readonly context: StoredEventContext,
  ) {}
}
