import type { CloudEvent } from '../cloud-event';
import { InvalidRecordError, type ErrorCodeOrigin } from '../errors';
import { TraceHeaders } from '../record-headers';
import { TRACKER_HINTS_TOPIC } from '../topics';
import { textOf, type EncodedRecord, type RecordMessage } from './kafka-record';

/**
 * The tracker's internal hints (tracker.process-hints.v1): a Credas communication's entity forwarded to its process's
 * partition (keyed by processKey, carrying the receipt id), and the overdue ticks a partition's owner writes to itself.
 */
export type TrackerHint = { readonly type: 'entity-hint'; readonly event: CloudEvent } | { readonly type: 'overdue-tick'; readonly now: string };

export function encodeEntityHint(processKey: string, event: CloudEvent): EncodedRecord {
  const hint: TrackerHint = { type: 'entity-hint', event };
  return { topic: TRACKER_HINTS_TOPIC, key: processKey, value: Buffer.from(JSON.stringify(hint)), headers: { [TraceHeaders.receiptId]: event.receiptid } };
}

export function encodeOverdueTick(partition: number, now: Date): EncodedRecord & { readonly partition: number } {
  const hint: TrackerHint = { type: 'overdue-tick', now: now.toISOString() };
  return { topic: TRACKER_HINTS_TOPIC, key: `__tick__/${partition}`, value: Buffer.from(JSON.stringify(hint)), headers: {}, partition };
}

/**
 * A record's value as JSON, for a stage that reads JSON records: InvalidRecordError `<stage>.empty_record` for no
 * value, `<stage>.malformed_json` for bytes that are not JSON.
 */
export function readJsonValue(message: RecordMessage & { readonly partition: number; readonly offset: string }, stage: ErrorCodeOrigin): unknown {
  const text = textOf(message.value);
  if (text === null) throw new InvalidRecordError(`${stage}.empty_record` as const, `record at ${message.topic}/${message.partition}@${message.offset} has no value`);
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidRecordError(`${stage}.malformed_json` as const, `record at ${message.topic}/${message.partition}@${message.offset} is not JSON`);
  }
}

/** A hint record; InvalidRecordError tracker.bad_hint for any other shape (and as readJsonValue for no JSON). */
export function decodeTrackerHint(message: RecordMessage & { readonly partition: number; readonly offset: string }): TrackerHint {
  const hint = readJsonValue(message, 'tracker') as Partial<{ type: string; now: unknown; event: CloudEvent }> | null;
  if (hint?.type === 'overdue-tick' && typeof hint.now === 'string') return { type: 'overdue-tick', now: hint.now };
  if (hint?.type === 'entity-hint' && hint.event) return { type: 'entity-hint', event: hint.event };
  throw new InvalidRecordError('tracker.bad_hint', 'hint record of unknown shape');
}

export const trackerHintCodec = { decode: decodeTrackerHint } as const;
