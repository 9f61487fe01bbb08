import type { ProviderName } from '@hookbus/contracts';
import type { SourceKind } from '@hookbus/config';

/**
 * One webhook request as the provider adapters see it, in the gateway (before it is stored) and in the
 * normalizer (rebuilt from the raw record's bytes and headers). `payload` is the decoded body.
 */
export interface DecodedWebhook {
  readonly sourceId: string;
  readonly provider: ProviderName;
  readonly kind: SourceKind;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** Query parameters (first value of each), the auth token parameter already removed; null prototype. */
  readonly query: Readonly<Record<string, string>>;
  /** Octapush `/webhooks/{sourceId}/{status}`: the decoded status segment. */
  readonly pathStatus: string | null;
  readonly contentType: string | null;
  /** The body byte for byte. */
  readonly body: Buffer;
  /** The decoded body: a JSON value, form fields as a null-prototype object, or null when the body is empty. */
  readonly payload: unknown;
}

/** What the raw record adds: the gateway's receipt. */
export interface ReceivedWebhook extends DecodedWebhook {
  readonly receiptId: string;
  /** ISO 8601 UTC, when the gateway received the request. */
  readonly receivedAt: string;
}
