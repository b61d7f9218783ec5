import { Controller, Get, Injectable } from '@nestjs/common';
import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CaseEscalatedToArrearsTeamEvent, CaseOpenedEvent, CaseResolvedEvent, ContactRecordedEvent } from '@evp/cases-application';

type CaseEvent = CaseOpenedEvent | ContactRecordedEvent | CaseEscalatedToArrearsTeamEvent | CaseResolvedEvent;

/**
 * Counts case activity seen by this worker process, per municipality, from rehydrated events on the
 * `@nestjs/cqrs` bus: a live view for operators, not a report (the monthly figures come from the
 * event store, which is durable).
 */
@Injectable()
@EventsHandler(CaseOpenedEvent, ContactRecordedEvent, CaseEscalatedToArrearsTeamEvent, CaseResolvedEvent)
export class CaseActivityCounter implements IEventHandler<CaseEvent> {
  private readonly counts = new Map<string, Record<string, number>>();

  handle(event: CaseEvent): void {
    const municipality = event.data.caseId.slice(0, 4);
    const kind = event instanceof CaseOpenedEvent ? 'opened' : event instanceof ContactRecordedEvent ? 'contacts' : event instanceof CaseEscalatedToArrearsTeamEvent ? 'escalated' : 'resolved';
    const row = this.counts.get(municipality) ?? { opened: 0, contacts: 0, escalated: 0, resolved: 0 };
    row[kind] = (row[kind] ?? 0) + 1;
    this.counts.set(municipality, row);
  }

  snapshot(): Record<string, Record<string, number>> {
    return Object.fromEntries(this.counts);
  }
}

@ApiTags('operator')
@Controller('operator')
export class CaseActivityController {
  constructor(private readonly counter: CaseActivityCounter) {}

  @Get('case-activity')
  @ApiOperation({ summary: 'Case events seen by this worker since its read models were last built, per municipality.' })
  activity() {
    return this.counter.snapshot();
  }
}
