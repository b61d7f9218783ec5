import type { FilterClause, RecordedEvent } from '../port';
import { passesClauses } from '../port';
import { toRecorded, type EventRow, type Statements } from './sqlite-rows';

export interface SubscriptionPage {
  readonly events: RecordedEvent[];
  /** How far the log was examined for this subscription. */
  readonly scannedTo: number;
  /** Whether it reached the head: no need to read again before a wake-up or the poll interval. */
  readonly caughtUp: boolean;
}

/** One event of the shared tail: the row as read, decoded on first use. */
interface TailEntry {
  readonly position: number;
  readonly streamName: string;
  readonly type: string;
  row: EventRow | undefined;
  event: RecordedEvent | undefined;
}

/**
 * The newest events the live subscriptions share (`sharedTailSize` of them, up to a page more
 * between two drops, which go a page at a time; 0 turns the sharing off): read from the file once,
 * decoded once on first use, handed to every subscription near the head.
 */
export class SharedTail {
  /**
   * The newest events, every stream, in position order: all events in (tailFrom, tailTo] are in
   * `tail`. A subscription whose cursor lies in that range reads from here instead of the file.
   */
  private tail: TailEntry[] = [];
  private tailFrom = 0;
  private tailTo = 0;

  constructor(
    private readonly tailSize: number,
    private readonly pageSize: number,
  ) {}

  /**
   * A subscription's next page from the tail, extended first; undefined when the subscription is
   * behind it (or sharing is off): then it reads from the file with its own filter.
   */
  read(stmts: Pick<Statements, 'head' | 'after'>, after: number, clauses: readonly FilterClause[]): SubscriptionPage | undefined {
    if (this.tailSize === 0) return undefined;
    if (after > this.tailTo) {
      // A cursor beyond everything shared (the first reader, or one that started from a later
      // checkpoint than the tail's): the tail starts again from here, at the newest reader.
      this.tail = [];
      this.tailFrom = this.tailTo = after;
    }
    if (after < this.tailFrom) return undefined;
    let first = this.firstAfter(after);
    // Extended only by a reader near its end (less than a page left for it): extending drops the
    // oldest entries, so a reader far behind the newest that extended on every read pushed the
    // slower subscriptions out of the tail, and then itself (an import of 100 000 events was read
    // from the file by most of a dozen subscriptions). `head` stays unknown otherwise, and the
    // page does not claim to be caught up: the reader asks again, and then extends.
    let head: number | undefined;
    if (this.tail.length - first < this.pageSize) {
      head = this.extendTail(stmts);
      // The extension may still drop this reader's next entries (a tail of less than two pages):
      // then it reads from the file like any reader behind the tail.
      if (after < this.tailFrom) return undefined;
      first = this.firstAfter(after);
    }
    const events: RecordedEvent[] = [];
    const tail = this.tail;
    for (let i = first; i < tail.length; i++) {
      const entry = tail[i] as TailEntry;
      if (!passesClauses(clauses, entry.streamName, entry.type)) continue;
      if (!entry.event) {
        entry.event = toRecorded(entry.row as EventRow);
        entry.row = undefined;
      }
      events.push(entry.event);
      if (events.length === this.pageSize) return { events, scannedTo: entry.position, caughtUp: false };
    }
    return { events, scannedTo: Math.max(this.tailTo, after), caughtUp: head !== undefined && this.tailTo >= head };
  }

  /** Index of the first entry after `after`: positions ascend, so a binary search. */
  private firstAfter(after: number): number {
    const tail = this.tail;
    let lo = 0;
    let hi = tail.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((tail[mid] as TailEntry).position <= after) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Forgets every entry: nobody is left to share them. */
  clear(): void {
    this.tail = [];
    this.tailFrom = this.tailTo = 0;
  }

  /**
   * Reads what was committed after the tail (at most a page, every stream), drops its oldest
   * beyond `tailSize` once they make a page, and returns the head it saw.
   */
  private extendTail(stmts: Pick<Statements, 'head' | 'after'>): number {
    const head = stmts.head.get()?.head ?? 0;
    if (head <= this.tailTo) return head;
    const rows = stmts.after.all(this.tailTo, head, this.pageSize);
    for (const row of rows) this.tail.push({ position: row.position, streamName: row.stream_name, type: row.type, row, event: undefined });
    this.tailTo = rows.length === this.pageSize ? (rows[rows.length - 1] as EventRow).position : head;
    const excess = this.tail.length - this.tailSize;
    // Dropped a page at a time, not an entry at a time: splicing the front of an array is linear.
    if (excess >= Math.min(this.pageSize, this.tailSize)) {
      const dropped = this.tail.splice(0, excess);
      this.tailFrom = (dropped[dropped.length - 1] as TailEntry).position;
    }
    return head;
  }
}
