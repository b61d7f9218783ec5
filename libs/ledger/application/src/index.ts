export * from './csv';
export * from './command-context';
export * from './postings-input';
export * from './tenancies-input';
export * from './ledger.service';
export * from './accounts-projection';
export * from './accounts-queries';
export * from './event-classes';
