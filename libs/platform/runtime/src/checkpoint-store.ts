import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { EventStore, GlobalPosition } from '@evp/event-store';

/** Where a subscription has got to. `undefined` means: from the start. */
export interface CheckpointStore {
  load(subscription: string): Promise<GlobalPosition | undefined>;
  store(subscription: string, position: GlobalPosition): Promise<void>;
  reset(subscription: string): Promise<void>;
}

/**
 * For projections: the checkpoint lives beside the read model it describes, so when Redis is
 * flushed both vanish together and the projection rebuilds from the start.
 */
export class RedisCheckpointStore implements CheckpointStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(subscription: string): string {
    return `${this.prefix}:checkpoint:${subscription}`;
  }

  async load(subscription: string): Promise<GlobalPosition | undefined> {
    return (await this.redis.get(this.key(subscription))) ?? undefined;
  }

  async store(subscription: string, position: GlobalPosition): Promise<void> {
    await this.redis.set(this.key(subscription), position);
  }

  async reset(subscription: string): Promise<void> {
    await this.redis.del(this.key(subscription));
  }
}

/**
 * For sagas: the checkpoint is durable in the event store itself (stream `checkpoint-<name>`), so
 * losing Redis does not replay every reaction. Replays are harmless anyway (sagas are idempotent),
 * but they are not free.
 */
export class EventStoreCheckpointStore implements CheckpointStore {
  constructor(private readonly events: EventStore) {}

  private stream(subscription: string): string {
    return `checkpoint-${subscription}`;
  }

  async load(subscription: string): Promise<GlobalPosition | undefined> {
    const [last] = await this.events.readStream(this.stream(subscription), { direction: 'backwards', maxCount: 1 });
    const position = last?.data['position'];
    return typeof position === 'string' ? position : undefined;
  }

  async store(subscription: string, position: GlobalPosition | null): Promise<void> {
    await this.events.appendToStream(
      this.stream(subscription),
      [
        {
          id: randomUUID(),
          type: 'platform.CheckpointStored',
          data: { position },
          metadata: { correlationId: subscription, causationId: null, actor: { id: 'worker', role: 'system' }, occurredAt: new Date().toISOString(), schemaVersion: 1 },
        },
      ],
      { expectedRevision: 'any' },
    );
  }

  async reset(subscription: string): Promise<void> {
    await this.store(subscription, null);
  }
}
