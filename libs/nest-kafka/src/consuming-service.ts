import type { DynamicModule, Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { BatchConsumerOptions, BatchSink } from '@hookbus/kafka';
import { createKafka } from '@hookbus/kafka';
import { consumerMetrics, createServiceApp, kafkaLogging, listen, READINESS_CHECKS, type ReadinessChecks, type ServiceContext } from '@hookbus/platform';
import { KafkaBatchTransport } from './kafka-batch.transport';

/** A started service: its HTTP address (health, metrics) and a graceful stop. */
export interface RunningService {
  readonly app: NestFastifyApplication;
  readonly url: string;
  close(): Promise<void>;
}

export interface ConsumingServiceOptions<T> {
  readonly context: ServiceContext;
  /** The service's Nest module (must import PlatformModule.forService(context, checks)). */
  readonly module: Type<unknown> | DynamicModule;
  /** Builds the sink from the Nest application (so it can use injected providers). */
  readonly sink: (app: NestFastifyApplication) => BatchSink<T>;
  readonly consumer: BatchConsumerOptions;
  readonly port: number;
}

/**
 * Boots a consuming stage: the Nest app (health, metrics) on Fastify, and its BatchSink hosted as a microservice
 * transport, so closing the app stops the consumer gracefully (finish the batch, commit, leave the group).
 */
export async function startConsumingService<T>(options: ConsumingServiceOptions<T>): Promise<RunningService> {
  const { context } = options;
  const app = await createServiceApp(context, options.module);
  const kafka = createKafka({
    brokers: context.env.kafkaBrokers,
    security: context.env.kafkaSecurity,
    clientId: `hookbus-${context.name}`,
    ...kafkaLogging(context),
  });
  const transport = new KafkaBatchTransport(kafka, options.sink(app), { sessionTimeoutMs: context.env.kafkaSessionTimeoutMs, ...options.consumer }, context.logger, consumerMetrics(context.metrics));
  // Not ready once kafkajs has stopped the consumer for good (the process is stopping then too: see the transport).
  app.get<typeof READINESS_CHECKS, ReadinessChecks>(READINESS_CHECKS).set('consumer', transport.readinessCheck);
  app.connectMicroservice({ strategy: transport }, { inheritAppConfig: true });
  await app.init();
  await app.startAllMicroservices();
  const url = await listen(app, options.port, context);
  return {
    app,
    url,
    close: async () => {
      await app.close();
    },
  };
}
