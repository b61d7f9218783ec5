import { daysBetween, type LocalDate } from '@evp/shared-kernel';
import type { RecordedEvent } from '@evp/event-store';
import type { EventProcessor, ReadModelOp, ReadModelStore } from '@evp/runtime';
import { TENANCY_STREAM_PREFIX, accountPosition, evolveTenancy, initialTenancy, type Tenancy } from '@evp/ledger-domain';
import { toLedgerEvent } from './ledger.service';

export const ACCOUNTS = 'accounts';

/** A tenancy's account as stored in the read model: the domain state plus where it came from. */
export interface AccountDoc {
  readonly key: string;
  /** Revision of the last tenancy event applied: a re-delivered event is skipped (idempotent projection). */
  readonly revision: number;
  readonly state: Tenancy;
  readonly transactions: ReadonlyArray<{ voucherRef: string; type: string; date: LocalDate; dueDate?: LocalDate; period?: string; amountOre: number; postedAt: string }>;
}

export const byAgeIndex = (municipalityNumber: string) => `unpaid-by-due:${municipalityNumber}`;
/** Every municipality's tenancies with unpaid charges: what time-driven evaluations scan. */
export const ALL_UNPAID_INDEX = 'unpaid-by-due:all';
export const epochDay = (date: LocalDate) => daysBetween('1970-01-01', date);

/**
 * Projects tenancy streams into account documents (Redis). Indexed per municipality by the due
 * date of the oldest unpaid charge, so the arrears list reads only tenancies that owe something.
 */
export class AccountsProjection implements EventProcessor {
  readonly name = 'ledger-accounts';
  readonly filter = { streamPrefixes: [TENANCY_STREAM_PREFIX] };

  constructor(private readonly readModels: ReadModelStore) {}

  async handle(event: RecordedEvent): Promise<void> {
    await this.handleBatch([event]);
  }

  /** One MGET for the page's tenancies, the events applied in memory, one MULTI for the result. */
  async handleBatch(events: readonly RecordedEvent[]): Promise<void> {
    const keys = [...new Set(events.map((e) => e.streamName.slice(TENANCY_STREAM_PREFIX.length)))];
    const loaded = await this.readModels.getMany<AccountDoc>(ACCOUNTS, keys);
    const docs = new Map(keys.map((k, i) => [k, loaded[i]]));
    const changed = new Set<string>();
    for (const event of events) {
      const key = event.streamName.slice(TENANCY_STREAM_PREFIX.length);
      const next = applyToAccount(key, docs.get(key), event);
      if (next) {
        docs.set(key, next);
        changed.add(key);
      }
    }
    const ops: ReadModelOp[] = [];
    for (const key of changed) {
      const doc = docs.get(key) as AccountDoc;
      ops.push({ kind: 'put', collection: ACCOUNTS, id: key, doc });
      if (doc.state.status === 'registered') {
        const oldestUnpaid = oldestUnpaidDueDate(doc.state);
        const score = oldestUnpaid ? epochDay(oldestUnpaid) : null;
        ops.push({ kind: 'index', collection: ACCOUNTS, index: byAgeIndex(doc.state.municipalityNumber), id: key, score });
        ops.push({ kind: 'index', collection: ACCOUNTS, index: ALL_UNPAID_INDEX, id: key, score });
      }
    }
    await this.readModels.apply(ops);
  }

  async reset(): Promise<void> {
    await this.readModels.clear(ACCOUNTS);
  }
}

/** The account after one event; `undefined` when the event was applied before (a re-delivery). */
function applyToAccount(key: string, current: AccountDoc | undefined, event: RecordedEvent): AccountDoc | undefined {
  if (current && current.revision >= event.revision) return undefined;
  const ledgerEvent = toLedgerEvent(event);
  const state = evolveTenancy(current?.state ?? initialTenancy(), ledgerEvent);
  const data = ledgerEvent.data as { voucherRef?: string; date?: string; asOf?: string; dueDate?: string; period?: string; amountOre?: number; statedBalanceOre?: number };
  const isPosting = data.voucherRef !== undefined && ledgerEvent.type !== 'ledger.BalanceDiscrepancyRecorded';
  const transactions = isPosting
    ? [
        ...(current?.transactions ?? []),
        {
          voucherRef: data.voucherRef as string,
          type: ledgerEvent.type,
          date: (data.date ?? data.asOf) as string,
          ...(data.dueDate ? { dueDate: data.dueDate } : {}),
          ...(data.period ? { period: data.period } : {}),
          amountOre: (data.amountOre ?? data.statedBalanceOre) as number,
          postedAt: event.metadata.occurredAt,
        },
      ]
    : (current?.transactions ?? []);
  return { key, revision: event.revision, state, transactions };
}

/** Due date of the oldest charge not fully settled (payments settle the oldest first), whatever the day. */
export function oldestUnpaidDueDate(state: Tenancy & { status: 'registered' }): LocalDate | null {
  return accountPosition(state.charges, state.reductions, state.charges[0]?.dueDate ?? '1970-01-01', 0).unpaidCharges[0]?.dueDate ?? null;
}
