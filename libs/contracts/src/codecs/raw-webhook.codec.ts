import { InvalidRecordError } from '../errors';
import { RawHeaders } from '../record-headers';
import { PROVIDERS, rawTopicFor, type ProviderName } from '../topics';
import { bytesOf, headerOf, textOf, type EncodedRecord, type RecordMessage } from './kafka-record';

/**
 * A webhook as the gateway accepted it (webhooks.raw.<provider>): the body byte for byte, the request facts in
 * headers. Written by the gateway (and by the bench and tests that stand in for it), read by the normalizer, the
 * projector's receipts and the replay CLI.
 */
export interface RawWebhook {
  /** The entity the webhook is about (the adapter's routing key): one entity's webhooks stay on one partition. */
  readonly key: string;
  readonly body: Buffer;
  readonly receiptId: string;
  readonly receivedAt: string;
  readonly sourceId: string;
  readonly provider: ProviderName;
  readonly kind: string;
  readonly method: string;
  /** The request path, e.g. /webhooks/octapush-sms/delivered. */
  readonly path: string;
  /** The query string without the leading `?`, with the auth token parameter removed. */
  readonly query: string;
  readonly contentType: string | null;
  /** Octapush `/webhooks/{sourceId}/{status}`: the status segment, decoded. */
  readonly pathStatus: string | null;
  /** Non-secret request headers as JSON (auth headers and signatures removed). */
  readonly requestHeaders: string;
}

/**
 * A raw (or quarantine) record's request facts as they are, nothing required: absent or empty headers are null.
 * The projector stores what it can of any record; the normalizer needs the whole webhook (decodeRawWebhook).
 */
export interface RawWebhookFacts {
  readonly key: string | null;
  readonly body: Buffer;
  readonly receiptId: string | null;
  readonly receivedAt: string | null;
  readonly sourceId: string | null;
  readonly provider: string | null;
  readonly kind: string | null;
  readonly method: string | null;
  readonly path: string | null;
  readonly query: string;
  readonly contentType: string | null;
  readonly pathStatus: string | null;
  readonly requestHeaders: string | null;
}

/** Every RawHeaders field, in this order; absent facts (content type, path status) are empty strings. */
export function rawWebhookHeaders(raw: Omit<RawWebhook, 'key' | 'body'>): Record<string, string> {
  return {
    [RawHeaders.receiptId]: raw.receiptId,
    [RawHeaders.receivedAt]: raw.receivedAt,
    [RawHeaders.sourceId]: raw.sourceId,
    [RawHeaders.provider]: raw.provider,
    [RawHeaders.kind]: raw.kind,
    [RawHeaders.method]: raw.method,
    [RawHeaders.path]: raw.path,
    [RawHeaders.query]: raw.query,
    [RawHeaders.contentType]: raw.contentType ?? '',
    [RawHeaders.pathStatus]: raw.pathStatus ?? '',
    [RawHeaders.requestHeaders]: raw.requestHeaders,
  };
}

export function encodeRawWebhook(raw: RawWebhook): EncodedRecord {
  return { topic: rawTopicFor(raw.provider), key: raw.key, value: raw.body, headers: rawWebhookHeaders(raw) };
}

/** The request facts of a raw or quarantine record; never throws. */
export function readRawWebhookFacts(message: RecordMessage): RawWebhookFacts {
  const h = (name: string) => headerOf(message, name);
  return {
    key: textOf(message.key) || null,
    body: bytesOf(message.value) ?? Buffer.alloc(0),
    receiptId: h(RawHeaders.receiptId),
    receivedAt: h(RawHeaders.receivedAt),
    sourceId: h(RawHeaders.sourceId),
    provider: h(RawHeaders.provider),
    kind: h(RawHeaders.kind),
    method: h(RawHeaders.method),
    path: h(RawHeaders.path),
    query: h(RawHeaders.query) ?? '',
    contentType: h(RawHeaders.contentType),
    pathStatus: h(RawHeaders.pathStatus),
    requestHeaders: h(RawHeaders.requestHeaders),
  };
}

/**
 * The webhook of a raw record, as the normalizer rebuilds it: provider, source, receipt, time and kind are required
 * (InvalidRecordError raw_missing_provider / raw_missing_headers); a method other than GET reads as POST, a missing
 * path as the source's.
 */
export function decodeRawWebhook(message: RecordMessage): Omit<RawWebhook, 'key' | 'method'> & { readonly key: string | null; readonly method: 'GET' | 'POST' } {
  const facts = readRawWebhookFacts(message);
  const provider = facts.provider as ProviderName | null;
  if (!provider || !PROVIDERS.includes(provider)) throw new InvalidRecordError('normalizer.raw_missing_provider', `raw record has no valid ${RawHeaders.provider} header`);
  const { sourceId, receiptId, receivedAt, kind } = facts;
  if (!sourceId || !receiptId || !receivedAt || !kind) {
    throw new InvalidRecordError('normalizer.raw_missing_headers', `raw record lacks one of ${RawHeaders.sourceId}, ${RawHeaders.receiptId}, ${RawHeaders.receivedAt}, ${RawHeaders.kind}`);
  }
  return {
    ...facts,
    provider,
    sourceId,
    receiptId,
    receivedAt,
    kind,
    method: facts.method === 'GET' ? 'GET' : 'POST',
    path: facts.path ?? `/webhooks/${sourceId}`,
    requestHeaders: facts.requestHeaders ?? '{}',
  };
}

/** The raw webhook codec: what the gateway writes, what the stages behind it read. */
export const rawWebhookCodec = { encode: encodeRawWebhook, decode: decodeRawWebhook, read: readRawWebhookFacts } as const;
