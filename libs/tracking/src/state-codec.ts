import Ajv, { type ValidateFunction } from 'ajv';
import { COMMUNICATION_STATUSES, InvalidRecordError, PROCESS_STATUSES, PROVIDERS } from '@hookbus/contracts';
import type { CommunicationState } from './communication-state';
import type { ProcessState } from './process-state';

const nullableString = { type: ['string', 'null'] } as const;
const providerStatus = {
  type: 'object',
  required: ['code', 'text'],
  additionalProperties: false,
  properties: { code: { type: ['string', 'number', 'null'] }, text: nullableString },
} as const;
const eventTime = { type: 'string', minLength: 1 } as const;
const seq = { type: 'integer', minimum: 0 } as const;

/**
 * JSON Schemas of the values on state.communications.v1 and state.processes.v1, for the readers here and for the
 * AsyncAPI document. The field order here is the order written, so equal states serialize to equal bytes.
 */
export const COMMUNICATION_STATE_SCHEMA = {
  $id: 'https://hookbus.dev/schemas/communication-state.v1.json',
  title: 'CommunicationState',
  type: 'object',
  additionalProperties: false,
  required: [
    'kind', 'key', 'provider', 'channel', 'status', 'final', 'providerStatus', 'processKey', 'processId', 'entityId',
    'continuedAs', 'statusEventId', 'statusEventTime', 'seq', 'updatedAt',
  ],
  properties: {
    kind: { const: 'communication' },
    key: { type: 'string', minLength: 1 },
    provider: { enum: [...PROVIDERS] },
    channel: { enum: ['sms', 'email', 'viber'] },
    status: { enum: [...COMMUNICATION_STATUSES] },
    final: { type: 'boolean' },
    providerStatus,
    processKey: nullableString,
    processId: nullableString,
    entityId: nullableString,
    continuedAs: nullableString,
    statusEventId: { type: 'string', minLength: 1 },
    statusEventTime: eventTime,
    seq,
    updatedAt: eventTime,
  },
} as const;

export const PROCESS_STATE_SCHEMA = {
  $id: 'https://hookbus.dev/schemas/process-state.v1.json',
  title: 'ProcessState',
  type: 'object',
  additionalProperties: false,
  required: [
    'kind', 'key', 'provider', 'processId', 'status', 'final', 'providerStatus', 'version', 'statusReason', 'closedAt',
    'expiresAt', 'expiresAtVersion', 'entityIds', 'entityId', 'statusEventId', 'statusEventTime', 'seq', 'updatedAt',
  ],
  properties: {
    kind: { const: 'process' },
    key: { type: 'string', minLength: 1 },
    provider: { enum: [...PROVIDERS] },
    processId: { type: 'string', minLength: 1 },
    status: { enum: [...PROCESS_STATUSES] },
    final: { type: 'boolean' },
    providerStatus,
    version: { type: ['number', 'null'] },
    statusReason: nullableString,
    closedAt: nullableString,
    expiresAt: nullableString,
    expiresAtVersion: { type: ['number', 'null'] },
    entityIds: { type: 'array', items: { type: 'string' }, uniqueItems: true },
    entityId: nullableString,
    statusEventId: { type: 'string', minLength: 1 },
    statusEventTime: eventTime,
    seq,
    updatedAt: eventTime,
  },
} as const;

const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });
const validateCommunication = ajv.compile<CommunicationState>(COMMUNICATION_STATE_SCHEMA);
const validateProcess = ajv.compile<ProcessState>(PROCESS_STATE_SCHEMA);

export function serializeCommunicationState(state: CommunicationState): string {
  return JSON.stringify(pick(state, COMMUNICATION_STATE_SCHEMA.required));
}

export function serializeProcessState(state: ProcessState): string {
  return JSON.stringify(pick(state, PROCESS_STATE_SCHEMA.required));
}

/** Reads a value of state.communications.v1; throws InvalidRecordError (naming the field, not its value) if invalid. */
export function parseCommunicationState(value: string | Buffer): CommunicationState {
  return parse(value, validateCommunication, 'communication');
}

/** Reads a value of state.processes.v1; throws InvalidRecordError (naming the field, not its value) if invalid. */
export function parseProcessState(value: string | Buffer): ProcessState {
  return parse(value, validateProcess, 'process');
}

function parse<T>(value: string | Buffer, validate: ValidateFunction<T>, kind: string): T {
  let json: unknown;
  try {
    json = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch (cause) {
    throw new InvalidRecordError('tracking.invalid_state', `${kind} state is not JSON`, { cause });
  }
  if (!validate(json)) {
    const error = validate.errors?.[0];
    const where = error ? `${error.instancePath || '/'} ${error.message ?? 'is invalid'}` : 'is invalid';
    throw new InvalidRecordError('tracking.invalid_state', `${kind} state ${where}`);
  }
  return json;
}

function pick<T extends object>(state: T, keys: readonly string[]): Record<string, unknown> {
  const source = state as Record<string, unknown>;
  return Object.fromEntries(keys.map((key) => [key, source[key]]));
}
