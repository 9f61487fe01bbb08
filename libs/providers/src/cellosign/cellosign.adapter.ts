import { CELLOSIGN_SOURCE } from './cellosign-source';
import { cellosignReply } from './cellosign-reply';
import { cloudEventEnvelope, EventTypes, Topics, processKey, sourceUri, type CloudEvent, type ProcessStatusData } from '@hookbus/contracts';
import type { SourceConfig } from '@hookbus/config';
import { deliveryEventId, type NormalizedEvent, type ProviderAdapter } from '../provider-adapter';
import type { DecodedWebhook, ReceivedWebhook } from '../webhook';
import { omitLargeStrings, type CellosignArchive } from './cellosign-archive';
import { resolveCellosignEventType } from './cellosign-event.table';
import { cellosignTimeToUtc } from './cellosign-time';
import { parseCellosignWebhook, type CellosignWebhookDto } from './cellosign.payloads';

/**
 * The session facts of the body (docs/providers/cellosign.md#body), under hookbus names; `processId` here is
 * Cellosign's workflow process_id.
 */
export interface CellosignSessionSummary {
  readonly reference: string | null;
  readonly workflowProcessId: string | number | null;
  readonly processNumber: string | number | null;
  readonly transactionNumber: string | number | null;
  readonly recipient: { readonly id: string | number | null; readonly name: string | null } | null;
  readonly labels: Record<string, unknown> | null;
}

/** ProcessStatusData with what Cellosign adds. `processId` is session.id (the session token). */
export interface CellosignProcessData extends ProcessStatusData {
  readonly provider: 'cellosign';
  /** event.timestamp exactly as sent (naive, microseconds); `time` on the event is its UTC reading. */
  readonly eventTimestamp: string | null;
  readonly session: CellosignSessionSummary;
  /** Client events (logged in, form loaded, submitted) say who acted. */
  readonly client: { readonly ip: string | null; readonly userAgent: string | null } | null;
  /**
   * WHP_ARCHIVE (always) and any event that had strings too large to carry: what was left out and where to read it
   * (the receipt and a JSON pointer into its raw body). Null otherwise.
   */
  readonly archive: CellosignArchive | null;
}

export type CellosignProcessEvent = CloudEvent<CellosignProcessData, typeof EventTypes.processStatus>;

const ARCHIVE_TYPE = 'WHP_ARCHIVE';

function routingKey(webhook: DecodedWebhook, _source: SourceConfig): string {
  return parseCellosignWebhook(webhook.payload).session.id;
}

function summarize(dto: CellosignWebhookDto, original: Record<string, unknown>): CellosignSessionSummary {
  const { session } = dto;
  const reducedSession = original.session as Record<string, unknown>;
  const labels = Object.hasOwn(reducedSession, 'labels') ? reducedSession.labels : null;
  return {
    reference: session.reference ?? null,
    workflowProcessId: session.process_id ?? null,
    processNumber: session.process_number ?? null,
    transactionNumber: session.transaction_number ?? null,
    recipient: session.recipient ? { id: session.recipient.id ?? null, name: session.recipient.name ?? null } : null,
    labels: typeof labels === 'object' && labels !== null ? (labels as Record<string, unknown>) : null,
  };
}

/** The webhook URL's own query parameters (the secret already removed): the customer's correlation, if any. */
function queryReference(webhook: DecodedWebhook): Record<string, string> | null {
  const entries = Object.entries(webhook.query);
  return entries.length === 0 ? null : Object.fromEntries(entries);
}

function normalize(webhook: ReceivedWebhook, source: SourceConfig): NormalizedEvent[] {
  const dto = parseCellosignWebhook(webhook.payload);
  const sessionId = dto.session.id;
  const key = processKey('cellosign', sessionId);
  const { status, final } = resolveCellosignEventType(dto.event.type);
  // Archives carry the signed PDF and attachments as base64 (megabytes, shape undocumented): the event describes
  // them and points into the stored raw record instead of carrying them.
  const reduced = omitLargeStrings(webhook.payload, webhook.receiptId);
  const original = reduced.value as Record<string, unknown>;
  const isArchive = dto.event.type.trim().toUpperCase() === ARCHIVE_TYPE;
  const timestamp = dto.event.timestamp ?? null;
  const data: CellosignProcessData = {
    processKey: key,
    provider: 'cellosign',
    processId: sessionId,
    status,
    final,
    providerStatus: { code: dto.event.type, text: null },
    entityId: null,
    reference: queryReference(webhook),
    eventTimestamp: timestamp,
    session: summarize(dto, original),
    client: dto.client ? { ip: dto.client.ip ?? null, userAgent: dto.client.user_agent ?? null } : null,
    archive: isArchive || reduced.omitted.length > 0 ? { receiptId: webhook.receiptId, items: reduced.omitted } : null,
    original,
  };
  const event: CellosignProcessEvent = cloudEventEnvelope({
    id: deliveryEventId(webhook),
    type: EventTypes.processStatus,
    source: sourceUri(webhook.sourceId),
    subject: key,
    // An unreadable timestamp is not worth losing the event over: it stays in eventTimestamp, time falls back.
    time: (timestamp === null ? null : cellosignTimeToUtc(timestamp, source.timezone)) ?? webhook.receivedAt,
    provider: 'cellosign',
    receiptid: webhook.receiptId,
    data,
  });
  return [{ topic: Topics.processes.name, key, event }];
}

export const cellosignAdapter: ProviderAdapter = {
  provider: 'cellosign',
  kinds: CELLOSIGN_SOURCE.kinds,
  statusInPath: false,
  reply: cellosignReply,
  routingKey,
  normalize,
};
