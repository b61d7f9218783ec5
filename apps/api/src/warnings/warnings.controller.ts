import { randomUUID } from 'node:crypto';
import { Body, ConflictException, Controller, Get, Header, Inject, NotFoundException, Param, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBody, ApiHeader, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { deterministicId, osloDate, type Clock } from '@evp/shared-kernel';
import { APP_CONFIG, CLOCK, allowSyntheticIds, type AppConfig } from '@evp/runtime';
import { decodeCursor } from '@evp/read-models';
import { CurrentCaller, Roles, type Caller } from '@evp/auth';
import { RENT_ACCOUNTS, type RentAccounts } from '@evp/ledger-contract';
import { WarningRuleError, isWarningId, petitionAdviceFor, petitionDates, type WarningDeadlinePolicy, type WarningEvent } from '@evp/warnings-domain';
import {
  GetWarningQuery,
  ListWarningsQuery,
  ReportStepCommand,
  SubmitWarningCommand,
  TenantCopyQuery,
  WARNING_LIST_STATUSES,
  WARNING_POLICY,
  WarningInputError,
  stepText,
  statusText,
  type StepResult,
  type SubmitResult,
  type WarningDetail,
} from '@evp/warnings-application';
import { IdempotencyService, idempotencyScopeOf } from '../http/idempotency';
import { RequestValidationError } from '../http/errors';
import { correlationIdOf, idempotencyKeyOf, requireJson } from '../http/request';
import { ApiErrors, IDEMPOTENCY_HEADER } from '../http/openapi';
import { mayActAsMunicipalLandlord, stepBody, stepOf, submissionOf, warningBody } from './warning-input';

const listQuery = z.object({
  status: z.enum(WARNING_LIST_STATUSES).default('all'),
  cursor: z.string().max(1024).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const example = {
  landlord: { kind: 'company', name: 'Utleie AS', organisationNumber: '974760673' },
  municipalityNumber: '5035',
  dwelling: { address: 'Kirkeveien 4, 7500 Stjørdal', tenancyId: null },
  tenants: [
    { nationalId: '11 siffer', name: 'Navn Navnesen', noticeSentOn: '2026-12-01' },
    { name: 'Medleietaker Navnesen', birthDate: '1990-05-17', noticeSentOn: null },
  ],
  ground: 'unpaid-rent',
  arrears: { amount: '18 564,00', months: ['2026-11', '2026-12'] },
  plannedPetitionOn: '2026-12-21',
  declarations: { tenantGotCopy: true, noWrittenObjectionReceived: true },
};

const notFound = () => new NotFoundException({ message: 'Finnes ikke, eller er utenfor din tilgang.' });

/**
 * A landlord's § 9-11 warnings (husleieloven § 9-11): submit, list, read, report what happened
 * next, and the tenant's copy. A landlord sees its own warnings only — never NAV's work, never the
 * ledger; another landlord's warning answers 404 like one that does not exist.
 */
@ApiTags('warnings')
@Controller('api/v1/warnings')
export class WarningsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly idempotency: IdempotencyService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(WARNING_POLICY) private readonly policy: WarningDeadlinePolicy,
    @Inject(RENT_ACCOUNTS) private readonly accounts: RentAccounts,
  ) {}

  @Post()
  @Roles('landlord')
  @ApiOperation({ summary: 'Send varsel om fravikelse til NAV (husleieloven § 9-11). Lagres alltid; sendes aldri videre når leietakeren har reservert seg skriftlig.' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiBody({ schema: { example } })
  @ApiErrors([409, 'Samme utleier, leietakere og varslingsdatoer finnes med annet innhold'], [415, 'Ikke application/json'], [422, 'Valideringsfeil per felt; ingenting er lagret'])
  async submit(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @CurrentCaller() caller: Caller, @Body() body: unknown) {
    requireJson(request);
    const key = idempotencyKeyOf(request);
    const result = await this.idempotency.run(caller, idempotencyScopeOf(request), key, JSON.stringify(body ?? null), async () => {
      const parsed = warningBody.safeParse(body ?? {});
      if (!parsed.success) throw RequestValidationError.fromZod(parsed.error);
      const now = this.clock.now();
      const today = osloDate(now);
      const { submission, errors } = submissionOf(parsed.data, {
        today,
        allowSynthetic: allowSyntheticIds(this.config),
        navOffices: this.config.WARNING_NAV_OFFICES,
        municipalLandlord: (m) => mayActAsMunicipalLandlord(this.config, caller, m),
      });
      if (!submission) throw new RequestValidationError(errors);
      if (submission.dwelling.tenancyId && !(await this.accounts.position(submission.municipalityNumber, submission.dwelling.tenancyId, today))) {
        throw new RequestValidationError([{ line: null, column: 'dwelling.tenancyId', reason: 'er ikke et kjent kommunalt leieforhold i kommunen' }]);
      }
      const cause = key ? deterministicId(`warning|${caller.actorId}|${key}`) : randomUUID();
      let submitted: SubmitResult;
      try {
        submitted = await this.commands.execute<SubmitWarningCommand, SubmitResult>(
          new SubmitWarningCommand(caller, submission, { id: `warning-submit-${cause}`, correlationId: correlationIdOf(request), actor: { id: caller.actorId, role: 'landlord' }, now }),
        );
      } catch (error) {
        throw this.translate(error);
      }
      const w = submitted.warning;
      const data = w.submitted as NonNullable<typeof w.submitted>;
      const status = w.status ?? 'received';
      const dates = petitionDates(data.tenants, w.notices, this.policy);
      return {
        status: submitted.created ? 201 : 200,
        body: {
          warningId: submitted.warningId,
          created: submitted.created,
          status,
          statusText: statusText(status, w.forwarded?.on ?? null, w.closure?.reason ?? null),
          message:
            status === 'not-forwarded'
              ? (w.notForwarded?.explanation ?? '')
              : status === 'received'
                ? `Varselet er mottatt og blir sendt til NAV-kontoret i kommunen (${this.config.WARNING_NAV_OFFICES[data.municipalityNumber] ?? ''}). Leietakeren skal ha fått kopi av varselet.`
                : statusText(status, w.forwarded?.on ?? null, w.closure?.reason ?? null),
          tenants: data.tenants.map((t) => ({
            tenantRef: t.tenantRef,
            identifiedBy: t.identifiedBy,
            noticeSentOn: w.notices[t.tenantRef] ?? null,
            petitionLegalOn: dates.find((d) => d.tenantRef === t.tenantRef && d.rule === 'petitionLegal')?.date ?? null,
            petitionCarefulOn: dates.find((d) => d.tenantRef === t.tenantRef && d.rule === 'petitionCareful')?.date ?? null,
          })),
          // As if NAV were notified today: the warning goes on within moments of being received.
          advice: status === 'not-forwarded' ? [] : petitionAdviceFor(data.plannedPetitionOn, data.tenants, w.notices, w.forwarded?.on ?? today, this.policy),
          links: { self: `/api/v1/warnings/${submitted.warningId}`, tenantCopy: `/api/v1/warnings/${submitted.warningId}/tenant-copy.pdf`, updates: `/api/v1/warnings/${submitted.warningId}/updates` },
        },
      };
    });
    void reply.status(result.status);
    if (result.replayed) void reply.header('Idempotent-Replayed', 'true');
    return result.body;
  }

  @Get()
  @Roles('landlord')
  @ApiOperation({ summary: 'Dine varsler om fravikelse, nyeste først, med status: mottatt, sendt til NAV, ikke sendt (reservasjon), avsluttet.' })
  @ApiQuery({ name: 'status', enum: WARNING_LIST_STATUSES, required: false })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor fra forrige side' })
  @ApiQuery({ name: 'limit', required: false })
  @ApiErrors([422, 'Ugyldig spørring'])
  async list(@CurrentCaller() caller: Caller, @Query() query: unknown) {
    const parsed = listQuery.safeParse(query);
    if (!parsed.success) throw RequestValidationError.fromZod(parsed.error);
    const after = parsed.data.cursor === undefined ? undefined : decodeCursor(parsed.data.cursor, 2);
    if (parsed.data.cursor !== undefined && !after) throw new RequestValidationError([{ line: null, column: 'cursor', reason: 'er ikke en gyldig sidemarkør; bruk nextCursor fra forrige side' }]);
    return this.queries.execute(new ListWarningsQuery(caller, parsed.data.status, after, parsed.data.limit));
  }

  @Get(':id')
  @Roles('landlord')
  @ApiOperation({ summary: 'Ett av dine varsler: status, leietakere med lovlig og forsiktig dato for begjæring, råd, frister, historikk og hvilke steg du kan melde nå.' })
  @ApiErrors([404, 'Finnes ikke (eller er en annen utleiers)'])
  async get(@CurrentCaller() caller: Caller, @Param('id') id: string) {
    const found = isWarningId(id) ? await this.queries.execute<GetWarningQuery, WarningDetail | undefined>(new GetWarningQuery(caller, id)) : undefined;
    if (!found) throw notFound();
    return found;
  }

  @Get(':id/tenant-copy.pdf')
  @Roles('landlord')
  @Header('content-type', 'application/pdf')
  @Header('cache-control', 'no-store')
  @ApiProduces('application/pdf')
  @ApiOperation({ summary: 'Kopi til leietakeren (PDF, bokmål): hva som er sendt til NAV, og leietakerens rettigheter.' })
  @ApiErrors([404, 'Finnes ikke (eller er en annen utleiers)'])
  async tenantCopy(@CurrentCaller() caller: Caller, @Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const pdf = isWarningId(id) ? await this.queries.execute<TenantCopyQuery, Buffer | undefined>(new TenantCopyQuery(caller, id)) : undefined;
    if (!pdf) throw notFound();
    void reply.header('content-disposition', 'inline; filename="kopi-til-leietaker.pdf"');
    return pdf;
  }

  @Post(':id/updates')
  @Roles('landlord')
  @ApiOperation({ summary: 'Meld neste steg: begjæring sendt, namsmannens brev mottatt, protest til namsmannen, dato fastsatt, utsatt, gjennomført, betalt, trukket tilbake, § 4-18-varsel sendt.' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiBody({ schema: { example: { kind: 'petition-filed', filedOn: '2026-12-21' } } })
  @ApiErrors([404, 'Finnes ikke (eller er en annen utleiers)'], [409, 'Steget kan ikke følge det som er meldt før; årsaken står i svaret'], [415, 'Ikke application/json'], [422, 'Valideringsfeil per felt'])
  async update(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @CurrentCaller() caller: Caller, @Param('id') id: string, @Body() body: unknown) {
    requireJson(request);
    const key = idempotencyKeyOf(request);
    const result = await this.idempotency.run(caller, idempotencyScopeOf(request), key, JSON.stringify({ id, body }), async () => {
      const parsed = stepBody.safeParse(body ?? {});
      if (!parsed.success) throw RequestValidationError.fromZod(parsed.error);
      if (!isWarningId(id)) throw notFound();
      const now = this.clock.now();
      const { step, errors } = stepOf(parsed.data, osloDate(now));
      if (!step) throw new RequestValidationError(errors);
      // With a key, a retry is the same step; without one, the same fact reported again is found in effect by the rules.
      const stepId = key ? deterministicId(`step|${caller.actorId}|${key}`) : randomUUID();
      let done: StepResult;
      try {
        done = await this.commands.execute<ReportStepCommand, StepResult>(
          new ReportStepCommand(caller, id, stepId, step, { id: `warning-step-${stepId}`, correlationId: correlationIdOf(request), actor: { id: caller.actorId, role: 'landlord' }, now }),
        );
      } catch (error) {
        throw this.translate(error);
      }
      const w = done.warning;
      const reported = done.event?.type === 'warnings.StepReported' ? (done.event as Extract<WarningEvent, { type: 'warnings.StepReported' }>).data : undefined;
      return {
        status: 200,
        body: {
          warningId: id,
          recorded: done.recorded,
          status: w.status,
          statusText: statusText(w.status ?? 'received', w.forwarded?.on ?? null, w.closure?.reason ?? null),
          stage: w.stage,
          message: reported ? stepText(reported.step) : 'Dette er allerede registrert; ingenting er endret.',
          passedToNav: reported?.passedToNav ?? false,
          rulings: reported?.rulings ?? [],
        },
      };
    });
    void reply.status(result.status);
    if (result.replayed) void reply.header('Idempotent-Replayed', 'true');
    return result.body;
  }

  private translate(error: unknown): unknown {
    if (error instanceof WarningInputError) return new RequestValidationError(error.errors);
    if (!(error instanceof WarningRuleError)) return error;
    switch (error.code) {
      case 'WARNING_NOT_FOUND':
        return notFound();
      case 'STEP_INVALID':
        return new RequestValidationError([{ line: null, column: error.field, reason: error.message }]);
      case 'STEP_REFUSED':
      case 'CONFLICTING_RESUBMISSION':
        return new ConflictException({ message: error.message, errors: [{ line: null, column: error.field, reason: error.message }] });
      default:
        return error;
    }
  }
}
