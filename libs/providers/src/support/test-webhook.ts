import type { ProviderName } from '@hookbus/contracts';
import type { SourceConfig, SourceKind } from '@hookbus/config';
import { decodeBody, queryToObject } from '../decode-body';
import type { NormalizedEvent } from '../provider-adapter';
import type { ReceivedWebhook } from '../webhook';

/** Test support for the adapter specs: a webhook as the normalizer rebuilds it from a raw record. */
export interface TestWebhookInput {
  readonly provider: ProviderName;
  readonly kind: SourceKind;
  readonly sourceId?: string;
  /** A string or Buffer is sent as is; anything else is JSON-encoded. */
  readonly body: unknown;
  /** The decoded payload, when a test needs one that JSON cannot produce; else decoded from the body. */
  readonly payload?: unknown;
  readonly query?: string;
  readonly contentType?: string;
  readonly receiptId?: string;
  readonly receivedAt?: string;
}

export const TEST_RECEIVED_AT = '2025-03-04T10:15:30.000Z';
export const TEST_RECEIPT_ID = '01956a3e-7f00-7c3a-9d5e-2b1f0c4d8e6a';

export function testWebhook(input: TestWebhookInput): ReceivedWebhook {
  const body = Buffer.isBuffer(input.body)
    ? input.body
    : Buffer.from(typeof input.body === 'string' ? input.body : JSON.stringify(input.body), 'utf8');
  const contentType = input.contentType ?? 'application/json';
  const sourceId = input.sourceId ?? `${input.provider}-${input.kind}`;
  return {
    sourceId,
    provider: input.provider,
    kind: input.kind,
    method: 'POST',
    path: `/webhooks/${sourceId}`,
    query: queryToObject(input.query ?? ''),
    pathStatus: null,
    contentType,
    body,
    payload: 'payload' in input ? input.payload : decodeBody(body, contentType),
    receiptId: input.receiptId ?? TEST_RECEIPT_ID,
    receivedAt: input.receivedAt ?? TEST_RECEIVED_AT,
  };
}

export function testSource(provider: ProviderName, kind: SourceKind, overrides: Partial<SourceConfig> = {}): SourceConfig {
  return {
    id: `${provider}-${kind}`,
    provider,
    kind,
    auth: { type: 'none' },
    methods: ['POST'],
    maxBodyBytes: 1024 * 1024,
    timezone: 'UTC',
    rateLimit: { requestsPerSecond: 100, burst: 100 },
    fields: { status: 'status', phone: 'phone' },
    messageKey: ['phone'],
    defaultPhoneRegion: null,
    ...overrides,
  };
}

const EVENT_TOPICS = new Set(['events.communications.v1', 'events.processes.v1', 'events.checks.v1']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const UTC_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** What makes a normalized event well formed (contract §4); returns the problems found, empty when none. */
export function eventProblems(events: readonly NormalizedEvent[], webhook: ReceivedWebhook): string[] {
  const problems: string[] = [];
  if (!Array.isArray(events) || events.length === 0) return ['no events'];
  for (const { topic, key, event } of events) {
    if (!EVENT_TOPICS.has(topic)) problems.push(`topic ${topic}`);
    if (typeof key !== 'string' || key.length === 0) problems.push('empty key');
    if (event.specversion !== '1.0') problems.push('specversion');
    if (!UUID.test(event.id)) problems.push('id is not a version 8 UUID');
    if (event.source !== `/webhooks/${webhook.sourceId}`) problems.push('source');
    if (event.subject !== key) problems.push('subject is not the key');
    if (!UTC_TIME.test(event.time) || Number.isNaN(Date.parse(event.time))) problems.push(`time ${event.time}`);
    if (event.datacontenttype !== 'application/json') problems.push('datacontenttype');
    if (event.provider !== webhook.provider) problems.push('provider');
    if (event.receiptid !== webhook.receiptId) problems.push('receiptid');
    const data = event.data as { original?: unknown } | null;
    if (typeof data !== 'object' || data === null || typeof data.original !== 'object' || data.original === null) problems.push('data.original');
    if (Object.getPrototypeOf(data?.original) !== Object.prototype) problems.push('data.original prototype changed');
  }
  if (new Set(events.map((e) => e.event.id)).size !== events.length) problems.push('duplicate ids in one delivery');
  return problems;
}
