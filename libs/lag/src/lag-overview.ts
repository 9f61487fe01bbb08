import type { GroupVerdict, LagStatus } from './lag-evaluator';
import type { GroupState } from './lag-sample';
import type { RetentionStatus } from './retention-risk';

/**
 * The lag of the groups as JSON, for the console's overview (apps/monitor GET /overview): what the evaluator judged
 * and the gauges export, read off the same verdicts, plus a short history per group for a sparkline. Pure.
 */

/** The largest time lag over a group's partitions, 0 without lag: what hookbus_consumergroup_lag_seconds_max exports. */
export function groupLagSeconds(verdict: GroupVerdict): number {
  let max = 0;
  for (const p of verdict.partitions) if (p.lagSeconds !== null) max = Math.max(max, p.lagSeconds);
  return max;
}

/** One sample of a group, as a sparkline needs it. */
export interface GroupLagPoint {
  /** Epoch ms of the sample. */
  readonly at: number;
  readonly lag: number;
  readonly lagSeconds: number;
  readonly status: LagStatus;
}

export function lagPoint(verdict: GroupVerdict): GroupLagPoint {
  return { at: verdict.at, lag: verdict.totalLag, lagSeconds: groupLagSeconds(verdict), status: verdict.status };
}

/** How many samples a group's history keeps: 60, a quarter of an hour at the monitor's 15 s interval. */
export const DEFAULT_LAG_HISTORY = 60;

/** The last `size` points of each group, oldest first. */
export class LagHistory {
  private readonly points = new Map<string, GroupLagPoint[]>();

  constructor(private readonly size = DEFAULT_LAG_HISTORY) {}

  record(verdicts: readonly GroupVerdict[]): void {
    for (const verdict of verdicts) {
      const list = this.points.get(verdict.groupId) ?? [];
      list.push(lagPoint(verdict));
      if (list.length > this.size) list.splice(0, list.length - this.size);
      this.points.set(verdict.groupId, list);
    }
  }

  of(groupId: string): readonly GroupLagPoint[] {
    return this.points.get(groupId) ?? [];
  }
}

export interface PartitionOverview {
  readonly topic: string;
  readonly partition: number;
  readonly committed: number | null;
  readonly end: number;
  readonly lag: number;
  readonly lagSeconds: number | null;
  readonly retention: RetentionStatus;
}

export interface GroupOverview {
  readonly group: string;
  /** Epoch ms of the newest sample. */
  readonly at: number;
  readonly status: LagStatus;
  readonly reason: string;
  readonly state: GroupState;
  readonly members: number;
  /** Records not yet consumed, over every partition. */
  readonly lag: number;
  /** Age of the oldest unconsumed record, over every partition (groupLagSeconds). */
  readonly lagSeconds: number;
  readonly lagTrend: number | null;
  readonly retention: RetentionStatus;
  readonly retentionReason: string;
  readonly partitions: readonly PartitionOverview[];
  /** Oldest first. */
  readonly history: readonly GroupLagPoint[];
}

export function groupOverview(verdict: GroupVerdict, history: readonly GroupLagPoint[]): GroupOverview {
  return {
    group: verdict.groupId,
    at: verdict.at,
    status: verdict.status,
    reason: verdict.reason,
    state: verdict.state,
    members: verdict.members,
    lag: verdict.totalLag,
    lagSeconds: groupLagSeconds(verdict),
    lagTrend: verdict.lagTrend,
    retention: verdict.retention,
    retentionReason: verdict.retentionReason,
    partitions: verdict.partitions.map((p) => ({ topic: p.topic, partition: p.partition, committed: p.committed, end: p.end, lag: p.lag, lagSeconds: p.lagSeconds, retention: p.retention })),
    history,
  };
}

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
  /** The gateway's spool: not known here (apps/monitor SPOOL_NOT_HERE says where it is). */
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

