import { failureClass } from './failure-class';

// How the consumer runner (batch-consumer.ts) classifies a failed batch: the group moved on, another owner fenced our
// transactional id, the transaction coordinator is busy, or a dependency is unavailable — all retried (or abandoned)
// as a batch. Anything else may be one record's fault (failure-class.ts says which).

const REBALANCE_ERROR_TYPES = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'NOT_COORDINATOR_FOR_GROUP', 'NOT_COORDINATOR', 'FENCED_INSTANCE_ID']);
const FENCED_ERROR_TYPES = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED', 'INVALID_PRODUCER_ID_MAPPING']);

function errorType(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { type?: unknown }).type : undefined;
}

/** The group generation changed under us: retrying the batch can never commit it; kafkajs must rejoin. */
export function isRebalanceError(error: unknown): boolean {
  return REBALANCE_ERROR_TYPES.has(errorType(error) as string) || (error instanceof Error && error.name === 'KafkaJSStaleTopicMetadataAssignment');
}

/** Another instance now holds our transactional id: we are the zombie. */
export function isFencedError(error: unknown): boolean {
  return FENCED_ERROR_TYPES.has(errorType(error) as string);
}

/** CONCURRENT_TRANSACTIONS (error 51): transient while the coordinator finishes the previous transaction. */
export function isConcurrentTransactions(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { type?: unknown }).type === 'CONCURRENT_TRANSACTIONS';
}

/**
 * Failures that are not about any record of the batch: a dependency is unavailable, the group moved on, or another
 * owner fenced us. The batch as a whole is retried (or abandoned to kafkajs); isolating records cannot help.
 */
export function mustRetryBatch(error: unknown): boolean {
  return isRebalanceError(error) || isFencedError(error) || isConcurrentTransactions(error) || failureClass(error) === 'unavailable';
}

/**
 * The broker asked does not know the topic yet: just created (or the node just restarted), and a KRaft cluster spreads
 * topic metadata to every node a moment later. A subscribe that meets it waits and asks again.
 */
export function isTopicMetadataPending(error: unknown): boolean {
  const type = errorType(error);
  return type === 'UNKNOWN_TOPIC_OR_PARTITION' || type === 'LEADER_NOT_AVAILABLE';
}
