export * from './ensure-database';
export * from './data-source';
export * from './partitions';
export * from './timeline';
export { MIGRATIONS } from './migrations';
