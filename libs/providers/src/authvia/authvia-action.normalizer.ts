import { EventTypes, InvalidRecordError, Topics, processKey } from '@hookbus/contracts';
import type { SourceConfig } from '@hookbus/config';
import { cloudEvent, copyOriginal, pickFields, readIdentifier, requireObject, toUtcIso, validatePayload } from '../support/payload-support';
import type { NormalizedEvent } from '../provider-adapter';
import type { DecodedWebhook, ReceivedWebhook } from '../webhook';
import { authviaEntity } from './authvia-envelope';
import { AUTHVIA_ACTION_FIELDS, AUTHVIA_ENVELOPE_KEYS, AuthviaBusinessProcessActionPayload, fastAuthviaBusinessProcessActionPayload } from './authvia.payloads';
import type { ProcessActionData, ProcessActionEvent } from './process-action-data';

const WHAT = 'authvia business-process-action body';
const ID_ALIASES = [...AUTHVIA_ACTION_FIELDS.actionId!, ...AUTHVIA_ACTION_FIELDS.businessProcessId!];

function entity(webhook: DecodedWebhook) {
  return authviaEntity(webhook.payload, ID_ALIASES, AUTHVIA_ENVELOPE_KEYS['business-process-action'], WHAT);
}

/** An action is keyed by its business process, so it stays in order with the process's own updates. */
export function authviaActionRoutingKey(webhook: DecodedWebhook): string {
  return readIdentifier(entity(webhook), 'businessProcessId', AUTHVIA_ACTION_FIELDS.businessProcessId!, WHAT);
}

/** The validated fields, plus context and features as sent (their shapes are not public). */
export function parseAuthviaAction(webhook: DecodedWebhook): { fields: AuthviaBusinessProcessActionPayload; context: unknown; features: unknown } {
  const picked = pickFields(entity(webhook), AUTHVIA_ACTION_FIELDS, WHAT);
  const fields = validatePayload(AuthviaBusinessProcessActionPayload, picked, WHAT, fastAuthviaBusinessProcessActionPayload);
  return { fields, context: picked.context ?? null, features: picked.features ?? null };
}

/**
 * hookbus.process.action for a Business Process Action Updated webhook
 * (docs/providers/authvia.md#business-process-action-updated).
 */
export function normalizeAuthviaAction(webhook: ReceivedWebhook, source: SourceConfig): NormalizedEvent[] {
  const { fields, context, features } = parseAuthviaAction(webhook);
  const key = processKey('authvia', fields.businessProcessId);
  const data: ProcessActionData = {
    actionId: fields.actionId,
    provider: 'authvia',
    businessProcessId: fields.businessProcessId,
    processKey: key,
    type: fields.type ?? null,
    status: fields.status ?? null,
    context,
    features,
    original: copyOriginal(requireObject(webhook.payload, WHAT)),
  };
  const event: ProcessActionEvent = cloudEvent({
    webhook,
    provider: 'authvia',
    type: EventTypes.processAction,
    subject: key,
    time: eventTime(fields.updatedAt, source),
    data,
  });
  return [{ topic: Topics.processes.name, key, event }];
}

function eventTime(updatedAt: string | null | undefined, source: SourceConfig): string | null {
  if (updatedAt === null || updatedAt === undefined) return null;
  const iso = toUtcIso(updatedAt, source.timezone);
  if (iso === null) throw new InvalidRecordError('providers.invalid_field', `${WHAT}: updatedAt must be an ISO 8601 date-time`);
  return iso;
}
