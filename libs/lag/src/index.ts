export * from './lag-sample';
export * from './lag-evaluator';
export * from './lag-reader';
export * from './record-timestamp-reader';
export * from './lag-metrics';
export * from './lag-monitor';
export * from './lag-table';
export * from './nest/lag.module';
