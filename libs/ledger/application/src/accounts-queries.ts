import type { LocalDate } from '@evp/shared-kernel';
import type { Caller } from '@evp/auth';
import { hasRole, mayActIn } from '@evp/auth';
import type { ReadModelStore } from '@evp/runtime';
import { accountPosition, tenancyKey, type Tenancy } from '@evp/ledger-domain';
import { ACCOUNTS, byAgeIndex, epochDay, type AccountDoc } from './accounts-projection';

export interface AccountView {
  readonly municipalityNumber: string;
  readonly tenancyId: string;
  readonly address: string;
  readonly monthlyRentOre: number;
  readonly landlordKind: string;
  readonly navOffice: string;
  readonly tenantCount: number;
  readonly asOf: LocalDate;
  readonly balanceOre: number;
  readonly overdueOre: number;
  readonly arrearsOre: number;
  readonly oldestUnpaidDueDate: LocalDate | null;
  readonly daysOverdue: number;
  readonly unpaidCharges: ReadonlyArray<{ voucherRef: string; dueDate: LocalDate; period: string; amountOre: number; unpaidOre: number }>;
  readonly discrepancies: ReadonlyArray<{ voucherRef: string; asOf: LocalDate; statedBalanceOre: number; computedBalanceOre: number; differenceOre: number }>;
  readonly transactions: AccountDoc['transactions'];
}

/**
 * Who may read a tenancy's account: accounting, the arrears team and admin in their
 * municipalities; a NAV adviser only for their own NAV office; a landlord never.
 */
export function mayReadAccount(caller: Caller, state: Tenancy & { status: 'registered' }): boolean {
  if (!mayActIn(caller, state.municipalityNumber)) return false;
  if (hasRole(caller, 'accounting', 'arrears-team', 'admin')) return true;
  return hasRole(caller, 'nav-adviser') && caller.navOffice === state.navOffice;
}

export class AccountQueries {
  constructor(
    private readonly readModels: ReadModelStore,
    private readonly graceWorkingDays: number,
  ) {}

  /** `undefined` both when the tenancy does not exist and when the caller may not see it: a 404 gives nothing away. */
  async account(caller: Caller, municipalityNumber: string, tenancyId: string, today: LocalDate): Promise<AccountView | undefined> {
    const doc = await this.readModels.get<AccountDoc>(ACCOUNTS, tenancyKey(municipalityNumber, tenancyId));
    if (!doc || doc.state.status !== 'registered' || !mayReadAccount(caller, doc.state)) return undefined;
    return this.view(doc as AccountDoc & { state: Tenancy & { status: 'registered' } }, today);
  }

  /** Tenancies with overdue rent in one municipality, largest amount or oldest debt first. */
  async inArrears(caller: Caller, municipalityNumber: string, today: LocalDate, sort: 'amount' | 'age', offset: number, limit: number) {
    if (!mayActIn(caller, municipalityNumber)) return { total: 0, items: [] as AccountView[] };
    // Only tenancies whose oldest unpaid charge fell due before today can be in arrears.
    const todayEpoch = epochDay(today);
    const { ids } = await this.readModels.list(ACCOUNTS, byAgeIndex(municipalityNumber), { limit: 1_000_000, maxScore: todayEpoch - 1 });
    const views: AccountView[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const docs = await this.readModels.getMany<AccountDoc>(ACCOUNTS, ids.slice(i, i + 500));
      for (const doc of docs) {
        if (!doc || doc.state.status !== 'registered' || !mayReadAccount(caller, doc.state)) continue;
        const view = this.view(doc as AccountDoc & { state: Tenancy & { status: 'registered' } }, today);
        if (view.overdueOre > 0) views.push(view);
      }
    }
    views.sort((a, b) =>
      sort === 'amount'
        ? b.overdueOre - a.overdueOre || a.tenancyId.localeCompare(b.tenancyId)
        : (a.oldestUnpaidDueDate as string).localeCompare(b.oldestUnpaidDueDate as string) || b.overdueOre - a.overdueOre,
    );
    return { total: views.length, items: views.slice(offset, offset + limit).map(({ transactions: _t, ...summary }) => summary) };
  }

  private view(doc: AccountDoc & { state: Tenancy & { status: 'registered' } }, today: LocalDate): AccountView {
    const s = doc.state;
    const position = accountPosition(s.charges, s.reductions, today, this.graceWorkingDays);
    return {
      municipalityNumber: s.municipalityNumber,
      tenancyId: s.tenancyId,
      address: s.address,
      monthlyRentOre: s.monthlyRentOre,
      landlordKind: s.landlordKind,
      navOffice: s.navOffice,
      tenantCount: s.tenantPersonIds.length,
      asOf: today,
      balanceOre: position.balanceOre,
      overdueOre: position.overdueOre,
      arrearsOre: position.arrearsOre,
      oldestUnpaidDueDate: position.oldestUnpaidDueDate,
      daysOverdue: position.daysOverdue,
      unpaidCharges: position.unpaidCharges.map((c) => ({ voucherRef: c.voucherRef, dueDate: c.dueDate, period: c.period, amountOre: c.amountOre, unpaidOre: c.unpaidOre })),
      discrepancies: s.discrepancies,
      transactions: doc.transactions,
    };
  }
}
