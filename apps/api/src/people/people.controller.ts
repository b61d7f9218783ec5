import { randomUUID } from 'node:crypto';
import { Body, ConflictException, Controller, Get, HttpCode, Inject, NotFoundException, Param, Post, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBody, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { deterministicId, isLocalDate, type Clock } from '@evp/shared-kernel';
import { CLOCK } from '@evp/runtime';
import { CurrentCaller, Roles, actingRole, type Caller, type Role } from '@evp/auth';
import { ERASURE_REASONS, PERSON_ID, PeopleRuleError, RESTRICTION_BASES, RESTRICTION_LIFT_REASONS, type ErasureOutcome } from '@evp/people-domain';
import { ErasePersonCommand, GetPersonQuery, LiftRestrictionCommand, RestrictPersonCommand, TenancyTenantsQuery, type PersonView, type TenancyTenants } from '@evp/people-application';
import { IdempotencyService, idempotencyScopeOf } from '../http/idempotency';
import { RequestValidationError } from '../http/errors';
import { correlationIdOf, idempotencyKeyOf, requireJson } from '../http/request';
import { ApiErrors, IDEMPOTENCY_HEADER } from '../http/openapi';

const READERS: Role[] = ['accounting', 'arrears-team', 'nav-adviser', 'admin'];
const ADMIN: Role[] = ['admin'];

const notFound = () => new NotFoundException({ error: 'NotFound', message: 'Finnes ikke' });

// The messages list the allowed codes and never repeat what came in.
const erasureBody = z.object({ reason: z.enum(ERASURE_REASONS, { message: `må være en av ${ERASURE_REASONS.join(', ')}` }) }).strict();
const restrictionBody = z.object({ basis: z.enum(RESTRICTION_BASES, { message: `må være en av ${RESTRICTION_BASES.join(', ')}` }) }).strict();
const liftBody = z
  .object({
    reason: z.enum(RESTRICTION_LIFT_REASONS, { message: `må være en av ${RESTRICTION_LIFT_REASONS.join(', ')}` }),
    subjectInformedOn: z.string({ message: 'må være en dato (ÅÅÅÅ-MM-DD): dagen personen ble informert om at skjermingen oppheves' }).refine(isLocalDate, 'må være en dato (ÅÅÅÅ-MM-DD): dagen personen ble informert om at skjermingen oppheves'),
  })
  .strict();

/** A rule of the people context as an HTTP answer: 404 gives nothing away, the rest are 409 with the reason. */
function httpError(error: unknown): unknown {
  if (!(error instanceof PeopleRuleError)) return error;
  if (error.code === 'PERSON_NOT_FOUND') return notFound();
  if (error.code === 'SUBJECT_NOT_INFORMED') return new RequestValidationError([{ line: null, column: 'subjectInformedOn', reason: error.message }]);
  return new ConflictException({ error: 'Conflict', message: error.message, errors: [{ line: null, column: null, reason: error.message }] });
}

/**
 * People: who a tenant is, for those who may know (ARCHITECTURE.md, invariants 7 and 13), and the
 * admin's erasure and restriction. Person ids in URLs are opaque; an identity number never is one.
 */
@ApiTags('people')
@Controller('api/v1')
export class PeopleController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly idempotency: IdempotencyService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('people/:personId')
  @Roles(...READERS)
  @ApiOperation({
    summary:
      'Én person: navn og fødselsnummer (maskert, unntatt for admin) og status. NAV-veiledere ser bare leietakere i leieforhold ved eget NAV-kontor. Slettede personer vises som «slettet person»; skjermede ser bare admin.',
  })
  @ApiErrors([404, 'Finnes ikke (eller utenfor din tilgang)'])
  async get(@CurrentCaller() caller: Caller, @Param('personId') personId: string): Promise<PersonView> {
    const view = PERSON_ID.test(personId) ? await this.queries.execute<GetPersonQuery, PersonView | undefined>(new GetPersonQuery(caller, personId)) : undefined;
    if (!view) throw notFound();
    return view;
  }

  @Get('ledger/tenancies/:municipalityNumber/:tenancyId/tenants')
  @Roles(...READERS)
  @ApiOperation({ summary: 'Leieforholdets leietakere nå, med de samme reglene for maskering, sletting og skjerming som for én person.' })
  @ApiErrors([404, 'Finnes ikke (eller utenfor din tilgang)'])
  async tenants(@CurrentCaller() caller: Caller, @Param('municipalityNumber') municipalityNumber: string, @Param('tenancyId') tenancyId: string): Promise<TenancyTenants> {
    const found = await this.queries.execute<TenancyTenantsQuery, TenancyTenants | undefined>(new TenancyTenantsQuery(caller, municipalityNumber, tenancyId));
    if (!found) throw notFound();
    return found;
  }

  @Post('people/:personId/erasure')
  @Roles(...ADMIN)
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Slett en persons personopplysninger (nøkkelen slettes; hendelsene står). Nektes med 409 når kommunen har arkivplikt for en sak personen var leietaker i; opplysningene skjermes da i stedet, synlige bare for admin.',
  })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiBody({ schema: { example: { reason: 'no-longer-necessary' } } })
  @ApiErrors([404, 'Finnes ikke (eller utenfor din tilgang)'], [409, 'Arkivplikt: ikke slettet, men skjermet'], [415, 'Ikke application/json'], [422, 'Valideringsfeil'])
  async erase(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @CurrentCaller() caller: Caller, @Param('personId') personId: string, @Body() body: unknown) {
    requireJson(request);
    return this.write(request, reply, caller, personId, body, async (causation) => {
      const parsed = erasureBody.safeParse(body ?? {});
      if (!parsed.success) throw RequestValidationError.fromZod(parsed.error);
      const result = await this.commands.execute<ErasePersonCommand, ErasureOutcome>(new ErasePersonCommand(caller, personId, parsed.data.reason, causation));
      if (result.outcome === 'restricted') {
        const reason = result.obligation.reason;
        // Refused, and the data restricted instead: the reason names the case and the law, never the person.
        throw new ConflictException({ error: 'ArchiveObligation', message: reason, errors: [{ line: null, column: null, reason }] });
      }
      return { personId, status: 'erased', erasedNow: result.outcome === 'erased' };
    });
  }

  @Post('people/:personId/restriction')
  @Roles(...ADMIN)
  @HttpCode(200)
  @ApiOperation({ summary: 'Skjerm en persons personopplysninger (personvernforordningen art. 18): fra nå ser bare admin dem.' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiBody({ schema: { example: { basis: 'accuracy-contested' } } })
  @ApiErrors([404, 'Finnes ikke (eller utenfor din tilgang)'], [409, 'Personen er slettet'], [415, 'Ikke application/json'], [422, 'Valideringsfeil'])
  async restrict(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @CurrentCaller() caller: Caller, @Param('personId') personId: string, @Body() body: unknown) {
    requireJson(request);
    return this.write(request, reply, caller, personId, body, async (causation) => {
      const parsed = restrictionBody.safeParse(body ?? {});
      if (!parsed.success) throw RequestValidationError.fromZod(parsed.error);
      const result = await this.commands.execute<RestrictPersonCommand, { restricted: boolean }>(new RestrictPersonCommand(caller, personId, parsed.data.basis, causation));
      return { personId, status: 'restricted', restrictedNow: result.restricted };
    });
  }

  @Post('people/:personId/restriction/lifting')
  @Roles(...ADMIN)
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Opphev skjermingen av en persons personopplysninger (personvernforordningen art. 18 nr. 3) etter at personen er informert. En skjerming som står i stedet for en nektet sletting (arkivplikt) oppheves ikke (409).',
  })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiBody({ schema: { example: { reason: 'accuracy-verified', subjectInformedOn: '2026-11-20' } } })
  @ApiErrors([404, 'Finnes ikke (eller utenfor din tilgang)'], [409, 'Personen er slettet, eller skjermingen følger av arkivplikt'], [415, 'Ikke application/json'], [422, 'Valideringsfeil'])
  async lift(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @CurrentCaller() caller: Caller, @Param('personId') personId: string, @Body() body: unknown) {
    requireJson(request);
    return this.write(request, reply, caller, personId, body, async (causation) => {
      const parsed = liftBody.safeParse(body ?? {});
      if (!parsed.success) throw RequestValidationError.fromZod(parsed.error);
      const result = await this.commands.execute<LiftRestrictionCommand, { lifted: boolean }>(new LiftRestrictionCommand(caller, personId, parsed.data.reason, parsed.data.subjectInformedOn, causation));
      return { personId, status: 'active', liftedNow: result.lifted };
    });
  }

  /** Every admin command: under the Idempotency-Key, with a causation from the request and the injected clock. */
  private async write(
    request: FastifyRequest,
    reply: FastifyReply,
    caller: Caller,
    personId: string,
    body: unknown,
    execute: (causation: { id: string; correlationId: string; actor: { id: string; role: Role }; now: Date }) => Promise<unknown>,
  ): Promise<unknown> {
    const key = idempotencyKeyOf(request);
    const result = await this.idempotency.run(caller, idempotencyScopeOf(request), key, JSON.stringify({ personId, body }), async () => {
      if (!PERSON_ID.test(personId)) throw notFound();
      const id = key ? deterministicId(`people|${request.routeOptions.url}|${caller.actorId}|${key}`) : randomUUID();
      const causation = { id, correlationId: correlationIdOf(request), actor: { id: caller.actorId, role: actingRole(caller, ADMIN) }, now: this.clock.now() };
      try {
        return { status: 200, body: await execute(causation) };
      } catch (error) {
        throw httpError(error);
      }
    });
    void reply.status(result.status);
    if (result.replayed) void reply.header('Idempotent-Replayed', 'true');
    return result.body;
  }
}
