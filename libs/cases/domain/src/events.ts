export * from '@evp/cases-contract';
