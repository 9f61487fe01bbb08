import type { IncomingHttpHeaders } from 'node:http';
import { encodeQuarantine, encodeRawWebhook, type RawWebhook } from '@hookbus/contracts';
import type { SourceConfig } from '@hookbus/config';
import type { OutgoingRecord } from '@hookbus/kafka';

/** One request as the gateway received it, before anything was decided about it. */
export interface IngressRequest {
  readonly method: string;
  /** The URL path without the query string. */
  readonly path: string;
  /** The query string without the leading `?`. */
  readonly rawQuery: string;
  readonly sourceId: string;
  /** Octapush `/webhooks/{sourceId}/{status}`: the decoded status segment. */
  readonly pathStatus: string | null;
  readonly headers: IncomingHttpHeaders;
  /** The body byte for byte, or its first `maxBodyBytes` bytes when `oversize`. */
  readonly body: Buffer;
  readonly oversize: boolean;
  readonly receivedAtMs: number;
}

function decodedName(pair: string): string | null {
  const name = pair.split('=', 1)[0]!.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

/**
 * The query string with every `param` removed and the rest kept as sent (order, encoding), so the raw record
 * holds what the provider sent minus our secret.
 */
export function withoutQueryParam(rawQuery: string, param: string | null): string {
  if (param === null || rawQuery === '') return rawQuery;
  return rawQuery
    .split('&')
    .filter((pair) => pair !== '' && decodedName(pair) !== param)
    .join('&');
}

/** Request headers as JSON, minus anything that carries a credential. */
export function publicHeadersJson(headers: IncomingHttpHeaders, secret: ReadonlySet<string>): string {
  const kept: Record<string, string | string[]> = {};
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined || secret.has(name)) continue;
    kept[name] = value;
  }
  return JSON.stringify(kept);
}

export interface Receipt {
  readonly receiptId: string;
  readonly receivedAt: string;
  /** Query string with the auth token removed. */
  readonly query: string;
  readonly requestHeaders: string;
}

/** The request as a raw webhook, without the routing key the adapter has yet to give. */
export function rawWebhookOf(source: SourceConfig, request: IngressRequest, receipt: Receipt): Omit<RawWebhook, 'key'> {
  return {
    body: request.body,
    receiptId: receipt.receiptId,
    receivedAt: receipt.receivedAt,
    sourceId: source.id,
    provider: source.provider,
    kind: source.kind,
    method: request.method,
    path: request.path,
    query: receipt.query,
    contentType: contentTypeOf(request),
    pathStatus: request.pathStatus,
    requestHeaders: receipt.requestHeaders,
  };
}

export function contentTypeOf(request: IngressRequest): string | null {
  const value = request.headers['content-type'];
  return value === undefined || value === '' ? null : value;
}

/** The raw record: keyed by the entity so one entity's webhooks stay in order on one partition. */
export function rawRecord(source: SourceConfig, request: IngressRequest, receipt: Receipt, key: string): OutgoingRecord {
  return encodeRawWebhook({ ...rawWebhookOf(source, request, receipt), key });
}

export interface QuarantineReason {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
}

/** A refused-but-authenticated request, keyed by its receipt id, with why it was refused. */
export function quarantineRecord(source: SourceConfig, request: IngressRequest, receipt: Receipt, reason: QuarantineReason): OutgoingRecord {
  return encodeQuarantine({
    ...rawWebhookOf(source, request, receipt),
    refusedStatus: reason.status,
    refusedReason: `${reason.code}: ${reason.detail}`,
    bodyTruncated: request.oversize,
  });
}
