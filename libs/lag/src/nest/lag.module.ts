import { type DynamicModule, Inject, Injectable, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ConsumerGroups } from '@hookbus/contracts';
import type { ServiceContext } from '@hookbus/platform';
import { LagMonitor, type LagMonitorOptions } from '../lag-monitor';

export const LAG_MONITOR = Symbol('LAG_MONITOR');

/** Every stage's consumer group; what the gateway watches unless told otherwise. */
export const HOOKBUS_LAG_TARGETS = Object.values(ConsumerGroups).map((groupId) => ({ groupId }));

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
 * Runs a LagMonitor inside a service and exports its gauges on that service's /metrics (context.metrics).
 * Import it in one service only (the gateway), so each series is exported once.
 */
@Module({})
export class LagModule {
  static forContext(context: ServiceContext, options: Partial<LagMonitorOptions> = {}): DynamicModule {
    return {
      module: LagModule,
      providers: [
        {
          provide: LAG_MONITOR,
          useFactory: () =>
            LagMonitor.connect({
              targets: HOOKBUS_LAG_TARGETS,
              ...options,
              brokers: context.env.kafkaBrokers,
              registry: context.metrics,
              clientId: `${context.name}-lag`,
              logger: {
                info: (fields, message) => context.logger.info(fields, message),
                warn: (fields, message) => context.logger.warn(fields, message),
              },
            }),
        },
        LagMonitorLifecycle,
      ],
      exports: [LAG_MONITOR],
    };
  }
}
