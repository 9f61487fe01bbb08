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
  routingKey(webhook: DecodedWebhook, source: SourceConfig): string;
  normalize(webhook: ReceivedWebhook, source: SourceConfig): NormalizedEvent[];
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
