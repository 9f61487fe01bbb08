import {
  SCHEMA_DIALECT,
  communicationStatus,
  nonEmptyString,
  nullableString,
  processStatus,
  providerName,
  schemaId,
  schemaRef,
  utcDateTime,
  type JsonSchemaObject,
} from './schema-fragments';

/**
 * Values of the compacted state topics and of the tracker's hint topic. libs/tracking/src/state.codec.ts reads and
 * writes states with these schemas; their `required` order is the field order written.
 */
const stateProviderStatus = {
  type: 'object',
  required: ['code', 'text'],
  additionalProperties: false,
  properties: { code: { type: ['string', 'number', 'null'] }, text: nullableString },
} as const;
const eventTime = { type: 'string', minLength: 1 } as const;
const seq = { type: 'integer', minimum: 0 } as const;

export const CommunicationStateSchema: JsonSchemaObject = {
  $schema: SCHEMA_DIALECT,
  $id: schemaId('CommunicationState'),
  title: 'CommunicationState',
  description: 'The current state of one communication (compacted: the newest record per communicationId).',
  type: 'object',
  additionalProperties: false,
  required: [
    'kind', 'key', 'provider', 'channel', 'status', 'final', 'providerStatus', 'processKey', 'processId', 'entityId',
    'continuedAs', 'statusEventId', 'statusEventTime', 'seq', 'updatedAt',
  ],
  properties: {
    kind: { const: 'communication' },
    key: nonEmptyString,
    provider: providerName,
    channel: { enum: ['sms', 'email', 'viber'] },
    status: communicationStatus,
    final: { type: 'boolean' },
    providerStatus: stateProviderStatus,
    processKey: nullableString,
    processId: nullableString,
    entityId: nullableString,
    continuedAs: nullableString,
    statusEventId: nonEmptyString,
    statusEventTime: eventTime,
    seq,
    updatedAt: eventTime,
  },
};

export const ProcessStateSchema: JsonSchemaObject = {
  $schema: SCHEMA_DIALECT,
  $id: schemaId('ProcessState'),
  title: 'ProcessState',
  description: 'The current state of one process (compacted: the newest record per processKey).',
  type: 'object',
  additionalProperties: false,
  required: [
    'kind', 'key', 'provider', 'processId', 'status', 'final', 'providerStatus', 'version', 'statusReason', 'closedAt',
    'expiresAt', 'expiresAtVersion', 'entityIds', 'entityId', 'statusEventId', 'statusEventTime', 'seq', 'updatedAt',
  ],
  properties: {
    kind: { const: 'process' },
    key: nonEmptyString,
    provider: providerName,
    processId: nonEmptyString,
    status: processStatus,
    final: { type: 'boolean' },
    providerStatus: stateProviderStatus,
    version: { type: ['number', 'null'] },
    statusReason: nullableString,
    closedAt: nullableString,
    expiresAt: nullableString,
    expiresAtVersion: { type: ['number', 'null'] },
    entityIds: { type: 'array', items: { type: 'string' }, uniqueItems: true },
    entityId: nullableString,
    statusEventId: nonEmptyString,
    statusEventTime: eventTime,
    seq,
    updatedAt: eventTime,
  },
};

/** A state topic's restore sentinel (apps/tracker/src/state-store.ts): key `__hookbus_restore__/{uuid}`, no value. */
export const StateRestoreSentinelSchema: JsonSchemaObject = {
  $schema: SCHEMA_DIALECT,
  $id: schemaId('StateRestoreSentinel'),
  title: 'StateRestoreSentinel',
  description: 'Written by a tracker instance to each partition it restores, and read back to know the restore is complete. Consumers skip it.',
  type: 'null',
};

export const TrackerEntityHintSchema: JsonSchemaObject = {
  $schema: SCHEMA_DIALECT,
  $id: schemaId('TrackerEntityHint'),
  title: 'TrackerEntityHint',
  description: "A Credas communication event that names its process and entity, forwarded to the process's partition.",
  type: 'object',
  additionalProperties: false,
  required: ['type', 'event'],
  properties: { type: { const: 'entity-hint' }, event: schemaRef('CredasCommunicationStatusEvent') },
};

export const TrackerOverdueTickSchema: JsonSchemaObject = {
  $schema: SCHEMA_DIALECT,
  $id: schemaId('TrackerOverdueTick'),
  title: 'TrackerOverdueTick',
  description: "A periodic tick, one per partition, asking that partition's owner to announce overdue processes.",
  type: 'object',
  additionalProperties: false,
  required: ['type', 'now'],
  properties: { type: { const: 'overdue-tick' }, now: utcDateTime },
};
