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
    const key = event.streamName.slice(TENANCY_STREAM_PREFIX.length);
    const current = await this.readModels.get<AccountDoc>(ACCOUNTS, key);
    if (current && current.revision >= event.revision) return;
    const ledgerEvent = toLedgerEvent(event);
    const state = evolveTenancy(current?.state ?? initialTenancy(), ledgerEvent);
    const data = ledgerEvent.data as { voucherRef?: string; date?: string; asOf?: string; dueDate?: string; period?: string; amountOre?: number; statedBalanceOre?: number };
    const transactions =
      data.voucherRef !== undefined && ledgerEvent.type !== 'ledger.BalanceDiscrepancyRecorded'
        ? [
            ...(current?.transactions ?? []),
            {
              voucherRef: data.voucherRef,
              type: ledgerEvent.type,
              date: (data.date ?? data.asOf) as string,
              ...(data.dueDate ? { dueDate: data.dueDate } : {}),
              ...(data.period ? { period: data.period } : {}),
              amountOre: (data.amountOre ?? data.statedBalanceOre) as number,
              postedAt: event.metadata.occurredAt,
            },
          ]
        : (current?.transactions ?? []);
    const doc: AccountDoc = { key, revision: event.revision, state, transactions };
    const ops: ReadModelOp[] = [{ kind: 'put', collection: ACCOUNTS, id: key, doc }];
    if (state.status === 'registered') {
      const oldestUnpaid = oldestUnpaidDueDate(state);
      const score = oldestUnpaid ? epochDay(oldestUnpaid) : null;
      ops.push({ kind: 'index', collection: ACCOUNTS, index: byAgeIndex(state.municipalityNumber), id: key, score });
      ops.push({ kind: 'index', collection: ACCOUNTS, index: ALL_UNPAID_INDEX, id: key, score });
    }
    await this.readModels.apply(ops);
  }

  async reset(): Promise<void> {
    await this.readModels.clear(ACCOUNTS);
  }
}

/** Due date of the oldest charge not fully settled (payments settle the oldest first), whatever the day. */
export function oldestUnpaidDueDate(state: Tenancy & { status: 'registered' }): LocalDate | null {
  return accountPosition(state.charges, state.reductions, state.charges[0]?.dueDate ?? '1970-01-01', 0).unpaidCharges[0]?.dueDate ?? null;
}
