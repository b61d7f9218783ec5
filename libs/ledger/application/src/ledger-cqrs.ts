import { Inject } from '@nestjs/common';
import { CommandHandler, QueryHandler, type ICommandHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { LocalDate } from '@evp/shared-kernel';
import type { Caller } from '@evp/auth';
import type { CursorValue } from '@evp/read-models';
import { AccountQueries, type AccountSummary, type AccountView, type ArrearsFilter, type ArrearsSort } from './accounts-queries';
import type { CommandContext } from './command-context';
import { LedgerService, type PostingResult, type RegistrationResult } from './ledger.service';
import type { PostingLine } from './postings-input';
import type { TenancyLine } from './tenancies-input';

/** Accounting registers tenancies (a file or JSON): all lines or none. */
export class RegisterTenanciesCommand {
  constructor(
    readonly lines: readonly TenancyLine[],
    readonly context: CommandContext,
  ) {}
}

/** Accounting posts ERP lines (a file or JSON) to tenancy accounts: all lines or none. */
export class PostLedgerLinesCommand {
  constructor(
    readonly lines: readonly PostingLine[],
    readonly context: CommandContext,
  ) {}
}

@CommandHandler(RegisterTenanciesCommand)
export class RegisterTenanciesHandler implements ICommandHandler<RegisterTenanciesCommand, RegistrationResult> {
  constructor(@Inject(LedgerService) private readonly ledger: LedgerService) {}
  execute(command: RegisterTenanciesCommand): Promise<RegistrationResult> {
    return this.ledger.registerTenancies(command.lines, command.context);
  }
}

@CommandHandler(PostLedgerLinesCommand)
export class PostLedgerLinesHandler implements ICommandHandler<PostLedgerLinesCommand, PostingResult> {
  constructor(@Inject(LedgerService) private readonly ledger: LedgerService) {}
  execute(command: PostLedgerLinesCommand): Promise<PostingResult> {
    return this.ledger.post(command.lines, command.context);
  }
}

export class GetRentAccountQuery {
  constructor(
    readonly caller: Caller,
    readonly municipalityNumber: string,
    readonly tenancyId: string,
    readonly today: LocalDate,
  ) {}
}

export class ListArrearsQuery {
  constructor(
    readonly caller: Caller,
    readonly municipalityNumber: string,
    readonly today: LocalDate,
    readonly sort: ArrearsSort,
    readonly filter: ArrearsFilter,
    readonly after: readonly CursorValue[] | undefined,
    readonly limit: number,
  ) {}
}

@QueryHandler(GetRentAccountQuery)
export class GetRentAccountHandler implements IQueryHandler<GetRentAccountQuery, AccountView | undefined> {
  constructor(@Inject(AccountQueries) private readonly accounts: AccountQueries) {}
  execute(q: GetRentAccountQuery): Promise<AccountView | undefined> {
    return this.accounts.account(q.caller, q.municipalityNumber, q.tenancyId, q.today);
  }
}

@QueryHandler(ListArrearsQuery)
export class ListArrearsHandler implements IQueryHandler<ListArrearsQuery, { items: AccountSummary[]; nextCursor: string | null }> {
  constructor(@Inject(AccountQueries) private readonly accounts: AccountQueries) {}
  execute(q: ListArrearsQuery) {
    return this.accounts.inArrears(q.caller, q.municipalityNumber, q.today, q.sort, q.filter, q.after, q.limit);
  }
}

export const LEDGER_COMMAND_HANDLERS = [RegisterTenanciesHandler, PostLedgerLinesHandler];
export const LEDGER_QUERY_HANDLERS = [GetRentAccountHandler, ListArrearsHandler];
