import { EventTypes } from '../cloud-event';
import type { ProviderName } from '../topics';
import {
  KEY_PATTERNS,
  SCHEMA_DIALECT,
  keyPattern,
  nonEmptyString,
  providerName,
  schemaId,
  schemaRef,
  utcDateTime,
  uuid,
  type JsonSchemaObject,
} from './schema-fragments';

/** Normalized events name the webhook source they came from (contract §4: `source` is /webhooks/{sourceId}). */
const webhookSource = { type: 'string', pattern: '^/webhooks/[a-z0-9-]+$', description: '/webhooks/{sourceId}' } as const;
/** Tracker overdue notices and operator re-fetches have no receipt: the extension is then the empty string. */
const receiptIdOrEmpty = { anyOf: [uuid, { const: '' }], description: 'The receipt of the webhook that caused this; empty when none did.' } as const;

const ENVELOPE_REQUIRED = ['specversion', 'id', 'type', 'source', 'subject', 'time', 'datacontenttype', 'provider', 'receiptid', 'data'] as const;

/** CloudEvents 1.0 in structured mode with hookbus' extensions `provider` and `receiptid` (cloud-event.ts). */
export const CloudEventEnvelopeSchema: JsonSchemaObject = {
  $schema: SCHEMA_DIALECT,
  $id: schemaId('CloudEventEnvelope'),
  title: 'CloudEventEnvelope',
  description: 'CloudEvents 1.0, structured mode (content-type application/cloudevents+json), with the extensions provider and receiptid.',
  type: 'object',
  additionalProperties: false,
  required: ENVELOPE_REQUIRED,
  properties: {
    specversion: { const: '1.0' },
    id: { ...uuid, description: 'Deterministic: the same provider delivery received twice yields the same id.' },
    type: { enum: Object.values(EventTypes) },
    source: { ...nonEmptyString, format: 'uri-reference' },
    subject: { ...nonEmptyString, description: 'The communicationId, processKey or entity id; equals the record key.' },
    time: { ...utcDateTime, description: "The provider's event time in UTC when the payload has one, else the receipt time." },
    datacontenttype: { const: 'application/json' },
    provider: providerName,
    receiptid: { type: 'string', description: 'The gateway receipt of the webhook this event came from.' },
    data: { type: 'object' },
  },
};

interface EventSchemaInput {
  readonly title: string;
  readonly description: string;
  readonly type: string;
  readonly provider: ProviderName | null;
  readonly source: JsonSchemaObject;
  readonly subject: JsonSchemaObject;
  readonly receiptid: JsonSchemaObject;
  readonly data: string;
}

function eventSchema(input: EventSchemaInput): JsonSchemaObject {
  return {
    $schema: SCHEMA_DIALECT,
    $id: schemaId(input.title),
    title: input.title,
    description: input.description,
    type: 'object',
    additionalProperties: false,
    required: ENVELOPE_REQUIRED,
    properties: {
      specversion: { const: '1.0' },
      id: uuid,
      type: { const: input.type },
      source: input.source,
      subject: input.subject,
      time: utcDateTime,
      datacontenttype: { const: 'application/json' },
      provider: input.provider === null ? providerName : { const: input.provider },
      receiptid: input.receiptid,
      data: schemaRef(input.data),
    },
  };
}

function normalizedEvent(title: string, description: string, type: string, provider: ProviderName, subject: JsonSchemaObject): JsonSchemaObject {
  return eventSchema({ title, description, type, provider, source: webhookSource, subject, receiptid: uuid, data: title.replace(/Event$/, 'Data') });
}

export const CredasCommunicationStatusEventSchema = normalizedEvent(
  'CredasCommunicationStatusEvent',
  'A Credas invitation (SMS or email) changed status.',
  EventTypes.communicationStatus,
  'credas',
  keyPattern(KEY_PATTERNS.credasCommunicationId, 'communicationId'),
);
export const OctapushCommunicationStatusEventSchema = normalizedEvent(
  'OctapushCommunicationStatusEvent',
  'An Octapush SMS or Viber message changed status.',
  EventTypes.communicationStatus,
  'octapush',
  keyPattern(KEY_PATTERNS.octapushCommunicationId, 'communicationId'),
);
export const CredasProcessStatusEventSchema = normalizedEvent(
  'CredasProcessStatusEvent',
  'A Credas process changed status.',
  EventTypes.processStatus,
  'credas',
  keyPattern(KEY_PATTERNS.credasProcessKey, 'processKey'),
);
export const AuthviaProcessStatusEventSchema = normalizedEvent(
  'AuthviaProcessStatusEvent',
  'An Authvia business process was updated.',
  EventTypes.processStatus,
  'authvia',
  keyPattern(KEY_PATTERNS.authviaProcessKey, 'processKey'),
);
export const CellosignProcessStatusEventSchema = normalizedEvent(
  'CellosignProcessStatusEvent',
  'A Cellosign signing session moved on (WHEF_* events) or was archived (WHP_ARCHIVE).',
  EventTypes.processStatus,
  'cellosign',
  keyPattern(KEY_PATTERNS.cellosignProcessKey, 'processKey'),
);
export const AuthviaProcessActionEventSchema = normalizedEvent(
  'AuthviaProcessActionEvent',
  'An action of an Authvia business process was updated; it changes no process state.',
  EventTypes.processAction,
  'authvia',
  keyPattern(KEY_PATTERNS.authviaProcessKey, 'processKey'),
);
export const CredasCheckUpdateEventSchema = normalizedEvent(
  'CredasCheckUpdateEvent',
  'A Credas check result changed (status-update) or ongoing monitoring reported (monitoring).',
  EventTypes.checkUpdate,
  'credas',
  { ...nonEmptyString, description: 'entity id' },
);

export const TransitionEventSchema = eventSchema({
  title: 'TransitionEvent',
  description: 'The tracker accepted a state change (or announces an overdue process).',
  type: EventTypes.transition,
  provider: null,
  source: { const: '/hookbus/tracker' },
  subject: keyPattern(KEY_PATTERNS.communicationIdOrProcessKey, 'communicationId or processKey'),
  receiptid: receiptIdOrEmpty,
  data: 'TransitionData',
});

export const CredasResultsEventSchema = eventSchema({
  title: 'CredasResultsEvent',
  description: 'The orchestrator retrieved a Credas process: details, active checks and the PDF report (inline).',
  type: EventTypes.credasResults,
  provider: 'credas',
  source: { const: '/orchestrator/credas' },
  subject: keyPattern(KEY_PATTERNS.credasProcessKey, 'processKey'),
  receiptid: { type: 'string' },
  data: 'CredasResultsData',
});
