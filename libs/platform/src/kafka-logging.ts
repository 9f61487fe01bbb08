import { Counter } from 'prom-client';
import type { ServiceContext } from './service-context';

const RETRIABLE_METRIC = 'hookbus_kafka_retriable_total';

/**
 * How a service's Kafka clients log: kafkajs lines into the service's logger, and every retried broker state
 * (logged at debug, see libs/kafka/src/kafka-log.ts) counted in hookbus_kafka_retriable_total{service,type}.
 * Spread into createKafka's options; a service with several clients shares the one counter.
 */
export function kafkaLogging(context: ServiceContext) {
  const existing = context.metrics.getSingleMetric(RETRIABLE_METRIC) as Counter<'type'> | undefined;
  const retriable =
    existing ??
    new Counter({
      name: RETRIABLE_METRIC,
      help: 'Broker states kafkajs or the consumer retried (coordinator loading, leader election, concurrent transaction, reconnect...), by type',
      labelNames: ['type'],
      registers: [context.metrics],
    });
  return {
    log: (level: 'error' | 'warn' | 'info' | 'debug', message: string, extra: Record<string, unknown>) => context.logger[level]({ ...extra }, message),
    onRetriable: (type: string) => retriable.inc({ type }),
  };
}
