export * from '@evp/people-contract';
export * from './person';
export * from './archive-obligation';
