import type { IHeaders, KafkaMessage, Message, Producer, RecordMetadata, Transaction } from 'kafkajs';

/** A consumed record with its headers decoded to strings: what every stage's transform receives. */
export interface ConsumedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
  /** Broker or producer timestamp, epoch ms as a string (kafkajs' form). */
  readonly timestamp: string;
}

/** A record to produce. */
export interface OutgoingRecord {
  readonly topic: string;
  readonly key: string | Buffer | null;
  readonly value: string | Buffer | null;
  readonly headers?: Readonly<Record<string, string>>;
  /** An explicit partition (state topics written on the partition their owner restores); else by key. */
  readonly partition?: number;
}

export function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const decoded: Record<string, string> = Object.create(null);
  if (!headers) return decoded;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first === undefined) continue;
    decoded[name] = Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  }
  return decoded;
}

export function toConsumedRecord(topic: string, partition: number, message: KafkaMessage): ConsumedRecord {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key ?? null,
    value: message.value ?? null,
    headers: decodeHeaders(message.headers),
    timestamp: message.timestamp,
  };
}

export function toKafkaMessage(record: OutgoingRecord): Message {
  return {
    key: record.key,
    value: record.value,
    headers: record.headers ? { ...record.headers } : undefined,
    ...(record.partition !== undefined ? { partition: record.partition } : {}),
  };
}

/**
 * The most record bytes one produce request carries. Kafka refuses a partition's record batch above the topic's
 * max.message.bytes, and kafkajs builds one batch per partition per request, so requests are split below that.
 */
export const MAX_PRODUCE_REQUEST_BYTES = 2 * 1024 * 1024;

/**
 * What a record weighs in a produce request: key, value and every header (the gateway's request-headers JSON can be
 * kilobytes), plus a fixed allowance for the record's framing. Used for both request splitting and queue bounds.
 */
export function recordBytes(record: OutgoingRecord): number {
  let bytes = (record.value?.length ?? 0) + (record.key?.length ?? 0) + 64;
  for (const [name, value] of Object.entries(record.headers ?? {})) bytes += name.length + value.length;
  return bytes;
}

/** Splits records into consecutive chunks of at most `maxBytes` (a larger record goes alone); order is kept. */
export function chunkByBytes(records: readonly OutgoingRecord[], maxBytes = MAX_PRODUCE_REQUEST_BYTES): OutgoingRecord[][] {
  const chunks: OutgoingRecord[][] = [];
  let current: OutgoingRecord[] = [];
  let size = 0;
  for (const record of records) {
    const bytes = recordBytes(record);
    if (current.length > 0 && size + bytes > maxBytes) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(record);
    size += bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** Groups outgoing records by topic for one `sendBatch` / transactional `sendBatch` call. */
export function groupByTopic(records: readonly OutgoingRecord[]): Array<{ topic: string; messages: Message[] }> {
  const byTopic = new Map<string, Message[]>();
  for (const record of records) {
    let messages = byTopic.get(record.topic);
    if (!messages) byTopic.set(record.topic, (messages = []));
    messages.push(toKafkaMessage(record));
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

export function parseJsonValue<T = unknown>(record: ConsumedRecord): T {
  if (!record.value) throw new SyntaxError('record has no value');
  return JSON.parse(record.value.toString('utf8')) as T;
}

/**
 * Produces `records` in requests of at most `maxRequestBytes` (chunkByBytes: the broker refuses larger ones),
 * acknowledged by all in-sync replicas. An idempotent producer sends through RenewableIdempotentProducer, which calls
 * this on its live session.
 */
export async function sendRecords(target: Producer | Transaction, records: readonly OutgoingRecord[], maxRequestBytes = MAX_PRODUCE_REQUEST_BYTES): Promise<RecordMetadata[]> {
  const written: RecordMetadata[] = [];
  for (const chunk of chunkByBytes(records, maxRequestBytes)) written.push(...(await target.sendBatch({ topicMessages: groupByTopic(chunk), acks: -1 })));
  return written;
}
