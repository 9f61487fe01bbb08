import { Topics, deadLetterWithoutPayload, encodeDeadLetter, errorClass, errorCode } from '@hookbus/contracts';
import { recordBytes, type ConsumedRecord, type OutgoingRecord } from './records';

/** Room for the record batch framing around one dead letter, under the topic's max.message.bytes. */
const FRAMING_ALLOWANCE = 64 * 1024;

/**
 * The contract's dead letter: the original record untouched, plus headers naming stage, error and origin. The error
 * is named by its class and code only: a message can quote the input it failed on (a parse error quotes the body,
 * a Postgres error the value), and headers travel to the projector, the CLIs and logs — the body stays in the value.
 * A record that would not fit the dead-letter topic with those headers travels without its value (the headers still
 * locate the original, which stays on its own topic for its retention).
 */
export function deadLetterFor(record: ConsumedRecord, stage: string, error: unknown, attempts: number, now: Date = new Date()): OutgoingRecord {
  const deadLetter: OutgoingRecord = encodeDeadLetter({ original: record, stage, errorCode: errorCode(error), errorClass: errorClass(error), attempts, failedAt: now });
  return recordBytes(deadLetter) > Topics.deadLetter.maxMessageBytes - FRAMING_ALLOWANCE ? withoutPayload(deadLetter) : deadLetter;
}

/** The dead letter without the original value (an empty one, not null: a null value is a redrive marker). */
export function withoutPayload(deadLetter: OutgoingRecord): OutgoingRecord {
  return deadLetterWithoutPayload(deadLetter);
}
