/**
 * One observation of a consumer group, taken at `at` (epoch ms). Samples are plain data so the evaluator can be
 * fed explicit times in tests and the monitor can keep a sliding window of them.
 */
export interface PartitionSample {
  readonly topic: string;
  readonly partition: number;
  /** The group's committed offset (the next record it will read), or null when it never committed here. */
  readonly committed: number | null;
  /** Log start offset: records below it were deleted by retention. */
  readonly start: number;
  /** High watermark: the offset the next produced record will get. */
  readonly end: number;
  /** end − max(committed ?? start, start): records written but not yet consumed. */
  readonly lag: number;
  /** Age in seconds of the oldest unconsumed record at `at`; 0 without lag; null when it could not be read. */
  readonly lagSeconds: number | null;
}

/**
 * Whether anyone is in the group. Kafka's OffsetFetch does not say when an offset was committed, so "no commits"
 * (Burrow's STOP) is judged by the group having no members: nobody is there to commit.
 */
export type GroupMembership = 'active' | 'empty' | 'unknown';

/**
 * The coordinator's state of the group (DescribeGroups); `Unknown` also stands for a state this client does not know.
 * `Stable` consumes; `PreparingRebalance` and `CompletingRebalance` consume nothing until the rebalance ends;
 * `Empty` has no members but keeps its offsets; `Dead` has neither.
 */
export const GROUP_STATES = ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead', 'Unknown'] as const;
export type GroupState = (typeof GROUP_STATES)[number];

export function groupStateOf(state: string | undefined): GroupState {
  return (GROUP_STATES as readonly string[]).includes(state ?? '') ? (state as GroupState) : 'Unknown';
}

export interface GroupSample {
  readonly groupId: string;
  readonly at: number;
  readonly membership: GroupMembership;
  readonly state: GroupState;
  readonly members: number;
  readonly partitions: readonly PartitionSample[];
}

/** Offset lag of one partition: what is left between where the group stands and the end of the log. */
export function offsetLag(committed: number | null, start: number, end: number): number {
  const position = Math.max(committed ?? start, start);
  return Math.max(0, end - position);
}

/** Where the oldest unconsumed record sits, or null when nothing is waiting. */
export function oldestUnconsumedOffset(committed: number | null, start: number, end: number): number | null {
  const position = Math.max(committed ?? start, start);
  return position < end ? position : null;
}
