import type { GroupMembership, GroupSample, GroupState } from './lag-sample';
import { positionKey } from './record-timestamp-reader';
import { DEFAULT_RETENTION_RISK_RATIO, RETENTION_STATUS_CODE, retentionRisk, type RetentionStatus } from './retention-risk';

/**
 * Consumer status judged over a sliding window of samples, after Burrow's evaluation rules
 * (https://github.com/linkedin/Burrow/wiki/Consumer-Lag-Evaluation-Rules), not a fixed lag threshold:
 * a big lag that is shrinking is fine, a small lag nobody works on is not.
 */
export const LAG_STATUSES = ['OK', 'WARN', 'STALL', 'STOP'] as const;
export type LagStatus = (typeof LAG_STATUSES)[number];

/** The value of the hookbus_consumergroup_status gauge; higher is worse, so the group takes the maximum. */
export const LAG_STATUS_CODE: Readonly<Record<LagStatus, number>> = { OK: 0, WARN: 1, STALL: 2, STOP: 3 };

export interface EvaluatorOptions {
  /**
   * Samples a partition needs in the window before STALL or WARN can be said (Burrow evaluates only complete
   * windows). STOP needs no history: an empty group with lag is stopped now.
   */
  readonly minSamples: number;
  /** Headroom below which a lagging partition is AT_RISK of retention (default 0.1: within 10 % of the log start). */
  readonly retentionRiskRatio?: number;
}

export const DEFAULT_EVALUATOR_OPTIONS: EvaluatorOptions = { minSamples: 3 };

export interface PartitionPoint {
  readonly at: number;
  readonly committed: number | null;
  readonly lag: number;
}

export interface Verdict {
  readonly status: LagStatus;
  readonly reason: string;
}

export interface PartitionVerdict extends Verdict {
  readonly topic: string;
  readonly partition: number;
  readonly committed: number | null;
  readonly start: number;
  readonly end: number;
  readonly lag: number;
  readonly lagSeconds: number | null;
  readonly retention: RetentionStatus;
  readonly retentionHeadroom: number | null;
}

export interface GroupVerdict extends Verdict {
  readonly groupId: string;
  readonly at: number;
  readonly membership: GroupMembership;
  readonly state: GroupState;
  readonly members: number;
  readonly totalLag: number;
  /** Records per second the group's total lag grew (positive) or shrank (negative) across the window; null with one sample. */
  readonly lagTrend: number | null;
  /** The worst partition's retention status, and why when it is not OK. */
  readonly retention: RetentionStatus;
  readonly retentionReason: string;
  readonly partitions: readonly PartitionVerdict[];
}

/**
 * Burrow's rules, in Burrow's order, adapted to what an admin client can see:
 * 1. any sample in the window without lag → OK (the consumer caught up at some point);
 * 2. the group has no members while lagging → STOP (Burrow: no commit for longer than the window spans;
 *    OffsetFetch carries no commit time, so we read "nobody is there to commit" from the group instead);
 * 3. fewer than `minSamples` points → OK (an incomplete window is not judged);
 * 4. the committed offset never moved across the window while lagging → STALL;
 * 5. the offset moved but the lag never went down between two samples → WARN (lag growing or flat);
 * 6. otherwise OK.
 * A committed offset that went backwards (an operator reset it to replay) starts the window afresh.
 */
export function evaluatePartition(
  points: readonly PartitionPoint[],
  membership: GroupMembership,
  options: EvaluatorOptions = DEFAULT_EVALUATOR_OPTIONS,
): Verdict {
  const window = sinceLastRewind(points);
  if (window.length === 0) return { status: 'OK', reason: 'no samples' };
  if (window.some((p) => p.lag === 0)) return { status: 'OK', reason: 'caught up within the window' };
  if (membership === 'empty') return { status: 'STOP', reason: 'lagging and the group has no members' };
  if (window.length < options.minSamples) return { status: 'OK', reason: `window has ${window.length} of ${options.minSamples} samples` };
  const first = window[0]!;
  if (window.every((p) => p.committed === first.committed)) {
    return { status: 'STALL', reason: `committed offset stuck at ${first.committed ?? 'none'} while lagging` };
  }
  if (lagNeverDecreased(window)) return { status: 'WARN', reason: 'consuming, but the lag is not going down' };
  return { status: 'OK', reason: 'lag going down' };
}

function sinceLastRewind(points: readonly PartitionPoint[]): readonly PartitionPoint[] {
  for (let i = points.length - 1; i > 0; i--) {
    const before = points[i - 1]!.committed;
    const after = points[i]!.committed;
    if (before !== null && (after === null || after < before)) return points.slice(i);
  }
  return points;
}

