export * from './port';
export * from './errors';
export * from './validation';
export * from './event-type-map';
export * from './sqlite/sqlite-event-store';
export * from './eventstoredb/eventstoredb-event-store';
export * from './stored-event';
export * from './import-stream';
// The asynchronous wait for another process's SQLite lock, which the read-model store shares.
export { BusyRetry, DRIVER_BUSY_TIMEOUT_MS, isBusy } from './sqlite/busy-retry';
