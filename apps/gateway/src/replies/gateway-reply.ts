import type { SourceConfig } from '@hookbus/config';
import { adapterFor } from '@hookbus/providers';

/** What the gateway answers, independent of the HTTP framework. */
export interface GatewayReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** The statuses the gateway refuses with (contract §3), each with a stable type and title (RFC 9457). */
export const PROBLEMS = {
  400: { slug: 'invalid-request', title: 'Bad Request' },
  401: { slug: 'unauthorized', title: 'Unauthorized' },
  404: { slug: 'unknown-source', title: 'Not Found' },
  405: { slug: 'method-not-allowed', title: 'Method Not Allowed' },
  413: { slug: 'body-too-large', title: 'Content Too Large' },
  415: { slug: 'unsupported-media-type', title: 'Unsupported Media Type' },
  429: { slug: 'rate-limited', title: 'Too Many Requests' },
  431: { slug: 'headers-too-large', title: 'Request Header Fields Too Large' },
  500: { slug: 'internal-error', title: 'Internal Server Error' },
  503: { slug: 'not-durable', title: 'Service Unavailable' },
} as const;

export type RefusalStatus = keyof typeof PROBLEMS;

export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  /** Set when the refused request was recorded on webhooks.quarantine, so an operator can find it. */
  readonly receiptId?: string;
}

export function problemType(status: RefusalStatus): string {
  return `urn:hookbus:problem:${PROBLEMS[status].slug}`;
}

export function problemDetails(status: RefusalStatus, detail: string, receiptId?: string): ProblemDetails {
  const { title } = PROBLEMS[status];
  return receiptId === undefined
    ? { type: problemType(status), title, status, detail }
    : { type: problemType(status), title, status, detail, receiptId };
}

export interface RefusalOptions {
  readonly retryAfterSeconds?: number;
  readonly receiptId?: string;
  readonly allow?: readonly string[];
}

/**
 * A refusal: RFC 9457 problem details, except for a provider whose adapter has a reply shape of its own (Cellosign:
 * libs/providers/src/cellosign/cellosign-reply.ts), with the same HTTP status.
 */
export function refusal(source: SourceConfig | null, status: RefusalStatus, detail: string, options: RefusalOptions = {}): GatewayReply {
  const headers: Record<string, string> = {};
  if (options.retryAfterSeconds !== undefined) headers['retry-after'] = String(options.retryAfterSeconds);
  if (options.allow) headers.allow = options.allow.join(', ');
  const own = source ? adapterFor(source.provider).reply : undefined;
  if (own) {
    headers['content-type'] = own.contentType;
    return { status, headers, body: own.refused(detail) };
  }
  headers['content-type'] = PROBLEM_CONTENT_TYPE;
  return { status, headers, body: JSON.stringify(problemDetails(status, detail, options.receiptId)) };
}

/** 200 once the record is durable: the receipt id, or the provider's own success body (Cellosign's). */
export function accepted(source: SourceConfig, receiptId: string): GatewayReply {
  const own = adapterFor(source.provider).reply;
  if (own) return { status: 200, headers: { 'content-type': own.contentType }, body: own.accepted(receiptId) };
  return { status: 200, headers: { 'content-type': JSON_CONTENT_TYPE }, body: `{"receiptId":"${receiptId}"}` };
}
