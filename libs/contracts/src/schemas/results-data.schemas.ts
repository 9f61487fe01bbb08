import { KEY_PATTERNS, SCHEMA_DIALECT, keyPattern, nonEmptyString, schemaId, utcDateTime, type JsonSchemaObject } from './schema-fragments';

/**
 * `data` of hookbus.credas.results and the orchestrator's retrieval memo, after
 * apps/orchestrator/src/credas-results-event.ts (the PDF travels inline, base64, on events.results.v1).
 */
export const CredasResultsDataSchema: JsonSchemaObject = {
  $schema: SCHEMA_DIALECT,
  $id: schemaId('CredasResultsData'),
  title: 'CredasResultsData',
  description: "One retrieval of a completed (or refreshed) Credas process: its details, the entity's active checks and the PDF report.",
  type: 'object',
  additionalProperties: false,
  required: ['processKey', 'processId', 'entityId', 'entitySource', 'details', 'activeChecks', 'report', 'retrievedAt', 'trigger'],
  properties: {
    processKey: keyPattern(KEY_PATTERNS.credasProcessKey, 'credas:{ProcessId}'),
    processId: nonEmptyString,
    entityId: nonEmptyString,
    entitySource: { enum: ['process-state', 'details', 'command'], description: 'Where the entity id came from.' },
    details: { description: 'GET processes/{processId}/details as received (shape undocumented).' },
    activeChecks: {
      type: 'array',
      description: 'GET entities/{entityId}/active-checks, each check as sent plus its canonical names.',
      items: {
        type: 'object',
        required: ['statusName', 'statusFinal', 'typeName'],
        properties: { statusName: { type: 'string' }, statusFinal: { type: 'boolean' }, typeName: { type: ['string', 'null'] } },
      },
    },
    report: {
      type: 'object',
      additionalProperties: false,
      required: ['contentType', 'encoding', 'pdf', 'sha256', 'bytes'],
      properties: {
        contentType: { const: 'application/pdf' },
        encoding: { const: 'base64' },
        pdf: { type: 'string', contentEncoding: 'base64', contentMediaType: 'application/pdf' },
        sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
        bytes: { type: 'integer', minimum: 0 },
      },
    },
    retrievedAt: utcDateTime,
    trigger: {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'eventId', 'receiptId'],
      properties: {
        kind: { enum: ['completed', 'monitoring', 'status-update', 'refetch'] },
        eventId: { ...nonEmptyString, description: 'The CloudEvent id or command id that caused the retrieval.' },
        receiptId: { type: 'string' },
      },
    },
  },
};

export const CredasRetrievalMemoSchema: JsonSchemaObject = {
  $schema: SCHEMA_DIALECT,
  $id: schemaId('CredasRetrievalMemo'),
  title: 'CredasRetrievalMemo',
  description: 'The last retrieval of one process (compacted), so a redelivered completion is not fetched again.',
  type: 'object',
  additionalProperties: false,
  required: ['processKey', 'processId', 'entityId', 'eventId', 'triggerEventId', 'sha256', 'retrievedAt'],
  properties: {
    processKey: keyPattern(KEY_PATTERNS.credasProcessKey, 'credas:{ProcessId}'),
    processId: nonEmptyString,
    entityId: nonEmptyString,
    eventId: nonEmptyString,
    triggerEventId: nonEmptyString,
    sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    retrievedAt: utcDateTime,
    checkEventIds: {
      type: 'array',
      description: 'Check webhooks (CloudEvent ids, newest last) already reflected in this retrieval, so a replay of the checks topic after a restart refreshes nothing twice. Absent in memos written before it existed.',
      maxItems: 32,
      items: nonEmptyString,
    },
  },
};

export const CredasCommandSchema: JsonSchemaObject = {
  $schema: SCHEMA_DIALECT,
  $id: schemaId('CredasCommand'),
  title: 'CredasCommand',
  description: 'An operator command to the orchestrator, e.g. {"type":"refetch","processId":"..."}.',
  type: 'object',
  required: ['type', 'processId'],
  properties: { type: { const: 'refetch' }, processId: nonEmptyString, entityId: { type: ['string', 'null'] } },
};
