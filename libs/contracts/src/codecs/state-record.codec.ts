import { TraceHeaders } from '../record-headers';
import { InvalidRecordError } from '../errors';
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

export interface DecodedStateRecord {
  readonly key: string;
  /** The state's JSON text, or null for a tombstone (a state removed). */
  readonly value: string | null;
  readonly causeEventId: string | null;
  readonly causeReceiptId: string | null;
}

/** A state record's key, value and cause; a record without a key is InvalidRecordError tracking.state_without_key. */
export function decodeStateRecord(message: RecordMessage): DecodedStateRecord {
  const key = textOf(message.key);
  if (!key) throw new InvalidRecordError('tracking.state_without_key', `state record on ${message.topic} has no key`);
  return { key, value: textOf(message.value), causeEventId: headerOf(message, TraceHeaders.eventId), causeReceiptId: headerOf(message, TraceHeaders.receiptId) };
}

export const stateRecordCodec = { encode: encodeStateRecord, decode: decodeStateRecord } as const;
