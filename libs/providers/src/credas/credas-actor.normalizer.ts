import {
  EventTypes,
  InvalidRecordError,
  Topics,
  credasCommunicationId,
  processKey,
  type CommunicationStatusData,
  type CommunicationStatusEvent,
} from '@hookbus/contracts';
import type { NormalizedEvent } from '../provider-adapter';
import type { DecodedWebhook, ReceivedWebhook } from '../webhook';
import { credasCommunicationStatus, type CredasChannel } from './credas-communication-status.table';
import { CREDAS_ACTOR_FIELDS, CREDAS_ACTOR_IDENTITY_FIELDS, CredasActorIdentity, CredasProcessActorPayload, fastCredasActorIdentity, fastCredasProcessActorPayload } from './credas.payloads';
import { cloudEvent, copyOriginal, pickFields, requireObject, truncateText, validatePayload } from '../support/payload-support';

const WHAT = 'credas process-actor body';
const CHANNELS: readonly CredasChannel[] = ['sms', 'email'];

export interface ParsedCredasActor {
  readonly fields: CredasProcessActorPayload;
  readonly original: Record<string, unknown>;
}

export function parseCredasActor(webhook: DecodedWebhook): ParsedCredasActor {
  const body = requireObject(webhook.payload, WHAT);
  const fields = validatePayload(CredasProcessActorPayload, pickFields(body, CREDAS_ACTOR_FIELDS, WHAT), WHAT, fastCredasProcessActorPayload);
  return { fields, original: copyOriginal(body) };
}

/**
 * All updates about one process share a partition, so its actors' events stay in order. The gateway also needs
 * processActorId: without it no message can be named (credas:{processId}:{processActorId}:{channel}).
 */
export function credasActorRoutingKey(webhook: DecodedWebhook): string {
  const body = requireObject(webhook.payload, WHAT);
  return validatePayload(CredasActorIdentity, pickFields(body, CREDAS_ACTOR_IDENTITY_FIELDS, WHAT), WHAT, fastCredasActorIdentity).processId;
}

function channelStatus(fields: CredasProcessActorPayload, channel: CredasChannel): { code: number; text: string | null } | null {
  const code = channel === 'sms' ? fields.smsStatus : fields.emailStatus;
  if (code === null || code === undefined) return null;
  const text = channel === 'sms' ? fields.smsStatusDescription : fields.emailStatusDescription;
  return { code, text: truncateText(text) };
}

/**
 * One hookbus.communication.status per channel whose status the body carries ("several updates arrive per
 * process", docs/providers/credas.md#process-actor-webhook). A body with neither status says nothing about any
 * message: it is dead-lettered rather than dropped, so the surprise is seen.
 */
export function normalizeCredasActor(webhook: ReceivedWebhook): NormalizedEvent[] {
  const { fields, original } = parseCredasActor(webhook);
  const events = CHANNELS.flatMap((channel) => {
    const providerStatus = channelStatus(fields, channel);
    if (!providerStatus) return [];
    const communicationId = credasCommunicationId(fields.processId, fields.processActorId, channel);
    const data: CommunicationStatusData = {
      communicationId,
      provider: 'credas',
      channel,
      ...credasCommunicationStatus(channel, providerStatus.code),
      providerStatus,
      processKey: processKey('credas', fields.processId),
      processId: fields.processId,
      entityId: fields.entityId ?? null,
      original,
    };
    const event: CommunicationStatusEvent = cloudEvent({
      webhook,
      provider: 'credas',
      type: EventTypes.communicationStatus,
      subject: communicationId,
      // The actor body carries no event time (docs/providers/credas.md#webhook-kinds): the receipt time stands in.
      time: null,
      data,
      discriminator: [channel],
    });
    return [{ topic: Topics.communications.name, key: communicationId, event }];
  });
  if (events.length === 0) {
    throw new InvalidRecordError('providers.no_channel_status', `${WHAT}: neither smsStatus nor emailStatus is present`);
  }
  return events;
}
