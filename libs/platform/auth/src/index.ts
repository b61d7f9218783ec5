export * from './caller';
export * from './actor-id';
export * from './tokens';
export * from './auth.guard';
