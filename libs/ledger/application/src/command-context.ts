import type { Actor, EventMetadata } from '@evp/event-store';

/** Who acts, in which request, at what time (from the injected clock), and where they may act. */
export interface CommandContext {
  readonly actor: Actor;
  readonly correlationId: string;
  readonly causationId?: string | null;
  readonly now: Date;
  readonly municipalities: readonly string[];
}

export function metadataFor(ctx: CommandContext): EventMetadata {
  return { correlationId: ctx.correlationId, causationId: ctx.causationId ?? null, actor: ctx.actor, occurredAt: ctx.now.toISOString(), schemaVersion: 1 };
}
