/**
 * Broker answers to a produce request that are a property of the records sent (their size, their content), not of
 * the broker's health: sending the same record again can never succeed. Codes: Kafka's protocol error table
 * (kafka.apache.org/protocol#protocol_error_codes); kafkajs reports them as KafkaJSProtocolError `type`.
 * CORRUPT_MESSAGE is retriable for kafkajs (a bit flip in transit), but a record that keeps failing its CRC or size
 * check after the producer's own retries will fail the same way next time.
 */
export const RECORD_REFUSALS: ReadonlySet<string> = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_TIMESTAMP',
  'UNSUPPORTED_FOR_MESSAGE_FORMAT',
]);

/**
 * The broker's refusal type if `error` says the records themselves will never be accepted, else null (the broker
 * is unavailable or busy: wait and try again). Looks through kafkajs' wrappers (retries exceeded, non-retriable,
 * aggregate errors) to the protocol error underneath.
 */
export function recordRefusalOf(error: unknown): string | null {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const current = queue.shift();
    if (!current || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    const { type, cause, errors } = current as { type?: unknown; cause?: unknown; errors?: unknown };
    if (typeof type === 'string' && RECORD_REFUSALS.has(type)) return type;
    queue.push(cause);
    if (Array.isArray(errors)) queue.push(...errors);
  }
  return null;
}
