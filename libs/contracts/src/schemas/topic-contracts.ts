import { EventTypes } from '../cloud-event';
import { CLOUDEVENTS_CONTENT_TYPE } from '../record-headers';
import { Topics, TRACKER_HINTS_TOPIC, allTopics, type ProviderName, type TopicDeclaration } from '../topics';
import * as events from './cloud-event.schemas';
import { ConsoleAuditRecordSchema } from './console-audit.schemas';
import * as data from './event-data.schemas';
import * as headers from './record-headers.schemas';
import * as results from './results-data.schemas';
import { ReplayCommandSchema } from './replay-command.schemas';
import * as state from './state.schemas';
import { KEY_PATTERNS, SCHEMA_DIALECT, keyPattern, schemaId, uuid, type JsonSchemaObject } from './schema-fragments';

/**
 * The event contract per topic: for every topic of allTopics(), the messages it may carry, each with its key,
 * headers and value schema. docs/asyncapi.yaml and docs/topics.md are generated from this table
 * (scripts/docs-topics.ts) and validateRecord (event-validator.ts) checks records against it.
 */
export interface MessageContract {
  /** Message id in the AsyncAPI document. */
  readonly name: string;
  readonly summary: string;
  readonly contentType: string;
  /** `json` values are validated against `payload`; `bytes` values (raw bodies) are opaque. */
  readonly encoding: 'json' | 'bytes';
  readonly key: JsonSchemaObject;
  readonly headers: JsonSchemaObject;
  readonly payload: JsonSchemaObject;
  /** Which values this message describes, among the topic's messages: fields that must hold these values. */
  readonly selector: Readonly<Record<string, string>>;
}

export interface TopicContract {
  readonly topic: TopicDeclaration;
  readonly messages: readonly MessageContract[];
}

/** Every schema the contract names, in the order the AsyncAPI components list them. */
export const CONTRACT_SCHEMAS: readonly JsonSchemaObject[] = [
  events.CloudEventEnvelopeSchema,
  events.CredasCommunicationStatusEventSchema,
  data.CredasCommunicationStatusDataSchema,
  events.OctapushCommunicationStatusEventSchema,
  data.OctapushCommunicationStatusDataSchema,
  events.CredasProcessStatusEventSchema,
  data.CredasProcessStatusDataSchema,
  events.AuthviaProcessStatusEventSchema,
  data.AuthviaProcessStatusDataSchema,
  events.CellosignProcessStatusEventSchema,
  data.CellosignProcessStatusDataSchema,
  events.AuthviaProcessActionEventSchema,
  data.AuthviaProcessActionDataSchema,
  events.CredasCheckUpdateEventSchema,
  data.CredasCheckUpdateDataSchema,
  events.TransitionEventSchema,
  data.TransitionDataSchema,
  events.CredasResultsEventSchema,
  results.CredasResultsDataSchema,
  state.CommunicationStateSchema,
  state.ProcessStateSchema,
  state.StateRestoreSentinelSchema,
  state.TrackerEntityHintSchema,
  state.TrackerOverdueTickSchema,
  results.CredasCommandSchema,
  ReplayCommandSchema,
  results.CredasRetrievalMemoSchema,
  ConsoleAuditRecordSchema,
  headers.RawRecordHeadersSchema,
  headers.QuarantineRecordHeadersSchema,
  headers.DeadLetterRecordHeadersSchema,
  headers.EventRecordHeadersSchema,
  headers.StateRecordHeadersSchema,
  bytesSchema('RawWebhookBody', 'The webhook request body byte for byte, in the content type named by hookbus-content-type.'),
  bytesSchema('RecordBytes', 'Another record, byte for byte (dead letters, retry lanes).'),
  {
    $schema: SCHEMA_DIALECT,
    $id: schemaId('RetryRecordHeaders'),
    title: 'RetryRecordHeaders',
    description: "The triggering record's headers, plus the attempt, due time and origin of the retry.",
    type: 'object',
    additionalProperties: { type: 'string' },
  },
];

function bytesSchema(title: string, description: string): JsonSchemaObject {
  return { $schema: SCHEMA_DIALECT, $id: schemaId(title), title, description, type: 'string', format: 'binary' };
}

/** Headers no consumer relies on: any names, text values. */
function openHeaders(description: string): JsonSchemaObject {
  return { type: 'object', description, additionalProperties: { type: 'string' } };
}

