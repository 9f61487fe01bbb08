import { ORCHESTRATOR_RETRY_LANES } from '@hookbus/contracts';
import type { RunningService } from '@hookbus/nest-kafka';
import { DEFAULT_LAG_INTERVAL_MS, lagMonitorFor, type LagMonitorOptions, type LagTarget } from '@hookbus/lag';
import { createServiceApp, listen, type ServiceContext } from '@hookbus/platform';
import { monitorOverview } from './monitor-overview';
import { MonitorModule } from './monitor.module';

export interface MonitorOptions extends Partial<LagMonitorOptions> {
  readonly port?: number;
  /** The Credas retrieval backlog's groups (default: the orchestrator's retry lanes, ORCHESTRATOR_RETRY_LANES). */
  readonly backlogTargets?: readonly LagTarget[];
}

/** The retry lanes' groups, each on its own lane topic. */
export const CREDAS_BACKLOG_TARGETS: readonly LagTarget[] = ORCHESTRATOR_RETRY_LANES.map((l) => ({ groupId: l.group, topics: [l.topic] }));

/**
 * Starts the monitor: samples every stage's consumer group (libs/lag) and serves the stack-wide lag, group state,
 * lag trend and retention-risk series on its /metrics, and the same verdicts as JSON on /overview (for the console).
 * Its own process, so the exporter never shares the gateway's event loop, and one replica, so each series exists
 * once. It connects lazily: started while Kafka is down, it serves /metrics and /health/live and reports not ready
 * until a sample succeeds. The orchestrator's retry lanes are sampled by a second LagMonitor that exports no series
 * (a lane holds records until they are due: the lag alerts would read that as a stall); /overview shows them as the
 * Credas retrieval backlog.
 */
export async function startMonitor(context: ServiceContext, options: MonitorOptions = {}): Promise<RunningService> {
  const { port, backlogTargets, ...lag } = options;
  const monitor = lagMonitorFor(context, lag);
  const backlog = lagMonitorFor(context, { ...lag, targets: backlogTargets ?? CREDAS_BACKLOG_TARGETS, exportMetrics: false });
  const intervalMs = lag.intervalMs ?? DEFAULT_LAG_INTERVAL_MS;
  const app = await createServiceApp(context, MonitorModule.forContext(context, monitor, () => monitorOverview(monitor, backlog, intervalMs, Date.now())));
  backlog.start();
  let url: string;
  try {
    url = await listen(app, port ?? context.env.servicePorts.monitor, context);
  } catch (error) {
    await backlog.stop();
    throw error;
  }
  return {
    app,
    url,
    close: async () => {
      try {
        await app.close();
      } finally {
        await backlog.stop();
      }
    },
  };
}
