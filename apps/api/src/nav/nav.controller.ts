import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBody, ApiHeader, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { deterministicId, osloDate, type Clock } from '@evp/shared-kernel';
import { CLOCK, type Causation } from '@evp/runtime';
import { decodeCursor } from '@evp/read-models';
import { CurrentCaller, ProblemException, Roles, actingRole, type Caller, type Role } from '@evp/auth';
import { parseCaseId } from '@evp/cases-contract';
import { NavRuleError, type NavEvent } from '@evp/nav-domain';
import {
  ClaimReferralCommand,
  INBOX_CURSOR_ARITY,
  INBOX_VIEWS,
  NavAlertsQuery,
  NavAuditQuery,
  NavInboxQuery,
  NavRecordQuery,
  NavSummaryQuery,
  ReassignReferralCommand,
  RecordNavStepCommand,
  ReleaseReferralCommand,
  type NavRecordView,
  type NavSummaryView,
} from '@evp/nav-application';
import { IdempotencyService, idempotencyScopeOf } from '../http/idempotency';
import { RequestValidationError } from '../http/errors';
import { correlationIdOf, idempotencyKeyOf, requireJson } from '../http/request';
import { ApiErrors, IDEMPOTENCY_HEADER, JSON_BODY_ERRORS } from '../http/openapi';
import { prepareStep, stepBody } from './nav-steps';

const NAV: Role[] = ['nav-adviser', 'nav-lead'];
/**
 * Reading one case's NAV record or summary is open to every role at the door: who may see what is
 * decided against the record itself, and every attempt — refused ones too — is audited.
 */
const ANYONE: Role[] = ['accounting', 'arrears-team', 'nav-adviser', 'nav-lead', 'landlord', 'admin'];

const cursor = z.string().max(1024).optional();
const limit = z.coerce.number().int().min(1).max(500).default(50);
const inboxQuery = z.object({ view: z.enum(INBOX_VIEWS).default('open'), cursor, limit }).strict();
const pageQuery = z.object({ cursor, limit }).strict();
const auditQuery = z.object({ caseId: z.string().max(60).optional(), cursor, limit }).strict();
const reassignBody = z.object({ toActorId: z.string().regex(/^a_[0-9a-f]{32}$/, 'må være en veileders aktør-id (a_ og 32 heksadesimale tegn)') }).strict();

function cursorOf(value: string | undefined, arity: number) {
  if (value === undefined) return undefined;
  const after = decodeCursor(value, arity);
  if (!after) throw new RequestValidationError([{ line: null, column: 'cursor', reason: 'er ikke en gyldig sidemarkør; bruk nextCursor fra forrige side' }]);
  return after;
}

const notFound = () => new ProblemException({ kind: 'not-found' });

/** NAV's refusals as problems: who has a claimed referral travels as an opaque actor id and a role, never a name. */
function asProblem(error: unknown): unknown {
  if (!(error instanceof NavRuleError)) return error;
  switch (error.code) {
    case 'NOT_FOUND':
      return notFound();
    case 'ALREADY_CLAIMED': {
      const by = error.details.claimedBy;
      return new ProblemException({
        kind: 'conflict',
        detail: 'Henvisningen er allerede tatt av en annen veileder.',
        errors: by
          ? [
              { line: null, column: 'claimedBy.actorId', reason: by.actorId },
              { line: null, column: 'claimedBy.role', reason: by.role },
            ]
          : undefined,
      });
    }
    case 'NOT_CLAIMED':
    case 'CONCLUDED':
      return new ProblemException({ kind: 'conflict', detail: `${error.message}.` });
    case 'NOT_ALLOWED':
      return new ProblemException({ kind: 'forbidden', detail: `${error.message}.` });
    case 'INVALID':
      return new RequestValidationError([{ line: null, column: error.details.field ?? null, reason: error.message }]);
    default:
      return error;
  }
}

/**
 * NAV's working tool (issue 10): the office inbox with claim, release and reassignment, the
 * follow-up's steps, the record with its timeline, the team's summary, what must be told, and the
 * audit of reads. Every response body is bokmål where it is text for people.
 */
