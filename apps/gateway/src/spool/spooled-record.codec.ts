import type { OutgoingRecord } from '@hookbus/kafka';

/**
 * A spooled record as bytes: `u32 metaLength | meta JSON | value`. The value (the webhook body) is kept as raw bytes,
 * never re-encoded, so the drained record is the request byte for byte; the key keeps its type (string or bytes).
 */
interface Meta {
  readonly topic: string;
  readonly key: string | null;
  /** The key was bytes: `key` holds them as base64. */
  readonly keyBytes?: true;
  readonly valueNull?: true;
  readonly headers?: Readonly<Record<string, string>>;
  readonly partition?: number;
}

export function encodeSpooledRecord(record: OutgoingRecord): Buffer {
  const meta: Meta = {
    topic: record.topic,
    key: Buffer.isBuffer(record.key) ? record.key.toString('base64') : record.key,
    ...(Buffer.isBuffer(record.key) ? { keyBytes: true as const } : {}),
    ...(record.value === null ? { valueNull: true as const } : {}),
    ...(record.headers ? { headers: record.headers } : {}),
    ...(record.partition !== undefined ? { partition: record.partition } : {}),
  };
  const metaBytes = Buffer.from(JSON.stringify(meta), 'utf8');
  const value = record.value === null ? Buffer.alloc(0) : Buffer.isBuffer(record.value) ? record.value : Buffer.from(record.value, 'utf8');
  const length = Buffer.allocUnsafe(4);
  length.writeUInt32BE(metaBytes.length, 0);
  return Buffer.concat([length, metaBytes, value]);
}

export function decodeSpooledRecord(payload: Buffer): OutgoingRecord {
  const metaLength = payload.readUInt32BE(0);
  const meta = JSON.parse(payload.subarray(4, 4 + metaLength).toString('utf8')) as Meta;
  return {
    topic: meta.topic,
    key: meta.keyBytes && meta.key !== null ? Buffer.from(meta.key, 'base64') : meta.key,
    value: meta.valueNull ? null : payload.subarray(4 + metaLength),
    ...(meta.headers ? { headers: meta.headers } : {}),
    ...(meta.partition !== undefined ? { partition: meta.partition } : {}),
  };
}
