export * from '@evp/nav-contract';
export * from './events';
export * from './household';
export * from './policy';
export * from './plan';
export * from './holds';
export * from './decide';
export * from './workflow';
