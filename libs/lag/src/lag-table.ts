import type { GroupVerdict, LagStatus } from './lag-evaluator';

export interface LagRow {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly committed: number | null;
  readonly end: number;
  readonly lag: number;
  readonly lagSeconds: number | null;
  readonly status: LagStatus;
}

/** One row per partition, each with its group's status; a group without committed partitions gets one '-' row. */
export function lagRows(verdicts: readonly GroupVerdict[]): LagRow[] {
  return verdicts.flatMap((v) =>
    v.partitions.length === 0
      ? [{ group: v.groupId, topic: '-', partition: -1, committed: null, end: 0, lag: 0, lagSeconds: null, status: v.status }]
      : v.partitions.map((p) => ({ group: v.groupId, topic: p.topic, partition: p.partition, committed: p.committed, end: p.end, lag: p.lag, lagSeconds: p.lagSeconds, status: v.status })),
  );
}

const HEADERS = ['GROUP', 'TOPIC', 'PARTITION', 'COMMITTED', 'END', 'LAG', 'LAG SECONDS', 'STATUS'] as const;
const RIGHT_ALIGNED = new Set([2, 3, 4, 5, 6]);

/** A plain-text table for terminals, followed by one line per group that is not OK saying why. */
export function formatLagTable(verdicts: readonly GroupVerdict[]): string {
  const cells = lagRows(verdicts).map((r) => [
    r.group,
    r.topic,
    r.partition < 0 ? '-' : String(r.partition),
    r.committed === null ? '-' : String(r.committed),
    r.partition < 0 ? '-' : String(r.end),
    String(r.lag),
    r.partition < 0 ? '-' : r.lagSeconds === null ? '?' : r.lagSeconds.toFixed(1),
    r.status,
  ]);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]!.length)));
  const line = (row: readonly string[]) =>
    row.map((cell, i) => (RIGHT_ALIGNED.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  const notes = verdicts.filter((v) => v.status !== 'OK').map((v) => `${v.groupId}: ${v.status} — ${v.reason}`);
  return [line(HEADERS), ...cells.map(line), ...(notes.length > 0 ? ['', ...notes] : [])].join('\n') + '\n';
}

/** STOP and STALL need an operator; WARN may clear on its own. */
export function needsAttention(verdicts: readonly GroupVerdict[]): boolean {
  return verdicts.some((v) => v.status === 'STOP' || v.status === 'STALL');
}
