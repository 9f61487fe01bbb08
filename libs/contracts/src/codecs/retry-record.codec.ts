import { InvalidRecordError } from '../errors';
import { RETRY_HEADER_PREFIX, RetryHeaders } from '../record-headers';
import type { EncodedRecord, RecordMessage } from './kafka-record';

/**
 * A Credas retrieval waiting on one of the orchestrator's retry lanes (orchestrator.credas.retry-*.v1): the original
 * record's value and headers, byte for byte, plus the retry's attempt, due time and origin. Private to the
 * orchestrator, declared in the contracts with its topics (topic-contracts.ts: RetryRecordHeaders).
 */
export interface RetryRecord {
  /** The lane's topic. */
  readonly topic: string;
  /** The record key and the process the retry is for (a refresh names the one process that failed). */
  readonly processKey: string;
  readonly origin: {
    readonly topic: string;
    readonly partition: number;
    readonly offset: string;
    readonly value: Buffer | null;
    readonly headers: Readonly<Record<string, string>>;
  };
  /** The attempt to make, 1-based. */
  readonly attempt: number;
  /** Not before this (epoch ms). */
  readonly dueAt: number;
  readonly force: boolean;
  /** The error code of the failed attempt, if any. */
  readonly lastError: string | null;
}

export function encodeRetryRecord(retry: RetryRecord): EncodedRecord {
  const { origin } = retry;
  return {
    topic: retry.topic,
    key: retry.processKey,
    value: origin.value,
    headers: {
      ...origin.headers,
      [RetryHeaders.attempt]: String(retry.attempt),
      [RetryHeaders.dueAt]: String(retry.dueAt),
      [RetryHeaders.originTopic]: origin.topic,
      [RetryHeaders.originPartition]: String(origin.partition),
      [RetryHeaders.originOffset]: origin.offset,
      [RetryHeaders.processKey]: retry.processKey,
      [RetryHeaders.force]: String(retry.force),
      ...(retry.lastError ? { [RetryHeaders.lastError]: retry.lastError } : {}),
    },
  };
}

export interface DecodedRetryRecord {
  /** Where the original record was, and its own headers (the retry headers removed). */
  readonly origin: { readonly topic: string; readonly partition: number; readonly offset: string; readonly headers: Record<string, string> };
  readonly attempt: number;
  readonly dueAt: number;
  readonly processKey: string | null;
  readonly force: boolean;
  readonly lastError: string | null;
}

/**
 * A retry-lane record's retry facts, or null for a record that is not a retry (no origin topic header). A retry
 * without a valid attempt or due time is InvalidRecordError orchestrator.invalid_retry.
 */
export function decodeRetryRecord(message: RecordMessage): DecodedRetryRecord | null {
  const h = message.headers ?? {};
  const originTopic = h[RetryHeaders.originTopic];
  if (!originTopic) return null;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(h)) if (value !== undefined && !name.startsWith(RETRY_HEADER_PREFIX)) headers[name] = value;
  const attempt = Number(h[RetryHeaders.attempt]);
  const dueAt = Number(h[RetryHeaders.dueAt]);
  if (!Number.isInteger(attempt) || attempt < 1 || !Number.isFinite(dueAt)) {
    throw new InvalidRecordError('orchestrator.invalid_retry', 'a retry record lacks a valid attempt or due time');
  }
  return {
    origin: { topic: originTopic, partition: Number(h[RetryHeaders.originPartition] ?? 0), offset: h[RetryHeaders.originOffset] ?? '0', headers },
    attempt,
    dueAt,
    processKey: h[RetryHeaders.processKey] || null,
    force: h[RetryHeaders.force] === 'true',
    lastError: h[RetryHeaders.lastError] || null,
  };
}

export const retryRecordCodec = { encode: encodeRetryRecord, decode: decodeRetryRecord } as const;
