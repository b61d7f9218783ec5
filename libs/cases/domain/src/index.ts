export * from './events';
export * from './prevention-case';
export * from './decide';
export * from './arrears-workflow';
export * from './arrears-team-meeting';
export * from './warning-referral';
