import { type DynamicModule, Inject, Injectable, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { consumingStages } from '@hookbus/contracts';
import type { ServiceContext } from '@hookbus/platform';
import { LagMonitor, type LagMonitorOptions } from '../lag-monitor';

export const LAG_MONITOR = Symbol('LAG_MONITOR');

/** Every consuming stage's group (the stage table, libs/contracts/src/stages.ts); what the monitor watches unless told otherwise. */
export const HOOKBUS_LAG_TARGETS = consumingStages().map((stage) => ({ groupId: stage.group }));

@Injectable()
export class LagMonitorLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(LAG_MONITOR) private readonly monitor: LagMonitor) {}

  onApplicationBootstrap(): void {
    this.monitor.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.monitor.stop();
  }
}

/**
 * A LagMonitor connected for a service, exporting its gauges on that service's /metrics (context.metrics) unless
 * `exportMetrics` is false.
 * Only the monitor service (apps/monitor) runs one, so each series is exported once and the lag exporter stays off
 * the internet-facing gateway.
 */
export function lagMonitorFor(context: ServiceContext, options: Partial<LagMonitorOptions> & { readonly exportMetrics?: boolean } = {}): LagMonitor {
  const { exportMetrics = true, ...rest } = options;
  return LagMonitor.connect({
    targets: HOOKBUS_LAG_TARGETS,
    ...rest,
    brokers: context.env.kafkaBrokers,
    security: context.env.kafkaSecurity,
    // A monitor that exports nothing still counts nothing on /metrics: its failures show on /overview.
    registry: exportMetrics ? context.metrics : null,
    clientId: `hookbus-${context.name}`,
    // kafkajs logs each retried request at error level; a sample that fails after its retries is what matters, and
    // the monitor counts it (hookbus_lag_sample_errors_total) and logs it once. kafkajs' own lines stay at debug.
    kafkaLog: (_level, message, extra) => context.logger.debug(extra, message),
    logger: {
      info: (fields, message) => context.logger.info(fields, message),
      warn: (fields, message) => context.logger.warn(fields, message),
    },
  });
}

/** Starts a LagMonitor with the application and stops it (and its Kafka connections) on shutdown. */
@Module({})
export class LagModule {
  static forMonitor(monitor: LagMonitor): DynamicModule {
    return {
      module: LagModule,
      providers: [{ provide: LAG_MONITOR, useValue: monitor }, LagMonitorLifecycle],
      exports: [LAG_MONITOR],
    };
  }

  static forContext(context: ServiceContext, options: Partial<LagMonitorOptions> = {}): DynamicModule {
    return LagModule.forMonitor(lagMonitorFor(context, options));
  }
}
