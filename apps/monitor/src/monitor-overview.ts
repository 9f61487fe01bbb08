import { ORCHESTRATOR_RETRY_LANES } from '@hookbus/contracts';
import type { GroupLagPoint, GroupOverview, LagMonitor, LagStatus } from '@hookbus/lag';

/**
 * GET /overview: the monitor's verdicts as JSON for the console's live overview (apps/console). Every number is read
 * off the verdicts libs/lag computed for /metrics — the console never computes lag itself.
 */
export interface MonitorOverview {
  /** ISO time the answer was made. */
  readonly at: string;
  readonly sampling: SamplingOverview;
  /** Every stage's consumer group (the stage table), newest verdict and history (oldest first). */
  readonly groups: readonly GroupOverview[];
  /** The Credas retrieval backlog: the orchestrator's retry lanes, sampled apart (never alerting). */
  readonly credasBacklog: CredasBacklogOverview;
  /** The gateway's spool: not known here (see SPOOL_NOT_HERE). */
  readonly spool: { readonly known: false; readonly where: string };
}

export interface SamplingOverview {
  /** ISO time of the newest successful sample, null before the first. */
  readonly lastSampledAt: string | null;
  /** Why the newest sample failed (the broker unreachable...), null when it succeeded. */
  readonly error: string | null;
  readonly intervalMs: number;
}

export interface CredasBacklogLane {
  readonly lane: string;
  readonly topic: string;
  readonly group: string;
  /** The evaluator's status; a lane holds records until they are due, so STALL or WARN here is not an incident by itself. */
  readonly status: LagStatus;
  readonly members: number;
  /** Retrievals waiting in the lane. */
  readonly records: number;
  /** Age of the oldest retrieval waiting (seconds, 0 when none). */
  readonly oldestSeconds: number;
  readonly history: readonly GroupLagPoint[];
}

export interface CredasBacklogOverview {
  /** Retrievals waiting over every lane. */
  readonly records: number;
  readonly oldestSeconds: number;
  readonly lastSampledAt: string | null;
  readonly error: string | null;
  readonly lanes: readonly CredasBacklogLane[];
}

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
