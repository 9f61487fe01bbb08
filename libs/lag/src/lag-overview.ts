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
