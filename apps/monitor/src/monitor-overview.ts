import { ORCHESTRATOR_RETRY_LANES } from '@hookbus/contracts';
import type { CredasBacklogLane, LagMonitor, MonitorOverview } from '@hookbus/lag';

export type { CredasBacklogLane, CredasBacklogOverview, MonitorOverview, SamplingOverview } from '@hookbus/lag';

/** Where the console finds the spool: the monitor reads Kafka only, and each gateway process has its own local spool. */
export const SPOOL_NOT_HERE =
  "each gateway process's local disk: the gateway exports it on its own /metrics (hookbus_gateway_spool_records, hookbus_gateway_spool_oldest_record_seconds, hookbus_gateway_spool_active, hookbus_gateway_spool_bytes); read it there or from Prometheus, summed over the gateways";

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export function monitorOverview(stages: LagMonitor, backlog: LagMonitor, intervalMs: number, now: number): MonitorOverview {
  const sampling = stages.samplingState();
  const backlogState = backlog.samplingState();
  const lanesByGroup = new Map(backlog.overview().map((g) => [g.group, g]));
  const lanes = ORCHESTRATOR_RETRY_LANES.flatMap(({ lane, topic, group }): CredasBacklogLane[] => {
    const g = lanesByGroup.get(group);
    return g ? [{ lane, topic, group, status: g.status, members: g.members, records: g.lag, oldestSeconds: g.lagSeconds, history: g.history }] : [];
  });
  return {
    at: new Date(now).toISOString(),
    sampling: { lastSampledAt: iso(sampling.lastSampledAt), error: sampling.lastError, intervalMs },
    groups: stages.overview(),
    credasBacklog: {
      records: lanes.reduce((sum, l) => sum + l.records, 0),
      oldestSeconds: lanes.reduce((max, l) => Math.max(max, l.oldestSeconds), 0),
      lastSampledAt: iso(backlogState.lastSampledAt),
      error: backlogState.lastError,
      lanes,
    },
    spool: { known: false, where: SPOOL_NOT_HERE },
  };
}
