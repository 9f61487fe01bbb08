import type { ProviderName, RawWebhook } from '@hookbus/contracts';
import type { SourceKind } from '@hookbus/config';
import { decodeBody, queryToObject } from './decode-body';

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

/** The request facts a raw webhook record carries (libs/contracts' RawWebhook, as written or decoded). */
type RawWebhookRequest = Pick<RawWebhook, 'sourceId' | 'provider' | 'kind' | 'method' | 'path' | 'query' | 'pathStatus' | 'contentType' | 'body'>;

/**
 * The webhook the adapters see, from a raw webhook's facts: the one construction for the gateway (before it stores
 * the record) and the normalizer (from the record), so both calls of an adapter see the same input.
 */
export function decodedWebhook(raw: RawWebhookRequest): DecodedWebhook {
  return {
    sourceId: raw.sourceId,
    provider: raw.provider,
    kind: raw.kind as SourceKind,
    method: raw.method === 'GET' ? 'GET' : 'POST',
    path: raw.path,
    query: queryToObject(raw.query),
    pathStatus: raw.pathStatus,
    contentType: raw.contentType,
    body: raw.body,
    payload: decodeBody(raw.body, raw.contentType),
  };
}

/** The webhook of a raw record, rebuilt (the body byte for byte, the request facts from its headers). */
export function receivedWebhook(raw: RawWebhookRequest & Pick<RawWebhook, 'receiptId' | 'receivedAt'>): ReceivedWebhook {
  return { ...decodedWebhook(raw), receiptId: raw.receiptId, receivedAt: raw.receivedAt };
}
