import {
  KEY_PATTERNS,
  SCHEMA_DIALECT,
  communicationStatus,
  keyPattern,
  nonEmptyString,
  nullableNonEmptyString,
  nullableString,
  nullableUtcDateTime,
  originalFields,
  processStatus,
  providerName,
  providerStatus,
  schemaId,
  utcDateTime,
  type JsonSchemaObject,
} from './schema-fragments';
import { COMMUNICATION_STATUSES, PROCESS_STATUSES } from '../statuses';

/**
 * JSON Schemas of every event's `data`, one per event type and provider, each exact (no unnamed field outside
 * `original`) so a producer that adds or misspells a field fails the contract test. The TypeScript shapes they
 * describe: libs/contracts/src/event-data.ts and the provider extensions in libs/providers/src/<provider>/.
 */
function dataSchema(title: string, description: string, required: readonly string[], properties: Record<string, unknown>): JsonSchemaObject {
  return { $schema: SCHEMA_DIALECT, $id: schemaId(title), title, description, type: 'object', additionalProperties: false, required, properties };
}

const processReference = {
  type: ['object', 'null'],
  description: "Query parameters of the webhook URL (secret removed): the customer's own correlation, e.g. our-reference.",
  additionalProperties: { type: 'string' },
} as const;

export const CredasCommunicationStatusDataSchema = dataSchema(
  'CredasCommunicationStatusData',
  'hookbus.communication.status from a Credas process-actor webhook: one event per channel whose status the body carries.',
  ['communicationId', 'provider', 'channel', 'status', 'final', 'providerStatus', 'processKey', 'processId', 'entityId', 'original'],
  {
    communicationId: keyPattern(KEY_PATTERNS.credasCommunicationId, 'credas:{ProcessId}:{processActorId}:{sms|email}'),
    provider: { const: 'credas' },
    channel: { enum: ['sms', 'email'] },
    status: communicationStatus,
    final: { type: 'boolean' },
    providerStatus,
    processKey: keyPattern(KEY_PATTERNS.credasProcessKey, 'credas:{ProcessId}'),
    processId: nonEmptyString,
    entityId: nullableNonEmptyString,
    continuedAs: { type: 'null' },
    original: originalFields,
  },
);

export const OctapushCommunicationStatusDataSchema = dataSchema(
  'OctapushCommunicationStatusData',
  'hookbus.communication.status from an Octapush SMS or Viber callback (GET or POST, status from the path or a token).',
  ['communicationId', 'provider', 'channel', 'status', 'final', 'providerStatus', 'continuedAs', 'messageKey', 'phone', 'statusSource', 'original'],
  {
    communicationId: keyPattern(KEY_PATTERNS.octapushCommunicationId, 'octapush:{sms|viber}:{messageKey}'),
    provider: { const: 'octapush' },
    channel: { enum: ['sms', 'viber'] },
    status: communicationStatus,
    final: { type: 'boolean' },
    providerStatus,
    processKey: { type: 'null' },
    processId: { type: 'null' },
    entityId: { type: 'null' },
    continuedAs: {
      type: ['string', 'null'],
      pattern: '^octapush:sms:.+$',
      description: 'Fallbacksms on a Viber message: the SMS communication that continues it.',
    },
    messageKey: { type: 'string', minLength: 1, maxLength: 1024, description: "The message-key token values joined with ':' (phones in E.164 where possible)." },
    phone: { ...nullableString, description: "The recipient's number, normalized to E.164 where the number allows." },
    statusSource: { enum: ['path', 'token'] },
    original: originalFields,
  },
);

export const CredasProcessStatusDataSchema = dataSchema(
  'CredasProcessStatusData',
  'hookbus.process.status from a Credas process webhook (PascalCase body).',
  ['processKey', 'provider', 'processId', 'status', 'final', 'providerStatus', 'entityId', 'reference', 'original'],
  {
    processKey: keyPattern(KEY_PATTERNS.credasProcessKey, 'credas:{ProcessId}'),
    provider: { const: 'credas' },
    processId: nonEmptyString,
    status: processStatus,
    final: { type: 'boolean' },
    providerStatus,
    entityId: { ...nullableNonEmptyString, description: 'The process body has no entity id; the orchestrator finds it via details.' },
    reference: processReference,
    original: originalFields,
  },
);

