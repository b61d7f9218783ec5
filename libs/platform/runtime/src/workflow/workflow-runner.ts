import { sql, type Kysely } from 'kysely';
import { osloDate, startOfOsloDay, type LocalDate, type WorkflowInput, type WorkflowOutput } from '@evp/shared-kernel';
import type { Actor, EventFilter, EventTypeMap, GlobalPosition, RecordedEvent } from '@evp/event-store';
import { writeCheckpoint, type ReadModelDb } from '@evp/read-models';
import type { Clock } from '@evp/shared-kernel';
import type { EventProcessor, RunnerLogger } from '../subscription-runner';
import { describeError } from '../transient';
import type { DeadlineRow, WorkflowTables } from './deadline-table';

/** What caused a command: a stored event, a fired deadline or a request. Becomes the events' metadata. */
export interface Causation {
  /** Unique per cause: the events a command appends derive their ids from it, so a repeat appends nothing. */
  readonly id: string;
  readonly correlationId: string;
  readonly actor: Actor;
  /** Business time of the cause (from the injected clock). */
  readonly now: Date;
}

/** Per-batch memo for `loadState`: events of one stream in one batch usually need the same state. */
export type BatchCache = Map<string, Promise<unknown>>;

/**
 * A workflow as the runner sees it: the pure `decide` (from the context's domain) and the I/O
 * around it (loading state, dispatching commands through the CommandBus).
 */
export interface WorkflowDefinition<S = unknown, C = unknown> {
  /** Stable: deadline rows, checkpoints and operator views are keyed by it. */
  readonly name: string;
  readonly filter: EventFilter;
  /** Milliseconds new events may gather after an idle spell (see `EventProcessor.gatherMs`); default 0. */
  readonly gatherMs?: number;
  /**
   * Optional: called once per batch with every input of it, before any `loadState`, to read what
   * the batch needs in a few statements instead of one per input (results go into `cache`).
   */
  prepare?(inputs: readonly WorkflowInput[], today: LocalDate, cache: BatchCache): Promise<void>;
  loadState(input: WorkflowInput, today: LocalDate, cache: BatchCache): Promise<S>;
  decide(input: WorkflowInput, state: S, today: LocalDate): readonly WorkflowOutput<C>[];
  dispatch(command: C, causation: Causation): Promise<unknown>;
}

/** Where `timer` deadlines are delivered on time (BullMQ). */
export interface TimerDelivery {
  schedule(deadline: { id: string; dueAt: Date; workflow: string; kind: string }): Promise<unknown>;
  cancel(id: string): Promise<unknown>;
}

export interface WorkflowRunnerOptions {
  readonly db: ReadModelDb;
  readonly types: EventTypeMap;
  readonly clock: Clock;
  readonly logger: RunnerLogger;
  /** How many streams are worked on at once within a batch. */
  readonly concurrency?: number;
}

type DeadlineChange =
  | { readonly kind: 'schedule'; readonly row: DeadlineRow }
  | { readonly kind: 'cancel'; readonly id: string; readonly cause: string; readonly at: string };

type DeadlineCancel = Extract<DeadlineChange, { kind: 'cancel' }>;

interface IgnoredNote {
  readonly reason: string;
  readonly inputType: string;
  readonly inputId: string;
}

interface Decided<C> {
  readonly sends: Array<{ command: C; causation: Causation }>;
  readonly changes: DeadlineChange[];
  readonly ignored: IgnoredNote[];
}

/**
 * The one runner for every workflow (ARCHITECTURE.md, invariant 8). For a batch of events: load the
 * state each needs, decide, dispatch the commands (each idempotent: event ids derive from the
 * causation), then write the deadline changes, the `ignored` reasons and the checkpoint in one SQL
 * transaction. BullMQ learns of `timer` deadlines after the commit; if that fails, the sweeper
 * repairs it from the table.
 */
export class WorkflowRunner<S = unknown, C = unknown> implements EventProcessor {
  readonly commitsCheckpoint = true;
  readonly name: string;
  readonly filter: EventFilter;
  readonly gatherMs: number | undefined;
  delivery: TimerDelivery | undefined;
  private deliveryChain: Promise<unknown> = Promise.resolve();
  private deliveryBacklog = 0;
  private readonly concurrency: number;
  private readonly actor: Actor;

