import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentCaller, ProblemException, Roles, mayActIn, type Caller } from '@evp/auth';
import { ProcessingService, UnknownProjectionError, type DeadlineService, type SubscriptionStatus } from '@evp/runtime';

/**
 * Stream names and deadline ids carry the kommunenummer right after their prefix
 * (`tenancy-5035-…`, `case.5035-…`): an admin sees only those of their own municipalities.
 */
function municipalityOf(name: string): string | undefined {
  return /^[a-z]+[-.](\d{4})-/.exec(name)?.[1];
}

const visibleTo = (caller: Caller) => (name: string) => {
  const municipality = municipalityOf(name);
  return municipality === undefined || mayActIn(caller, municipality);
};

/**
 * A worker split by WORKER_ROLE answers 404 for the part it does not run, so the api's operator
 * proxy finds the process that does.
 */
const notRunHere = (what: string) => new ProblemException({ kind: 'not-run-here', detail: `Denne workerprosessen kjører ikke ${what}.` });

/**
 * What an operator needs to see and do (DOMAIN.md: every deadline must be observable), behind the
 * same token verification as the api, role `admin`, scoped to the admin's municipalities.
 */
@ApiTags('operator')
@ApiBearerAuth()
@Roles('admin')
@Controller('operator')
export class OperatorController {
  constructor(private readonly processing: ProcessingService) {}

  @Get('subscriptions')
  @ApiOperation({ summary: 'Every subscription: state, checkpoint, last handled position, last error, parked and held events with their errors.' })
  subscriptions(@CurrentCaller() caller: Caller): SubscriptionStatus[] {
    const visible = visibleTo(caller);
    return this.processing.allRunners().map((r) => {
      const status = r.status();
      return { ...status, parked: status.parked.filter((p) => visible(p.streamName)) };
    });
  }

  @Get('lag')
  @ApiOperation({ summary: 'Per subscription, from its durable checkpoint: whether every event of its streams is handled, and since when it is behind.' })
  async lag() {
    const subscriptions = await this.processing.lag();
    return { caughtUp: subscriptions.every((s) => s.caughtUp), subscriptions };
  }

  @Get('projections')
  @ApiOperation({ summary: 'The SQL projections and any rebuild in progress.' })
  projections() {
    this.projectionsHere();
    return this.processing.projections.names().map((name) => ({ name, rebuild: this.processing.projections.progress(name) }));
  }

  @Post('projections/:name/rebuild')
  @HttpCode(202)
  @ApiOperation({ summary: 'Rebuild a projection into new tables while the old ones keep serving; switched when caught up. Returns the progress.' })
  async rebuild(@Param('name') name: string) {
    this.projectionsHere();
    try {
      return await this.processing.projections.rebuild(name);
    } catch (error) {
      if (error instanceof UnknownProjectionError) throw new ProblemException({ kind: 'not-found', detail: 'Ingen projeksjon med det navnet.' });
      throw error;
    }
  }

  @Get('projections/:name/rebuild')
  @ApiOperation({ summary: 'Progress of the latest rebuild of a projection.' })
  progress(@Param('name') name: string) {
    this.projectionsHere();
    try {
      return this.processing.projections.progress(name);
    } catch (error) {
      if (error instanceof UnknownProjectionError) throw new ProblemException({ kind: 'not-found', detail: 'Ingen projeksjon med det navnet.' });
      throw error;
    }
  }

  @Post('workflows/:name/replay')
  @HttpCode(202)
  @ApiOperation({ summary: 'Replay the whole log through a workflow. Its commands are idempotent, so this appends nothing new; it proves it.' })
  async replay(@Param('name') name: string) {
    if (!(await this.processing.replayWorkflow(name))) throw new ProblemException({ kind: 'not-found', detail: 'Ingen arbeidsflyt med det navnet.' });
    return { replaying: name };
  }

  @Post('subscriptions/:name/parked/retry')
  @ApiOperation({ summary: 'Hand the parked events of one stream to the handler again, in order.' })
  async retry(@CurrentCaller() caller: Caller, @Param('name') name: string, @Query('stream') stream: string | undefined) {
    if (!stream) throw new ProblemException({ kind: 'bad-request', detail: 'Spørringen mangler stream.', errors: [{ line: null, column: 'stream', reason: 'må oppgis' }] });
    const runner = this.processing.runner(name);
    if (!runner || !visibleTo(caller)(stream)) throw new ProblemException({ kind: 'not-found' });
    return runner.retryParked(stream);
  }

  @Get('deadlines')
  @ApiOperation({ summary: 'Deadlines: counts by state, the pending ones (which are overdue), what fired or was cancelled lately, why workflows ignored inputs, BullMQ counts and the last sweep.' })
  async deadlines(@CurrentCaller() caller: Caller, @Query('limit') limit?: string) {
    const max = Math.min(Math.max(Number(limit ?? 1000) || 1000, 1), 10_000);
    const overview = await this.deadlinesHere().overview(max);
    const visible = visibleTo(caller);
    return { ...overview, pending: overview.pending.filter((d) => visible(d.id)), recent: overview.recent.filter((d) => visible(d.id)) };
  }

  @Post('deadlines/sweep')
  @HttpCode(200)
  @ApiOperation({ summary: 'Hold BullMQ against the pending-deadline table and fire the due daily sheet now.' })
  sweep() {
    return this.deadlinesHere().sweep({ fresh: true });
  }

  @Get('periodic')
  @ApiOperation({ summary: 'The periodic read-model work (e.g. the ledger\'s daily roll): its last round, rows changed per piece and failures.' })
  periodic() {
    const work = this.processing.periodicWork();
    if (!work.runsHere) throw notRunHere('det periodiske vedlikeholdet av lesemodellene');
    return { last: work.last ?? null };
  }

  @Post('periodic/run')
  @HttpCode(200)
  @ApiOperation({ summary: 'Run the periodic read-model work now (where one process runs everything: a whole sweep).' })
  async runPeriodic() {
    const last = await this.processing.runPeriodicWork();
    if (last === undefined) throw notRunHere('det periodiske vedlikeholdet av lesemodellene');
    return { last };
  }

  private projectionsHere(): void {
    if (!this.processing.runs.projections) throw notRunHere('projeksjonene');
  }

  private deadlinesHere(): DeadlineService {
    if (this.processing.deadlines === undefined) throw notRunHere('arbeidsflytene og fristene');
    return this.processing.deadlines;
  }
}
