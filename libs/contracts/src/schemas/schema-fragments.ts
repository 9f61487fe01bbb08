import { COMMUNICATION_STATUSES, PROCESS_STATUSES } from '../statuses';
import { PROVIDERS } from '../topics';

/**
 * Building blocks of the event contract's JSON Schemas (draft 2020-12). Every schema uses only keywords that
 * draft-07 shares, so the same objects serve ajv (libs/contracts/src/schemas/event-validator.ts) and the AsyncAPI
 * document (docs/asyncapi.yaml, whose default schema format is a draft-07 superset).
 */
export const SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';
export const SCHEMA_BASE_URI = 'https://hookbus.dev/schemas/';

export interface JsonSchemaObject {
  readonly [keyword: string]: unknown;
}

/** A reference to another contract schema by its $id (the AsyncAPI generator rewrites it to #/components/schemas). */
export function schemaRef(title: string): { readonly $ref: string } {
  return { $ref: schemaId(title) };
}

export function schemaId(title: string): string {
  return `${SCHEMA_BASE_URI}${title}.json`;
}

export const nullableString = { type: ['string', 'null'] } as const;
export const nonEmptyString = { type: 'string', minLength: 1 } as const;
export const nullableNonEmptyString = { type: ['string', 'null'], minLength: 1 } as const;

/** ISO 8601 in UTC with a `Z` (contract §4: `time` is UTC; luxon and Date#toISOString both write `Z`). */
export const utcDateTime = { type: 'string', format: 'date-time', pattern: 'Z$' } as const;
export const nullableUtcDateTime = { type: ['string', 'null'], format: 'date-time', pattern: 'Z$' } as const;

/** Receipt ids are UUID v7 (gateway); event ids are deterministic UUID v8 (deterministicEventId). */
export const uuid = { type: 'string', format: 'uuid' } as const;

export const providerName = { enum: [...PROVIDERS] } as const;
export const communicationStatus = { enum: [...COMMUNICATION_STATUSES] } as const;
export const processStatus = { enum: [...PROCESS_STATUSES] } as const;

/** The provider's own status beside the canonical one (statuses.ts ProviderStatus). */
export const providerStatus = {
  type: 'object',
  description: "The provider's own status code and text, kept beside the canonical status.",
  required: ['code'],
  additionalProperties: false,
  properties: { code: { type: ['string', 'number', 'null'] }, text: nullableString },
} as const;

/** `data.original`: the provider's fields as parsed. Open by design: providers add fields without notice. */
export const originalFields = {
  type: 'object',
  description: "The provider's original fields as parsed (Octapush: every token). Open: unknown fields are kept.",
} as const;

/** The identity formats of contract §4 (identity.ts). Octapush message keys may hold ':' (escaped parts joined). */
export const KEY_PATTERNS = {
  credasCommunicationId: '^credas:[^:]+:[^:]+:(sms|email)$',
  octapushCommunicationId: '^octapush:(sms|viber):.+$',
  communicationId: '^(credas:[^:]+:[^:]+:(sms|email)|octapush:(sms|viber):.+)$',
  credasProcessKey: '^credas:[^:]+$',
  authviaProcessKey: '^authvia:[^:]+$',
  cellosignProcessKey: '^cellosign:.+$',
  processKey: '^(credas|authvia|cellosign):.+$',
  communicationIdOrProcessKey: '^(credas|authvia|cellosign|octapush):.+$',
} as const;

export function keyPattern(pattern: string, description: string): JsonSchemaObject {
  return { type: 'string', minLength: 1, pattern, description };
}
