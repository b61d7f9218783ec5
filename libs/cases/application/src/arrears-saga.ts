import type { Clock } from '@evp/shared-kernel';
import type { RecordedEvent } from '@evp/event-store';
import type { EventProcessor } from '@evp/runtime';
import { TENANCY_STREAM_PREFIX } from '@evp/ledger-domain';
import type { CasesService } from './cases.service';

const SAGA_CONCURRENCY = 8;

export const SAGA_ACTOR = { id: 'cases-arrears-saga', role: 'system' } as const;

/** Splits `tenancy-<kommunenr>-<leieforhold>` into its parts. */
export function tenancyFromStream(streamName: string): { municipalityNumber: string; tenancyId: string } {
  const key = streamName.slice(TENANCY_STREAM_PREFIX.length);
  return { municipalityNumber: key.slice(0, 4), tenancyId: key.slice(5) };
}

/**
 * The first saga: every change to a tenancy's account may open a prevention case (arrears past
 * the policy thresholds) or resolve one (nothing overdue any more). It runs inside the
 * subscription, which awaits it and checkpoints durably after it (invariants 3 and 8).
 */
export class ArrearsSaga implements EventProcessor {
  readonly name = 'cases-arrears-saga';
  readonly filter = { streamPrefixes: [TENANCY_STREAM_PREFIX] };

  constructor(
    private readonly cases: CasesService,
    private readonly clock: Clock,
  ) {}

  async handle(event: RecordedEvent): Promise<void> {
    await this.handleBatch([event]);
  }

  /**
   * The decision looks at the tenancy's current account, not at the event, so several events of one
   * tenancy need one evaluation (caused by the last of them). Tenancies are independent streams and
   * are evaluated a few at a time.
   */
  async handleBatch(events: readonly RecordedEvent[]): Promise<void> {
    const lastByStream = new Map<string, RecordedEvent>();
    for (const event of events) {
      if (event.type === 'ledger.BalanceDiscrepancyRecorded') continue; // for accounting to look at; it changes nothing owed
      lastByStream.set(event.streamName, event);
    }
    const work = [...lastByStream.values()];
    const now = this.clock.now();
    const next = async (): Promise<void> => {
      const event = work.shift();
      if (!event) return;
      const { municipalityNumber, tenancyId } = tenancyFromStream(event.streamName);
      await this.cases.evaluate(municipalityNumber, tenancyId, now, { id: event.id, correlationId: event.metadata.correlationId, actor: SAGA_ACTOR });
      await next();
    };
    await Promise.all(Array.from({ length: Math.min(SAGA_CONCURRENCY, work.length) }, next));
  }
}
