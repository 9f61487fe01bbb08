import { DeadLetterHeaders, Topics, errorCode } from '@hookbus/contracts';
import type { ConsumedRecord, OutgoingRecord } from './records';

const MAX_ERROR_TEXT = 2000;

/** The contract's dead letter: the original record untouched, plus headers naming stage, error and origin. */
export function deadLetterFor(record: ConsumedRecord, stage: string, error: unknown, attempts: number, now: Date = new Date()): OutgoingRecord {
  const message = error instanceof Error ? error.message : String(error);
  return {
    topic: Topics.deadLetter.name,
    key: record.key,
    value: record.value,
    headers: {
      ...record.headers,
      [DeadLetterHeaders.stage]: stage,
      [DeadLetterHeaders.errorCode]: errorCode(error),
      [DeadLetterHeaders.error]: message.slice(0, MAX_ERROR_TEXT),
      [DeadLetterHeaders.originalTopic]: record.topic,
      [DeadLetterHeaders.originalPartition]: String(record.partition),
      [DeadLetterHeaders.originalOffset]: record.offset,
      [DeadLetterHeaders.attempts]: String(attempts),
      [DeadLetterHeaders.failedAt]: now.toISOString(),
    },
  };
}
