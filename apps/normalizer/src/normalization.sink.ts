import { ConsumerGroups, InvalidRecordError, decodeRawWebhook, encodeCloudEventRecord } from '@hookbus/contracts';
import { sourceTemplates, type SourceConfig } from '@hookbus/config';
import type { BatchEffects, BatchSink, ConsumedRecord, OutgoingRecord, TransformedRecord } from '@hookbus/kafka';
import { adapterFor, receivedWebhook, type NormalizedEvent, type ReceivedWebhook } from '@hookbus/providers';

export const NORMALIZER_GROUP = ConsumerGroups.normalizer;

/**
 * Rebuilds the webhook from a raw record (the body byte for byte, the request facts from its headers) — the same
 * input the gateway's adapter call saw, so a replay after an adapter fix produces the same event ids.
 */
export function webhookFromRawRecord(record: ConsumedRecord): ReceivedWebhook {
  return receivedWebhook(decodeRawWebhook(record));
}

/** One normalized event as its CloudEvent record. */
export function eventRecord(normalized: NormalizedEvent): OutgoingRecord {
  return encodeCloudEventRecord(normalized);
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
    if (!fallback) throw new InvalidRecordError('normalizer.unknown_source', `source ${webhook.sourceId} (${webhook.provider}/${webhook.kind}) is not configured`);
    return { ...fallback, id: webhook.sourceId };
  }
}
