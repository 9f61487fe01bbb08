import { InvalidRecordError } from '../errors';
import { DeadLetterHeaders } from '../record-headers';
import { Topics } from '../topics';
import { deterministicEventId } from '../cloud-event';
import { bytesOf, headerOf, type EncodedRecord, type RecordMessage } from './kafka-record';

/**
 * Dead letters (webhooks.deadletter): the original record untouched (key, value, headers) plus headers naming the
 * stage, the error (class and code only: a message can quote personal data) and where the original sits. Written
 * by libs/kafka's consumer runner and the orchestrator, read by the projector, the deadletters CLI and tests. A
 * null value with a redrive header is a redrive marker: that dead letter was published again.
 */
export interface DeadLetterOrigin {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | string | null;
  readonly value: Buffer | string | null;
  readonly headers: Readonly<Record<string, string>>;
}

export interface DeadLetter {
  readonly original: DeadLetterOrigin;
  readonly stage: string;
  readonly errorCode: string;
  /** The error's class (never its message). */
  readonly errorClass: string;
  readonly attempts: number;
  readonly failedAt: Date;
}

const DLQ_HEADER_NAMES: ReadonlySet<string> = new Set(Object.values(DeadLetterHeaders));

export function encodeDeadLetter(deadLetter: DeadLetter): EncodedRecord {
  const { original } = deadLetter;
  return {
    topic: Topics.deadLetter.name,
    key: original.key ?? null,
    value: bytesOf(original.value),
    headers: {
      ...original.headers,
      [DeadLetterHeaders.stage]: deadLetter.stage,
      [DeadLetterHeaders.errorCode]: deadLetter.errorCode,
      [DeadLetterHeaders.error]: deadLetter.errorClass,
      [DeadLetterHeaders.originalTopic]: original.topic,
      [DeadLetterHeaders.originalPartition]: String(original.partition),
      [DeadLetterHeaders.originalOffset]: original.offset,
      [DeadLetterHeaders.attempts]: String(deadLetter.attempts),
      [DeadLetterHeaders.failedAt]: deadLetter.failedAt.toISOString(),
    },
  };
}

/** The dead letter without the original value (an empty one, not null: a null value is a redrive marker). */
export function deadLetterWithoutPayload<R extends { readonly value: Buffer | string | null; readonly headers?: Readonly<Record<string, string>> }>(deadLetter: R): R {
  const bytes = deadLetter.value?.length ?? 0;
  return { ...deadLetter, value: Buffer.alloc(0), headers: { ...deadLetter.headers, [DeadLetterHeaders.payloadDroppedBytes]: String(bytes) } };
}

/** What a dead letter's headers say, nothing required (absent or empty: null); never throws. */
export interface DeadLetterFacts {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly stage: string | null;
  readonly errorCode: string | null;
  readonly errorClass: string | null;
  readonly originalTopic: string | null;
  readonly originalPartition: string | null;
  readonly originalOffset: string | null;
  readonly attempts: string | null;
  readonly failedAt: string | null;
  readonly payloadDroppedBytes: string | null;
  /** On a redrive marker: the dead letter's own position, `partition:offset`. */
  readonly redriveOf: string | null;
  readonly redrivenAt: string | null;
  /** The original record's headers: every header but the dead letter's own. */
  readonly originalHeaders: Record<string, string>;
}

export function readDeadLetter(message: RecordMessage): DeadLetterFacts {
  const h = (name: string) => headerOf(message, name);
  const originalHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) if (value !== undefined && !DLQ_HEADER_NAMES.has(name)) originalHeaders[name] = value;
  return {
    key: bytesOf(message.key),
    value: bytesOf(message.value),
    stage: h(DeadLetterHeaders.stage),
    errorCode: h(DeadLetterHeaders.errorCode),
    errorClass: h(DeadLetterHeaders.error),
    originalTopic: h(DeadLetterHeaders.originalTopic),
    originalPartition: h(DeadLetterHeaders.originalPartition),
    originalOffset: h(DeadLetterHeaders.originalOffset),
    attempts: h(DeadLetterHeaders.attempts),
    failedAt: h(DeadLetterHeaders.failedAt),
    payloadDroppedBytes: h(DeadLetterHeaders.payloadDroppedBytes),
    redriveOf: h(DeadLetterHeaders.redriveOf),
    redrivenAt: h(DeadLetterHeaders.redrivenAt),
    originalHeaders,
  };
}

