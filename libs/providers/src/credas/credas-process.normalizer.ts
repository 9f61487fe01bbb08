import { EventTypes, Topics, processKey, type ProcessStatusData, type ProcessStatusEvent } from '@hookbus/contracts';
import type { NormalizedEvent } from '../provider-adapter';
import type { DecodedWebhook, ReceivedWebhook } from '../webhook';
import { credasProcessStatus } from './credas-process-status.table';
import { CREDAS_PROCESS_FIELDS, CredasProcessPayload, fastCredasProcessPayload } from './credas.payloads';
import { cloudEvent, copyOriginal, pickFields, readIdentifier, requireObject, truncateText, validatePayload } from '../support/payload-support';

const WHAT = 'credas process body';

export function parseCredasProcess(webhook: DecodedWebhook): { fields: CredasProcessPayload; original: Record<string, unknown> } {
  const body = requireObject(webhook.payload, WHAT);
  const fields = validatePayload(CredasProcessPayload, pickFields(body, CREDAS_PROCESS_FIELDS, WHAT), WHAT, fastCredasProcessPayload);
  return { fields, original: copyOriginal(body) };
}

export function credasProcessRoutingKey(webhook: DecodedWebhook): string {
  return readIdentifier(requireObject(webhook.payload, WHAT), 'processId', CREDAS_PROCESS_FIELDS.processId!, WHAT);
}

/**
 * hookbus.process.status for a Credas process webhook (docs/providers/credas.md#process-webhook). The webhookUrl is
 * set per process and may carry the customer's own correlation (`?our-reference=1232323`): its query parameters
 * become `reference`.
 */
export function normalizeCredasProcess(webhook: ReceivedWebhook): NormalizedEvent[] {
  const { fields, original } = parseCredasProcess(webhook);
  const key = processKey('credas', fields.processId);
  const code = fields.status ?? null;
  const canonical = code === null ? { status: 'unknown' as const, final: false } : credasProcessStatus(code);
  const data: ProcessStatusData = {
    processKey: key,
    provider: 'credas',
    processId: fields.processId,
    ...canonical,
    providerStatus: { code, text: truncateText(fields.statusDescription) },
    // The process body has no entity id (docs/providers/credas.md#process-webhook); the orchestrator finds it via
    // details.
    entityId: null,
    reference: { ...webhook.query },
    original,
  };
  const event: ProcessStatusEvent = cloudEvent({
    webhook,
    provider: 'credas',
    type: EventTypes.processStatus,
    subject: key,
    time: null,
    data,
  });
  return [{ topic: Topics.processes.name, key, event }];
}