@ApiTags('nav')
@Controller('api/v1/nav')
export class NavController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly idempotency: IdempotencyService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('inbox')
  @Roles(...NAV)
  @ApiOperation({ summary: 'NAV-kontorets innboks: henvisninger etter prioritet (kjent begjæring/utkastelse, barn eller sårbar, resten) og dato. Lesingen revideres.' })
  @ApiQuery({ name: 'view', enum: INBOX_VIEWS, required: false, description: 'open (standard), unclaimed, claimed, mine, concluded' })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor fra forrige side' })
  @ApiQuery({ name: 'limit', required: false })
  @ApiErrors([422, 'Ugyldig spørring'])
  async inbox(@CurrentCaller() caller: Caller, @Query() query: unknown) {
    const parsed = inboxQuery.safeParse(query);
    if (!parsed.success) throw RequestValidationError.fromZod(parsed.error);
    const q = parsed.data;
    return this.queries.execute(new NavInboxQuery(caller, q.view, cursorOf(q.cursor, INBOX_CURSOR_ARITY), q.limit));
  }

  @Post('cases/:caseId/claim')
  @Roles(...NAV)
  @ApiOperation({ summary: 'Ta henvisningen. Når to tar den samtidig, vinner én; den andre får 409 med hvem som har den (aktør-id og rolle).' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiErrors([404, 'Finnes ikke (eller utenfor ditt NAV-kontor)'], [409, 'Allerede tatt av en annen, eller avsluttet'])
  async claim(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @CurrentCaller() caller: Caller, @Param('caseId') caseId: string) {
    return this.command(request, reply, caller, caseId, {}, 'claim', async (causation) => {
      await this.commands.execute(new ClaimReferralCommand(caller, caseId, causation));
      return { status: 200, body: { caseId, claimed: true, assignee: { actorId: caller.actorId, role: causation.actor.role } } };
    });
  }

  @Post('cases/:caseId/release')
  @Roles(...NAV)
  @ApiOperation({ summary: 'Gi henvisningen tilbake til kontorets innboks (den som har den, eller kontorlederen).' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiErrors([403, 'Bare den som har den, eller kontorlederen'], [404, 'Finnes ikke (eller utenfor ditt NAV-kontor)'])
  async release(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @CurrentCaller() caller: Caller, @Param('caseId') caseId: string) {
    return this.command(request, reply, caller, caseId, {}, 'release', async (causation) => {
      const events = await this.commands.execute<ReleaseReferralCommand, readonly NavEvent[]>(new ReleaseReferralCommand(caller, caseId, causation));
      return { status: 200, body: { caseId, released: events.length > 0 } };
    });
  }

  @Post('cases/:caseId/reassign')
  @Roles('nav-lead')
  @ApiOperation({ summary: 'Kontorlederen fordeler henvisningen til en veileder (aktør-id).' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiBody({ schema: { example: { toActorId: 'a_0123456789abcdef0123456789abcdef' } } })
  @ApiErrors([404, 'Finnes ikke (eller utenfor ditt NAV-kontor)'], [409, 'Avsluttet'], [415, 'Ikke application/json'], [422, 'Valideringsfeil'], ...JSON_BODY_ERRORS)
  async reassign(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @CurrentCaller() caller: Caller, @Param('caseId') caseId: string, @Body() body: unknown) {
    requireJson(request);
    return this.command(request, reply, caller, caseId, body, 'reassign', async (causation) => {
      const parsed = reassignBody.safeParse(body ?? {});
      if (!parsed.success) throw RequestValidationError.fromZod(parsed.error);
      await this.commands.execute(new ReassignReferralCommand(caller, caseId, parsed.data.toActorId, causation));
      return { status: 200, body: { caseId, assignee: { actorId: parsed.data.toActorId, role: 'nav-adviser' } } };
    });
  }

  @Post('cases/:caseId/steps')
  @Roles(...NAV)
  @ApiOperation({
    summary:
      'Registrer et steg i oppfølgingen (type: contact-made, economic-advice-requested/-decided/-started/-followed-up/-concluded, payment-plan-agreed/-cancelled, income-management-agreed/-withdrawn, financial-assistance-decided, housing-application-noted, housing-decision-requested/-made, paused, resumed, flags-set, concluded).',
  })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiBody({ schema: { example: { type: 'economic-advice-requested', form: 'oral', requestedOn: '2026-11-18', note: 'Ba om hjelp med budsjett.' } } })
  @ApiErrors([404, 'Finnes ikke (eller utenfor ditt NAV-kontor)'], [409, 'Ikke tatt, eller avsluttet'], [415, 'Ikke application/json'], [422, 'Valideringsfeil'], ...JSON_BODY_ERRORS)
  async step(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @CurrentCaller() caller: Caller, @Param('caseId') caseId: string, @Body() body: unknown) {
    requireJson(request);
    const key = idempotencyKeyOf(request);
    if (!parseCaseId(caseId)) throw notFound();
    const result = await this.idempotency.run(caller, idempotencyScopeOf(request), key, JSON.stringify({ caseId, body }), async () => {
      const parsed = stepBody.safeParse(body ?? {});
      if (!parsed.success) throw RequestValidationError.fromZod(parsed.error);
      const now = this.clock.now();
      const prepared = prepareStep(parsed.data, caller.actorId, key, osloDate(now));
      const causation: Causation = { id: prepared.causationId, correlationId: correlationIdOf(request), actor: { id: caller.actorId, role: actingRole(caller, NAV) }, now };
      try {
        const events = await this.commands.execute<RecordNavStepCommand, readonly NavEvent[]>(new RecordNavStepCommand(caller, caseId, prepared.step, prepared.texts, causation));
        return { status: 201, body: { caseId, type: parsed.data.type, id: prepared.createdId, recorded: events.map((e) => e.type) } };
      } catch (error) {
        throw asProblem(error);
      }
    });
    void reply.status(result.status);
    if (result.replayed) void reply.header('Idempotent-Replayed', 'true');
    return result.body;
  }

  @Get('cases/:caseId')
  @Roles(...ANYONE)
  @ApiOperation({ summary: 'NAVs hele oppfølging av saken med tidslinje og notater — bare for det behandlende NAV-kontoret. Hver lesing (også avviste) revideres.' })
  @ApiErrors([404, 'Finnes ikke (eller utenfor din tilgang)'])
  async record(@CurrentCaller() caller: Caller, @Param('caseId') caseId: string) {
    const found = parseCaseId(caseId) ? await this.queries.execute<NavRecordQuery, NavRecordView | undefined>(new NavRecordQuery(caller, caseId)) : undefined;
    if (!found) throw notFound();
    return found;
  }

  @Get('cases/:caseId/summary')
  @Roles(...ANYONE)
  @ApiOperation({ summary: 'Sammendrag for husleierestanseteamet: NAV har saken, neste dato, hjelp på vei ja/nei — uten beløp og notater. Lesingen revideres.' })
  @ApiErrors([404, 'Finnes ikke (eller utenfor din tilgang)'])
  async summary(@CurrentCaller() caller: Caller, @Param('caseId') caseId: string) {
    const found = parseCaseId(caseId) ? await this.queries.execute<NavSummaryQuery, NavSummaryView | undefined>(new NavSummaryQuery(caller, caseId)) : undefined;
    if (!found) throw notFound();
    return found;
  }

  @Get('alerts')
  @Roles('nav-adviser', 'nav-lead', 'arrears-team')
  @ApiOperation({ summary: 'Det du skal varsles om: henvisninger ikke tatt i tide, brutte nedbetalingsavtaler, trukket samtykke. Teamet får bare sammendraget.' })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false })
  @ApiErrors([422, 'Ugyldig spørring'])
  async alerts(@CurrentCaller() caller: Caller, @Query() query: unknown) {
    const parsed = pageQuery.safeParse(query);
    if (!parsed.success) throw RequestValidationError.fromZod(parsed.error);
    return this.queries.execute(new NavAlertsQuery(caller, cursorOf(parsed.data.cursor, 2), parsed.data.limit));
  }

  @Get('audit')
  @Roles('nav-lead')
  @ApiOperation({ summary: 'Hvem har lest kontorets NAV-opplysninger, når, og hvilken sak (også avviste forsøk). Bare for kontorlederen.' })
  @ApiQuery({ name: 'caseId', required: false })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false })
  @ApiErrors([422, 'Ugyldig spørring'])
  async audit(@CurrentCaller() caller: Caller, @Query() query: unknown) {
    const parsed = auditQuery.safeParse(query);
    if (!parsed.success) throw RequestValidationError.fromZod(parsed.error);
    return this.queries.execute(new NavAuditQuery(caller, parsed.data.caseId, cursorOf(parsed.data.cursor, 2), parsed.data.limit));
  }

  /** The shape of a command request: idempotent per caller, method and route; refusals as problems. */
  private async command(
    request: FastifyRequest,
    reply: FastifyReply,
    caller: Caller,
    caseId: string,
    body: unknown,
    what: string,
    run: (causation: Causation) => Promise<{ status: number; body: unknown }>,
  ) {
    if (!parseCaseId(caseId)) throw notFound();
    const key = idempotencyKeyOf(request);
    const result = await this.idempotency.run(caller, idempotencyScopeOf(request), key, JSON.stringify({ caseId, body }), async () => {
      const now = this.clock.now();
      const id = key ? deterministicId(`nav-${what}|${caller.actorId}|${key}`) : randomUUID();
      try {
        return await run({ id: `nav-${what}-${id}`, correlationId: correlationIdOf(request), actor: { id: caller.actorId, role: actingRole(caller, ['nav-lead', 'nav-adviser']) }, now });
      } catch (error) {
        throw asProblem(error);
      }
    });
    void reply.status(result.status);
    if (result.replayed) void reply.header('Idempotent-Replayed', 'true');
    return result.body;
  }
}
