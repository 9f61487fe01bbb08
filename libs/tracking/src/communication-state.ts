import type {
  CloudEvent,
  CommunicationChannel,
  CommunicationStatus,
  CommunicationStatusEvent,
  ProviderName,
  ProviderStatus,
} from '@hookbus/contracts';
import { communicationTable } from './communication.table';
import { assertCommunicationStatusEvent } from './event-guards';
import { compareOrder, joinId, laterTime, timeKey, type EventOrderKey } from './event-order';
import { finalOf, rankOf, type StatusTable } from './status-table';
import { announceChange, keyMismatch, type Applied } from './transition';

/** The current state of one communication (topic state.communications.v1, key communicationId). */
export interface CommunicationState {
  readonly kind: 'communication';
  /** communicationId. */
  readonly key: string;
  readonly provider: ProviderName;
  readonly channel: CommunicationChannel;
  readonly status: CommunicationStatus;
  readonly final: boolean;
  readonly providerStatus: ProviderStatus;
  readonly processKey: string | null;
  readonly processId: string | null;
  readonly entityId: string | null;
  /** Octapush Viber → SMS fallback: the SMS communicationId that continues this message. */
  readonly continuedAs: string | null;
  /** The event whose status this state shows: the greatest under the merge order (event-order.ts). */
  readonly statusEventId: string;
  readonly statusEventTime: string;
  /** Transitions announced so far (order-dependent bookkeeping, see TrackedState.seq). */
  readonly seq: number;
  /** The latest event time of any event merged into this state. */
  readonly updatedAt: string;
}

/**
 * Merges one hookbus.communication.status event into the state of its communication. A pure join: the result does
 * not depend on the order or repetition of events (except `seq`). Announces a transition when the status changes.
 * Throws InvalidRecordError for a malformed event or one that belongs to another communication.
 */
export function applyCommunicationEvent(state: CommunicationState | null, event: CloudEvent): Applied<CommunicationState> {
  assertCommunicationStatusEvent(event);
  const { data } = event;
  if (state !== null) assertSameCommunication(state, event);
  const table = communicationTable(data.provider, data.channel);
  const candidate = communicationFromEvent(table, event);
  const merged = state === null ? candidate : joinCommunication(table, state, candidate);
  return announceChange(state, merged, event.id, table);
}

/** The state one event alone would produce (seq 0: nothing announced yet). */
function communicationFromEvent(table: StatusTable<string>, event: CommunicationStatusEvent): CommunicationState {
  const { data } = event;
  return {
    kind: 'communication',
    key: data.communicationId,
    provider: data.provider,
    channel: data.channel,
    status: data.status,
    final: finalOf(table, data.status, data.final),
    providerStatus: { code: data.providerStatus.code, text: data.providerStatus.text ?? null },
    processKey: data.processKey ?? null,
    processId: data.processId ?? null,
    entityId: data.entityId ?? null,
    continuedAs: data.continuedAs ?? null,
    statusEventId: event.id,
    statusEventTime: event.time,
    seq: 0,
    updatedAt: event.time,
  };
}

/** The join of two states of one communication; `a`'s seq is kept (the caller decides what to announce). */
export function joinCommunication(table: StatusTable<string>, a: CommunicationState, b: CommunicationState): CommunicationState {
  const winner = compareOrder(orderKey(table, a), orderKey(table, b)) >= 0 ? a : b;
  return {
    kind: 'communication',
    key: a.key,
    provider: a.provider,
    channel: a.channel,
    status: winner.status,
    final: winner.final,
    providerStatus: winner.providerStatus,
    processKey: joinId(a.processKey, b.processKey),
    processId: joinId(a.processId, b.processId),
    entityId: joinId(a.entityId, b.entityId),
    continuedAs: joinId(a.continuedAs, b.continuedAs),
    statusEventId: winner.statusEventId,
    statusEventTime: winner.statusEventTime,
    seq: a.seq,
    updatedAt: laterTime(a.updatedAt, b.updatedAt),
  };
}

function orderKey(table: StatusTable<string>, state: CommunicationState): EventOrderKey {
  return { version: null, rank: rankOf(table, state.status, state.final), time: timeKey(state.statusEventTime), id: state.statusEventId };
}

function assertSameCommunication(state: CommunicationState, event: CommunicationStatusEvent): void {
  if (state.key !== event.data.communicationId) keyMismatch('communication', 'communicationId');
  if (state.provider !== event.data.provider) keyMismatch('communication', 'provider');
  if (state.channel !== event.data.channel) keyMismatch('communication', 'channel');
}
