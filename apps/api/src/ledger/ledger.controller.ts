import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBody, ApiConsumes, ApiHeader, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { osloDate, type Clock } from '@evp/shared-kernel';
import { APP_CONFIG, CLOCK, allowSyntheticIds, type AppConfig } from '@evp/runtime';
import type { CursorValue } from '@evp/read-models';
import { CurrentCaller, ProblemException, Roles, type Caller, type Role } from '@evp/auth';
import {
  GetRentAccountQuery,
  ListArrearsQuery,
  PostLedgerLinesCommand,
  RegisterTenanciesCommand,
  arrearsFilterFrom,
  decodeArrearsCursor,
  decodeText,
  withImportSource,
  postingsFromCsv,
  postingsFromJson,
  tenanciesFromCsv,
  tenanciesFromJson,
  type AccountView,
  type CommandContext,
  type FieldError,
} from '@evp/ledger-application';
import { IdempotencyService, idempotencyScopeOf } from '../http/idempotency';
import { RequestValidationError } from '../http/errors';
import { commandContext, idempotencyKeyOf, readUpload, requireJson } from '../http/request';
import { ApiErrors, IDEMPOTENCY_HEADER, JSON_BODY_ERRORS } from '../http/openapi';
import { cachedJson } from '../http/json-body';
import { OsloToday } from '../http/oslo-today';

const WRITERS: Role[] = ['accounting', 'admin'];
const READERS: Role[] = ['accounting', 'arrears-team', 'nav-adviser', 'admin'];

const postingExample = {
  postings: [
    { municipalityNumber: '5035', tenancyId: '100234', voucherRef: 'F-2026-12-100234', type: 'faktura', date: '2026-11-15', dueDate: '2026-12-01', period: '2026-12', amount: '9 282,00' },
    { municipalityNumber: '5035', tenancyId: '100234', voucherRef: 'I-2026-12-88812', type: 'innbetaling', date: '2026-12-01', amountOre: 928200 },
  ],
};

const arrearsQuery = z.object({
  municipality: z.string().regex(/^\d{4}$/, 'må være et kommunenummer (fire siffer)'),
  sort: z.enum(['amount', 'age']).default('amount'),
  cursor: z.string().max(1024).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  // The filters: checked by arrearsFilterFrom, which names each in bokmål.
  navOffice: z.unknown().optional(),
  landlordKind: z.unknown().optional(),
  minOverdue: z.unknown().optional(),
  minDaysOverdue: z.unknown().optional(),
  address: z.unknown().optional(),
});

