import { TraceHeaders } from '../record-headers';
import { headerOf, textOf, type EncodedRecord, type RecordMessage } from './kafka-record';

/**
 * One entity's state on a compacted state topic (state.communications.v1, state.processes.v1): the value is the
 * state's canonical JSON (libs/tracking's state codec makes and validates it), the headers name the event that
 * caused it. Written on the partition whose owner restores it.
 */
export interface StateRecord {
  readonly topic: string;
  readonly key: string;
  readonly partition: number;
  /** The serialized state (libs/tracking's StateCodec.serialize). */
  readonly value: string;
  readonly cause: { readonly id: string; readonly receiptid: string };
}

export function encodeStateRecord(state: StateRecord): EncodedRecord & { readonly partition: number } {
  return {
    topic: state.topic,
    key: state.key,
    value: Buffer.from(state.value),
    partition: state.partition,
    headers: { [TraceHeaders.contentType]: 'application/json', [TraceHeaders.eventId]: state.cause.id, [TraceHeaders.receiptId]: state.cause.receiptid },
  };
}

/**
 * A tombstone on a state topic: a state removed (compaction then drops the key), or the tracker's restore sentinel
 * (a key of its own that no state has). No headers.
 */
export function encodeStateTombstone(tombstone: { readonly topic: string; readonly key: string; readonly partition: number }): EncodedRecord & { readonly partition: number } {
  return { topic: tombstone.topic, key: tombstone.key, value: null, partition: tombstone.partition, headers: {} };
}

export interface DecodedStateRecord {
  /** The record's key, or null when it has none (readers decide: the tracker skips it, the projector falls back to the state's own key). */
  readonly key: string | null;
  /** The state's JSON text, or null for a tombstone (a state removed, or a restore sentinel). */
  readonly value: string | null;
  readonly causeEventId: string | null;
  readonly causeReceiptId: string | null;
}

/**
 * A state record's key, value and cause, as text. Never throws: what a missing key or an unreadable value means
 * differs per reader (the tracker's restore drops it, the projector dead-letters it with its own codes), and the
 * state's JSON is validated by libs/tracking's StateCodec (tracker) or read tolerantly (projector).
 */
export function decodeStateRecord(message: RecordMessage): DecodedStateRecord {
  return { key: textOf(message.key) || null, value: textOf(message.value), causeEventId: headerOf(message, TraceHeaders.eventId), causeReceiptId: headerOf(message, TraceHeaders.receiptId) };
}

export const stateRecordCodec = { encode: encodeStateRecord, encodeTombstone: encodeStateTombstone, decode: decodeStateRecord } as const;
