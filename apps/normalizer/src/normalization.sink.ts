import { CLOUDEVENTS_CONTENT_TYPE, ConsumerGroups, InvalidRecordError, PROVIDERS, RawHeaders, TraceHeaders, type ProviderName } from '@hookbus/contracts';
import { sourceTemplates, type SourceConfig, type SourceKind } from '@hookbus/config';
import type { BatchEffects, BatchSink, ConsumedRecord, OutgoingRecord, TransformedRecord } from '@hookbus/kafka';
import { adapterFor, decodeBody, queryToObject, type NormalizedEvent, type ReceivedWebhook } from '@hookbus/providers';

export const NORMALIZER_GROUP = ConsumerGroups.normalizer;

/**
 * Rebuilds the webhook from a raw record (the body byte for byte, the request facts from its headers) — the same
 * input the gateway's adapter call saw, so a replay after an adapter fix produces the same event ids.
 */
export function webhookFromRawRecord(record: ConsumedRecord): ReceivedWebhook {
  const h = record.headers;
  const provider = h[RawHeaders.provider] as ProviderName | undefined;
  if (!provider || !PROVIDERS.includes(provider)) throw new InvalidRecordError('raw_missing_provider', `raw record has no valid ${RawHeaders.provider} header`);
  const sourceId = h[RawHeaders.sourceId];
  const receiptId = h[RawHeaders.receiptId];
  const receivedAt = h[RawHeaders.receivedAt];
  const kind = h[RawHeaders.kind] as SourceKind | undefined;
  if (!sourceId || !receiptId || !receivedAt || !kind) {
    throw new InvalidRecordError('raw_missing_headers', `raw record lacks one of ${RawHeaders.sourceId}, ${RawHeaders.receiptId}, ${RawHeaders.receivedAt}, ${RawHeaders.kind}`);
  }
  const method = h[RawHeaders.method] === 'GET' ? 'GET' : 'POST';
  const contentType = h[RawHeaders.contentType] || null;
  const body = record.value ?? Buffer.alloc(0);
  return {
    sourceId,
    provider,
    kind,
    method,
    path: h[RawHeaders.path] ?? `/webhooks/${sourceId}`,
    query: queryToObject(h[RawHeaders.query] ?? ''),
    pathStatus: h[RawHeaders.pathStatus] || null,
    contentType,
    body,
    payload: decodeBody(body, contentType),
    receiptId,
    receivedAt,
  };
}

export function eventRecord(normalized: NormalizedEvent): OutgoingRecord {
  return {
    topic: normalized.topic,
    key: normalized.key,
    value: JSON.stringify(normalized.event),
    headers: {
      [TraceHeaders.contentType]: CLOUDEVENTS_CONTENT_TYPE,
      [TraceHeaders.receiptId]: normalized.event.receiptid,
      [TraceHeaders.eventId]: normalized.event.id,
    },
  };
}

/**
 * Raw webhook records → canonical CloudEvents. A record the adapter rejects is dead-lettered with the adapter's
 * reason; the batch's events are produced together and the offsets committed after the broker acknowledged them.
 */
export class NormalizationSink implements BatchSink<NormalizedEvent[]> {
  readonly stage = 'normalizer';
  private readonly sources: Map<string, SourceConfig>;
  private readonly fallbackByKind: Map<string, SourceConfig>;

  constructor(sources: readonly SourceConfig[]) {
    this.sources = new Map(sources.map((s) => [s.id, s]));
    this.fallbackByKind = new Map(sourceTemplates().map((s) => [`${s.provider}/${s.kind}`, s]));
  }

  transform(record: ConsumedRecord): NormalizedEvent[] {
    const webhook = webhookFromRawRecord(record);
    return adapterFor(webhook.provider).normalize(webhook, this.sourceFor(webhook));
  }

  async flush(items: ReadonlyArray<TransformedRecord<NormalizedEvent[]>>, effects: BatchEffects): Promise<void> {
    await effects.send(items.flatMap((item) => item.value.map(eventRecord)));
  }

  /**
   * The record's source as configured now; a record from a source since removed from the config is still
   * normalized, with its kind's default options, rather than lost.
   */
  private sourceFor(webhook: ReceivedWebhook): SourceConfig {
    const configured = this.sources.get(webhook.sourceId);
    if (configured) return configured;
    const fallback = this.fallbackByKind.get(`${webhook.provider}/${webhook.kind}`);
    if (!fallback) throw new InvalidRecordError('unknown_source', `source ${webhook.sourceId} (${webhook.provider}/${webhook.kind}) is not configured`);
    return { ...fallback, id: webhook.sourceId };
  }
}
