import { OCTAPUSH_SOURCE } from './octapush-source';
import {
  cloudEventEnvelope,
  EventTypes,
  InvalidRecordError,
  Topics,
  octapushCommunicationId,
  sourceUri,
  type CommunicationStatusData,
  type CloudEvent,
} from '@hookbus/contracts';
import type { SourceConfig } from '@hookbus/config';
import { deliveryEventId, type NormalizedEvent, type ProviderAdapter } from '../provider-adapter';
import type { DecodedWebhook, ReceivedWebhook } from '../webhook';
import { resolveOctapushStatus } from './octapush-status.table';
import { readOctapushCallback, readOctapushMessageKey } from './octapush-tokens';

/** CommunicationStatusData with what only Octapush has: the user-defined message key and where the status came from. */
export interface OctapushCommunicationData extends CommunicationStatusData {
  readonly provider: 'octapush';
  readonly channel: 'sms' | 'viber';
  /** The message-key token values joined with ':' (phone tokens in E.164 where possible). */
  readonly messageKey: string;
  /** The recipient's number, normalized; null when the callback carries no phone token. */
  readonly phone: string | null;
  readonly statusSource: 'path' | 'token';
  /** Every query parameter and body field of the callback. */
  readonly original: Record<string, unknown>;
}

export type OctapushCommunicationEvent = CloudEvent<OctapushCommunicationData, typeof EventTypes.communicationStatus>;

function channelOf(source: SourceConfig): 'sms' | 'viber' {
  if (source.kind === 'sms' || source.kind === 'viber') return source.kind;
  throw new InvalidRecordError('octapush.unsupported_kind', `octapush sources are sms or viber, not ${JSON.stringify(source.kind)}`);
}

function routingKey(webhook: DecodedWebhook, source: SourceConfig): string {
  return readOctapushMessageKey(webhook, source);
}

function normalize(webhook: ReceivedWebhook, source: SourceConfig): NormalizedEvent[] {
  const channel = channelOf(source);
  const callback = readOctapushCallback(webhook, source);
  const communicationId = octapushCommunicationId(channel, callback.messageKey);
  const { status, final, providerStatus } = resolveOctapushStatus(callback.status);
  const data: OctapushCommunicationData = {
    communicationId,
    provider: 'octapush',
    channel,
    status,
    final,
    providerStatus,
    // Fallbacksms: Viber could not deliver and Octapush resends the message as an SMS to the same recipient
    // (docs/providers/octapush.md#statuses), so the SMS communication with the same key continues this one.
    continuedAs: channel === 'viber' && status === 'fallback_sms' ? octapushCommunicationId('sms', callback.messageKey) : null,
    messageKey: callback.messageKey,
    phone: callback.phone,
    statusSource: callback.statusSource,
    // Object.fromEntries defines own properties, so a `__proto__` token stays a plain field.
    original: Object.fromEntries(Object.entries(callback.tokens)),
  };
  const event: OctapushCommunicationEvent = cloudEventEnvelope({
    id: deliveryEventId(webhook),
    type: EventTypes.communicationStatus,
    source: sourceUri(webhook.sourceId),
    subject: communicationId,
    // Octapush callbacks carry no documented event time (docs/providers/octapush.md#undocumented): the receipt time
    // is the best we know.
    time: webhook.receivedAt,
    provider: 'octapush',
    receiptid: webhook.receiptId,
    data,
  });
  return [{ topic: Topics.communications.name, key: communicationId, event }];
}

export const octapushAdapter: ProviderAdapter = {
  provider: 'octapush',
  kinds: OCTAPUSH_SOURCE.kinds,
  // Octapush can send the status as the last path segment (docs/providers/octapush.md).
  statusInPath: true,
  routingKey,
  normalize,
};
