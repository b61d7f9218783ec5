import Database from 'better-sqlite3';
import { EventStoreUnavailableError } from '../errors';
import type { AppendResult } from '../port';
import { DRIVER_BUSY_TIMEOUT_MS, type BusyRetry } from './busy-retry';
import { appendInTransaction, prepareAppendStatements, type AppendStatements, type PreparedAppend } from './sqlite-rows';

/**
 * The second connection large appends are written on: one transaction, a slice of streams at a
 * time with the event loop let in between (see `SqliteEventStore.appendInSteps`).
 */
export class StepWriter {
  readonly db: Database.Database;
  private readonly stmts: AppendStatements;
  private readonly idLookups = new Map<string, Database.Statement>();

  constructor(file: string) {
    const db = new Database(file, { timeout: DRIVER_BUSY_TIMEOUT_MS });
    try {
      // Per connection: an acknowledged append survives a power cut on this one too.
      db.pragma('synchronous = FULL');
      this.stmts = prepareAppendStatements(db);
    } catch (error) {
      db.close();
      throw error;
    }
    this.db = db;
  }

  /**
   * Writes `prepared` in one transaction, letting the event loop in after every `stepMs` of work;
   * fails, writing nothing, when the store is closed meanwhile (`closed`).
   */
  async write(prepared: readonly PreparedAppend[], busyRetry: BusyRetry, stepMs: number, closed: () => boolean): Promise<AppendResult[]> {
    const lookup = (sql: string) => {
      let statement = this.idLookups.get(sql);
      if (!statement) this.idLookups.set(sql, (statement = this.db.prepare(sql)));
      return statement;
    };
    // The lock, waited for asynchronously like any append's.
    await busyRetry.retryWhileBusy(() => this.db.prepare('BEGIN IMMEDIATE').run(), performance.now(), 'append (nothing was written)');
    try {
      const recordedAt = new Date().toISOString();
      const results: AppendResult[] = [];
      let slice = performance.now();
      for (const a of prepared) {
        results.push(appendInTransaction(this.stmts, a.streamName, a.serialised, a.expectedRevision, recordedAt, lookup));
        if (performance.now() - slice >= stepMs) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          if (closed()) throw new EventStoreUnavailableError('The SQLite event store was closed during a large append (nothing was written)');
          slice = performance.now();
        }
      }
      this.db.prepare('COMMIT').run();
      return results;
    } catch (error) {
      try {
        if (this.db.inTransaction) this.db.prepare('ROLLBACK').run();
      } catch {
        // The error that ended the append is the one to report; SQLite rolls back on close anyway.
      }
      throw error;
    }
  }

  /** Closes the connection unless a large append is inside its transaction on it; true when closed. */
  close(): boolean {
    if (this.db.inTransaction) return false;
    this.db.close();
    return true;
  }
}