function schemaByTitle(title: string): JsonSchemaObject {
  const schema = CONTRACT_SCHEMAS.find((s) => s.title === title);
  if (!schema) throw new Error(`no contract schema titled ${title}`);
  return schema;
}

const communicationIdKey = keyPattern(KEY_PATTERNS.communicationId, 'communicationId');
const processKeyKey = keyPattern(KEY_PATTERNS.processKey, 'processKey');
const credasProcessKey = keyPattern(KEY_PATTERNS.credasProcessKey, 'processKey');

function cloudEventMessage(name: string, summary: string, payloadTitle: string, key: JsonSchemaObject, type: string, provider: ProviderName | null): MessageContract {
  return {
    name,
    summary,
    contentType: CLOUDEVENTS_CONTENT_TYPE,
    encoding: 'json',
    key,
    headers: headers.EventRecordHeadersSchema,
    payload: schemaByTitle(payloadTitle),
    selector: provider === null ? { type } : { type, provider },
  };
}

function rawMessage(provider: ProviderName): MessageContract {
  return {
    name: `${provider}RawWebhook`,
    summary: `A ${provider} webhook as received, made durable before the reply.`,
    contentType: 'application/octet-stream',
    encoding: 'bytes',
    key: { type: 'string', minLength: 1, description: 'The entity the webhook is about (e.g. Credas ProcessId), so one entity keeps one partition.' },
    headers: headers.RawRecordHeadersSchema,
    payload: schemaByTitle('RawWebhookBody'),
    selector: {},
  };
}

function stateMessages(name: string, summary: string, payloadTitle: string, key: JsonSchemaObject): MessageContract[] {
  return [
    { name, summary, contentType: 'application/json', encoding: 'json', key, headers: headers.StateRecordHeadersSchema, payload: schemaByTitle(payloadTitle), selector: {} },
    {
      name: `${name}RestoreSentinel`,
      summary: 'A restore sentinel: no value; consumers of the state topic skip it.',
      contentType: 'application/json',
      encoding: 'json',
      key: { type: 'string', pattern: '^__hookbus_restore__/', description: '__hookbus_restore__/{uuid}' },
      headers: openHeaders('none'),
      payload: state.StateRestoreSentinelSchema,
      selector: {},
    },
  ];
}

function retryLane(): MessageContract {
  return {
    name: 'credasRetry',
    summary: 'A Credas retrieval that failed and waits for its next attempt.',
    contentType: 'application/octet-stream',
    encoding: 'bytes',
    key: credasProcessKey,
    headers: schemaByTitle('RetryRecordHeaders'),
    payload: schemaByTitle('RecordBytes'),
    selector: {},
  };
}

