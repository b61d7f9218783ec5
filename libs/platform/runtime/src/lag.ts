import type { EventFilter, EventStore } from '@evp/event-store';
import { readCheckpoint, type ReadModelDb } from '@evp/read-models';
import type { FailedRebuild, StalledRebuild } from './projections/projection-manager';
import type { SubscriptionStatus } from './subscription-runner';
import { describeError } from './transient';

export interface SubscriptionLag {
  readonly name: string;
  readonly state: string;
  /** From the durable checkpoint, not from memory: after a lost store it says so. */
  readonly checkpoint: string | null;
  readonly caughtUp: boolean;
  /** When the oldest event not yet handled was recorded (null when caught up). */
  readonly behindSince: string | null;
  readonly parked: number;
  readonly lastError: string | null;
  readonly error?: string;
  /**
   * A rebuild's new generation catching up with the log (its progress: `/operator/projections/{name}/rebuild`).
   * Behind by design until it is switched in, so its lag does not turn health red; a failure does.
   */
  readonly building: boolean;
}

/**
 * How far each subscription is behind, from its durable checkpoint in the read-model store: is any
 * event of its streams after the checkpoint, and since when. Parked and held events count as
 * handled (they are in the parking lot).
 *
 * Per subscription it remembers what the last scan after this checkpoint found: when its first
 * event after the checkpoint was recorded, or that there is none up to and including `emptyTo`
 * (the head read before the scan). The log only grows at its end, so both stay true while the
 * checkpoint is the same: a found first event is still the first, and a scan that found none
 * goes on from `emptyTo`. Without this, a subscription whose events are rare (the cases list
 * during a month's postings) would have the log after its checkpoint scanned again on every
 * call (health is asked every few seconds). Only the time is kept, never the event.
 */
export class LagScanner {
  private readonly scanned = new Map<string, { checkpoint: string | null; emptyTo?: string; nextRecordedAt?: string }>();

  /** @param database where the checkpoints are read (opened when first asked, as `ReadModelReader.database` does). */
  constructor(
    private readonly store: EventStore,
    private readonly database: () => Promise<ReadModelDb>,
  ) {}

  async of(status: SubscriptionStatus, filter: EventFilter, building: boolean): Promise<SubscriptionLag> {
    const base = { name: status.name, state: status.state, parked: status.parked.length, lastError: status.lastError, building };
    try {
      const checkpoint = (await readCheckpoint((await this.database()).kysely, status.name)) ?? null;
      const memo = this.scanned.get(status.name);
      const known = memo && memo.checkpoint === checkpoint ? memo : undefined;
      if (known?.nextRecordedAt) return { ...base, checkpoint, caughtUp: false, behindSince: known.nextRecordedAt };
      const from = known?.emptyTo ?? checkpoint;
      const head = await this.store.headPosition();
      const [next] = await this.store.readAll({ ...(from ? { after: from } : {}), filter, maxCount: 1 });
      if (next !== undefined) this.scanned.set(status.name, { checkpoint, nextRecordedAt: next.recordedAt });
      else if (head !== undefined) this.scanned.set(status.name, { checkpoint, emptyTo: head });
      return { ...base, checkpoint, caughtUp: next === undefined, behindSince: next?.recordedAt ?? null };
    } catch (error) {
      return { ...base, checkpoint: null, caughtUp: false, behindSince: null, error: describeError(error) };
    }
  }

  /** Forgets subscriptions not named (a rebuild's generation once switched, say). */
  keepOnly(names: ReadonlySet<string>): void {
    for (const name of this.scanned.keys()) if (!names.has(name)) this.scanned.delete(name);
  }
}

/**
 * Why the worker is not healthy, subscription by subscription (empty when it is): one not running
 * (retrying an outage, restarting, stopped), one whose lag could not be read, and one whose oldest
 * unhandled event is older than `maxLagMs` — unless it is a rebuild's generation, behind by design —
 * a rebuild that failed (until one succeeds), and one that has stopped making progress
 * (`ProjectionManager.stalledRebuilds`: its lag alone would never say so).
 * `now` is wall-clock time: lag is an operational fact, measured against the store's recording time.
 */
export function healthProblems(
  lags: readonly SubscriptionLag[],
  now: number,
  maxLagMs: number,
  failedRebuilds: readonly FailedRebuild[] = [],
  stalledRebuilds: readonly StalledRebuild[] = [],
): string[] {
  const problems: string[] = failedRebuilds.map((f) => `${f.projection}: rebuild into generation ${f.generation} failed${f.error ? ` (${f.error})` : ''}`);
  for (const s of stalledRebuilds) problems.push(`${s.projection}: rebuild into generation ${s.generation} has made no progress for ${Math.floor(s.sinceMs / 1000)} s`);
  for (const lag of lags) {
    if (lag.state !== 'running') problems.push(`${lag.name}: ${lag.state}${lag.lastError ? ` (${lag.lastError})` : ''}`);
    else if (lag.error) problems.push(`${lag.name}: ${lag.error}`);
    else if (!lag.building && lag.behindSince && now - Date.parse(lag.behindSince) > maxLagMs) {
      problems.push(`${lag.name}: behind since ${lag.behindSince}, more than ${maxLagMs} ms`);
    }
  }
  return problems;
}
