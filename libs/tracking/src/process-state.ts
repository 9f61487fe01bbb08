import {
  EventTypes,
  type CloudEvent,
  type CommunicationStatusEvent,
  type ProcessStatus,
  type ProcessStatusEvent,
  type ProviderName,
  type ProviderStatus,
} from '@hookbus/contracts';
import { assertCommunicationStatusEvent, assertProcessStatusEvent } from './event-guards';
import { compareNumbers, compareOrder, compareStrings, joinId, joinSet, laterTime, timeKey, type EventOrderKey } from './event-order';
import { processTable } from './process.table';
import { finalOf, rankOf, type StatusTable } from './status-table';
import { announceChange, keyMismatch, type Applied } from './transition';

/** The current state of one process (topic state.processes.v1, key processKey). */
export interface ProcessState {
  readonly kind: 'process';
  /** processKey. */
  readonly key: string;
  readonly provider: ProviderName;
  readonly processId: string;
  readonly status: ProcessStatus;
  readonly final: boolean;
  readonly providerStatus: ProviderStatus;
  /** Authvia: the highest version seen (the merge orders by version first, so it is the shown status' version). */
  readonly version: number | null;
  readonly statusReason: string | null;
  readonly closedAt: string | null;
  /** Authvia: the expiry announced by the highest version that carried one. */
  readonly expiresAt: string | null;
  /** Bookkeeping for the expiry join: the version that announced `expiresAt`. */
  readonly expiresAtVersion: number | null;
  /**
   * Every entity known for the process, sorted (Credas: one per process actor, learned from actor webhooks). A
   * Credas process may have several actors; `entityId` is the first of them, so it never depends on arrival order.
   */
  readonly entityIds: readonly string[];
  readonly entityId: string | null;
  readonly statusEventId: string;
  readonly statusEventTime: string;
  /** Transitions announced so far (order-dependent bookkeeping, see TrackedState.seq). 0: an unannounced placeholder. */
  readonly seq: number;
  readonly updatedAt: string;
}

/**
 * Merges one event of events.processes.v1 into the state of its process. hookbus.process.action events (Authvia
 * actions) carry no process status and leave the state as it is. Throws InvalidRecordError for a malformed status
 * event or one that belongs to another process.
 */
export function applyProcessEvent(state: ProcessState | null, event: ProcessStatusEvent): Applied<ProcessState>;
export function applyProcessEvent(state: ProcessState, event: CloudEvent): Applied<ProcessState>;
export function applyProcessEvent(state: ProcessState | null, event: CloudEvent): Applied<ProcessState | null>;
export function applyProcessEvent(state: ProcessState | null, event: CloudEvent): Applied<ProcessState | null> {
  if (event.type === EventTypes.processAction) return { state, transitions: [] };
  assertProcessStatusEvent(event);
  if (state !== null) assertSameProcess(state, event.data.processKey, event.data.provider);
  const table = processTable(event.data.provider);
  const candidate = processFromEvent(table, event);
  const merged = state === null ? candidate : joinProcess(table, state, candidate);
  return announceChange(state, merged, event.id, table);
}

/**
 * Learns a Credas process' entity from a process actor webhook (the process webhook itself has no entityId). When
 * the process has no state yet, creates a placeholder in status `created` with seq 0 and announces nothing: Credas
 * has not reported the process, the tracker only holds the entity for it. `created` ranks lowest in the Credas
 * table, so learning never changes an announced status and never yields a transition. Events that carry no
 * processKey or entityId, or come from another provider, teach nothing and leave the state as it is.
 */
export function learnProcessEntity(state: ProcessState, event: CloudEvent): Applied<ProcessState>;
export function learnProcessEntity(state: ProcessState | null, event: CloudEvent): Applied<ProcessState | null>;
export function learnProcessEntity(state: ProcessState | null, event: CloudEvent): Applied<ProcessState | null> {
  assertCommunicationStatusEvent(event);
  const { processKey, entityId } = event.data;
  if (event.data.provider !== 'credas' || !processKey || !entityId) return { state, transitions: [] };
  if (state !== null) assertSameProcess(state, processKey, 'credas');
  const table = processTable('credas');
  const candidate = placeholderFromCommunication(event, processKey, entityId);
  if (state === null) return { state: candidate, transitions: [] };
  return announceChange(state, joinProcess(table, state, candidate), event.id, table);
}

/**
 * The fewest of a batch's entity hints (Credas actor events) that teach the processes' owner what all of them do.
 * learnProcessEntity folds each event into the process state by a join (commutative, associative and idempotent for
 * events with distinct ids; on a full tie of the merge order the state it has is kept), and
 * events naming the same processKey, entityId and processId make placeholders that differ only in their event: the
 * join keeps the statusEventId and statusEventTime of the greatest under the merge order (time, then id) and the
 * updatedAt of the latest time (equal instants written differently: the greater string). So of each such group at
 * most two events count, and one when they coincide, as they do unless equal instants are spelled differently.
 * Learning the kept events, in any order and onto any state, gives the state learning all of them gives; with an id
 * reused for one instant written two ways, the same holds in the order they are returned (arrival order, which keeps
 * the first of a tie first, as a fold over all of them does; process-state.spec). Events that teach nothing (another
 * provider, no processKey or no entityId) are dropped.
 *
 * Why: each hint is a produce, a read back by the tracker and usually a process state record; sent one per actor
 * event, hints were about half of the tracker's cost per event on Credas-heavy traffic (issue 18's drain bench).
 */
