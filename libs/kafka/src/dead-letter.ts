import { DeadLetterHeaders, Topics, errorClass, errorCode } from '@hookbus/contracts';
import type { ConsumedRecord, OutgoingRecord } from './records';

/**
 * The contract's dead letter: the original record untouched, plus headers naming stage, error and origin. The error
 * is named by its class and code only: a message can quote the input it failed on (a parse error quotes the body,
 * a Postgres error the value), and headers travel to the projector, the CLIs and logs — the body stays in the value.
 */
export function deadLetterFor(record: ConsumedRecord, stage: string, error: unknown, attempts: number, now: Date = new Date()): OutgoingRecord {
  return {
    topic: Topics.deadLetter.name,
    key: record.key,
    value: record.value,
    headers: {
      ...record.headers,
      [DeadLetterHeaders.stage]: stage,
      [DeadLetterHeaders.errorCode]: errorCode(error),
      [DeadLetterHeaders.error]: errorClass(error),
      [DeadLetterHeaders.originalTopic]: record.topic,
      [DeadLetterHeaders.originalPartition]: String(record.partition),
      [DeadLetterHeaders.originalOffset]: record.offset,
      [DeadLetterHeaders.attempts]: String(attempts),
      [DeadLetterHeaders.failedAt]: now.toISOString(),
    },
  };
}
