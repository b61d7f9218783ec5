export * from '@evp/ledger-contract';