@ApiTags('ledger')
@Controller('api/v1/ledger')
export class LedgerController {
  private readonly synthetic: { allowSyntheticIds: boolean };
  /** The arrears list's «today», recomputed only when the clock passes midnight. */
  private readonly today = new OsloToday();

  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly idempotency: IdempotencyService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.synthetic = { allowSyntheticIds: allowSyntheticIds(config) };
  }

  @Post('tenancies')
  @Roles(...WRITERS)
  @HttpCode(200)
  @ApiOperation({ summary: 'Registrer leieforhold (JSON). Identitetsnummer og navn lagres slettbart, aldri i hendelser eller logger.' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiBody({ schema: { example: { tenancies: [{ municipalityNumber: '5035', tenancyId: '100234', address: 'Kirkegata 1, 7500 Stjørdal', monthlyRent: '9 282,00', landlordKind: 'kommunal', navOffice: 'nav-stjordal', tenants: [{ nationalId: '11 siffer', name: 'Navn Navnesen' }] }] } } })
  @ApiErrors(...JSON_BODY_ERRORS, [415, 'Ikke application/json'], [422, 'Valideringsfeil: hver feil med linje, felt og årsak; ingenting er lagret'])
  @ApiOkResponse({ description: 'Registrert (eller uendret)' })
  async registerTenancies(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @CurrentCaller() caller: Caller, @Body() body: unknown) {
    requireJson(request);
    return this.write(request, reply, caller, JSON.stringify(body ?? null), () => tenanciesFromJson(body, this.synthetic), (lines, ctx) => this.commands.execute(new RegisterTenanciesCommand(lines, ctx)));
  }

  @Post('tenancies/imports')
  @Roles(...WRITERS)
  @HttpCode(200)
  @ApiOperation({ summary: 'Registrer leieforhold fra CSV: kommunenr;leieforhold;adresse;husleie;utleier;navkontor;fodselsnummer;navn (én linje per leietaker). UTF-8 (med/uten BOM) eller Windows-1252.' })
  @ApiConsumes('text/csv', 'multipart/form-data')
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiErrors([400, 'Skjemaet kan ikke leses'], [413, 'Filen er for stor'], [415, 'Verken text/csv eller multipart/form-data'], [422, 'Valideringsfeil med linje, kolonne og årsak; ingenting er lagret'])
  async importTenancies(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @CurrentCaller() caller: Caller) {
    const file = await readUpload(request);
    return this.write(request, reply, caller, file, () => tenanciesFromCsv(decodeText(file), this.synthetic), (lines, ctx) => this.commands.execute(new RegisterTenanciesCommand(lines, ctx)));
  }

  @Post('postings')
  @Roles(...WRITERS)
  @HttpCode(200)
  @ApiOperation({ summary: 'Bokfør posteringer (faktura, innbetaling, kreditnota, avskrivning, saldo) som JSON. Alt eller ingenting.' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiBody({ schema: { example: postingExample } })
  @ApiErrors(...JSON_BODY_ERRORS, [409, 'Et bilagsnummer er bokført før med annet innhold'], [415, 'Ikke application/json'], [422, 'Valideringsfeil; ingenting er lagret'])
  @ApiOkResponse({ description: 'Bokført; `noOp` er true når alt var bokført fra før' })
  async post(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @CurrentCaller() caller: Caller, @Body() body: unknown) {
    requireJson(request);
    return this.write(request, reply, caller, JSON.stringify(body ?? null), () => postingsFromJson(body), (lines, ctx) => this.commands.execute(new PostLedgerLinesCommand(lines, ctx)));
  }

  @Post('imports')
  @Roles(...WRITERS)
  @HttpCode(200)
  @ApiOperation({ summary: 'Bokfør en CSV-fil fra økonomisystemet: kommunenr;leieforhold;bilagsnr;type;dato;forfall;periode;belop. Hele filen valideres før noe lagres.' })
  @ApiConsumes('text/csv', 'multipart/form-data')
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiErrors([400, 'Skjemaet kan ikke leses'], [409, 'Et bilagsnummer er bokført før med annet innhold'], [413, 'Filen er for stor'], [415, 'Verken text/csv eller multipart/form-data'], [422, 'Valideringsfeil med linje, kolonne og årsak; ingenting er lagret'])
  async importPostings(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @CurrentCaller() caller: Caller) {
    const file = await readUpload(request);
    return this.write(request, reply, caller, file, () => postingsFromCsv(decodeText(file)), (lines, ctx) => this.commands.execute(new PostLedgerLinesCommand(lines, ctx)));
  }

  @Get('tenancies/:municipalityNumber/:tenancyId')
  @Roles(...READERS)
  @ApiOperation({ summary: 'Et leieforholds konto: saldo, ubetalte fakturaer, eldste forfall, dager over forfall, transaksjoner og saldoavvik.' })
  @ApiErrors([404, 'Finnes ikke (eller utenfor din tilgang)'])
  async account(@CurrentCaller() caller: Caller, @Param('municipalityNumber') municipalityNumber: string, @Param('tenancyId') tenancyId: string) {
    const view = await this.queries.execute<GetRentAccountQuery, AccountView | undefined>(new GetRentAccountQuery(caller, municipalityNumber, tenancyId, osloDate(this.clock.now())));
    if (!view) throw new ProblemException({ kind: 'not-found' });
    return view;
  }

  @Get('arrears')
  @Roles(...READERS)
  @ApiOperation({
    summary: 'Leieforhold med forfalt, ubetalt husleie i en kommune, sortert etter beløp eller alder, filtrert. En sidemarkør gjelder bare for sorteringen og filtrene den ble laget med.',
  })
  @ApiQuery({ name: 'municipality', example: '5035' })
  @ApiQuery({ name: 'sort', enum: ['amount', 'age'], required: false })
  @ApiQuery({ name: 'navOffice', required: false, description: 'Bare leieforhold som følges opp av dette NAV-kontoret', example: 'nav-stjordal' })
  @ApiQuery({ name: 'landlordKind', enum: ['municipal', 'private-sublet'], required: false, description: 'Kommunal bolig eller innleid bolig' })
  @ApiQuery({ name: 'minOverdue', required: false, description: 'Minste forfalte beløp i kroner', example: '5 000' })
  @ApiQuery({ name: 'minDaysOverdue', required: false, description: 'Eldste ubetalte forfall minst så mange dager siden' })
  @ApiQuery({ name: 'address', required: false, description: 'Adressen inneholder teksten (store og små bokstaver likt), 2–100 tegn' })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor fra forrige side (med samme sortering og filtre)' })
  @ApiQuery({ name: 'limit', required: false })
  @ApiErrors([422, 'Ugyldig spørring: hver feil med parameteren og årsaken'])
  async arrears(@CurrentCaller() caller: Caller, @Query() query: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const parsed = arrearsQuery.safeParse(query);
    if (!parsed.success) throw RequestValidationError.fromZod(parsed.error);
    const { municipality, sort, cursor, limit, ...raw } = parsed.data;
    const { filter, errors } = arrearsFilterFrom(raw);
    if (errors.length > 0) throw new RequestValidationError(errors);
    let after: CursorValue[] | undefined;
    if (cursor !== undefined) {
      const decoded = decodeArrearsCursor(cursor, municipality, sort, filter);
      if ('error' in decoded) {
        throw new RequestValidationError([
          {
            line: null,
            column: 'cursor',
            reason:
              decoded.error === 'malformed'
                ? 'er ikke en gyldig sidemarkør; bruk nextCursor fra forrige side'
                : 'hører til en annen sortering eller andre filtre enn disse; begynn på første side (uten cursor)',
          },
        ]);
      }
      after = decoded.after;
    }
    // The page is the reader's cached result while no row changes: serialised once (see cachedJson).
    return cachedJson(reply, await this.queries.execute<ListArrearsQuery, object>(new ListArrearsQuery(caller, municipality, this.today.of(this.clock.now()), sort, filter, after, limit)));
  }

  /**
   * Every write: under the Idempotency-Key, validate the whole input (any error refuses it all),
   * then run the command with the caller's context and the injected clock's time.
   */
  private async write<L>(
    request: FastifyRequest,
    reply: FastifyReply,
    caller: Caller,
    fingerprint: Buffer | string,
    parse: () => { lines: L[]; errors: readonly FieldError[]; total: number } | Promise<{ lines: L[]; errors: readonly FieldError[]; total: number }>,
    execute: (lines: L[], ctx: CommandContext) => Promise<unknown>,
  ): Promise<unknown> {
    const result = await this.idempotency.run(caller, idempotencyScopeOf(request), idempotencyKeyOf(request), fingerprint, async () => {
      // A file is parsed and checked in slices, letting other requests in (a month's file takes seconds).
      const { lines, errors, total } = await parse();
      if (total > 0) throw new RequestValidationError(errors, total);
      // The Idempotency-Key is part of the import's id: a retried upload is the same import.
      return { status: 200, body: await execute(lines, withImportSource(commandContext(request, caller, WRITERS, this.clock.now()), { idempotencyKey: idempotencyKeyOf(request) })) };
    });
    void reply.status(result.status);
    if (result.replayed) void reply.header('Idempotent-Replayed', 'true');
    return result.body;
  }
}
