import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import { CommunicationStateSchema, InvalidRecordError, ProcessStateSchema } from '@hookbus/contracts';
import type { CommunicationState } from './communication-state';
import type { ProcessState } from './process-state';

// The contract's schemas of state.communications.v1 and state.processes.v1 are the codec's: one declaration, read
// here and published in the AsyncAPI document. Their `required` order is the order written, so equal states
// serialize to equal bytes.
const COMMUNICATION_FIELDS = CommunicationStateSchema.required as readonly string[];
const PROCESS_FIELDS = ProcessStateSchema.required as readonly string[];

const ajv = new Ajv2020({ allErrors: false, strict: true, allowUnionTypes: true });
const validateCommunication = ajv.compile<CommunicationState>(CommunicationStateSchema as object);
const validateProcess = ajv.compile<ProcessState>(ProcessStateSchema as object);

export function serializeCommunicationState(state: CommunicationState): string {
  return JSON.stringify(pick(state, COMMUNICATION_FIELDS));
}

export function serializeProcessState(state: ProcessState): string {
  return JSON.stringify(pick(state, PROCESS_FIELDS));
}

/** Reads a value of state.communications.v1; throws InvalidRecordError (naming the field, not its value) if invalid. */
export function parseCommunicationState(value: string | Buffer): CommunicationState {
  return parse(value, validateCommunication, 'communication');
}

/** Reads a value of state.processes.v1; throws InvalidRecordError (naming the field, not its value) if invalid. */
export function parseProcessState(value: string | Buffer): ProcessState {
  return parse(value, validateProcess, 'process');
}

/**
 * One kind of state on its topic: `serialize` gives the canonical bytes written (equal states, equal strings, so a
 * no-op is recognised by comparing them), `parse` validates a record read back.
 */
export interface StateCodec<S> {
  serialize(state: S): string;
  parse(value: string | Buffer): S;
}

export const communicationStateCodec: StateCodec<CommunicationState> = {
  serialize: serializeCommunicationState,
  parse: parseCommunicationState,
};

export const processStateCodec: StateCodec<ProcessState> = {
  serialize: serializeProcessState,
  parse: parseProcessState,
};

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
