/**
 * Retention risk: how close a group's committed offset is to the log start offset, the point below which the broker
 * has deleted records (retention.ms / retention.bytes, or deleteRecords). A lagging consumer whose position is near
 * the log start is about to lose records it never read: the next segment deletion takes them.
 *
 * Headroom is the share of the retained log that lies between the log start and the group's position,
 * `(committed − start) / (end − start)`. A log retention has not trimmed yet
 * (start 0) is not judged: nothing says when its first deletion comes, while a trimmed log is in steady state, its
 * retained range spanning about one retention period, so a position within N % of the start is within about N % of
 * that period of being deleted.
 */
export const RETENTION_STATUSES = ['OK', 'AT_RISK', 'LOST'] as const;
export type RetentionStatus = (typeof RETENTION_STATUSES)[number];

/** The value of the hookbus_consumergroup_retention_risk gauge; higher is worse. */
export const RETENTION_STATUS_CODE: Readonly<Record<RetentionStatus, number>> = { OK: 0, AT_RISK: 1, LOST: 2 };

/** Below this headroom a lagging partition is AT_RISK: 10 % of the retained log is left before the group's position. */
export const DEFAULT_RETENTION_RISK_RATIO = 0.1;

export interface RetentionVerdict {
  readonly retention: RetentionStatus;
  /** (committed − start) / (end − start), clamped to [0, 1]; 1 when caught up; null when the group never committed. */
  readonly headroom: number | null;
}

export function retentionRisk(committed: number | null, start: number, end: number, ratio: number = DEFAULT_RETENTION_RISK_RATIO): RetentionVerdict {
  if (committed === null) return { retention: 'OK', headroom: null };
  if (committed >= end) return { retention: 'OK', headroom: 1 };
  // Records between the committed offset and the log start were deleted before the group read them.
  if (committed < start) return { retention: 'LOST', headroom: 0 };
  const headroom = (committed - start) / (end - start);
  if (start === 0) return { retention: 'OK', headroom };
  return { retention: headroom < ratio ? 'AT_RISK' : 'OK', headroom };
}
