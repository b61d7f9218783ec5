import { Body, Controller, Get, Inject, NotFoundException, Param, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBody, ApiHeader, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { isLocalDate, osloDate, type Clock } from '@evp/shared-kernel';
import { CLOCK } from '@evp/runtime';
import { CurrentCaller, Roles, actingRole, mayActIn, type Caller, type Role } from '@evp/auth';
import { MeetingRuleError, parseMeetingId } from '@evp/cases-domain';
import { ListMeetingsQuery, MeetingPackQuery, MeetingReportQuery, RecordArrearsTeamMeetingCommand, type MeetingPack, type MeetingRecorded, type MeetingReport } from '@evp/cases-application';
import { RentPositionQuery, type RentPosition } from '@evp/ledger-application';
import { IdempotencyService, idempotencyScopeOf } from '../http/idempotency';
import { RequestValidationError } from '../http/errors';
import { correlationIdOf, idempotencyKeyOf, requireJson } from '../http/request';
import { ApiErrors, IDEMPOTENCY_HEADER, JSON_BODY_ERRORS } from '../http/openapi';
import { cursorOf, cursorParam, limitParam, municipalityFor, municipalityParam, parsed } from '../web/query-params';
import { renderMeetingPdf } from './meeting-pdf';

const TEAM: Role[] = ['arrears-team', 'admin'];

const packQuery = z.object({ municipality: municipalityParam.optional() });
const listQuery = z.object({ municipality: municipalityParam.optional(), cursor: cursorParam, limit: limitParam });
const meetingBody = z
  .object({
    municipality: municipalityParam,
    heldOn: z.string().refine(isLocalDate, 'må være en dato (ÅÅÅÅ-MM-DD)'),
    decisions: z.array(z.object({ caseId: z.string().max(60), decision: z.string().max(4000) }).strict()).max(500),
  })
  .strict();

export interface MeetingPackWithFigures extends Omit<MeetingPack, 'figures'> {
  readonly figures: MeetingPack['figures'] & { readonly arrearsOre: number };
}

/**
 * The husleierestanseteam's monthly meeting (DOMAIN.md: «the monthly meeting needs a pack»): the
 * pack for the next meeting, recording a meeting's decisions as events, and each meeting's PDF.
 * The cases context gives the cases and their changes, the ledger the arrears figure.
 */
@ApiTags('arrears-team')
@Controller('api/v1/arrears-team')
export class MeetingsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly idempotency: IdempotencyService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('meeting-pack')
  @Roles(...TEAM)
  @ApiOperation({ summary: 'Møtepakken: alle saker i faresonen med begrunnelse og hva som har skjedd siden forrige møte, og nøkkeltall.' })
  @ApiQuery({ name: 'municipality', required: false, example: '5035' })
  @ApiErrors([404, 'Kommunen er utenfor din tilgang'], [422, 'Ugyldig spørring'])
  async pack(@CurrentCaller() caller: Caller, @Query() query: unknown): Promise<MeetingPackWithFigures> {
    const municipality = municipalityFor(caller, parsed(packQuery, query).municipality);
    const today = osloDate(this.clock.now());
    const [pack, rent] = await Promise.all([
      this.queries.execute<MeetingPackQuery, MeetingPack | undefined>(new MeetingPackQuery(caller, municipality)),
      this.queries.execute<RentPositionQuery, RentPosition | undefined>(new RentPositionQuery(caller, municipality, today)),
    ]);
    if (!pack) throw new NotFoundException({ error: 'NotFound', message: 'Finnes ikke' });
    return { ...pack, figures: { ...pack.figures, arrearsOre: rent?.arrearsOre ?? 0 } };
  }

  @Post('meetings')
  @Roles(...TEAM)
  @ApiOperation({ summary: 'Registrer et møte og vedtakene i det. Hvert vedtak blir en hendelse på saken; samme møte registrert på nytt endrer ingenting.' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiBody({ schema: { example: { municipality: '5035', heldOn: '2026-11-19', decisions: [{ caseId: '5035-100234-1', decision: 'Tilby nedbetalingsavtale; NAV kontakter husstanden.' }] } } })
  @ApiErrors(...JSON_BODY_ERRORS, [415, 'Ikke application/json'], [422, 'Valideringsfeil: hvert felt med årsak; ingenting er lagret'])
  async record(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @CurrentCaller() caller: Caller, @Body() body: unknown) {
    requireJson(request);
    const result = await this.idempotency.run(caller, idempotencyScopeOf(request), idempotencyKeyOf(request), JSON.stringify(body ?? null), async () => {
      const input = parsed(meetingBody, body);
      const meeting = { municipalityNumber: input.municipality, heldOn: input.heldOn, decisions: input.decisions };
      try {
        const recorded = await this.commands.execute<RecordArrearsTeamMeetingCommand, MeetingRecorded>(
          new RecordArrearsTeamMeetingCommand(caller, meeting, { id: 'meeting', correlationId: correlationIdOf(request), actor: { id: caller.actorId, role: actingRole(caller, TEAM) }, now: this.clock.now() }),
        );
        return { status: 201, body: { ...recorded, municipality: input.municipality, heldOn: input.heldOn } };
      } catch (error) {
        if (error instanceof MeetingRuleError) throw new RequestValidationError(error.problems.map((p) => ({ line: null, column: p.field, reason: p.reason })));
        throw error;
      }
    });
    void reply.status(result.status);
    if (result.replayed) void reply.header('Idempotent-Replayed', 'true');
    return result.body;
  }

  @Get('meetings')
  @Roles(...TEAM)
  @ApiOperation({ summary: 'Registrerte møter, nyeste først.' })
  @ApiQuery({ name: 'municipality', required: false, example: '5035' })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor fra forrige side' })
  @ApiQuery({ name: 'limit', required: false })
  @ApiErrors([422, 'Ugyldig spørring'])
  list(@CurrentCaller() caller: Caller, @Query() query: unknown) {
    const q = parsed(listQuery, query);
    return this.queries.execute(new ListMeetingsQuery(caller, municipalityFor(caller, q.municipality), cursorOf(q.cursor), q.limit));
  }

  @Get('meetings/:meetingId/pack.pdf')
  @Roles(...TEAM)
  @ApiProduces('application/pdf')
  @ApiOperation({ summary: 'Møtet som PDF (bokmål, tagget, nb-NO): vedtakene, sakene i faresonen med endringer siden møtet før, og nøkkeltall.' })
  @ApiErrors([404, 'Finnes ikke (eller utenfor din tilgang)'])
  async pdf(@Res({ passthrough: true }) reply: FastifyReply, @CurrentCaller() caller: Caller, @Param('meetingId') meetingId: string) {
    const parsedId = parseMeetingId(meetingId);
    const report = parsedId && mayActIn(caller, parsedId.municipalityNumber) ? await this.queries.execute<MeetingReportQuery, MeetingReport | undefined>(new MeetingReportQuery(caller, meetingId)) : undefined;
    if (!report) throw new NotFoundException({ error: 'NotFound', message: 'Finnes ikke' });
    const now = this.clock.now();
    const rent = await this.queries.execute<RentPositionQuery, RentPosition | undefined>(new RentPositionQuery(caller, report.municipalityNumber, osloDate(now)));
    const pdf = await renderMeetingPdf({ report, arrearsOre: rent?.arrearsOre ?? null, now });
    void reply.header('content-type', 'application/pdf');
    void reply.header('content-disposition', `attachment; filename="husleierestanseteamet-${report.meetingId}.pdf"`);
    void reply.header('cache-control', 'no-store');
    return reply.send(pdf);
  }
}
