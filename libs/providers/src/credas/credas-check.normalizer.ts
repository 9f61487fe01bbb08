import {
  EventTypes,
  InvalidRecordError,
  Topics,
  type CheckUpdateData,
  type CheckUpdateEvent,
} from '@hookbus/contracts';
import { parseJsonText } from '../decode-body';
import type { NormalizedEvent } from '../provider-adapter';
import type { DecodedWebhook, ReceivedWebhook } from '../webhook';
import { credasUpdateTypeName } from './credas-check-status.table';
import {
  CREDAS_ENTITY_FIELDS,
  CREDAS_STATUS_UPDATE_FIELDS,
  CredasEntityPayload,
  CredasStatusUpdatePayload,
  fastCredasEntityPayload,
  fastCredasStatusUpdatePayload,
} from './credas.payloads';
import {
  cloudEvent,
  copyOriginal,
  describeType,
  isJsonObject,
  pickFields,
  readIdentifier,
  requireObject,
  validatePayload,
  type JsonObject,
} from '../support/payload-support';

const STATUS_UPDATE = 'credas status-update body';
const STATUS_UPDATE_PAYLOAD = 'credas status-update Payload';
const MONITORING = 'credas monitoring body';

export interface ParsedCredasCheck {
  readonly kind: 'status-update' | 'monitoring';
  readonly entity: CredasEntityPayload;
  readonly updateType: number | null;
  readonly payload: JsonObject | null;
  readonly original: JsonObject;
}

/**
 * The status-update `Payload` is JSON encoded inside a string and must be parsed a second time
 * (docs/providers/credas.md#status-update-webhook). An already-decoded object is accepted too.
 */
function parseEmbeddedPayload(value: unknown): JsonObject {
  if (value === undefined || value === null) {
    throw new InvalidRecordError('providers.missing_field', `${STATUS_UPDATE}: Payload is missing`);
  }
  if (isJsonObject(value)) return value;
  if (typeof value !== 'string') {
    throw new InvalidRecordError('providers.invalid_field', `${STATUS_UPDATE}: Payload must be a JSON string (got ${describeType(value)})`);
  }
  let parsed: unknown;
  try {
    parsed = parseJsonText(value);
  } catch (error) {
    throw new InvalidRecordError('providers.invalid_embedded_json', `${STATUS_UPDATE}: Payload is not valid JSON`, { cause: error });
  }
  return requireObject(parsed, STATUS_UPDATE_PAYLOAD);
}

function parseStatusUpdate(webhook: DecodedWebhook): ParsedCredasCheck {
  const body = requireObject(webhook.payload, STATUS_UPDATE);
  const outer = pickFields(body, CREDAS_STATUS_UPDATE_FIELDS, STATUS_UPDATE);
  const { updateType } = validatePayload(CredasStatusUpdatePayload, { updateType: outer.updateType }, STATUS_UPDATE, fastCredasStatusUpdatePayload);
  const payload = parseEmbeddedPayload(outer.payload);
  const entity = validatePayload(CredasEntityPayload, pickFields(payload, CREDAS_ENTITY_FIELDS, STATUS_UPDATE_PAYLOAD), STATUS_UPDATE_PAYLOAD, fastCredasEntityPayload);
  return { kind: 'status-update', entity, updateType: updateType ?? null, payload: copyOriginal(payload), original: copyOriginal(body) };
}

function parseMonitoring(webhook: DecodedWebhook): ParsedCredasCheck {
  const body = requireObject(webhook.payload, MONITORING);
  const entity = validatePayload(CredasEntityPayload, pickFields(body, CREDAS_ENTITY_FIELDS, MONITORING), MONITORING, fastCredasEntityPayload);
  return { kind: 'monitoring', entity, updateType: null, payload: null, original: copyOriginal(body) };
}

export function parseCredasCheck(webhook: DecodedWebhook, kind: 'status-update' | 'monitoring'): ParsedCredasCheck {
  return kind === 'status-update' ? parseStatusUpdate(webhook) : parseMonitoring(webhook);
}

/** Both kinds are about an entity: the EntityId (inside Payload for status updates). */
export function credasCheckRoutingKey(webhook: DecodedWebhook, kind: 'status-update' | 'monitoring'): string {
  const what = kind === 'status-update' ? STATUS_UPDATE : MONITORING;
  const body = requireObject(webhook.payload, what);
  if (kind === 'monitoring') return readIdentifier(body, 'entityId', CREDAS_ENTITY_FIELDS.entityId!, MONITORING);
  const { payload } = pickFields(body, { payload: CREDAS_STATUS_UPDATE_FIELDS.payload! }, STATUS_UPDATE);
  return readIdentifier(parseEmbeddedPayload(payload), 'entityId', CREDAS_ENTITY_FIELDS.entityId!, STATUS_UPDATE_PAYLOAD);
}

/** hookbus.check.update for a status-update (result) or ongoing-monitoring webhook: the orchestrator refreshes. */
export function normalizeCredasCheck(webhook: ReceivedWebhook, kind: 'status-update' | 'monitoring'): NormalizedEvent[] {
  const parsed = parseCredasCheck(webhook, kind);
  const key = parsed.entity.entityId;
  const data: CheckUpdateData = {
    entityId: key,
    provider: 'credas',
    kind,
    clientId: parsed.entity.clientId ?? null,
    updateType: parsed.updateType,
    updateTypeName: credasUpdateTypeName(parsed.updateType),
    payload: parsed.payload,
    original: parsed.original,
  };
  const event: CheckUpdateEvent = cloudEvent({
    webhook,
    provider: 'credas',
    type: EventTypes.checkUpdate,
    subject: key,
    time: null,
    data,
  });
  return [{ topic: Topics.checks.name, key, event }];
}
