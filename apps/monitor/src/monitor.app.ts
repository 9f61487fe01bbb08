import type { RunningService } from '@hookbus/nest-kafka';
import { lagMonitorFor, type LagMonitorOptions } from '@hookbus/lag';
import { createServiceApp, listen, type ServiceContext } from '@hookbus/platform';
import { MonitorModule } from './monitor.module';

export interface MonitorOptions extends Partial<LagMonitorOptions> {
  readonly port?: number;
}

/**
 * Starts the monitor: samples every stage's consumer group (libs/lag) and serves the stack-wide lag, group state,
 * lag trend and retention-risk series on its /metrics. Its own process, so the exporter never shares the gateway's
 * event loop, and one replica, so each series exists once. It connects lazily: started while Kafka is down, it
 * serves /metrics and /health/live and reports not ready until a sample succeeds.
 */
export async function startMonitor(context: ServiceContext, options: MonitorOptions = {}): Promise<RunningService> {
  const { port, ...lag } = options;
  const monitor = lagMonitorFor(context, lag);
  const app = await createServiceApp(context, MonitorModule.forContext(context, monitor));
  const url = await listen(app, port ?? context.env.servicePorts.monitor, context);
  return { app, url, close: () => app.close() };
}
