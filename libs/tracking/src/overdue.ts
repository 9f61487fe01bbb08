import { deterministicEventId, type TransitionData } from '@hookbus/contracts';
import { timeKey } from './event-order';
import type { ProcessState } from './process-state';

/**
 * Authvia fires its expiry 15–20 minutes late (docs/providers/authvia.md#expiry), so a process is only called overdue
 * once this long after its expiresAt has passed without a final status.
 */
export const DEFAULT_OVERDUE_GRACE_MS = 30 * 60 * 1000;

/**
 * The announcement that a process is past its expiry (plus grace) and its provider has not closed it. It has the
 * shape of a transition, so it travels on events.transitions.v1 and consumers that watch `requiresAction` see it,
 * but it changes nothing: `from` and `to` are both the current status, `seq` is the state's current seq (the
 * position it comments on, not a new one), and `causedBy` is a deterministic id of (process, expiry): announcing the
 * same overdue process twice yields the same id, so consumers deduplicate it like any event.
 */
export interface OverdueNotice extends TransitionData {
  readonly kind: 'process';
  readonly reason: 'overdue';
  readonly requiresAction: true;
  readonly final: false;
  readonly expiresAt: string;
  /** expiresAt + grace, ISO 8601 UTC. */
  readonly overdueSince: string;
}

/** Whether the process is past expiresAt + grace at `now` with no final status. */
export function isOverdue(state: ProcessState, now: Date, graceMs: number = DEFAULT_OVERDUE_GRACE_MS): boolean {
  if (state.final || state.expiresAt === null) return false;
  return now.getTime() * 1000 > timeKey(state.expiresAt) + graceMs * 1000;
}

/**
 * The process's key in an index by due time (its expiry in microseconds, as `timeKey`), or null when it can never
 * be overdue: an overdue check then reads only the keys at or below `overdueIndexBound`, never every state.
 */
export function overdueIndexKey(state: ProcessState): number | null {
  if (state.final || state.expiresAt === null) return null;
  return timeKey(state.expiresAt);
}

/** The highest `overdueIndexKey` that can be overdue at `now`: every overdue process is at or below it. */
export function overdueIndexBound(now: Date, graceMs: number = DEFAULT_OVERDUE_GRACE_MS): number {
  return (now.getTime() - graceMs) * 1000;
}

/** The overdue announcement for one process, or null when it is not overdue at `now`. */
export function overdueNotice(state: ProcessState, now: Date, graceMs: number = DEFAULT_OVERDUE_GRACE_MS): OverdueNotice | null {
  if (!isOverdue(state, now, graceMs) || state.expiresAt === null) return null;
  return {
    kind: 'process',
    key: state.key,
    provider: state.provider,
    from: state.status,
    to: state.status,
    final: false,
    requiresAction: true,
    reason: 'overdue',
    seq: state.seq,
    causedBy: overdueNoticeId(state.key, state.expiresAt),
    expiresAt: state.expiresAt,
    overdueSince: new Date(Math.floor(timeKey(state.expiresAt) / 1000) + graceMs).toISOString(),
  };
}

/** The overdue notices of every overdue process among `states`, in the order given. */
export function overdueProcesses(states: Iterable<ProcessState>, now: Date, graceMs: number = DEFAULT_OVERDUE_GRACE_MS): OverdueNotice[] {
  const notices: OverdueNotice[] = [];
  for (const state of states) {
    const notice = overdueNotice(state, now, graceMs);
    if (notice !== null) notices.push(notice);
  }
  return notices;
}

/** A new expiry (Authvia extended it) is a new deadline and gets a new id. */
export function overdueNoticeId(processKey: string, expiresAt: string): string {
  return deterministicEventId(['hookbus.overdue', processKey, expiresAt]);
}
