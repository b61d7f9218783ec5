export * from './caller';
export * from './actor-id';
export * from './tokens';
export * from './auth.guard';
export * from './problem';
export * from './problem.filter';
export * from './edge';
