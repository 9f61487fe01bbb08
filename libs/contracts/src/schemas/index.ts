export * from './schema-fragments';
export * from './cloud-event.schemas';
export * from './event-data.schemas';
export * from './results-data.schemas';
export * from './state.schemas';
export * from './record-headers.schemas';
export * from './topic-contracts';
export * from './event-validator';
