export * from './config';
export * from './clock';
export * from './redis';
export * from './read-model-store';
export * from './checkpoint-store';
export * from './parking-lot';
export * from './subscription-runner';
export * from './timers';
