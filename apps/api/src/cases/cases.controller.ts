import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBody, ApiHeader, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { deterministicId, isLocalDate, osloDate, type Clock } from '@evp/shared-kernel';
import { CLOCK } from '@evp/runtime';
import { decodeCursor } from '@evp/read-models';
import { CurrentCaller, ProblemException, Roles, actingRole, type Caller, type Role } from '@evp/auth';
import { parseCaseId, type CaseEvent } from '@evp/cases-domain';
import { ArrearsTeamQueueQuery, CASE_LIST_STATUSES, GetCaseQuery, ListCasesQuery, RecordContactCommand, type CaseDetail, type CasePage } from '@evp/cases-application';
import { IdempotencyService, idempotencyScopeOf } from '../http/idempotency';
import { RequestValidationError } from '../http/errors';
import { correlationIdOf, idempotencyKeyOf, requireJson } from '../http/request';
import { cachedJson } from '../http/json-body';
import { ApiErrors, IDEMPOTENCY_HEADER, JSON_BODY_ERRORS } from '../http/openapi';

const READERS: Role[] = ['accounting', 'arrears-team', 'nav-adviser', 'admin'];
const CONTACT_WRITERS: Role[] = ['accounting', 'arrears-team', 'nav-adviser', 'admin'];

const municipality = z.string().regex(/^\d{4}$/, 'må være et kommunenummer (fire siffer)');
const cursor = z.string().max(1024).optional();
const limit = z.coerce.number().int().min(1).max(500).default(50);

const listQuery = z.object({
  status: z.enum(['open', 'escalated', 'resolved', 'active', 'all']).default('active'),
  sort: z.enum(['opened', 'deadline']).default('opened'),
  municipality: municipality.optional(),
  cursor,
  limit,
});

const queueQuery = z.object({ municipality: municipality.optional(), cursor, limit });

/** The caller's one municipality when none is named; a caller with several must name one (lists are per municipality). */
function municipalityFor(caller: Caller, named: string | undefined): string {
  if (named) return named;
  if (caller.municipalities.length === 1) return caller.municipalities[0] as string;
  throw new RequestValidationError([{ line: null, column: 'municipality', reason: 'må oppgis når du har tilgang til flere kommuner' }]);
}

function cursorOf(value: string | undefined) {
  if (value === undefined) return undefined;
  const after = decodeCursor(value, 2);
  if (!after) throw new RequestValidationError([{ line: null, column: 'cursor', reason: 'er ikke en gyldig sidemarkør; bruk nextCursor fra forrige side' }]);
  return after;
}

const contactBody = z.object({
  channel: z.enum(['phone', 'meeting', 'home-visit', 'letter', 'digital'], { message: 'må være phone, meeting, home-visit, letter eller digital' }),
  contactedOn: z.string().refine(isLocalDate, 'må være en dato (ÅÅÅÅ-MM-DD)').optional(),
});

@ApiTags('cases')
@Controller('api/v1')
export class CasesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly idempotency: IdempotencyService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('cases')
  @Roles(...READERS)
  @ApiOperation({ summary: 'Forebyggingssaker i dine kommuner (NAV-veiledere: eget NAV-kontor), filtrert på status.' })
  @ApiQuery({ name: 'status', enum: Object.keys(CASE_LIST_STATUSES), required: false })
  @ApiQuery({ name: 'sort', enum: ['opened', 'deadline'], required: false })
  @ApiQuery({ name: 'municipality', required: false })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor fra forrige side' })
  @ApiQuery({ name: 'limit', required: false })
  @ApiErrors([422, 'Ugyldig spørring'])
  async list(@CurrentCaller() caller: Caller, @Query() query: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const parsed = listQuery.safeParse(query);
    if (!parsed.success) throw RequestValidationError.fromZod(parsed.error);
    const q = parsed.data;
    return cachedJson(reply, await this.queries.execute<ListCasesQuery, CasePage>(new ListCasesQuery(caller, municipalityFor(caller, q.municipality), q.status, q.sort, cursorOf(q.cursor), q.limit)));
  }

  @Get('cases/:id')
  @Roles(...READERS)
  @ApiOperation({ summary: 'Én sak med hele tidslinjen: hvorfor den ble åpnet, kontakt, eskalering og utfall.' })
  @ApiErrors([404, 'Finnes ikke (eller utenfor din tilgang)'])
  async get(@CurrentCaller() caller: Caller, @Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const found = parseCaseId(id) ? await this.queries.execute<GetCaseQuery, CaseDetail | undefined>(new GetCaseQuery(caller, id)) : undefined;
    if (!found) throw new ProblemException({ kind: 'not-found' });
    return cachedJson(reply, found);
  }

  @Post('cases/:id/contacts')
  @Roles(...CONTACT_WRITERS)
  @ApiOperation({ summary: 'Registrer kontakt med husstanden. Stopper eskaleringen til husleierestanseteamet.' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiBody({ schema: { example: { channel: 'phone', contactedOn: '2026-11-27' } } })
  @ApiErrors(...JSON_BODY_ERRORS, [404, 'Finnes ikke (eller utenfor din tilgang)'], [409, 'Saken er avsluttet'], [415, 'Ikke application/json'], [422, 'Valideringsfeil'])
  async recordContact(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @CurrentCaller() caller: Caller, @Param('id') id: string, @Body() body: unknown) {
    requireJson(request);
    const key = idempotencyKeyOf(request);
    const result = await this.idempotency.run(caller, idempotencyScopeOf(request), key, JSON.stringify({ id, body }), async () => {
      const parsed = contactBody.safeParse(body ?? {});
      if (!parsed.success) throw RequestValidationError.fromZod(parsed.error);
      if (!parseCaseId(id)) throw new ProblemException({ kind: 'not-found' });
      const now = this.clock.now();
      const today = osloDate(now);
      if (parsed.data.contactedOn && parsed.data.contactedOn > today) {
        throw new RequestValidationError([{ line: null, column: 'contactedOn', reason: 'kan ikke være frem i tid' }]);
      }
      const contactId = key ? deterministicId(`contact|${caller.actorId}|${key}`) : randomUUID();
      const role = actingRole(caller, CONTACT_WRITERS);
      // The handler authorises against the case itself and the tenancy's current NAV office (404 when out of reach).
      const events = await this.commands.execute<RecordContactCommand, readonly CaseEvent[]>(
        new RecordContactCommand(caller, id, { contactId, channel: parsed.data.channel, contactedOn: parsed.data.contactedOn ?? today, byRole: role }, {
          id: `contact-${contactId}`,
          correlationId: correlationIdOf(request),
          actor: { id: caller.actorId, role },
          now,
        }),
      );
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
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor fra forrige side' })
  @ApiQuery({ name: 'limit', required: false })
  @ApiErrors([422, 'Ugyldig spørring'])
  async queue(@CurrentCaller() caller: Caller, @Query() query: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const parsed = queueQuery.safeParse(query);
    if (!parsed.success) throw RequestValidationError.fromZod(parsed.error);
    const q = parsed.data;
    return cachedJson(reply, await this.queries.execute<ArrearsTeamQueueQuery, CasePage>(new ArrearsTeamQueueQuery(caller, municipalityFor(caller, q.municipality), cursorOf(q.cursor), q.limit)));
  }
}
