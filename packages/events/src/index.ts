/**
 * @hookbus/events: what a team consuming hookbus' public topics needs, compiled from libs/contracts (the contract's
 * one source). No runtime dependency: JSON Schema validation is the separate entry `@hookbus/events/validate`
 * (needs ajv and ajv-formats). Guide: docs/consumers.md in the hookbus repository.
 */
export { Topics, PROVIDERS, type ProviderName, type TopicDeclaration } from '../../../libs/contracts/src/topics';
export { EventTypes, type CloudEvent, type EventType } from '../../../libs/contracts/src/cloud-event';
export type {
  CommunicationStatusData, ProcessStatusData, CheckUpdateData, TransitionData,
  CommunicationStatusEvent, ProcessStatusEvent, CheckUpdateEvent, TransitionEvent,
} from '../../../libs/contracts/src/event-data';
export { COMMUNICATION_STATUSES, PROCESS_STATUSES, type CommunicationStatus, type ProcessStatus, type ProviderStatus } from '../../../libs/contracts/src/statuses';
export {
  credasCommunicationId, octapushCommunicationId, processKey, parseCommunicationId, parseProcessKey, parseIdentity,
  identityProblem, MAX_IDENTITY_BYTES,
  type CommunicationChannel, type ParsedCommunicationId, type ParsedProcessKey, type ParsedIdentity,
} from '../../../libs/contracts/src/identity';
export { TraceHeaders, CLOUDEVENTS_CONTENT_TYPE } from '../../../libs/contracts/src/record-headers';
export * from '../../../libs/contracts/src/event-record';
// The JSON Schemas (2020-12) as objects; the same schemas as files: @hookbus/events/schemas/<Title>.json.
export { SCHEMA_DIALECT, SCHEMA_BASE_URI, KEY_PATTERNS, type JsonSchemaObject } from '../../../libs/contracts/src/schemas/schema-fragments';
export * from '../../../libs/contracts/src/schemas/cloud-event.schemas';
export * from '../../../libs/contracts/src/schemas/event-data.schemas';
export * from '../../../libs/contracts/src/schemas/results-data.schemas';
export { CONTRACT_SCHEMAS, topicContract, topicContracts, type MessageContract, type TopicContract } from '../../../libs/contracts/src/schemas/topic-contracts';
