/**
 * What other contexts may use of the ledger (ARCHITECTURE.md, invariant 15): the events they may
 * read, the stream-name grammar, and the published view of a rent account. Nothing else.
 */
export * from './events';
export * from './rent-account';
