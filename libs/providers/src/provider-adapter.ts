import { deterministicEventId, type CloudEvent, type ProviderName } from '@hookbus/contracts';
import type { SourceConfig, SourceKind } from '@hookbus/config';
import type { DecodedWebhook, ReceivedWebhook } from './webhook';

/** One event the normalizer publishes: topic, key and the CloudEvent value. */
export interface NormalizedEvent {
  readonly topic: string;
  readonly key: string;
  readonly event: CloudEvent;
}

/**
 * Everything hookbus knows about one provider, as pure functions. The gateway calls `routingKey` before it stores
 * a request (so all webhooks about one entity share a partition); the normalizer calls `normalize` on the stored
 * record. Both throw InvalidRecordError for a request that cannot be about any entity (HTTP 400 at the gateway,
 * a dead letter in the normalizer); an unknown status code is NOT such an error (it maps to `unknown`).
 */
export interface ProviderAdapter {
  readonly provider: ProviderName;
  readonly kinds: readonly SourceKind[];
  /**
   * Whether the provider may send the status in the path (`/webhooks/{sourceId}/{status}`, Octapush). For any other
   * provider the gateway answers that form 404, as for an unknown source (contract §3).
   */
  readonly statusInPath: boolean;
  /** The reply body the provider expects instead of hookbus' own (receipt id, RFC 9457 problem details); Cellosign. */
  readonly reply?: ProviderReply;
  routingKey(webhook: DecodedWebhook, source: SourceConfig): string;
  normalize(webhook: ReceivedWebhook, source: SourceConfig): NormalizedEvent[];
}

/** A provider's own reply shape, with the HTTP status the gateway chose. */
export interface ProviderReply {
  readonly contentType: string;
  /** The body of a 200 once the record is durable. */
  accepted(receiptId: string): string;
  /** The body of a refusal, `detail` saying why. */
  refused(detail: string): string;
}

/**
 * The deterministic id of one delivery: the same request received twice yields the same id. `discriminator`
 * separates several events made from one delivery (Credas actor webhooks: one per channel).
 */
export function deliveryEventId(webhook: DecodedWebhook, ...discriminator: string[]): string {
  const query = Object.keys(webhook.query)
    .sort()
    .map((k) => `${k}=${webhook.query[k]}`)
    .join('&');
  return deterministicEventId([webhook.sourceId, webhook.method, webhook.pathStatus ?? '', query, webhook.body, ...discriminator]);
}