export const AuthviaProcessStatusDataSchema = dataSchema(
  'AuthviaProcessStatusData',
  'hookbus.process.status from an Authvia Business Process Updated webhook; `version` orders updates of one process.',
  ['processKey', 'provider', 'processId', 'status', 'final', 'providerStatus', 'version', 'statusReason', 'expiresAt', 'closedAt', 'entityId', 'original'],
  {
    processKey: keyPattern(KEY_PATTERNS.authviaProcessKey, 'authvia:{businessProcessId}'),
    provider: { const: 'authvia' },
    processId: nonEmptyString,
    status: processStatus,
    final: { type: 'boolean' },
    providerStatus,
    version: { type: ['number', 'null'] },
    statusReason: nullableString,
    expiresAt: nullableUtcDateTime,
    closedAt: nullableUtcDateTime,
    entityId: { ...nullableNonEmptyString, description: 'The Authvia customer id: the person the process is about.' },
    original: originalFields,
  },
);

const omittedValue = {
  type: 'object',
  description: 'A string too large to carry in an event: where to read it (receipt + RFC 6901 pointer into the raw body) and how to check it.',
  additionalProperties: false,
  required: ['omitted', 'bytes', 'sha256', 'pointer', 'receiptId', 'encoding', 'mediaType'],
  properties: {
    omitted: { const: true },
    bytes: { type: 'integer', minimum: 0 },
    sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    pointer: { type: 'string' },
    receiptId: nonEmptyString,
    encoding: { enum: ['base64', 'text'] },
    mediaType: nullableString,
  },
} as const;

const idOrNumber = { type: ['string', 'number', 'null'] } as const;

export const CellosignProcessStatusDataSchema = dataSchema(
  'CellosignProcessStatusData',
  'hookbus.process.status from a Cellosign workflow webhook (WHEF_* and WHP_ARCHIVE). Archive contents are described, not carried.',
  ['processKey', 'provider', 'processId', 'status', 'final', 'providerStatus', 'entityId', 'reference', 'eventTimestamp', 'session', 'client', 'archive', 'original'],
  {
    processKey: keyPattern(KEY_PATTERNS.cellosignProcessKey, 'cellosign:{session.id}'),
    provider: { const: 'cellosign' },
    processId: { ...nonEmptyString, description: 'session.id (the session token).' },
    status: processStatus,
    final: { type: 'boolean' },
    providerStatus,
    entityId: { type: 'null' },
    reference: processReference,
    eventTimestamp: { ...nullableString, description: 'event.timestamp exactly as sent (naive, in the source time zone).' },
    session: {
      type: 'object',
      additionalProperties: false,
      required: ['reference', 'workflowProcessId', 'processNumber', 'transactionNumber', 'recipient', 'labels'],
      properties: {
        reference: nullableString,
        workflowProcessId: idOrNumber,
        processNumber: idOrNumber,
        transactionNumber: idOrNumber,
        recipient: {
          type: ['object', 'null'],
          additionalProperties: false,
          required: ['id', 'name'],
          properties: { id: idOrNumber, name: nullableString },
        },
        labels: { type: ['object', 'null'] },
      },
    },
    client: {
      type: ['object', 'null'],
      additionalProperties: false,
      required: ['ip', 'userAgent'],
      properties: { ip: nullableString, userAgent: nullableString },
    },
    archive: {
      type: ['object', 'null'],
      additionalProperties: false,
      required: ['receiptId', 'items'],
      properties: { receiptId: nonEmptyString, items: { type: 'array', items: omittedValue } },
    },
    original: { ...originalFields, description: 'The webhook body as parsed, every string over 4 KiB replaced by its omitted-value descriptor.' },
  },
);

