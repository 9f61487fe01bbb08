import type { CloudEvent } from '../cloud-event';
import { InvalidRecordError, type ErrorCodeOrigin } from '../errors';
import { decodeEventRecord, type DecodedRecord } from '../event-record';
import { CLOUDEVENTS_CONTENT_TYPE, TraceHeaders } from '../record-headers';
import { jsonValueOf, textOf, type EncodedRecord, type RecordMessage } from './kafka-record';

/** One CloudEvent on its topic, keyed by its subject unless said otherwise. */
export interface CloudEventRecord {
  readonly topic: string;
  readonly event: CloudEvent<unknown>;
  /** Default: the event's subject (what consumers check the key against). */
  readonly key?: string;
}

/**
 * A CloudEvent record (structured mode, JSON): written by the normalizer, the tracker (transitions) and the
 * orchestrator (Credas results); the headers let logs and the projector follow the webhook that caused it.
 */
export function encodeCloudEventRecord({ topic, event, key }: CloudEventRecord): EncodedRecord {
  return {
    topic,
    key: key ?? event.subject,
    value: Buffer.from(JSON.stringify(event)),
    headers: {
      [TraceHeaders.contentType]: CLOUDEVENTS_CONTENT_TYPE,
      [TraceHeaders.receiptId]: event.receiptid,
      [TraceHeaders.eventId]: event.id,
    },
  };
}

/** Reads a record of a public event topic (never throws: see decodeEventRecord). */
export function decodeCloudEventRecord(message: RecordMessage): DecodedRecord {
  return decodeEventRecord(message);
}

/**
 * The structured-mode body of a CloudEvent record as a JSON object, or null when the value is absent, not JSON or not
 * an object. For readers that keep every event, whatever its type or topic (the projector stores unknown types and
 * falls back to the key for a missing subject), and so check the CloudEvent fields themselves: decodeCloudEventRecord
 * is the strict reader of public event topics.
 */
export function decodeCloudEventBody(message: RecordMessage): Record<string, unknown> | null {
  const body = textOf(message.value);
  if (!body) return null;
  try {
    const json: unknown = JSON.parse(body);
    return typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * The structured-mode body of a CloudEvent record as a JSON object, for a stage that dead-letters what it cannot read
 * and checks the fields it uses itself (the orchestrator: its check events carry no subject, so the strict
 * decodeCloudEventRecord would refuse them). InvalidRecordError `<stage>.empty_record` for no value,
 * `<stage>.invalid_json` for bytes that are not JSON, `<stage>.invalid_event` for JSON that is not an object.
 */
export function readCloudEventBody(message: RecordMessage, stage: ErrorCodeOrigin): Record<string, unknown> {
  const json = jsonValueOf(message, stage);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new InvalidRecordError(`${stage}.invalid_event` as const, 'the record is not a CloudEvent');
  return json as Record<string, unknown>;
}

export const cloudEventRecordCodec = { encode: encodeCloudEventRecord, decode: decodeCloudEventRecord } as const;
