import { SCHEMA_DIALECT, nonEmptyString, providerName, schemaId, utcDateTime, uuid, type JsonSchemaObject } from './schema-fragments';

const offset = { type: 'string', pattern: '^(0|[1-9][0-9]*)$', description: 'A Kafka offset, a whole number as a string.' } as const;

/**
 * A replay command to the normalizer (normalizer.commands.v1): re-normalize a range of webhooks.raw.<provider> and
 * publish the events again with their deterministic ids. The codec (replay-command.codec.ts) also refuses what the
 * schema cannot say, as `npm run replay` does: from not before to, offsets without a partition or the wrong way round.
 */
export const ReplayCommandSchema: JsonSchemaObject = {
  $schema: SCHEMA_DIALECT,
  $id: schemaId('ReplayCommand'),
  title: 'ReplayCommand',
  description: 'An operator asks the normalizer to replay a raw range (the console /replay page; the same replay as npm run replay).',
  type: 'object',
  required: ['type', 'commandId', 'provider', 'requestedBy', 'requestedAt'],
  properties: {
    type: { const: 'replay' },
    commandId: uuid,
    provider: providerName,
    sourceId: { ...nonEmptyString, description: 'Only the records of this source (one of the provider).' },
    from: { ...utcDateTime, description: 'Receipt time range start (inclusive); absent: the topic start.' },
    to: { ...utcDateTime, description: 'Receipt time range end; absent: the topic end.' },
    partition: { type: 'integer', minimum: 0 },
    fromOffset: offset,
    toOffset: offset,
    requestedBy: nonEmptyString,
    requestedAt: utcDateTime,
  },
};
