export * from './clock';
export * from './ids';
export * from './money';
export * from './local-date';
export * from './working-days';
export * from './national-id';
export * from './synthetic-national-id';
