export * from './kafka-batch.transport';
export * from './consuming-service';
