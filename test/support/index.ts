export * from './test-settings';
export * from './wait-for';
export * from './topic-observer';
export * from './service-context';
export * from './raw-records';
export * from './log-capture';
export * from './test-sources';
export * from './consumer-groups';
