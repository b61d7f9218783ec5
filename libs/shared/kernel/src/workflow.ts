import type { LocalDate } from './local-date';

/**
 * The one shape of a workflow (saga, process manager): a pure function from an input — a stored
 * event or a fired deadline — and the state it needs, to a list of outputs. It performs nothing;
 * the platform's workflow runner executes the outputs (ARCHITECTURE.md, invariant 8). Returning
 * `ignored` with a reason instead of nothing is what lets operators see why nothing happened.
 */

/** A kind of deadline, defined once: its stable name, its deterministic id, and (in the workflow) the rule that says when it is due. */
export interface DeadlineKind<P extends DeadlinePayload = DeadlinePayload> {
  /** Stable, stored: e.g. `cases.first-contact`. Never rename. */
  readonly name: string;
  /**
   * How it is delivered. `timer`: a BullMQ delayed job fires it on time. `sheet`: many deadlines of
   * the same kind fall due together (a grace period ends for thousands of tenancies), so they are
   * read from the pending-deadline table in one pass instead of one Redis job each (invariant 4).
   */
  readonly delivery: 'timer' | 'sheet';
  /** Deterministic and opaque: letters, digits, `_ . -` only, never personal data. */
  id(payload: P): string;
}

export type DeadlinePayload = Readonly<Record<string, string | number>>;

export function defineDeadline<P extends DeadlinePayload>(name: string, id: (payload: P) => string, delivery: 'timer' | 'sheet' = 'timer'): DeadlineKind<P> {
  return { name, delivery, id };
}

/** A stored event as a workflow sees it: its stable type name, its (upcast) data, and where it came from. */
export interface WorkflowEvent<T extends string = string, D = unknown> {
  readonly kind: 'event';
  readonly type: T;
  readonly data: D;
  readonly id: string;
  readonly streamName: string;
  readonly occurredAt: string;
}

/** A deadline that fired: the kind's name prefixed with `deadline.`, so a workflow switches on one `type`. */
export interface FiredDeadline<P extends DeadlinePayload = DeadlinePayload> {
  readonly kind: 'deadline';
  readonly type: `deadline.${string}`;
  readonly id: string;
  readonly payload: P;
  readonly dueOn: LocalDate;
}

export type WorkflowInput = WorkflowEvent | FiredDeadline;

export type WorkflowOutput<C> =
  | { readonly kind: 'send'; readonly command: C }
  | { readonly kind: 'schedule'; readonly deadline: string; readonly delivery: 'timer' | 'sheet'; readonly id: string; readonly payload: DeadlinePayload; readonly dueOn: LocalDate }
  | { readonly kind: 'cancel'; readonly deadline: string; readonly id: string }
  | { readonly kind: 'ignored'; readonly reason: string };

export const send = <C>(command: C): WorkflowOutput<C> => ({ kind: 'send', command });

/** Schedules `kind` for `payload`, due at the start of `dueOn` (Europe/Oslo). Scheduling again moves it. */
export const schedule = <P extends DeadlinePayload>(kind: DeadlineKind<P>, payload: P, dueOn: LocalDate): WorkflowOutput<never> => ({
  kind: 'schedule',
  deadline: kind.name,
  delivery: kind.delivery,
  id: kind.id(payload),
  payload,
  dueOn,
});

/** Cancels `kind` for `payload`; cancelling one that is not pending is a no-op. */
export const cancel = <P extends DeadlinePayload>(kind: DeadlineKind<P>, payload: P): WorkflowOutput<never> => ({ kind: 'cancel', deadline: kind.name, id: kind.id(payload) });

export const ignored = (reason: string): WorkflowOutput<never> => ({ kind: 'ignored', reason });

/** The input type a fired deadline of `kind` arrives as. */
export const firedType = (kind: DeadlineKind): `deadline.${string}` => `deadline.${kind.name}`;
