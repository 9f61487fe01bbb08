import { InvalidRecordError, type ProviderName, type TransitionData } from '@hookbus/contracts';
import { actionOf, type StatusTable } from './status-table';

/** What applying one event yields: the merged state and the transitions to announce (zero or one). */
export interface Applied<S> {
  readonly state: S;
  readonly transitions: TransitionData[];
}

/** The fields every tracked state shares. */
export interface TrackedState {
  readonly kind: 'communication' | 'process';
  readonly key: string;
  readonly provider: ProviderName;
  readonly status: string;
  readonly final: boolean;
  /**
   * Number of transitions announced for this key. Bookkeeping of the tracker's own history: it depends on the
   * order events arrived in (sent then delivered is two transitions, delivered then sent is one), so it is the
   * one field convergence does not cover.
   */
  readonly seq: number;
}

/**
 * Announces `next` if its status differs from `prev`'s. `from` is the last announced status: null for the first
 * transition, including after an unannounced placeholder (seq 0, see learnProcessEntity).
 */
export function announceChange<S extends TrackedState>(
  prev: S | null,
  next: S,
  causedBy: string,
  table: StatusTable<string>,
): Applied<S> {
  if (prev !== null && prev.status === next.status) return { state: { ...next, seq: prev.seq }, transitions: [] };
  const seq = (prev?.seq ?? 0) + 1;
  const reason = actionOf(table, next.status, next.final);
  const transition: TransitionData = {
    kind: next.kind,
    key: next.key,
    provider: next.provider,
    from: prev !== null && prev.seq > 0 ? prev.status : null,
    to: next.status,
    final: next.final,
    requiresAction: reason !== null,
    reason,
    seq,
    causedBy,
  };
  return { state: { ...next, seq }, transitions: [transition] };
}

/** The event is for another key or machine than the state: the caller looked up the wrong state. */
export function keyMismatch(kind: string, field: string): never {
  throw new InvalidRecordError('tracking.key_mismatch', `${kind} event does not belong to this state (${field} differs)`);
}
