import { AUTHVIA_SOURCE } from './authvia-source';
import { InvalidRecordError } from '@hookbus/contracts';
import type { SourceConfig, SourceKind } from '@hookbus/config';
import type { NormalizedEvent, ProviderAdapter } from '../provider-adapter';
import type { DecodedWebhook, ReceivedWebhook } from '../webhook';
import { authviaActionRoutingKey, normalizeAuthviaAction } from './authvia-action.normalizer';
import { authviaBusinessProcessRoutingKey, normalizeAuthviaBusinessProcess } from './authvia-business-process.normalizer';

const KINDS = AUTHVIA_SOURCE.kinds satisfies readonly SourceKind[];

function unsupported(kind: SourceKind): never {
  throw new InvalidRecordError('providers.unsupported_kind', `authvia has no webhook kind ${JSON.stringify(kind)}`);
}

/**
 * Authvia's two subscriptions (docs/providers/authvia.md#subscriptions). Authvia disables a subscription after 50
 * failed deliveries (docs/providers/authvia.md#delivery-and-retries), so routingKey refuses only a body without a
 * usable business process id; everything else is judged by normalize.
 */
export const authviaAdapter: ProviderAdapter = {
  provider: 'authvia',
  kinds: KINDS,
  statusInPath: false,

  routingKey(webhook: DecodedWebhook, source: SourceConfig): string {
    if (source.kind === 'business-process') return authviaBusinessProcessRoutingKey(webhook);
    if (source.kind === 'business-process-action') return authviaActionRoutingKey(webhook);
    return unsupported(source.kind);
  },

  normalize(webhook: ReceivedWebhook, source: SourceConfig): NormalizedEvent[] {
    if (source.kind === 'business-process') return normalizeAuthviaBusinessProcess(webhook, source);
    if (source.kind === 'business-process-action') return normalizeAuthviaAction(webhook, source);
    return unsupported(source.kind);
  },
};
