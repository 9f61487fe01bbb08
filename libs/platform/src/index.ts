export * from './logger';
export * from './nest-logger';
export * from './metrics';
export * from './service-context';
export * from './health.controller';
export * from './platform.module';
export * from './bootstrap';
export * from './personal-data';
