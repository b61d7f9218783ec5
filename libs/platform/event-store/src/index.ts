export * from './port';
export * from './errors';
export * from './validation';
export * from './event-type-map';
export * from './sqlite/sqlite-event-store';
export * from './eventstoredb/eventstoredb-event-store';
export * from './stored-event';
export * from './import-stream';