  constructor(
    readonly definition: WorkflowDefinition<S, C>,
    private readonly options: WorkflowRunnerOptions,
  ) {
    this.name = `workflow-${definition.name}`;
    this.filter = definition.filter;
    this.gatherMs = definition.gatherMs;
    this.concurrency = options.concurrency ?? 8;
    this.actor = { id: this.name, role: 'system' };
  }

  private get tables(): Kysely<WorkflowTables> {
    return this.options.db.kysely as Kysely<WorkflowTables>;
  }

  handle(event: RecordedEvent, upTo: GlobalPosition): Promise<void> {
    return this.handleBatch([event], upTo);
  }

  async handleBatch(events: readonly RecordedEvent[], upTo: GlobalPosition): Promise<void> {
    const now = this.options.clock.now();
    const today = osloDate(now);
    const byStream = new Map<string, Array<{ event: RecordedEvent; input: WorkflowInput }>>();
    const inputs: WorkflowInput[] = [];
    for (const event of events) {
      const input = this.decode(event);
      inputs.push(input);
      const list = byStream.get(event.streamName);
      if (list) list.push({ event, input });
      else byStream.set(event.streamName, [{ event, input }]);
    }
    const cache: BatchCache = new Map();
    if (this.definition.prepare) await this.definition.prepare(inputs, today, cache);
    const decided: Decided<C> = { sends: [], changes: [], ignored: [] };
    // Streams are independent; within a stream, order matters (a schedule then its cancel).
    const perStream = await mapLimit([...byStream.values()], this.concurrency, async (streamEvents) => {
      const local: Decided<C> = { sends: [], changes: [], ignored: [] };
      for (const { event, input } of streamEvents) {
        const state = await this.definition.loadState(input, today, cache);
        const causation: Causation = { id: `${this.name}:${event.id}`, correlationId: event.metadata.correlationId, actor: this.actor, now };
        this.collect(this.definition.decide(input, state, today), input, causation, now, local);
      }
      return local;
    });
    for (const local of perStream) {
      decided.sends.push(...local.sends);
      decided.changes.push(...local.changes);
      decided.ignored.push(...local.ignored);
    }
    // The same command twice in one batch (several postings to one tenancy) runs once, caused by
    // the last event: the handler decides on the current state, so the result is the same.
    const sends = new Map<string, { command: C; causation: Causation }>();
    for (const send of decided.sends) {
      const key = JSON.stringify(send.command);
      sends.delete(key);
      sends.set(key, send);
    }
    await mapLimit([...sends.values()], this.concurrency, (s) => this.definition.dispatch(s.command, s.causation));
    const toDeliver = await this.options.db.transaction(async (tx) => {
      const applied = await this.applyChanges(tx as unknown as Kysely<WorkflowTables>, decided.changes, decided.ignored, now);
      await writeCheckpoint(tx, this.name, upTo);
      return applied;
    });
    this.deliver(toDeliver);
  }

  /**
   * A deadline fired (BullMQ on time, or the daily sheet). The row says whether it is still
   * pending; the workflow decides what it means now, and its command re-checks the state, so an
   * early, late or doubled firing is harmless.
   */
  async fire(id: string): Promise<'fired' | 'not-pending' | 'not-due'> {
    const row = await this.tables.selectFrom('wf_deadlines').selectAll().where('id', '=', id).executeTakeFirst();
    const now = this.options.clock.now();
    if (!row || row.status !== 'pending' || row.workflow !== this.definition.name) return 'not-pending';
    if (row.due_at > now.toISOString()) return 'not-due';
    const today = osloDate(now);
    const input: WorkflowInput = { kind: 'deadline', type: `deadline.${row.kind}`, id: row.id, payload: JSON.parse(row.payload) as Record<string, string>, dueOn: row.due_on };
    const state = await this.definition.loadState(input, today, new Map());
    const causation: Causation = { id: `${this.name}:deadline:${row.id}:${row.due_at}`, correlationId: row.id, actor: this.actor, now };
    const decided: Decided<C> = { sends: [], changes: [], ignored: [] };
    this.collect(this.definition.decide(input, state, today), input, causation, now, decided);
    for (const send of decided.sends) await this.definition.dispatch(send.command, send.causation);
    const toDeliver = await this.options.db.transaction(async (tx) => {
      const t = tx as unknown as Kysely<WorkflowTables>;
      // Only the firing of this very schedule: a cancel or a move since then wins.
      await t
        .updateTable('wf_deadlines')
        .set({ status: 'fired', cause: causation.id, changed_at: now.toISOString() })
        .where('id', '=', row.id)
        .where('status', '=', 'pending')
        .where('due_at', '=', row.due_at)
        .execute();
      return this.applyChanges(t, decided.changes, decided.ignored, now);
    });
    this.deliver(toDeliver);
    return 'fired';
  }

