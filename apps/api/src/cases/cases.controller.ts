import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, Inject, NotFoundException, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { deterministicId, isLocalDate, osloDate, type Clock } from '@evp/shared-kernel';
import { CLOCK } from '@evp/runtime';
import { CurrentCaller, Roles, actingRole, type Caller, type Role } from '@evp/auth';
import { findCase, parseCaseId } from '@evp/cases-domain';
import { CaseQueries, CasesService, mayReadCase } from '@evp/cases-application';
import { IdempotencyService } from '../http/idempotency';
import { RequestValidationError } from '../http/errors';
import { correlationIdOf, idempotencyKeyOf, requireJson } from '../http/request';
import { ApiErrors, IDEMPOTENCY_HEADER } from '../http/openapi';

const READERS: Role[] = ['accounting', 'arrears-team', 'nav-adviser', 'admin'];
const CONTACT_WRITERS: Role[] = ['accounting', 'arrears-team', 'nav-adviser', 'admin'];

const STATUSES = { open: ['open'], escalated: ['escalated'], resolved: ['resolved'], active: ['open', 'escalated'], all: ['open', 'escalated', 'resolved'] } as const;

const listQuery = z.object({
  status: z.enum(['open', 'escalated', 'resolved', 'active', 'all']).default('active'),
  municipality: z.string().regex(/^\d{4}$/, 'må være et kommunenummer (fire siffer)').optional(),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

const contactBody = z.object({
  channel: z.enum(['phone', 'meeting', 'home-visit', 'letter', 'digital'], { message: 'må være phone, meeting, home-visit, letter eller digital' }),
  contactedOn: z.string().refine(isLocalDate, 'må være en dato (ÅÅÅÅ-MM-DD)').optional(),
});

@ApiTags('cases')
@Controller('api/v1')
export class CasesController {
  constructor(
    private readonly cases: CasesService,
    private readonly queries: CaseQueries,
    private readonly idempotency: IdempotencyService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('cases')
  @Roles(...READERS)
  @ApiOperation({ summary: 'Forebyggingssaker i dine kommuner (NAV-veiledere: eget NAV-kontor), filtrert på status.' })
  @ApiQuery({ name: 'status', enum: Object.keys(STATUSES), required: false })
  @ApiQuery({ name: 'municipality', required: false })
  @ApiQuery({ name: 'offset', required: false })
  @ApiQuery({ name: 'limit', required: false })
  @ApiErrors([422, 'Ugyldig spørring'])
  async list(@CurrentCaller() caller: Caller, @Query() query: unknown) {
    const parsed = listQuery.safeParse(query);
    if (!parsed.success) throw RequestValidationError.fromZod(parsed.error);
    const { status, municipality, offset, limit } = parsed.data;
    return this.queries.list(caller, { statuses: STATUSES[status], municipalities: municipality ? [municipality] : caller.municipalities, offset, limit });
  }

  @Get('cases/:id')
  @Roles(...READERS)
  @ApiOperation({ summary: 'Én sak med hele tidslinjen: hvorfor den ble åpnet, kontakt, eskalering og utfall.' })
  @ApiErrors([404, 'Finnes ikke (eller utenfor din tilgang)'])
  async get(@CurrentCaller() caller: Caller, @Param('id') id: string) {
    const found = parseCaseId(id) ? await this.queries.get(caller, id) : undefined;
    if (!found) throw new NotFoundException({ error: 'NotFound', message: 'Finnes ikke' });
    return found;
  }

  @Post('cases/:id/contacts')
  @Roles(...CONTACT_WRITERS)
  @ApiOperation({ summary: 'Registrer kontakt med husstanden. Stopper eskaleringen til husleierestanseteamet.' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiBody({ schema: { example: { channel: 'phone', contactedOn: '2026-11-27' } } })
  @ApiErrors([404, 'Finnes ikke (eller utenfor din tilgang)'], [409, 'Saken er avsluttet'], [415, 'Ikke application/json'], [422, 'Valideringsfeil'])
  async recordContact(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @CurrentCaller() caller: Caller, @Param('id') id: string, @Body() body: unknown) {
    requireJson(request);
    const key = idempotencyKeyOf(request);
    const result = await this.idempotency.run(caller, key, JSON.stringify({ id, body }), async () => {
      const parsed = contactBody.safeParse(body ?? {});
      if (!parsed.success) throw RequestValidationError.fromZod(parsed.error);
      const ids = parseCaseId(id);
      if (!ids) throw new NotFoundException({ error: 'NotFound', message: 'Finnes ikke' });
      // Authorise against the case itself (the write model), not a read model that may lag.
      const { state } = await this.cases.loadCases(ids.tenancyKey);
      const found = findCase(state, id);
      if (!found || !mayReadCase(caller, found.opened)) throw new NotFoundException({ error: 'NotFound', message: 'Finnes ikke' });
      const now = this.clock.now();
      const today = osloDate(now);
      if (parsed.data.contactedOn && parsed.data.contactedOn > today) {
        throw new RequestValidationError([{ line: null, column: 'contactedOn', reason: 'kan ikke være frem i tid' }]);
      }
      const contactId = key ? deterministicId(`contact|${caller.personId}|${key}`) : randomUUID();
      const role = actingRole(caller, CONTACT_WRITERS);
      const events = await this.cases.recordContact(id, { contactId, channel: parsed.data.channel, contactedOn: parsed.data.contactedOn ?? today, byRole: role }, now, {
        id: `contact-${contactId}`,
        correlationId: correlationIdOf(request),
        actor: { id: caller.personId, role },
      });
      return { status: 201, body: { caseId: id, contactId, recorded: events.length > 0 } };
    });
    void reply.status(result.status);
    if (result.replayed) void reply.header('Idempotent-Replayed', 'true');
    return result.body;
  }

  @Get('arrears-team/queue')
  @Roles('arrears-team', 'admin')
  @ApiOperation({ summary: 'Husleierestanseteamets kø: eskalerte saker som ikke er løst, eldst først, med begrunnelse.' })
  @ApiQuery({ name: 'municipality', required: false })
  @ApiErrors([422, 'Ugyldig spørring'])
  async queue(@CurrentCaller() caller: Caller, @Query('municipality') municipality?: string) {
    if (municipality !== undefined && !/^\d{4}$/.test(municipality)) throw new RequestValidationError([{ line: null, column: 'municipality', reason: 'må være et kommunenummer (fire siffer)' }]);
    return this.queries.arrearsTeamQueue(caller, municipality ? [municipality] : caller.municipalities);
  }
}
