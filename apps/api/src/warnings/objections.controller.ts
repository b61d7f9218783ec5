import { randomUUID } from 'node:crypto';
import { Body, ConflictException, Controller, ForbiddenException, Get, Inject, NotFoundException, Param, Post, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBody, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { deterministicId, isLocalDate, osloDate, type Clock } from '@evp/shared-kernel';
import { APP_CONFIG, CLOCK, allowSyntheticIds, personIdKey, type AppConfig } from '@evp/runtime';
import { CurrentCaller, Roles, actingRole, mayActIn, type Caller, type Role } from '@evp/auth';
import { ObjectionRuleError, isObjectionId } from '@evp/warnings-domain';
import { GetObjectionQuery, IdentityKeys, MUNICIPAL_SERVICES, RegisterObjectionCommand, WithdrawObjectionCommand, objectionView, type ObjectionResult, type ObjectionView } from '@evp/warnings-application';
import { IdempotencyService, idempotencyScopeOf } from '../http/idempotency';
import { RequestValidationError } from '../http/errors';
import { correlationIdOf, idempotencyKeyOf, requireJson } from '../http/request';
import { ApiErrors, IDEMPOTENCY_HEADER } from '../http/openapi';
import { objectionBody, objectionIdentityOf } from './warning-input';

const REGISTRARS: Role[] = ['landlord', ...MUNICIPAL_SERVICES];
const withdrawalBody = z.object({ withdrawnOn: z.string().refine(isLocalDate, 'må være en dato (ÅÅÅÅ-MM-DD)').optional() }).strict();
const notFound = () => new NotFoundException({ message: 'Finnes ikke, eller er utenfor din tilgang.' });

/**
 * The register of tenants' written objections to § 9-11 notices (reservasjon): the landlord, or
 * the municipal services on the tenant's behalf, register and withdraw them. While one stands, a
 * warning about that tenant is stored but never forwarded to NAV.
 */
@ApiTags('warnings')
@Controller('api/v1/objections')
export class ObjectionsController {
  private readonly keys: IdentityKeys;

  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly idempotency: IdempotencyService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.keys = new IdentityKeys(personIdKey(config));
  }

  @Post()
  @Roles(...REGISTRARS)
  @ApiOperation({ summary: 'Registrer en leietakers skriftlige reservasjon mot varsel til NAV (husleieloven § 9-11).' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiBody({ schema: { example: { municipalityNumber: '5035', tenant: { nationalId: '11 siffer', name: 'Navn Navnesen' }, receivedOn: '2026-11-20' } } })
  @ApiErrors([409, 'Reservasjonen er trukket tilbake'], [415, 'Ikke application/json'], [422, 'Valideringsfeil per felt'])
  async register(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @CurrentCaller() caller: Caller, @Body() body: unknown) {
    requireJson(request);
    const result = await this.idempotency.run(caller, idempotencyScopeOf(request), idempotencyKeyOf(request), JSON.stringify(body ?? null), async () => {
      const parsed = objectionBody.safeParse(body ?? {});
      if (!parsed.success) throw RequestValidationError.fromZod(parsed.error);
      const now = this.clock.now();
      const { identity, errors } = objectionIdentityOf(parsed.data, osloDate(now), allowSyntheticIds(this.config));
      if (!identity) throw new RequestValidationError(errors);
      const role = actingRole(caller, REGISTRARS);
      if (role !== 'landlord' && !mayActIn(caller, parsed.data.municipalityNumber)) {
        throw new ForbiddenException({ message: 'Du har ikke tilgang til kommunen.', errors: [{ line: null, column: 'municipalityNumber', reason: 'du har ikke tilgang til denne kommunen' }] });
      }
      // The same registrant, tenant and date is the same objection: registering it twice is a no-op.
      const scope = role === 'landlord' ? `landlord:${caller.landlordId ?? ''}` : `municipality:${parsed.data.municipalityNumber}`;
      const objectionId = deterministicId(`objection|${scope}|${[...this.keys.matchKeys(identity)].sort().join(',')}|${parsed.data.receivedOn}`);
      const done = await this.run(() =>
        this.commands.execute<RegisterObjectionCommand, ObjectionResult>(
          new RegisterObjectionCommand(caller, { objectionId, municipalityNumber: parsed.data.municipalityNumber, identity, receivedOn: parsed.data.receivedOn }, this.causation(request, caller, role, now, `objection-${objectionId}`)),
        ),
      );
      const view = objectionView(done.objection) as ObjectionView;
      return {
        status: done.changed ? 201 : 200,
        body: {
          ...view,
          registered: done.changed,
          message: 'Reservasjonen er registrert. Et varsel om fravikelse for denne leietakeren blir lagret, men aldri sendt til NAV så lenge reservasjonen står.',
        },
      };
    });
    void reply.status(result.status);
    if (result.replayed) void reply.header('Idempotent-Replayed', 'true');
    return result.body;
  }

  @Get(':id')
  @Roles(...REGISTRARS)
  @ApiOperation({ summary: 'En reservasjon: registrert eller trukket tilbake (for den som registrerte den, eller kommunens tjenester).' })
  @ApiErrors([404, 'Finnes ikke (eller utenfor din tilgang)'])
  async get(@CurrentCaller() caller: Caller, @Param('id') id: string) {
    const found = isObjectionId(id) ? await this.queries.execute<GetObjectionQuery, ObjectionView | undefined>(new GetObjectionQuery(caller, id)) : undefined;
    if (!found) throw notFound();
    return found;
  }

  @Post(':id/withdrawal')
  @Roles(...REGISTRARS)
  @ApiOperation({ summary: 'Leietakeren trekker reservasjonen tilbake: nye varsler om leietakeren kan sendes til NAV igjen.' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiErrors([404, 'Finnes ikke (eller utenfor din tilgang)'], [415, 'Ikke application/json'], [422, 'Valideringsfeil'])
  async withdraw(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @CurrentCaller() caller: Caller, @Param('id') id: string, @Body() body: unknown) {
    requireJson(request);
    const result = await this.idempotency.run(caller, idempotencyScopeOf(request), idempotencyKeyOf(request), JSON.stringify({ id, body }), async () => {
      const parsed = withdrawalBody.safeParse(body ?? {});
      if (!parsed.success) throw RequestValidationError.fromZod(parsed.error);
      if (!isObjectionId(id)) throw notFound();
      const now = this.clock.now();
      const today = osloDate(now);
      const withdrawnOn = parsed.data.withdrawnOn ?? today;
      if (withdrawnOn > today) throw new RequestValidationError([{ line: null, column: 'withdrawnOn', reason: 'kan ikke være frem i tid' }]);
      const done = await this.run(() =>
        this.commands.execute<WithdrawObjectionCommand, ObjectionResult>(new WithdrawObjectionCommand(caller, id, withdrawnOn, this.causation(request, caller, actingRole(caller, REGISTRARS), now, `objection-withdrawal-${id}-${randomUUID()}`))),
      );
      return { status: 200, body: { ...(objectionView(done.objection) as ObjectionView), withdrawn: done.changed } };
    });
    void reply.status(result.status);
    if (result.replayed) void reply.header('Idempotent-Replayed', 'true');
    return result.body;
  }

  private causation(request: FastifyRequest, caller: Caller, role: Role, now: Date, id: string) {
    return { id, correlationId: correlationIdOf(request), actor: { id: caller.actorId, role }, now };
  }

  private async run<T>(execute: () => Promise<T>): Promise<T> {
    try {
      return await execute();
    } catch (error) {
      if (!(error instanceof ObjectionRuleError)) throw error;
      if (error.code === 'OBJECTION_NOT_FOUND') throw notFound();
      throw new ConflictException({ message: error.message, errors: [{ line: null, column: null, reason: error.message }] });
    }
  }
}