export const AuthviaProcessActionDataSchema = dataSchema(
  'AuthviaProcessActionData',
  "hookbus.process.action: one Authvia business process action changed. Action statuses have no canonical mapping; `status` is Authvia's text.",
  ['actionId', 'provider', 'businessProcessId', 'processKey', 'type', 'status', 'context', 'features', 'original'],
  {
    actionId: nonEmptyString,
    provider: { const: 'authvia' },
    businessProcessId: nonEmptyString,
    processKey: keyPattern(KEY_PATTERNS.authviaProcessKey, 'authvia:{businessProcessId}'),
    type: nullableString,
    status: nullableString,
    context: { description: 'As sent (shape not public).' },
    features: { description: 'As sent (shape not public).' },
    original: originalFields,
  },
);

export const CredasCheckUpdateDataSchema = dataSchema(
  'CredasCheckUpdateData',
  'hookbus.check.update from a Credas status-update (Payload parsed a second time, UpdateType named) or ongoing-monitoring webhook.',
  ['entityId', 'provider', 'kind', 'clientId', 'updateType', 'updateTypeName', 'payload', 'original'],
  {
    entityId: nonEmptyString,
    provider: { const: 'credas' },
    kind: { enum: ['status-update', 'monitoring'] },
    clientId: nullableString,
    updateType: { type: ['integer', 'null'] },
    updateTypeName: nullableString,
    payload: { type: ['object', 'null'], description: 'Status-update webhooks: the Payload JSON string, parsed; null for monitoring.' },
    original: originalFields,
  },
);

const anyStatus = { enum: [...new Set([...COMMUNICATION_STATUSES, ...PROCESS_STATUSES])] } as const;

/**
 * hookbus.transition: one accepted state change, or (reason `overdue`) the notice that a process is past its
 * expiry plus grace with no final status — the same shape, `from` = `to`, plus expiresAt and overdueSince
 * (libs/tracking/src/overdue.ts).
 */
export const TransitionDataSchema = {
  $schema: SCHEMA_DIALECT,
  $id: schemaId('TransitionData'),
  title: 'TransitionData',
  description: 'One accepted state change of a communication or process; reason `overdue` marks an overdue notice (no change).',
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'key', 'provider', 'from', 'to', 'final', 'requiresAction', 'reason', 'seq', 'causedBy'],
  properties: {
    kind: { enum: ['communication', 'process'] },
    key: keyPattern(KEY_PATTERNS.communicationIdOrProcessKey, 'communicationId or processKey'),
    provider: providerName,
    from: { anyOf: [anyStatus, { type: 'null' }], description: 'The last announced status; null for the first transition.' },
    to: anyStatus,
    final: { type: 'boolean' },
    requiresAction: { type: 'boolean', description: 'True when someone should act (an invite bounced, a process overdue).' },
    reason: nullableString,
    seq: { type: 'integer', minimum: 0, description: 'Position of this change in the entity history, from 1 (overdue notices: the current seq).' },
    causedBy: { ...nonEmptyString, description: 'Id of the event that caused the change (overdue notices: a deterministic id of process and expiry).' },
    expiresAt: utcDateTime,
    overdueSince: utcDateTime,
  },
  allOf: [
    {
      if: { properties: { kind: { const: 'communication' } } },
      then: {
        properties: {
          key: { pattern: KEY_PATTERNS.communicationId },
          from: { anyOf: [communicationStatus, { type: 'null' }] },
          to: communicationStatus,
        },
      },
      else: {
        properties: {
          key: { pattern: KEY_PATTERNS.processKey },
          from: { anyOf: [processStatus, { type: 'null' }] },
          to: processStatus,
        },
      },
    },
    {
      if: { required: ['reason'], properties: { reason: { const: 'overdue' } } },
      then: {
        required: ['expiresAt', 'overdueSince'],
        properties: { kind: { const: 'process' }, requiresAction: { const: true }, final: { const: false } },
      },
      else: {
        properties: { seq: { minimum: 1 }, expiresAt: false, overdueSince: false },
      },
    },
  ],
} as const;