  private decode(event: RecordedEvent): WorkflowInput {
    return {
      kind: 'event',
      type: event.type,
      data: this.options.types.dataOf(event),
      id: event.id,
      streamName: event.streamName,
      occurredAt: event.metadata.occurredAt,
    };
  }

  private collect(outputs: readonly WorkflowOutput<C>[], input: WorkflowInput, causation: Causation, now: Date, into: Decided<C>): void {
    outputs.forEach((output, index) => {
      switch (output.kind) {
        case 'send':
          into.sends.push({ command: output.command, causation: outputs.length > 1 ? { ...causation, id: `${causation.id}:${index}` } : causation });
          break;
        case 'schedule':
          into.changes.push({
            kind: 'schedule',
            row: {
              id: output.id,
              workflow: this.definition.name,
              kind: output.deadline,
              delivery: output.delivery,
              payload: JSON.stringify(output.payload),
              due_on: output.dueOn,
              due_at: startOfOsloDay(output.dueOn).toISOString(),
              status: 'pending',
              cause: input.id,
              changed_at: now.toISOString(),
            },
          });
          break;
        case 'cancel':
          into.changes.push({ kind: 'cancel', id: output.id, cause: input.id, at: now.toISOString() });
          break;
        case 'ignored':
          into.ignored.push({ reason: output.reason, inputType: input.type, inputId: input.id });
          break;
        default: {
          const never: never = output;
          throw new Error(`Unknown workflow output ${JSON.stringify(never)}`);
        }
      }
    });
  }