export function coalesceEntityHints<E extends CloudEvent>(events: readonly E[]): E[] {
  const groups = new Map<string, { greatest: E; latest: E }>();
  const arrival = new Map<E, number>();
  for (const event of events) {
    if (!arrival.has(event)) arrival.set(event, arrival.size);
    const data = event.data as Partial<CommunicationStatusEvent['data']> | undefined;
    if (data?.provider !== 'credas' || !data.processKey || !data.entityId) continue;
    const group = JSON.stringify([data.processKey, data.entityId, placeholderProcessId(data.processId ?? null, data.processKey)]);
    const known = groups.get(group);
    if (!known) {
      groups.set(group, { greatest: event, latest: event });
      continue;
    }
    const time = timeKey(event.time);
    if ((compareNumbers(time, timeKey(known.greatest.time)) || compareStrings(event.id, known.greatest.id)) > 0) known.greatest = event;
    if ((compareNumbers(time, timeKey(known.latest.time)) || compareStrings(event.time, known.latest.time)) > 0) known.latest = event;
  }
  // In arrival order: on a full tie of the merge order (one id reused for one instant written two ways, even across
  // entities) the first to arrive is the one a fold over all of them keeps.
  const kept = new Set([...groups.values()].flatMap(({ greatest, latest }) => [greatest, latest]));
  return [...kept].sort((a, b) => arrival.get(a)! - arrival.get(b)!);
}

function placeholderProcessId(processId: string | null, processKey: string): string {
  return processId ?? (processKey.startsWith(CREDAS_PREFIX) ? processKey.slice(CREDAS_PREFIX.length) : processKey);
}

function processFromEvent(table: StatusTable<string>, event: ProcessStatusEvent): ProcessState {
  const { data } = event;
  const version = data.version ?? null;
  const entityIds = data.entityId ? [data.entityId] : [];
  return {
    kind: 'process',
    key: data.processKey,
    provider: data.provider,
    processId: data.processId,
    status: data.status,
    final: finalOf(table, data.status, data.final),
    providerStatus: { code: data.providerStatus.code, text: data.providerStatus.text ?? null },
    version,
    statusReason: data.statusReason ?? null,
    closedAt: data.closedAt ?? null,
    expiresAt: data.expiresAt ?? null,
    expiresAtVersion: data.expiresAt ? version : null,
    entityIds,
    entityId: entityIds[0] ?? null,
    statusEventId: event.id,
    statusEventTime: event.time,
    seq: 0,
    updatedAt: event.time,
  };
}

const CREDAS_PREFIX = 'credas:';

function placeholderFromCommunication(event: CommunicationStatusEvent, processKey: string, entityId: string): ProcessState {
  const processId = placeholderProcessId(event.data.processId ?? null, processKey);
  return {
    kind: 'process',
    key: processKey,
    provider: 'credas',
    processId,
    status: 'created',
    final: false,
    providerStatus: { code: null, text: null },
    version: null,
    statusReason: null,
    closedAt: null,
    expiresAt: null,
    expiresAtVersion: null,
    entityIds: [entityId],
    entityId,
    statusEventId: event.id,
    statusEventTime: event.time,
    seq: 0,
    updatedAt: event.time,
  };
}

/** The join of two states of one process; `a`'s seq is kept (the caller decides what to announce). */
export function joinProcess(table: StatusTable<string>, a: ProcessState, b: ProcessState): ProcessState {
  const winner = compareOrder(orderKey(table, a), orderKey(table, b)) >= 0 ? a : b;
  const expiry = compareExpiry(a, b) >= 0 ? a : b;
  const entityIds = joinSet(a.entityIds, b.entityIds);
  return {
    kind: 'process',
    key: a.key,
    provider: a.provider,
    processId: joinId(a.processId, b.processId) ?? a.processId,
    status: winner.status,
    final: winner.final,
    providerStatus: winner.providerStatus,
    version: winner.version,
    statusReason: winner.statusReason,
    closedAt: winner.closedAt,
    expiresAt: expiry.expiresAt,
    expiresAtVersion: expiry.expiresAtVersion,
    entityIds,
    entityId: entityIds[0] ?? null,
    statusEventId: winner.statusEventId,
    statusEventTime: winner.statusEventTime,
    seq: a.seq,
    updatedAt: laterTime(a.updatedAt, b.updatedAt),
  };
}

function orderKey(table: StatusTable<string>, state: ProcessState): EventOrderKey {
  return { version: state.version, rank: rankOf(table, state.status, state.final), time: timeKey(state.statusEventTime), id: state.statusEventId };
}

/** Expiry from the highest version that announced one; a known expiry beats none; equal versions take the later. */
function compareExpiry(a: ProcessState, b: ProcessState): number {
  if (a.expiresAt === null || b.expiresAt === null) return a.expiresAt === null ? (b.expiresAt === null ? 0 : -1) : 1;
  return (
    compareNumbers(a.expiresAtVersion ?? -1, b.expiresAtVersion ?? -1) ||
    compareNumbers(timeKey(a.expiresAt), timeKey(b.expiresAt)) ||
    compareStrings(a.expiresAt, b.expiresAt)
  );
}

function assertSameProcess(state: ProcessState, processKey: string, provider: ProviderName): void {
  if (state.key !== processKey) keyMismatch('process', 'processKey');
  if (state.provider !== provider) keyMismatch('process', 'provider');
}
