export * from './cases.service';
export * from './cases-projection';
export * from './cases-queries';
export * from './arrears-saga';
export * from './deadlines';
export * from './event-classes';
