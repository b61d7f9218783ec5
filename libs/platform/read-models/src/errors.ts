/** A migration failed; `migrationName` says which (undefined when the migrator failed before running any). */
export class ReadModelMigrationError extends Error {
  readonly code = 'READ_MODEL_MIGRATION_FAILED';
  constructor(
    readonly migrationName: string | undefined,
    cause: unknown,
  ) {
    super(
      migrationName === undefined
        ? `Read-model migrations failed: ${messageOf(cause)}`
        : `Read-model migration "${migrationName}" failed: ${messageOf(cause)}`,
      { cause },
    );
    this.name = 'ReadModelMigrationError';
  }
}

/**
 * The checkpoint was not where the caller expected it: another writer applied a batch of the same
 * generation meanwhile. The whole batch was rolled back; the caller reloads the checkpoint.
 */
export class CheckpointConflictError extends Error {
  readonly code = 'READ_MODEL_CHECKPOINT_CONFLICT';
  constructor(
    readonly checkpoint: string,
    readonly expected: string | null,
  ) {
    super(`Checkpoint "${checkpoint}" is no longer at ${expected === null ? 'its start' : `"${expected}"`}: another writer moved it`);
    this.name = 'CheckpointConflictError';
  }
}

/** The store cannot be reached at all (a reader opened before the writer created the file). */
export class ReadModelStoreUnavailableError extends Error {
  readonly code = 'READ_MODEL_STORE_UNAVAILABLE';
  constructor(message: string) {
    super(message);
    this.name = 'ReadModelStoreUnavailableError';
  }
}

const TRANSIENT_NODE_CODES = new Set([
  'READ_MODEL_STORE_UNAVAILABLE',
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** Exact PostgreSQL SQLSTATEs outside the wholly transient classes. */
const TRANSIENT_PG_STATES = new Set([
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, recovering)
  '57014', // query_canceled: a statement timeout under load, not a property of the event
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '42P01', // undefined_table: the store was lost or is being rebuilt
  '3F000', // invalid_schema_name: the same, one level up
]);

/** PostgreSQL SQLSTATE classes that are transient as a whole. */
const TRANSIENT_PG_CLASSES = new Set([
  '08', // connection exception
  '53', // insufficient resources (disk full, out of memory, too many connections)
  '58', // system error (I/O) outside PostgreSQL
]);

/** better-sqlite3 codes (primary or extended) meaning the file or the machine, never the event. */
const TRANSIENT_SQLITE_PREFIXES = [
  'SQLITE_BUSY', // also _SNAPSHOT, _RECOVERY, _TIMEOUT
  'SQLITE_LOCKED',
  'SQLITE_IOERR',
  'SQLITE_CANTOPEN',
  'SQLITE_FULL',
  'SQLITE_NOMEM',
  'SQLITE_PROTOCOL',
  'SQLITE_CORRUPT',
  'SQLITE_NOTADB',
  // A reader whose file was replaced or whose WAL needs recovery by a writer.
  'SQLITE_READONLY_DBMOVED',
  'SQLITE_READONLY_RECOVERY',
  'SQLITE_READONLY_CANTINIT',
  'SQLITE_READONLY_CANTLOCK',
];

/**
 * pg raises these as plain Errors without a code: the server went away mid-query, or the pool
 * could not hand out a connection in time.
 */
const TRANSIENT_PG_MESSAGES = [
  /^Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /^Query read timeout/i,
  /^Client has encountered a connection error and is not queryable/i,
];

/**
 * True when the error says the store is unreachable, overloaded or gone, so the batch must be
 * retried with backoff (ARCHITECTURE.md invariant 3) rather than the event parked. A missing table
 * counts as transient: a projection's tables only go missing when the store was lost or is being
 * rebuilt, never because of the event. Constraint violations, syntax errors and the like are
 * deterministic and false. Follows `cause` chains and AggregateErrors (Node reports a refused
 * connection to a host with several addresses as one).
 */
export function isTransientSqlError(err: unknown): boolean {
  return check(err, 0);
}

function check(err: unknown, depth: number): boolean {
  if (depth > 8 || err === null || typeof err !== 'object') return false;
  const e = err as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const message = typeof e.message === 'string' ? e.message : '';

  if (code !== undefined) {
    if (TRANSIENT_NODE_CODES.has(code)) return true;
    if (code.startsWith('SQLITE_')) {
      if (TRANSIENT_SQLITE_PREFIXES.some((prefix) => code === prefix || code.startsWith(`${prefix}_`))) return true;
      if (code === 'SQLITE_ERROR' && /^no such table\b/i.test(message)) return true;
    } else if (/^[0-9A-Z]{5}$/.test(code)) {
      if (TRANSIENT_PG_STATES.has(code) || TRANSIENT_PG_CLASSES.has(code.slice(0, 2))) return true;
    }
  } else if (TRANSIENT_PG_MESSAGES.some((re) => re.test(message))) {
    return true;
  }

  if (Array.isArray(e.errors) && e.errors.some((inner) => check(inner, depth + 1))) return true;
  return check(e.cause, depth + 1);
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