function contractMessages(topic: TopicDeclaration): MessageContract[] {
  const raw = Object.entries(Topics.raw).find(([, t]) => t.name === topic.name);
  if (raw) return [rawMessage(raw[0] as ProviderName)];
  switch (topic.name) {
    case Topics.quarantine.name:
      return [{
        name: 'quarantinedWebhook',
        summary: 'A webhook that authenticated but was refused (400, 413, 415), kept so nothing a provider sent is lost.',
        contentType: 'application/octet-stream',
        encoding: 'bytes',
        key: { ...uuid, description: 'receipt id' },
        headers: headers.QuarantineRecordHeadersSchema,
        payload: schemaByTitle('RawWebhookBody'),
        selector: {},
      }];
    case Topics.communications.name:
      return [
        cloudEventMessage('credasCommunicationStatus', 'A Credas invitation changed status.', 'CredasCommunicationStatusEvent', communicationIdKey, EventTypes.communicationStatus, 'credas'),
        cloudEventMessage('octapushCommunicationStatus', 'An Octapush message changed status.', 'OctapushCommunicationStatusEvent', communicationIdKey, EventTypes.communicationStatus, 'octapush'),
      ];
    case Topics.processes.name:
      return [
        cloudEventMessage('credasProcessStatus', 'A Credas process changed status.', 'CredasProcessStatusEvent', processKeyKey, EventTypes.processStatus, 'credas'),
        cloudEventMessage('authviaProcessStatus', 'An Authvia business process was updated.', 'AuthviaProcessStatusEvent', processKeyKey, EventTypes.processStatus, 'authvia'),
        cloudEventMessage('cellosignProcessStatus', 'A Cellosign session moved on or was archived.', 'CellosignProcessStatusEvent', processKeyKey, EventTypes.processStatus, 'cellosign'),
        cloudEventMessage('authviaProcessAction', 'An Authvia business process action was updated.', 'AuthviaProcessActionEvent', processKeyKey, EventTypes.processAction, 'authvia'),
      ];
    case Topics.checks.name:
      return [cloudEventMessage('credasCheckUpdate', 'A Credas check changed or monitoring reported.', 'CredasCheckUpdateEvent', { type: 'string', minLength: 1, description: 'entity id' }, EventTypes.checkUpdate, 'credas')];
    case Topics.communicationState.name:
      return stateMessages('communicationState', 'The current state of one communication.', 'CommunicationState', communicationIdKey);
    case Topics.processState.name:
      return stateMessages('processState', 'The current state of one process.', 'ProcessState', processKeyKey);
    case Topics.transitions.name:
      return [cloudEventMessage('transition', 'One accepted state change, or an overdue notice.', 'TransitionEvent', keyPattern(KEY_PATTERNS.communicationIdOrProcessKey, 'communicationId or processKey'), EventTypes.transition, null)];
    case Topics.results.name:
      return [cloudEventMessage('credasResults', 'The retrieved results of one Credas process.', 'CredasResultsEvent', credasProcessKey, EventTypes.credasResults, 'credas')];
    case Topics.deadLetter.name:
      return [{
        name: 'deadLetter',
        summary: 'A record a consumer could not process, with where it came from and why.',
        contentType: 'application/octet-stream',
        encoding: 'bytes',
        key: { type: ['string', 'null'], description: 'The original record key.' },
        headers: headers.DeadLetterRecordHeadersSchema,
        payload: schemaByTitle('RecordBytes'),
        selector: {},
      }];
    case Topics.consoleAudit.name:
      return [{
        name: 'consoleAudit',
        summary: 'One action in the console (a login, a redrive, a re-fetch, a replay, an unmask): who, what, when and how it ended.',
        contentType: 'application/json',
        encoding: 'json',
        key: { ...uuid, description: 'actionId' },
        headers: openHeaders('none required'),
        payload: schemaByTitle('ConsoleAuditRecord'),
        selector: {},
      }];
    case TRACKER_HINTS_TOPIC:
      return [
        { name: 'trackerEntityHint', summary: 'What a Credas communication event teaches about its process.', contentType: 'application/json', encoding: 'json', key: credasProcessKey, headers: openHeaders('hookbus-receipt-id of the event'), payload: state.TrackerEntityHintSchema, selector: { type: 'entity-hint' } },
        { name: 'trackerOverdueTick', summary: 'Asks a partition owner to announce overdue processes.', contentType: 'application/json', encoding: 'json', key: { type: 'string', pattern: '^__tick__/[0-9]+$', description: '__tick__/{partition}' }, headers: openHeaders('none'), payload: state.TrackerOverdueTickSchema, selector: { type: 'overdue-tick' } },
      ];
    case 'orchestrator.credas.commands.v1':
      return [{ name: 'credasCommand', summary: 'An operator command, e.g. a re-fetch.', contentType: 'application/json', encoding: 'json', key: credasProcessKey, headers: openHeaders('none required'), payload: results.CredasCommandSchema, selector: {} }];
    case 'normalizer.commands.v1':
      return [{ name: 'replayCommand', summary: 'An operator asks the normalizer to replay a raw range.', contentType: 'application/json', encoding: 'json', key: { ...uuid, description: 'commandId' }, headers: openHeaders('none required'), payload: ReplayCommandSchema, selector: {} }];
    case 'orchestrator.credas.retrievals.v1':
      return [{ name: 'credasRetrieval', summary: 'The last retrieval of one process.', contentType: 'application/json', encoding: 'json', key: credasProcessKey, headers: openHeaders('none required'), payload: results.CredasRetrievalMemoSchema, selector: {} }];
    default:
      if (/^orchestrator\.credas\.retry-[0-9a-z]+\.v1$/.test(topic.name)) return [retryLane()];
      throw new Error(`topic ${topic.name} has no event contract: describe it in libs/contracts/src/schemas/topic-contracts.ts`);
  }
}

/** The contract of every declared topic (allTopics(), internal ones included), in declaration order. */
export function topicContracts(): TopicContract[] {
  return allTopics().map((topic) => ({ topic, messages: contractMessages(topic) }));
}

export function topicContract(name: string): TopicContract {
  const topic = allTopics().find((t) => t.name === name);
  if (!topic) throw new Error(`unknown topic ${name}`);
  return { topic, messages: contractMessages(topic) };
}
