export * from '@evp/warnings-contract';
export * from './deadline-engine';
export * from './identity';
export * from './warning';
export * from './objection';
export * from './warning-workflow';
