export * from './events';
export * from './tenancy';
export * from './decide';