function lagNeverDecreased(points: readonly PartitionPoint[]): boolean {
  for (let i = 1; i < points.length; i++) {
    if (points[i]!.lag < points[i - 1]!.lag) return false;
  }
  return true;
}

/** The worst of the partitions' statuses; the group is judged on the partitions in its newest sample. */
export function evaluateGroup(window: readonly GroupSample[], options: EvaluatorOptions = DEFAULT_EVALUATOR_OPTIONS): GroupVerdict {
  const latest = window[window.length - 1];
  if (!latest) throw new RangeError('evaluateGroup needs at least one sample');
  const partitions = latest.partitions.map((current): PartitionVerdict => {
    const points = window.flatMap((sample) =>
      sample.partitions
        .filter((p) => p.topic === current.topic && p.partition === current.partition)
        .map((p) => ({ at: sample.at, committed: p.committed, lag: p.lag })),
    );
    const verdict = evaluatePartition(points, latest.membership, options);
    const risk = retentionRisk(current.committed, current.start, current.end, options.retentionRiskRatio ?? DEFAULT_RETENTION_RISK_RATIO);
    return {
      ...verdict,
      topic: current.topic,
      partition: current.partition,
      committed: current.committed,
      start: current.start,
      end: current.end,
      lag: current.lag,
      lagSeconds: current.lagSeconds,
      retention: risk.retention,
      retentionHeadroom: risk.headroom,
    };
  });
  const worst = partitions.reduce<PartitionVerdict | null>((w, p) => (w === null || LAG_STATUS_CODE[p.status] > LAG_STATUS_CODE[w.status] ? p : w), null);
  const status = worst?.status ?? 'OK';
  const endangered = partitions.reduce<PartitionVerdict | null>((w, p) => (RETENTION_STATUS_CODE[p.retention] > RETENTION_STATUS_CODE[w?.retention ?? 'OK'] ? p : w), null);
  return {
    groupId: latest.groupId,
    at: latest.at,
    membership: latest.membership,
    state: latest.state,
    members: latest.members,
    status,
    reason: worst && status !== 'OK' ? `${worst.topic}[${worst.partition}]: ${worst.reason}` : 'every partition OK',
    totalLag: partitions.reduce((sum, p) => sum + p.lag, 0),
    lagTrend: lagTrend(window),
    retention: endangered?.retention ?? 'OK',
    retentionReason: endangered ? `${endangered.topic}[${endangered.partition}]: ${retentionReason(endangered)}` : 'no partition near its log start',
    partitions,
  };
}

function retentionReason(p: PartitionVerdict): string {
  if (p.retention === 'LOST') return `committed offset ${p.committed} is below the log start ${p.start}: ${p.start - (p.committed ?? p.start)} records were deleted unconsumed`;
  const share = ((p.retentionHeadroom ?? 0) * 100).toFixed(1);
  return `committed offset ${p.committed} is ${share} % into the retained log (log start ${p.start}, end ${p.end}): the next retention deletion takes unconsumed records`;
}

/**
 * Records per second the group's total lag changed between the oldest and the newest sample of the window: positive
 * when it falls behind, negative when it catches up. Only partitions present in both samples count, so a topic added
 * in between does not look like a burst.
 */
export function lagTrend(window: readonly GroupSample[]): number | null {
  const first = window[0];
  const last = window[window.length - 1];
  if (!first || !last || last.at <= first.at) return null;
  const before = new Map(first.partitions.map((p) => [positionKey(p.topic, p.partition), p.lag]));
  let change = 0;
  for (const p of last.partitions) {
    const lag = before.get(positionKey(p.topic, p.partition));
    if (lag !== undefined) change += p.lag - lag;
  }
  return change / ((last.at - first.at) / 1000);
}

export interface WindowOptions {
  /** Samples kept per group (Burrow's `intervals`, default 10). */
  readonly size: number;
  /** Samples older than this before the newest one are dropped as well, so a long pause does not judge stale data. */
  readonly maxAgeMs: number;
}

export const DEFAULT_WINDOW_OPTIONS: WindowOptions = { size: 10, maxAgeMs: 15 * 60 * 1000 };

/** Appends a sample to a group's window and drops what fell out of it. A sample older than the newest is ignored. */
export function slideWindow(window: readonly GroupSample[], sample: GroupSample, options: WindowOptions = DEFAULT_WINDOW_OPTIONS): GroupSample[] {
  const newest = window[window.length - 1];
  if (newest && sample.at < newest.at) return [...window];
  return [...window, sample].filter((s) => s.at >= sample.at - options.maxAgeMs).slice(-options.size);
}
