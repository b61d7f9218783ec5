import type { GlobalPosition } from '@evp/event-store';

/** Where a subscription has got to. `undefined` means: from the start. */
export interface CheckpointStore {
  load(subscription: string): Promise<GlobalPosition | undefined>;
  store(subscription: string, position: GlobalPosition): Promise<void>;
  reset(subscription: string): Promise<void>;
}
