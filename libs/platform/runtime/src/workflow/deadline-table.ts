import type { Kysely, Migration } from 'kysely';

/**
 * The pending-deadline table: every deadline a workflow has scheduled, kept by the workflow runner
 * from events in the same transaction as its checkpoint. It is the truth about what is due;
 * BullMQ only delivers `timer` deadlines on time, and the sweeper holds BullMQ against this table,
 * so a Redis loss — even while the worker runs — loses no deadline (invariant 4). Fired and
 * cancelled rows stay as the history of what fired (DOMAIN.md: «timers that silently stop firing»).
 */
export interface DeadlineRow {
  readonly id: string;
  readonly workflow: string;
  readonly kind: string;
  readonly delivery: 'timer' | 'sheet';
  /** JSON of the deadline's payload (opaque ids only). */
  readonly payload: string;
  readonly due_on: string;
  /** ISO instant in UTC: sorts as text on both engines. */
  readonly due_at: string;
  readonly status: 'pending' | 'fired' | 'cancelled';
  /** Id of the event or deadline that last changed the row. */
  readonly cause: string;
  /** Business time of that change. */
  readonly changed_at: string;
}

export interface IgnoredRow {
  readonly workflow: string;
  readonly reason: string;
  readonly count: number;
  readonly last_input_type: string;
  readonly last_input_id: string;
  readonly last_at: string;
}

export interface WorkflowTables {
  wf_deadlines: DeadlineRow;
  wf_ignored: IgnoredRow;
}

export const workflowMigrations: Record<string, Migration> = {
  '2026-11-28-0100-workflow-deadlines': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('wf_deadlines')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workflow', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('delivery', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('due_on', 'text', (c) => c.notNull())
        .addColumn('due_at', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('cause', 'text', (c) => c.notNull())
        .addColumn('changed_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('wf_deadlines_due_idx').on('wf_deadlines').columns(['status', 'delivery', 'due_at']).execute();
      await db.schema.createIndex('wf_deadlines_changed_idx').on('wf_deadlines').columns(['status', 'changed_at']).execute();
      await db.schema
        .createTable('wf_ignored')
        .addColumn('workflow', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addColumn('last_input_type', 'text', (c) => c.notNull())
        .addColumn('last_input_id', 'text', (c) => c.notNull())
        .addColumn('last_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('wf_ignored_pk', ['workflow', 'reason'])
        .execute();
    },
  },
};
