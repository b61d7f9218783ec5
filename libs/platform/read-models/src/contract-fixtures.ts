import type { JsonObject, RecordedEvent } from '@evp/event-store';
import type { Kysely } from 'kysely';
import type { SqlProjection } from './projection';

/**
 * A small but realistic projection for the contract suite: the prevention-case list a
 * municipality's arrears team pages through, and per-status counts kept by upserts.
 */
export interface CaseListTables {
  case_list: {
    case_id: string;
    municipality: string;
    tenancy_id: string;
    status: 'open' | 'escalated' | 'closed';
    opened_on: string;
    closed_on: string | null;
    escalated_to: string | null;
    escalations: number;
  };
  case_counts: {
    municipality: string;
    status: string;
    cases: number;
  };
}

export const POISON_EVENT = 'test.Poison';

export function caseListProjection(overrides: Partial<Pick<SqlProjection<CaseListTables>, 'name' | 'version'>> = {}): SqlProjection<CaseListTables> {
  return {
    name: overrides.name ?? 'case-list',
    version: overrides.version ?? 1,
    filter: { streamPrefixes: ['case-'] },
    tables: ['case_list', 'case_counts'],

    async createTables(db) {
      await db.schema
        .createTable('case_list')
        .addColumn('case_id', 'text', (c) => c.primaryKey())
        .addColumn('municipality', 'text', (c) => c.notNull())
        .addColumn('tenancy_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('opened_on', 'text', (c) => c.notNull())
        .addColumn('closed_on', 'text')
        .addColumn('escalated_to', 'text')
        .addColumn('escalations', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      // The arrears team's list: a municipality's cases, oldest first.
      await db.schema.createIndex('case_list_municipality_opened_idx').on('case_list').columns(['municipality', 'opened_on', 'case_id']).execute();
      // The same newest first, ties still in case order: a mixed-direction key.
      await db.schema.createIndex('case_list_municipality_recent_idx').on('case_list').columns(['municipality', 'opened_on desc', 'case_id']).execute();
      await db.schema
        .createTable('case_counts')
        .addColumn('municipality', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('cases', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('case_counts_pk', ['municipality', 'status'])
        .execute();
    },

    async apply(tx, events) {
      for (const event of events) {
        const data = (key: string): string => {
          const value = event.data[key];
          if (typeof value !== 'string') throw new Error(`${event.type} ${event.id} has no text "${key}"`);
          return value;
        };
        switch (event.type) {
          case 'cases.CaseOpened':
            await tx
              .insertInto('case_list')
              .values({
                case_id: data('caseId'),
                municipality: data('municipality'),
                tenancy_id: data('tenancyId'),
                status: 'open',
                opened_on: data('openedOn'),
                closed_on: null,
                escalated_to: null,
                escalations: 0,
              })
              .execute();
            await bump(tx, data('municipality'), 'open', 1);
            break;
          case 'cases.CaseEscalated': {
            const before = await tx.selectFrom('case_list').select(['municipality', 'status']).where('case_id', '=', data('caseId')).executeTakeFirstOrThrow();
            await tx
              .updateTable('case_list')
              .set((eb) => ({ status: 'escalated', escalated_to: data('to'), escalations: eb('case_list.escalations', '+', 1) }))
              .where('case_list.case_id', '=', data('caseId'))
              .execute();
            await move(tx, before.municipality, before.status, 'escalated');
            break;
          }
          case 'cases.CaseClosed': {
            const before = await tx.selectFrom('case_list').select(['municipality', 'status']).where('case_id', '=', data('caseId')).executeTakeFirstOrThrow();
            await tx.updateTable('case_list').set({ status: 'closed', closed_on: data('closedOn') }).where('case_id', '=', data('caseId')).execute();
            await move(tx, before.municipality, before.status, 'closed');
            break;
          }
          case POISON_EVENT:
            throw new Error(`Poison event ${event.id}`);
          default:
            break;
        }
      }
    },
  };
}

async function move(tx: Kysely<CaseListTables>, municipality: string, from: string, to: string): Promise<void> {
  if (from === to) return;
  await bump(tx, municipality, from, -1);
  await bump(tx, municipality, to, 1);
}

async function bump(tx: Kysely<CaseListTables>, municipality: string, status: string, delta: number): Promise<void> {
  await tx
    .insertInto('case_counts')
    .values({ municipality, status, cases: delta })
    .onConflict((oc) => oc.columns(['municipality', 'status']).doUpdateSet((eb) => ({ cases: eb('case_counts.cases', '+', eb.ref('excluded.cases')) })))
    .execute();
  await tx.deleteFrom('case_counts').where('municipality', '=', municipality).where('status', '=', status).where('cases', '=', 0).execute();
}

/** Builds recorded events with deterministic ids and consecutive positions, as a store would deliver them. */
export class EventLog {
  private readonly events: RecordedEvent[] = [];
  private readonly revisions = new Map<string, number>();

  append(streamName: string, type: string, data: JsonObject): RecordedEvent {
    const revision = (this.revisions.get(streamName) ?? -1) + 1;
    this.revisions.set(streamName, revision);
    const position = String(this.events.length + 1);
    const event: RecordedEvent = {
      id: `00000000-0000-4000-8000-${position.padStart(12, '0')}`,
      type,
      data,
      metadata: {
        correlationId: `corr-${position}`,
        causationId: null,
        actor: { id: 'contract-suite', role: 'system' },
        occurredAt: '2026-11-26T10:00:00.000Z',
        schemaVersion: 1,
      },
      streamName,
      revision,
      position,
      recordedAt: '2026-11-26T10:00:00.000Z',
    };
    this.events.push(event);
    return event;
  }

  opened(caseId: string, municipality: string, openedOn: string): RecordedEvent {
    return this.append(`case-${municipality}-${caseId}`, 'cases.CaseOpened', { caseId, municipality, tenancyId: `t-${caseId}`, openedOn });
  }

  escalated(caseId: string, municipality: string, to: 'arrears-team' | 'nav'): RecordedEvent {
    return this.append(`case-${municipality}-${caseId}`, 'cases.CaseEscalated', { caseId, to });
  }

  closed(caseId: string, municipality: string, closedOn: string): RecordedEvent {
    return this.append(`case-${municipality}-${caseId}`, 'cases.CaseClosed', { caseId, closedOn, outcome: 'settled' });
  }

  all(): readonly RecordedEvent[] {
    return [...this.events];
  }

  /** Consecutive batches of at most `size` events, each with the position of its last event. */
  batches(size: number): Array<{ events: readonly RecordedEvent[]; position: string }> {
    const out: Array<{ events: readonly RecordedEvent[]; position: string }> = [];
    for (let i = 0; i < this.events.length; i += size) {
      const events = this.events.slice(i, i + size);
      out.push({ events, position: must(events[events.length - 1], 'a batch event').position });
    }
    return out;
  }
}

/** A history with ties on `opened_on`, two municipalities, escalations and closures. */
export function sampleHistory(cases = 24): EventLog {
  const log = new EventLog();
  for (let i = 0; i < cases; i++) {
    const caseId = `c${String(i).padStart(3, '0')}`;
    const municipality = i % 3 === 0 ? '5037' : '5035';
    // Four cases a day, in an order that differs from case ids: ties and out-of-order inserts.
    const day = 1 + ((i * 7) % (cases / 4));
    log.opened(caseId, municipality, `2026-03-${String(day).padStart(2, '0')}`);
  }
  for (let i = 0; i < cases; i += 4) log.escalated(`c${String(i).padStart(3, '0')}`, i % 3 === 0 ? '5037' : '5035', 'arrears-team');
  for (let i = 0; i < cases; i += 8) log.escalated(`c${String(i).padStart(3, '0')}`, i % 3 === 0 ? '5037' : '5035', 'nav');
  for (let i = 1; i < cases; i += 5) log.closed(`c${String(i).padStart(3, '0')}`, i % 3 === 0 ? '5037' : '5035', '2026-04-01');
  return log;
}

/** The value, or a failed test when there is none (no non-null assertions in this code base). */
export function must<T>(value: T | null | undefined, what = 'value'): T {
  if (value === null || value === undefined) throw new Error(`Expected ${what}, got ${String(value)}`);
  return value;
}
