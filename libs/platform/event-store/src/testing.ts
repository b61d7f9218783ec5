export * from './contract';
export { InMemoryEsdbClient } from './eventstoredb/in-memory-esdb-client';