  /**
   * Writes a batch's deadline changes and ignored reasons: one multi-row statement per table and
   * chunk, not one per change. A cancel touches only a pending row (cancelling what is not pending —
   * a payment on an account with nothing scheduled — changes nothing); returns the changes that
   * BullMQ must hear of: every `timer` schedule, and the cancels that found a pending `timer` row.
   */
  private async applyChanges(tx: Kysely<WorkflowTables>, changes: readonly DeadlineChange[], ignored: readonly IgnoredNote[], now: Date): Promise<DeadlineChange[]> {
    // Last change per deadline wins: the order within a stream was kept when collecting.
    const last = new Map<string, DeadlineChange>();
    for (const change of changes) {
      const id = change.kind === 'schedule' ? change.row.id : change.id;
      last.delete(id);
      last.set(id, change);
    }
    const schedules: DeadlineRow[] = [];
    const cancels: DeadlineCancel[] = [];
    for (const change of last.values()) {
      if (change.kind === 'schedule') schedules.push(change.row);
      else cancels.push(change);
    }
    for (const rows of chunks(schedules, ROWS_PER_STATEMENT)) {
      await tx
        .insertInto('wf_deadlines')
        .values(rows)
        .onConflict((oc) =>
          oc.column('id').doUpdateSet((eb) => ({
            kind: eb.ref('excluded.kind'),
            delivery: eb.ref('excluded.delivery'),
            payload: eb.ref('excluded.payload'),
            due_on: eb.ref('excluded.due_on'),
            due_at: eb.ref('excluded.due_at'),
            status: eb.ref('excluded.status'),
            cause: eb.ref('excluded.cause'),
            changed_at: eb.ref('excluded.changed_at'),
          })),
        )
        .execute();
    }
    const cancelledTimers = new Set<string>();
    for (const some of chunks(cancels, ROWS_PER_STATEMENT)) {
      // Most cancels find nothing pending (a payment on an account with nothing scheduled): look
      // first, and write only the rows that are pending.
      const pending = await tx
        .selectFrom('wf_deadlines')
        .select('id')
        .where('status', '=', 'pending')
        .where(
          'id',
          'in',
          some.map((c) => c.id),
        )
        .execute();
      if (pending.length === 0) continue;
      const causeOf = new Map(some.map((c) => [c.id, c.cause]));
      // Each row keeps the id of the input that cancelled it: CASE id WHEN … THEN <cause> … END,
      // built in one go (Kysely's case builder copies itself at every WHEN).
      const cause = sql<string>`CASE ${sql.ref('id')} ${sql.join(
        pending.map((r) => sql`WHEN ${r.id} THEN ${causeOf.get(r.id) ?? null}`),
        sql` `,
      )} ELSE ${sql.ref('cause')} END`;
      const cancelled = await tx
        .updateTable('wf_deadlines')
        .set({ status: 'cancelled', cause, changed_at: now.toISOString() })
        // Still pending: a firing committed since the look keeps its own status.
        .where('status', '=', 'pending')
        .where(
          'id',
          'in',
          pending.map((r) => r.id),
        )
        .returning(['id', 'delivery'])
        .execute();
      for (const row of cancelled) if (row.delivery === 'timer') cancelledTimers.add(row.id);
    }
    const counts = new Map<string, { note: IgnoredNote; count: number }>();
    for (const note of ignored) {
      const entry = counts.get(note.reason);
      counts.set(note.reason, { note, count: (entry?.count ?? 0) + 1 });
    }
    for (const entries of chunks([...counts.values()], ROWS_PER_STATEMENT)) {
      await tx
        .insertInto('wf_ignored')
        .values(entries.map(({ note, count }) => ({ workflow: this.definition.name, reason: note.reason, count, last_input_type: note.inputType, last_input_id: note.inputId, last_at: now.toISOString() })))
        .onConflict((oc) =>
          oc.columns(['workflow', 'reason']).doUpdateSet((eb) => ({
            count: eb('wf_ignored.count', '+', eb.ref('excluded.count')),
            last_input_type: eb.ref('excluded.last_input_type'),
            last_input_id: eb.ref('excluded.last_input_id'),
            last_at: eb.ref('excluded.last_at'),
          })),
        )
        .execute();
    }
    return [...last.values()].filter((c) => (c.kind === 'schedule' ? c.row.delivery === 'timer' : cancelledTimers.has(c.id)));
  }

  /**
   * Tells BullMQ after the commit, in order, without holding up the subscription: while Redis is
   * down these calls fail or wait, and the sweeper puts back whatever is missing from the table.
   */
  private deliver(changes: readonly DeadlineChange[]): void {
    // `changes` are those `applyChanges` returned: only what BullMQ holds or must hold.
    const delivery = this.delivery;
    const timerChanges = changes;
    if (!delivery || timerChanges.length === 0) return;
    if (this.deliveryBacklog > 10_000) return; // the sweeper will catch up from the table
    this.deliveryBacklog += timerChanges.length;
    this.deliveryChain = this.deliveryChain.then(async () => {
      for (const change of timerChanges) {
        try {
          if (change.kind === 'schedule') await delivery.schedule({ id: change.row.id, dueAt: new Date(change.row.due_at), workflow: change.row.workflow, kind: change.row.kind });
          else await delivery.cancel(change.id);
        } catch (error) {
          this.options.logger.warn({ workflow: this.definition.name, deadline: change.kind === 'schedule' ? change.row.id : change.id, err: describeError(error) }, 'deadline not handed to BullMQ; the sweeper will');
        } finally {
          this.deliveryBacklog -= 1;
        }
      }
    });
  }

  /** Resolves when BullMQ has been told of every change so far (tests, shutdown). */
  async delivered(): Promise<void> {
    await this.deliveryChain;
  }
}

/**
 * Rows per multi-row statement: 10 columns each keeps a statement far below SQLite's 32 766 and
 * PostgreSQL's 65 535 bound parameters.
 */
const ROWS_PER_STATEMENT = 500;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Runs `fn` over `items` with at most `limit` at once, keeping the results in order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
