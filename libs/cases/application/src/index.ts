export * from './commands';
export * from './arrears-workflow';
export * from './cases-projection';
export * from './cases-queries';
export * from './event-classes';
