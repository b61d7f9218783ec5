import Database from 'better-sqlite3';
import { CheckpointConflictError, isTransientSqlError, ReadModelMigrationError, ReadModelStoreUnavailableError } from './errors';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isTransientSqlError', () => {
  it.each([
    ['ECONNREFUSED'],
    ['ECONNRESET'],
    ['ETIMEDOUT'],
    ['EPIPE'],
    ['EHOSTUNREACH'],
    ['EAI_AGAIN'],
    ['08006'], // connection_failure
    ['08001'], // sqlclient_unable_to_establish_sqlconnection
    ['53300'], // too_many_connections
    ['53100'], // disk_full
    ['57P01'], // admin_shutdown
    ['57P02'],
    ['57P03'],
    ['40001'], // serialization_failure
    ['40P01'], // deadlock_detected
    ['42P01'], // undefined_table: store lost or being rebuilt
    ['3F000'], // invalid_schema_name
    ['55P03'], // lock_not_available
    ['SQLITE_BUSY'],
    ['SQLITE_BUSY_SNAPSHOT'],
    ['SQLITE_LOCKED'],
    ['SQLITE_LOCKED_SHAREDCACHE'],
    ['SQLITE_IOERR'],
    ['SQLITE_IOERR_WRITE'],
    ['SQLITE_CANTOPEN'],
    ['SQLITE_FULL'],
    ['SQLITE_READONLY_DBMOVED'],
    ['READ_MODEL_STORE_UNAVAILABLE'],
  ])('%s is transient', (code) => {
    expect(isTransientSqlError(withCode(code))).toBe(true);
  });

  it.each([
    ['23505'], // unique_violation
    ['23502'], // not_null_violation
    ['42601'], // syntax_error
    ['42703'], // undefined_column
    ['22P02'], // invalid_text_representation
    ['SQLITE_CONSTRAINT_PRIMARYKEY'],
    ['SQLITE_CONSTRAINT_UNIQUE'],
    ['SQLITE_MISMATCH'],
    ['SQLITE_READONLY'],
    ['SQLITE_RANGE'],
    ['ERR_INVALID_ARG_TYPE'],
  ])('%s is not transient', (code) => {
    expect(isTransientSqlError(withCode(code))).toBe(false);
  });

  it('SQLite: "no such table" is transient, other SQL errors are not (real better-sqlite3 errors)', () => {
    const db = new Database(':memory:');
    try {
      db.exec('create table t (id text primary key)');
      db.exec(`insert into t values ('a')`);
      const errorOf = (statement: string) => {
        try {
          db.exec(statement);
        } catch (err) {
          return err;
        }
        throw new Error(`${statement} did not fail`);
      };
      expect(isTransientSqlError(errorOf('select * from gone'))).toBe(true);
      expect(isTransientSqlError(errorOf(`insert into t values ('a')`))).toBe(false);
      expect(isTransientSqlError(errorOf('select nope from t'))).toBe(false);
      expect(isTransientSqlError(errorOf('selec 1'))).toBe(false);
    } finally {
      db.close();
    }
  });

  it('pg errors without a code: a dropped connection or an exhausted pool are transient', () => {
    expect(isTransientSqlError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isTransientSqlError(new Error('Connection terminated due to connection timeout'))).toBe(true);
    expect(isTransientSqlError(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isTransientSqlError(new Error('Client has encountered a connection error and is not queryable'))).toBe(true);
    expect(isTransientSqlError(new Error('Cannot use a pool after calling end on the pool'))).toBe(false);
  });

  it('looks through causes and aggregate errors, and ignores non-errors', () => {
    expect(isTransientSqlError(new Error('wrapped', { cause: withCode('ECONNREFUSED') }))).toBe(true);
    expect(isTransientSqlError(new ReadModelMigrationError('001_x', withCode('57P01')))).toBe(true);
    expect(isTransientSqlError(new ReadModelMigrationError('001_x', withCode('42601')))).toBe(false);
    expect(isTransientSqlError(new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')], 'connect'))).toBe(true);
    expect(isTransientSqlError(new CheckpointConflictError('p@g1', '1'))).toBe(false);
    expect(isTransientSqlError(new ReadModelStoreUnavailableError('not yet'))).toBe(true);
    for (const value of [undefined, null, 'ECONNREFUSED', 42, {}]) expect(isTransientSqlError(value)).toBe(false);
    const loop: { code?: string; cause?: unknown } = {};
    loop.cause = loop;
    expect(isTransientSqlError(loop)).toBe(false);
  });

  it('migration errors name the failing migration', () => {
    const err = new ReadModelMigrationError('002_case_list', new Error('boom'));
    expect(err.message).toBe('Read-model migration "002_case_list" failed: boom');
    expect(err.cause).toBeInstanceOf(Error);
  });
});
