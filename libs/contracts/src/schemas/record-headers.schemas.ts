import { CLOUDEVENTS_CONTENT_TYPE, DeadLetterHeaders, QuarantineHeaders, RawHeaders, TraceHeaders } from '../record-headers';
import { SCHEMA_DIALECT, nonEmptyString, providerName, schemaId, utcDateTime, uuid, type JsonSchemaObject } from './schema-fragments';

/**
 * Kafka record headers as a JSON object of header name → UTF-8 text (how ConsumedRecord exposes them). Headers are
 * open: brokers and clients may add their own (e.g. traceparent).
 */
function headersSchema(title: string, description: string, required: readonly string[], properties: Record<string, unknown>): JsonSchemaObject {
  return { $schema: SCHEMA_DIALECT, $id: schemaId(title), title, description, type: 'object', required, properties, additionalProperties: { type: 'string' } };
}

const decimal = { type: 'string', pattern: '^[0-9]+$' } as const;

const rawProperties = {
  [RawHeaders.receiptId]: uuid,
  [RawHeaders.receivedAt]: utcDateTime,
  [RawHeaders.sourceId]: { type: 'string', pattern: '^[a-z0-9-]+$' },
  [RawHeaders.provider]: providerName,
  [RawHeaders.kind]: nonEmptyString,
  [RawHeaders.method]: { enum: ['GET', 'POST'] },
  [RawHeaders.path]: { type: 'string', pattern: '^/webhooks/' },
  [RawHeaders.query]: { type: 'string', description: 'Without the leading ?, the auth token parameter removed.' },
  [RawHeaders.contentType]: { type: 'string' },
  [RawHeaders.pathStatus]: { type: 'string', description: 'Octapush /webhooks/{sourceId}/{status}: the status segment, decoded.' },
  [RawHeaders.requestHeaders]: { type: 'string', description: 'Non-secret request headers as JSON.' },
};
const rawRequired = [RawHeaders.receiptId, RawHeaders.receivedAt, RawHeaders.sourceId, RawHeaders.provider, RawHeaders.kind, RawHeaders.method, RawHeaders.path];

export const RawRecordHeadersSchema = headersSchema('RawRecordHeaders', 'The request facts of one stored webhook.', rawRequired, rawProperties);

export const QuarantineRecordHeadersSchema = headersSchema(
  'QuarantineRecordHeaders',
  'The request facts of one refused webhook, and why it was refused.',
  [RawHeaders.receiptId, RawHeaders.receivedAt, RawHeaders.sourceId, QuarantineHeaders.status, QuarantineHeaders.reason],
  {
    ...rawProperties,
    [QuarantineHeaders.status]: { type: 'string', pattern: '^[1-5][0-9]{2}$', description: 'The HTTP status the gateway answered.' },
    [QuarantineHeaders.reason]: nonEmptyString,
    [QuarantineHeaders.truncated]: { enum: ['true', 'false'] },
  },
);

export const DeadLetterRecordHeadersSchema = headersSchema(
  'DeadLetterRecordHeaders',
  "Where a dead letter came from and why; the original record's own headers are kept beside these.",
  [DeadLetterHeaders.stage, DeadLetterHeaders.error, DeadLetterHeaders.originalTopic, DeadLetterHeaders.originalPartition, DeadLetterHeaders.originalOffset],
  {
    [DeadLetterHeaders.stage]: nonEmptyString,
    [DeadLetterHeaders.errorCode]: nonEmptyString,
    [DeadLetterHeaders.error]: { type: 'string' },
    [DeadLetterHeaders.originalTopic]: nonEmptyString,
    [DeadLetterHeaders.originalPartition]: decimal,
    [DeadLetterHeaders.originalOffset]: decimal,
    [DeadLetterHeaders.attempts]: decimal,
    [DeadLetterHeaders.failedAt]: utcDateTime,
    [DeadLetterHeaders.payloadDroppedBytes]: decimal,
  },
);

export const EventRecordHeadersSchema = headersSchema(
  'EventRecordHeaders',
  'Carried on every CloudEvent record, so logs and the projector can follow a webhook across services.',
  [TraceHeaders.contentType, TraceHeaders.eventId, TraceHeaders.receiptId],
  {
    [TraceHeaders.contentType]: { const: CLOUDEVENTS_CONTENT_TYPE },
    [TraceHeaders.eventId]: uuid,
    [TraceHeaders.receiptId]: { type: 'string', description: 'Empty when no webhook caused the event (overdue notices).' },
  },
);

export const StateRecordHeadersSchema = headersSchema(
  'StateRecordHeaders',
  'Carried on state records: the event that produced this state.',
  [TraceHeaders.contentType, TraceHeaders.eventId, TraceHeaders.receiptId],
  {
    [TraceHeaders.contentType]: { const: 'application/json' },
    [TraceHeaders.eventId]: uuid,
    [TraceHeaders.receiptId]: { type: 'string' },
  },
);
