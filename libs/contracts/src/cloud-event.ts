import { createHash } from 'node:crypto';

/** CloudEvents 1.0, structured mode, with hookbus' extensions `provider` and `receiptid`. */
export interface CloudEvent<T = unknown, TType extends string = string> {
  readonly specversion: '1.0';
  readonly id: string;
  readonly type: TType;
  readonly source: string;
  readonly subject: string;
  readonly time: string;
  readonly datacontenttype: 'application/json';
  readonly provider: string;
  readonly receiptid: string;
  readonly data: T;
}

/**
 * The one construction of a CloudEvent envelope: specversion and datacontenttype fixed, the fields in the order every
 * hookbus event is serialized in (equal events, equal bytes on the wire).
 */
export function cloudEventEnvelope<T, TType extends string>(fields: Omit<CloudEvent<T, TType>, 'specversion' | 'datacontenttype'>): CloudEvent<T, TType> {
  return {
    specversion: '1.0',
    id: fields.id,
    type: fields.type,
    source: fields.source,
    subject: fields.subject,
    time: fields.time,
    datacontenttype: 'application/json',
    provider: fields.provider,
    receiptid: fields.receiptid,
    data: fields.data,
  };
}

export const EventTypes = {
  communicationStatus: 'hookbus.communication.status',
  processStatus: 'hookbus.process.status',
  processAction: 'hookbus.process.action',
  checkUpdate: 'hookbus.check.update',
  transition: 'hookbus.transition',
  credasResults: 'hookbus.credas.results',
} as const;
export type EventType = (typeof EventTypes)[keyof typeof EventTypes];

/**
 * A deterministic event id: a UUID-shaped digest (RFC 9562 version 8) of the parts that identify one provider
 * delivery. The same delivery received twice (a provider retry, a replay) yields the same id, so every consumer
 * can deduplicate on it.
 */
export function deterministicEventId(parts: ReadonlyArray<string | Buffer>): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    const bytes = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
    // Length-prefix each part so ['ab','c'] and ['a','bc'] differ.
    hash.update(`${bytes.length}:`);
    hash.update(bytes);
  }
  const digest = hash.digest();
  digest[6] = (digest[6] & 0x0f) | 0x80; // version 8
  digest[8] = (digest[8] & 0x3f) | 0x80; // RFC 9562 variant
  const hex = digest.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export function sourceUri(sourceId: string): string {
  return `/webhooks/${sourceId}`;
}
