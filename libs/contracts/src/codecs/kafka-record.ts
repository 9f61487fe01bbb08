import { InvalidRecordError, type ErrorCodeOrigin } from '../errors';

/**
 * The shapes a codec writes and reads. libs/contracts depends on no Kafka client: these are structurally what
 * libs/kafka's OutgoingRecord and ConsumedRecord are (and what kafkajs hands over), so codecs serve both.
 */

/** A record as a codec encodes it: ready to hand to a producer. */
export interface EncodedRecord {
  readonly topic: string;
  /** Text, or the bytes as they came (a dead letter keeps its original's key byte for byte). */
  readonly key: string | Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

/** A record as a consumer received it (kafkajs' message, or libs/kafka's ConsumedRecord). */
export interface RecordMessage {
  readonly topic: string;
  readonly key: Buffer | string | null | undefined;
  readonly value: Buffer | string | null | undefined;
  readonly headers?: Readonly<Record<string, string | undefined>>;
}

/** A header's value, absent and empty alike read as null (writers write '' for a fact they do not have). */
export function headerOf(message: RecordMessage, name: string): string | null {
  const value = message.headers?.[name];
  return value === undefined || value === '' ? null : value;
}

export function textOf(value: Buffer | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : value.toString('utf8');
}

export function bytesOf(value: Buffer | string | null | undefined): Buffer | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? Buffer.from(value) : value;
}

/**
 * A record's value parsed as JSON, for the readers whose stage dead-letters what it cannot read: InvalidRecordError
 * `<stage>.empty_record` for no value, `<stage>.invalid_json` for bytes that are not JSON.
 */
export function jsonValueOf(message: RecordMessage, stage: ErrorCodeOrigin): unknown {
  const text = textOf(message.value);
  if (text === null) throw new InvalidRecordError(`${stage}.empty_record` as const, 'the record has no value');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidRecordError(`${stage}.invalid_json` as const, 'the record value is not JSON', { cause: error });
  }
}
