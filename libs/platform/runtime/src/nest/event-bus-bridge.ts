import type { EventBus } from '@nestjs/cqrs';
import type { EventFilter, EventTypeMap, RecordedEvent } from '@evp/event-store';
import type { EventProcessor } from '../subscription-runner';

/**
 * Publishes stored events, rehydrated into their classes through the explicit type map, on the
 * `@nestjs/cqrs` EventBus for in-process listeners (metrics, notifications). The bus is not
 * durable and returns nothing to await (nestjs/cqrs issues 1838, 1401): anything that must not be
 * lost — a saga's reaction — is an `EventProcessor` of its own, never an `@EventsHandler`.
 */
export class EventBusBridge implements EventProcessor {
  readonly name = 'cqrs-event-bus';

  constructor(
    private readonly map: EventTypeMap,
    private readonly eventBus: EventBus,
    readonly filter: EventFilter,
  ) {}

  async handle(event: RecordedEvent): Promise<void> {
    if (!this.map.has(event.type)) return;
    this.eventBus.publish(this.map.rehydrate(event));
  }
}
