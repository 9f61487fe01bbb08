import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per service process, with Node process metrics and the service label on every series. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** The consumer-side series every consuming stage exports, fed by BatchConsumerObserver. */
export function consumerMetrics(registry: Registry) {
  return {
    recordsProcessed: new Counter({ name: 'hookbus_records_processed_total', help: 'Records whose batch was flushed and committed', labelNames: ['stage'], registers: [registry] }),
    deadLettered: new Counter({ name: 'hookbus_dead_letters_total', help: 'Records sent to webhooks.deadletter', labelNames: ['stage', 'code'], registers: [registry] }),
    deadLettersDropped: new Counter({ name: 'hookbus_dead_letters_dropped_total', help: 'Dead letters a stage could not store and did not dead-letter again (alert on any)', labelNames: ['stage', 'code'], registers: [registry] }),
    flushFailures: new Counter({ name: 'hookbus_flush_failures_total', help: 'Failed batch flushes (retried with backoff)', labelNames: ['stage'], registers: [registry] }),
    positionCommitFailures: new Counter({ name: 'hookbus_position_commit_failures_total', help: 'Failed commits of a position past transaction markers (retried by the next fetch)', labelNames: ['stage'], registers: [registry] }),
    flushSeconds: new Histogram({ name: 'hookbus_batch_flush_seconds', help: 'Time to transform, flush and commit one batch', labelNames: ['stage'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry] }),
    batchSize: new Histogram({ name: 'hookbus_batch_records', help: 'Records per consumed batch', labelNames: ['stage'], buckets: [1, 5, 10, 50, 100, 250, 500, 1000, 5000], registers: [registry] }),
    consumerUp: new Gauge({ name: 'hookbus_consumer_running', help: '1 while the stage consumer runs', labelNames: ['stage'], registers: [registry] }),
  };
}
export type ConsumerMetrics = ReturnType<typeof consumerMetrics>;
