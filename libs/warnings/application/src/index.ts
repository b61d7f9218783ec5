export * from './event-classes';
export * from './people';
export * from './commands';
export * from './warnings-projection';
export * from './warnings-queries';
export * from './tenant-copy';
export * from './warning-workflow';
export * from './warning-months-projection';