/** A dead letter's stage and origin, required: InvalidRecordError projector.dead_letter_headers when any is missing. */
export function decodeDeadLetterOrigin(message: RecordMessage): { readonly stage: string; readonly topic: string; readonly partition: number; readonly offset: string } {
  const facts = readDeadLetter(message);
  const partition = Number.parseInt(facts.originalPartition ?? '', 10);
  const { stage, originalTopic: topic, originalOffset: offset } = facts;
  if (!stage || !topic || !Number.isInteger(partition) || !offset || !/^\d+$/.test(offset)) {
    throw new InvalidRecordError('projector.dead_letter_headers', 'dead letter lacks its stage or origin headers');
  }
  return { stage, topic, partition, offset };
}

/**
 * The id of a dead letter's row in hookbus.dead_letters: one failure of one record at one stage is one row, whatever
 * retries re-publish it, so the id hashes the stage and the original coordinates, not the failure time. A redrive
 * marker names the same stage and origin, so it yields the id of the row it redrives. The projector and the
 * console's redrive (libs/kafka dead-letter-redrive.ts) both use it.
 */
export function deadLetterRowId(message: RecordMessage): string {
  const { stage, topic, partition, offset } = decodeDeadLetterOrigin(message);
  return deterministicEventId(['dead-letter', stage, topic, String(partition), offset]);
}

/** The whole dead letter as written; a record that lacks its stage or origin throws as decodeDeadLetterOrigin. */
export function decodeDeadLetter(message: RecordMessage): DeadLetter {
  const origin = decodeDeadLetterOrigin(message);
  const facts = readDeadLetter(message);
  const attempts = Number.parseInt(facts.attempts ?? '', 10);
  const failedMs = Date.parse(facts.failedAt ?? '');
  return {
    original: { topic: origin.topic, partition: origin.partition, offset: origin.offset, key: facts.key, value: facts.value, headers: facts.originalHeaders },
    stage: origin.stage,
    errorCode: facts.errorCode ?? '',
    errorClass: facts.errorClass ?? '',
    attempts: Number.isInteger(attempts) ? attempts : 1,
    failedAt: new Date(Number.isNaN(failedMs) ? 0 : failedMs),
  };
}

/** The original record a dead letter carries, ready to be produced again on its topic (headers without the dead letter's). */
export function originalOfDeadLetter(message: RecordMessage): EncodedRecord {
  const facts = readDeadLetter(message);
  return { topic: facts.originalTopic ?? '', key: facts.key, value: facts.value, headers: facts.originalHeaders };
}

/**
 * A redrive marker: a null value on webhooks.deadletter naming the dead letter (its `partition:offset`) and its
 * stage and origin, so the projector sets that row's redriven_at.
 */
export function encodeRedriveMarker(deadLetter: RecordMessage & { readonly partition: number; readonly offset: string }, now: Date): EncodedRecord {
  const facts = readDeadLetter(deadLetter);
  return {
    topic: Topics.deadLetter.name,
    key: facts.key,
    value: null,
    headers: {
      [DeadLetterHeaders.redriveOf]: `${deadLetter.partition}:${deadLetter.offset}`,
      [DeadLetterHeaders.redrivenAt]: now.toISOString(),
      [DeadLetterHeaders.stage]: facts.stage ?? '',
      [DeadLetterHeaders.originalTopic]: facts.originalTopic ?? '',
      [DeadLetterHeaders.originalPartition]: facts.originalPartition ?? '',
      [DeadLetterHeaders.originalOffset]: facts.originalOffset ?? '',
    },
  };
}

/** A redrive marker: a null value and a redrive header. */
export function isRedriveMarker(message: RecordMessage): boolean {
  return (message.value === null || message.value === undefined) && headerOf(message, DeadLetterHeaders.redriveOf) !== null;
}

export const deadLetterCodec = { encode: encodeDeadLetter, decode: decodeDeadLetter, read: readDeadLetter } as const;
