export * from './events';
export * from './tenancy';
export * from './decide';
export * from './compact-account';
