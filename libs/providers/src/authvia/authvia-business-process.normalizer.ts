import {
  EventTypes,
  InvalidRecordError,
  Topics,
  processKey,
  type ProcessStatusData,
  type ProcessStatusEvent,
} from '@hookbus/contracts';
import type { SourceConfig } from '@hookbus/config';
import {
  cloudEvent,
  copyOriginal,
  pickFields,
  readIdentifier,
  requireObject,
  toUtcIso,
  truncateText,
  validatePayload,
} from '../support/payload-support';
import type { NormalizedEvent } from '../provider-adapter';
import type { DecodedWebhook, ReceivedWebhook } from '../webhook';
import { authviaEntity } from './authvia-envelope';
import { authviaProcessStatus } from './authvia-process-status.table';
import { AUTHVIA_BUSINESS_PROCESS_FIELDS, AUTHVIA_ENVELOPE_KEYS, AuthviaBusinessProcessPayload, AuthviaVersionPayload, fastAuthviaBusinessProcessPayload, fastAuthviaVersionPayload } from './authvia.payloads';

const WHAT = 'authvia business-process body';
const ID_ALIASES = AUTHVIA_BUSINESS_PROCESS_FIELDS.businessProcessId!;

function entity(webhook: DecodedWebhook) {
  return authviaEntity(webhook.payload, ID_ALIASES, AUTHVIA_ENVELOPE_KEYS['business-process'], WHAT);
}

/**
 * The business process id, after checking `version`: the one field besides the id that the gateway refuses (400,
 * quarantined) rather than leave to the normalizer, since it orders every later update of the process.
 */
export function authviaBusinessProcessRoutingKey(webhook: DecodedWebhook): string {
  const body = entity(webhook);
  const key = readIdentifier(body, 'businessProcessId', ID_ALIASES, WHAT);
  validatePayload(AuthviaVersionPayload, pickFields(body, { version: AUTHVIA_BUSINESS_PROCESS_FIELDS.version! }, WHAT), WHAT, fastAuthviaVersionPayload);
  return key;
}

export function parseAuthviaBusinessProcess(webhook: DecodedWebhook): AuthviaBusinessProcessPayload {
  return validatePayload(AuthviaBusinessProcessPayload, pickFields(entity(webhook), AUTHVIA_BUSINESS_PROCESS_FIELDS, WHAT), WHAT, fastAuthviaBusinessProcessPayload);
}

/** Authvia sends ISO date-times; one without an offset is read in the source's timezone (contract §4). */
function utc(value: string | null | undefined, field: string, source: SourceConfig): string | null {
  if (value === null || value === undefined) return null;
  const iso = toUtcIso(value, source.timezone);
  if (iso === null) throw new InvalidRecordError('providers.invalid_field', `${WHAT}: ${field} must be an ISO 8601 date-time`);
  return iso;
}

/**
 * hookbus.process.status for a Business Process Updated webhook (docs/providers/authvia.md#business-process-updated).
 * `version` orders updates of one process (docs/providers/authvia.md#version; the tracker drops stale ones); actions
 * and addresses stay in `original`.
 */
export function normalizeAuthviaBusinessProcess(webhook: ReceivedWebhook, source: SourceConfig): NormalizedEvent[] {
  const fields = parseAuthviaBusinessProcess(webhook);
  const key = processKey('authvia', fields.businessProcessId);
  const status = fields.status ?? null;
  const statusReason = fields.statusReason ?? null;
  const data: ProcessStatusData = {
    processKey: key,
    provider: 'authvia',
    processId: fields.businessProcessId,
    ...authviaProcessStatus(status, statusReason),
    providerStatus: { code: truncateText(status), text: truncateText(statusReason) },
    version: fields.version ?? null,
    statusReason: truncateText(statusReason),
    expiresAt: utc(fields.expiration, 'expiration', source),
    closedAt: utc(fields.closedDate, 'closedDate', source),
    // The customer is the person the process is about: the nearest Authvia has to an entity.
    entityId: fields.customerId ?? null,
    original: copyOriginal(requireObject(webhook.payload, WHAT)),
  };
  const event: ProcessStatusEvent = cloudEvent({
    webhook,
    provider: 'authvia',
    type: EventTypes.processStatus,
    subject: key,
    // The documented attributes carry no update time; an `updatedAt` is used when a delivery has one.
    time: utc(fields.updatedAt, 'updatedAt', source),
    data,
  });
  return [{ topic: Topics.processes.name, key, event }];
}
