import { daysBetween, type LocalDate } from '@evp/shared-kernel';
import type { RecordedEvent } from '@evp/event-store';
import type { EventProcessor, ReadModelOp, ReadModelStore } from '@evp/runtime';
import { CASE_STREAM_PREFIX, type CaseEvent, type PolicyReason } from '@evp/cases-domain';
import { toCaseEvent } from './cases.service';

export const CASES = 'cases';

export interface TimelineEntry {
  readonly at: string;
  readonly on: LocalDate;
  readonly type: CaseEvent['type'];
  /** What happened, in bokmål, for the people working the case. */
  readonly summary: string;
  readonly actorRole: string;
}

export interface CaseDoc {
  readonly caseId: string;
  readonly tenancyKey: string;
  readonly municipalityNumber: string;
  readonly tenancyId: string;
  readonly navOffice: string;
  readonly status: 'open' | 'escalated' | 'resolved';
  readonly openedOn: LocalDate;
  readonly firstContactDeadline: LocalDate;
  readonly arrearsOreAtOpening: number;
  readonly openingReasons: readonly PolicyReason[];
  readonly contacts: number;
  readonly lastContactOn: LocalDate | null;
  readonly escalatedOn: LocalDate | null;
  readonly escalationReasons: readonly PolicyReason[];
  readonly resolvedOn: LocalDate | null;
  readonly outcome: string | null;
  readonly timeline: readonly TimelineEntry[];
  /** Revision of the last event of the tenancy's case stream applied to this case. */
  readonly streamRevision: number;
}

const epochDay = (date: LocalDate) => daysBetween('1970-01-01', date);
export const statusIndex = (status: CaseDoc['status'], municipalityNumber: string) => `status:${status}:${municipalityNumber}`;
export const queueIndex = (municipalityNumber: string) => `arrears-team-queue:${municipalityNumber}`;
/** Open cases nobody has contacted yet, by deadline: what the deadline sweeper reads. */
export const FIRST_CONTACT_DUE = 'first-contact-due';
export const activeCaseDocId = (tenancyKey: string) => `active:${tenancyKey}`;

/** Projects case streams into case documents with their timeline, and the lists the api serves. */
export class CasesProjection implements EventProcessor {
  readonly name = 'cases';
  readonly filter = { streamPrefixes: [CASE_STREAM_PREFIX] };

  constructor(private readonly readModels: ReadModelStore) {}

  async handle(recorded: RecordedEvent): Promise<void> {
    const event = toCaseEvent(recorded);
    const tenancyKey = recorded.streamName.slice(CASE_STREAM_PREFIX.length);
    const current = await this.readModels.get<CaseDoc>(CASES, event.data.caseId);
    if (current && current.streamRevision >= recorded.revision) return;
    const entry = (summary: string): TimelineEntry => ({
      at: recorded.metadata.occurredAt,
      on: occurredOn(event),
      type: event.type,
      summary,
      actorRole: recorded.metadata.actor.role,
    });
    let doc: CaseDoc;
    switch (event.type) {
      case 'cases.CaseOpened': {
        const d = event.data;
        doc = {
          caseId: d.caseId,
          tenancyKey,
          municipalityNumber: d.municipalityNumber,
          tenancyId: d.tenancyId,
          navOffice: d.navOffice,
          status: 'open',
          openedOn: d.openedOn,
          firstContactDeadline: d.firstContactDeadline,
          arrearsOreAtOpening: d.arrearsOre,
          openingReasons: d.reasons,
          contacts: 0,
          lastContactOn: null,
          escalatedOn: null,
          escalationReasons: [],
          resolvedOn: null,
          outcome: null,
          timeline: [entry(`Sak åpnet. ${d.reasons.map((r) => r.explanation).join(' ')} Frist for første kontakt: ${d.firstContactDeadline}.`)],
          streamRevision: recorded.revision,
        };
        break;
      }
      case 'cases.ContactRecorded':
        if (!current) return;
        doc = { ...current, contacts: current.contacts + 1, lastContactOn: event.data.contactedOn, timeline: [...current.timeline, entry(`Kontakt registrert (${channelName(event.data.channel)}).`)], streamRevision: recorded.revision };
        break;
      case 'cases.CaseEscalatedToArrearsTeam':
        if (!current) return;
        doc = {
          ...current,
          status: 'escalated',
          escalatedOn: event.data.escalatedOn,
          escalationReasons: event.data.reasons,
          timeline: [...current.timeline, entry(`Eskalert til husleierestanseteamet. ${event.data.reasons.map((r) => r.explanation).join(' ')}`)],
          streamRevision: recorded.revision,
        };
        break;
      case 'cases.CaseResolved':
        if (!current) return;
        doc = { ...current, status: 'resolved', resolvedOn: event.data.resolvedOn, outcome: event.data.outcome, timeline: [...current.timeline, entry(`Sak avsluttet: betalt. ${event.data.explanation}`)], streamRevision: recorded.revision };
        break;
      default: {
        const never: never = event;
        return never;
      }
    }
    const ops: ReadModelOp[] = [{ kind: 'put', collection: CASES, id: doc.caseId, doc }];
    for (const status of ['open', 'escalated', 'resolved'] as const) {
      ops.push({ kind: 'index', collection: CASES, index: statusIndex(status, doc.municipalityNumber), id: doc.caseId, score: doc.status === status ? epochDay(doc.openedOn) : null });
    }
    ops.push({ kind: 'index', collection: CASES, index: queueIndex(doc.municipalityNumber), id: doc.caseId, score: doc.status === 'escalated' ? epochDay(doc.escalatedOn as string) : null });
    const awaitingContact = doc.status === 'open' && doc.contacts === 0;
    ops.push({ kind: 'index', collection: CASES, index: FIRST_CONTACT_DUE, id: doc.caseId, score: awaitingContact ? epochDay(doc.firstContactDeadline) : null });
    ops.push(doc.status === 'resolved' ? { kind: 'delete', collection: CASES, id: activeCaseDocId(tenancyKey) } : { kind: 'put', collection: CASES, id: activeCaseDocId(tenancyKey), doc: { caseId: doc.caseId } });
    await this.readModels.apply(ops);
  }

  async reset(): Promise<void> {
    await this.readModels.clear(CASES);
  }
}

function occurredOn(event: CaseEvent): LocalDate {
  switch (event.type) {
    case 'cases.CaseOpened':
      return event.data.openedOn;
    case 'cases.ContactRecorded':
      return event.data.contactedOn;
    case 'cases.CaseEscalatedToArrearsTeam':
      return event.data.escalatedOn;
    case 'cases.CaseResolved':
      return event.data.resolvedOn;
  }
}

const CHANNELS: Record<string, string> = { phone: 'telefon', meeting: 'møte', 'home-visit': 'hjemmebesøk', letter: 'brev', digital: 'digital melding' };
const channelName = (c: string) => CHANNELS[c] ?? c;
