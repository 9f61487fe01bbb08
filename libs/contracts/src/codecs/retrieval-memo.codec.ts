import type { EncodedRecord, RecordMessage } from './kafka-record';
import { textOf } from './kafka-record';

/**
 * The orchestrator's memory of one retrieval, on the compacted orchestrator.credas.retrievals.v1 (schema
 * CredasRetrievalMemo): read back at start so a redelivered completion is not fetched again.
 */
export interface RetrievalMemo {
  readonly processKey: string;
  readonly processId: string;
  readonly entityId: string;
  readonly eventId: string;
  readonly triggerEventId: string;
  readonly sha256: string;
  readonly retrievedAt: string;
  /** Check webhooks reflected in this retrieval, newest last (OrchestratorMemory.checkApplied). */
  readonly checkEventIds?: readonly string[];
}

/** Keyed by the process key; `checkEventIds` only when there are some (the fields in the order always written). */
export function encodeRetrievalMemo(topic: string, memo: RetrievalMemo): EncodedRecord {
  const value = {
    processKey: memo.processKey,
    processId: memo.processId,
    entityId: memo.entityId,
    eventId: memo.eventId,
    triggerEventId: memo.triggerEventId,
    sha256: memo.sha256,
    retrievedAt: memo.retrievedAt,
    ...(memo.checkEventIds && memo.checkEventIds.length > 0 ? { checkEventIds: memo.checkEventIds } : {}),
  };
  return { topic, key: memo.processKey, value: Buffer.from(JSON.stringify(value)), headers: {} };
}

export type DecodedRetrievalMemo = { readonly key: string | null } & (
  | { readonly kind: 'memo'; readonly memo: RetrievalMemo }
  /** A tombstone: the memo was removed. */
  | { readonly kind: 'removed' }
  /** Not JSON, or without the processKey and entityId the memory needs: skipped, never fatal. */
  | { readonly kind: 'unreadable' }
);

/**
 * Tolerant: a memo needs a string processKey and entityId; a checkEventIds that is not a list of strings is read as
 * the strings it holds (none when not a list); other fields are kept as they came.
 */
export function decodeRetrievalMemo(message: RecordMessage): DecodedRetrievalMemo {
  const key = textOf(message.key) || null;
  const body = textOf(message.value);
  if (body === null) return { key, kind: 'removed' };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { key, kind: 'unreadable' };
  }
  if (typeof json !== 'object' || json === null) return { key, kind: 'unreadable' };
  const memo = json as Partial<RetrievalMemo>;
  if (typeof memo.entityId !== 'string' || typeof memo.processKey !== 'string') return { key, kind: 'unreadable' };
  const checkEventIds = Array.isArray(memo.checkEventIds) ? memo.checkEventIds.filter((id): id is string => typeof id === 'string') : [];
  return { key, kind: 'memo', memo: { ...(memo as RetrievalMemo), checkEventIds } };
}

export const retrievalMemoCodec = { encode: encodeRetrievalMemo, decode: decodeRetrievalMemo } as const;
