import type { EventMetadata, JsonObject, RecordedEvent } from './port';

/** What a rehydrated event class receives besides its data: where and when it was stored. */
export interface StoredEventContext {
  readonly id: string;
  readonly streamName: string;
  readonly revision: number;
  readonly position: string;
  readonly metadata: EventMetadata;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type EventClass<T extends object = object> = new (data: any, context: StoredEventContext) => T;

/** Turns the data of schema version `n` into version `n + 1`. */
export type Upcaster = (data: JsonObject) => JsonObject;

interface Registration {
  readonly type: string;
  readonly ctor: EventClass;
  readonly schemaVersion: number;
  readonly upcasters: ReadonlyMap<number, Upcaster>;
}

export class UnknownEventTypeError extends Error {
  readonly code = 'UNKNOWN_EVENT_TYPE';
}

/**
 * The explicit map between stored type names and classes (ARCHITECTURE.md; modular-monolith's
 * DomainEventTypeMappings). A stored name is a stable string chosen once: renaming a class must
 * never orphan history, and `@nestjs/cqrs` dispatches on `constructor.name`, so handlers get
 * instances built here rather than by guessing a class from a name.
 */
export class EventTypeMap {
  private readonly byType = new Map<string, Registration>();
  private readonly byCtor = new Map<EventClass, Registration>();

  register(type: string, ctor: EventClass, options: { schemaVersion?: number; upcasters?: Record<number, Upcaster> } = {}): this {
    const existing = this.byType.get(type);
    if (existing && existing.ctor !== ctor) throw new Error(`Event type ${type} is already mapped to ${existing.ctor.name}`);
    if (this.byCtor.has(ctor) && this.byCtor.get(ctor)?.type !== type) throw new Error(`${ctor.name} is already mapped to ${this.byCtor.get(ctor)?.type}`);
    const schemaVersion = options.schemaVersion ?? 1;
    const upcasters = new Map(Object.entries(options.upcasters ?? {}).map(([from, fn]) => [Number(from), fn] as const));
    for (let v = 1; v < schemaVersion; v++) {
      if (!upcasters.has(v)) throw new Error(`Event type ${type} is at schema version ${schemaVersion} but has no upcaster from version ${v}`);
    }
    const registration = { type, ctor, schemaVersion, upcasters };
    this.byType.set(type, registration);
    this.byCtor.set(ctor, registration);
    return this;
  }

  has(type: string): boolean {
    return this.byType.has(type);
  }

  /** The schema version new events of `type` are written with. */
  schemaVersionOf(type: string): number {
    return this.registration(type).schemaVersion;
  }

  typeNameOf(ctorOrInstance: EventClass | object): string {
    const ctor = (typeof ctorOrInstance === 'function' ? ctorOrInstance : ctorOrInstance.constructor) as EventClass;
    const registration = this.byCtor.get(ctor);
    if (!registration) throw new UnknownEventTypeError(`${ctor.name} is not registered in the event type map`);
    return registration.type;
  }

  /** The event's data in the current schema version: old versions are upcast on read, never rewritten. */
  upcast(event: Pick<RecordedEvent, 'type' | 'data' | 'metadata'>): JsonObject {
    const registration = this.registration(event.type);
    let data = event.data;
    const stored = event.metadata.schemaVersion ?? 1;
    if (stored > registration.schemaVersion) {
      throw new UnknownEventTypeError(`${event.type} schema version ${stored} is newer than this code knows (${registration.schemaVersion})`);
    }
    for (let v = stored; v < registration.schemaVersion; v++) data = (registration.upcasters.get(v) as Upcaster)(data);
    return data;
  }

  /**
   * The data of any stored event: upcast when its type is registered here, as stored otherwise (a
   * reader of another context's published events that this process does not map).
   */
  dataOf(event: Pick<RecordedEvent, 'type' | 'data' | 'metadata'>): JsonObject {
    return this.byType.has(event.type) ? this.upcast(event) : event.data;
  }

  rehydrate<T extends object = object>(event: RecordedEvent): T {
    const registration = this.registration(event.type);
    const context: StoredEventContext = {
      id: event.id,
      streamName: event.streamName,
      revision: event.revision,
      position: event.position,
      metadata: { ...event.metadata, schemaVersion: registration.schemaVersion },
    };
    return new registration.ctor(this.upcast(event), context) as T;
  }

  private registration(type: string): Registration {
    const registration = this.byType.get(type);
    if (!registration) throw new UnknownEventTypeError(`Stored event type ${type} is not registered in the event type map`);
    return registration;
  }
}
