import type { GroupVerdict, LagStatus } from './lag-evaluator';
import type { RetentionStatus } from './retention-risk';

export interface LagRow {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly committed: number | null;
  /** Log start offset: records below it were deleted. */
  readonly start: number;
  readonly end: number;
  readonly lag: number;
  readonly lagSeconds: number | null;
  readonly status: LagStatus;
  readonly retention: RetentionStatus;
}

/** One row per partition, each with its group's status; a group without committed partitions gets one '-' row. */
export function lagRows(verdicts: readonly GroupVerdict[]): LagRow[] {
  return verdicts.flatMap((v) =>
    v.partitions.length === 0
      ? [{ group: v.groupId, topic: '-', partition: -1, committed: null, start: 0, end: 0, lag: 0, lagSeconds: null, status: v.status, retention: 'OK' as const }]
      : v.partitions.map((p) => ({
          group: v.groupId,
          topic: p.topic,
          partition: p.partition,
          committed: p.committed,
          start: p.start,
          end: p.end,
          lag: p.lag,
          lagSeconds: p.lagSeconds,
          status: v.status,
          retention: p.retention,
        })),
  );
}

const PARTITION_HEADERS = ['GROUP', 'TOPIC', 'PARTITION', 'COMMITTED', 'END', 'LAG', 'LAG SECONDS', 'STATUS'] as const;
const GROUP_HEADERS = ['GROUP', 'STATE', 'MEMBERS', 'LAG', 'TREND/S', 'STATUS', 'RETENTION'] as const;

/** Columns padded to their widest cell; `right` holds the indexes of right-aligned (numeric) columns. */
function alignedLines(headers: readonly string[], cells: readonly string[][], right: ReadonlySet<number>): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]!.length)));
  const line = (row: readonly string[]) => row.map((cell, i) => (right.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(headers), ...cells.map(line)];
}

/**
 * A plain-text table for terminals: one row per partition, then one per group (coordinator state, members, lag
 * trend, status, retention risk), then one line per group that is not OK or whose records are at risk, saying why.
 */
export function formatLagTable(verdicts: readonly GroupVerdict[]): string {
  const partitionCells = lagRows(verdicts).map((r) => [
    r.group,
    r.topic,
    r.partition < 0 ? '-' : String(r.partition),
    r.committed === null ? '-' : String(r.committed),
    r.partition < 0 ? '-' : String(r.end),
    String(r.lag),
    r.partition < 0 ? '-' : r.lagSeconds === null ? '?' : r.lagSeconds.toFixed(1),
    r.status,
  ]);
  const groupCells = verdicts.map((v) => [v.groupId, v.state, String(v.members), String(v.totalLag), v.lagTrend === null ? '-' : v.lagTrend.toFixed(1), v.status, v.retention]);
  const notes = [
    ...verdicts.filter((v) => v.status !== 'OK').map((v) => `${v.groupId}: ${v.status} — ${v.reason}`),
    ...verdicts.filter((v) => v.retention !== 'OK').map((v) => `${v.groupId}: retention ${v.retention} — ${v.retentionReason}`),
  ];
  return [
    ...alignedLines(PARTITION_HEADERS, partitionCells, new Set([2, 3, 4, 5, 6])),
    '',
    ...alignedLines(GROUP_HEADERS, groupCells, new Set([2, 3, 4])),
    ...(notes.length > 0 ? ['', ...notes] : []),
  ].join('\n') + '\n';
}

/** STOP and STALL need an operator, and so do records about to be (or already) deleted unconsumed; WARN may clear on its own. */
export function needsAttention(verdicts: readonly GroupVerdict[]): boolean {
  return verdicts.some((v) => v.status === 'STOP' || v.status === 'STALL' || v.retention !== 'OK');
}
