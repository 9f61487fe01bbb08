import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { CONTRACT_SCHEMAS, topicContract, type MessageContract } from './topic-contracts';
import { openSchema } from './open-schema';
import type { JsonSchemaObject } from './schema-fragments';

/** One way a record breaks the contract. `path` says where: `key`, `headers/<name>` or `value/<json pointer>`. */
export interface ContractViolation {
  readonly path: string;
  readonly message: string;
}

export interface ContractCheck {
  readonly topic: string;
  /** The message of the topic the value was checked as (null when none fits). */
  readonly message: string | null;
  readonly valid: boolean;
  readonly violations: readonly ContractViolation[];
}

/** A record as consumers see it: key and value bytes (or text), headers as text. */
export interface ContractRecord {
  readonly topic: string;
  readonly key: Buffer | string | null;
  readonly value: Buffer | string | null;
  readonly headers?: Readonly<Record<string, string | undefined>>;
}

/**
 * `closed` (the default: hookbus' own contract test) rejects fields the schema does not declare; `tolerant` (the
 * consumer kit, @hookbus/events/validate) checks against the open schemas (open-schema.ts), so records of a later
 * release that added optional fields still pass (docs/compatibility.md).
 */
export interface ValidationOptions {
  readonly mode?: 'closed' | 'tolerant';
}

type Mode = NonNullable<ValidationOptions['mode']>;

const compiledByMode = new Map<Mode, { ajv: Ajv2020; byId: Map<string, ValidateFunction> }>();

/** Compiled once, on first use: importing the contracts costs nothing to services that never validate. */
function validators(mode: Mode): { ajv: Ajv2020; byId: Map<string, ValidateFunction> } {
  const compiled = compiledByMode.get(mode);
  if (compiled) return compiled;
  // verbose: errors carry the offending data, of which only its JSON type is ever reported (values may be personal).
  // strictRequired off: conditional `then: {required}` naming properties declared beside the `if` is the intended JSON
  // Schema idiom (see the overdue notice in TransitionData), which strictRequired rejects.
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, strictTypes: false, allowUnionTypes: true, verbose: true });
  addFormats(ajv);
  for (const schema of CONTRACT_SCHEMAS) ajv.addSchema((mode === 'tolerant' ? openSchema(schema) : schema) as object);
  const made = { ajv, byId: new Map<string, ValidateFunction>() };
  compiledByMode.set(mode, made);
  return made;
}

function validatorFor(schema: JsonSchemaObject, mode: Mode): ValidateFunction {
  const { ajv, byId } = validators(mode);
  const id = typeof schema.$id === 'string' ? schema.$id : null;
  if (id !== null) {
    const registered = ajv.getSchema(id);
    if (!registered) throw new Error(`contract schema ${id} is not registered`);
    return registered;
  }
  const key = JSON.stringify(schema);
  let validate = byId.get(key);
  if (!validate) byId.set(key, (validate = ajv.compile((mode === 'tolerant' ? openSchema(schema) : schema) as object)));
  return validate;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** An ajv error as a sentence naming the field and the rule; the schema's allowed values are shown, data never. */
function describeError(error: ErrorObject, prefix: string): ContractViolation {
  const path = `${prefix}${error.instancePath}`;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return { path: `${path}/${String(params.additionalProperty)}`, message: 'is not in the contract (misspelt, or add it to the schema)' };
    case 'required':
      return { path: `${path}/${String(params.missingProperty)}`, message: 'is required' };
    case 'enum':
      return { path, message: `must be one of ${JSON.stringify(params.allowedValues)} (got a ${jsonType(error.data)})` };
    case 'const':
      return { path, message: `must be ${JSON.stringify(params.allowedValue)} (got a ${jsonType(error.data)})` };
    case 'type':
      return { path, message: `must be ${String(params.type)} (got ${jsonType(error.data)})` };
    default:
      return { path, message: error.message ?? `fails ${error.keyword}` };
  }
}

/** `if`, `anyOf` and `allOf` wrappers repeat what their inner errors already say. */
const WRAPPER_KEYWORDS = new Set(['if', 'allOf']);

function check(schema: JsonSchemaObject, data: unknown, prefix: string, mode: Mode): ContractViolation[] {
  const validate = validatorFor(schema, mode);
  if (validate(data)) return [];
  return (validate.errors ?? []).filter((e) => !WRAPPER_KEYWORDS.has(e.keyword)).map((e) => describeError(e, prefix));
}

function parseValue(value: unknown): { ok: true; json: unknown } | { ok: false } {
  if (value === null || value === undefined) return { ok: true, json: null };
  if (!Buffer.isBuffer(value) && typeof value !== 'string') return { ok: true, json: value };
  try {
    return { ok: true, json: JSON.parse(value.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

function field(json: unknown, name: string): unknown {
  return typeof json === 'object' && json !== null ? (json as Record<string, unknown>)[name] : undefined;
}

function describeSelector(selector: Readonly<Record<string, string>>): string {
  const parts = Object.entries(selector).map(([k, v]) => `${k}=${v}`);
  return parts.length === 0 ? 'any value' : parts.join(', ');
}

/** The topic's messages whose selector this value meets; a null value selects the messages whose payload is null. */
function candidates(messages: readonly MessageContract[], json: unknown): MessageContract[] {
  const bySelector = messages.filter((m) => Object.entries(m.selector).every(([k, v]) => field(json, k) === v));
  const nullPayload = (m: MessageContract) => m.payload.type === 'null';
  return bySelector.filter((m) => (json === null ? nullPayload(m) : !nullPayload(m)));
}

function result(topic: string, message: MessageContract | null, violations: ContractViolation[]): ContractCheck {
  return { topic, message: message?.name ?? null, valid: violations.length === 0, violations };
}

/**
 * Checks one value published on `topic` (a parsed JSON value, or its bytes/text) against the topic's contract: picks
 * the message by its selector (CloudEvents by type and provider) and validates every field. Raw-body topics carry
 * opaque bytes: any value passes here, their contract is in the headers (see validateRecord).
 */
export function validateEvent(topic: string, value: unknown, options: ValidationOptions = {}): ContractCheck {
  const mode = options.mode ?? 'closed';
  const { messages } = topicContract(topic);
  if (messages.every((m) => m.encoding === 'bytes')) return result(topic, messages[0] ?? null, []);
  const parsed = parseValue(value);
  if (!parsed.ok) return result(topic, null, [{ path: 'value', message: 'is not JSON' }]);
  const json = parsed.json;
  const fitting = candidates(messages, json);
  if (fitting.length === 0) {
    const seen = Object.keys(messages[0]?.selector ?? {}).map((k) => `${k}=${JSON.stringify(field(json, k) ?? null)}`).join(', ');
    const expected = messages.map((m) => `(${describeSelector(m.selector)})`).join(' or ');
    return result(topic, null, [{ path: 'value', message: `no message of ${topic} has ${seen || (json === null ? 'a null value' : 'this shape')}; expected ${expected}` }]);
  }
  let first: { message: MessageContract; violations: ContractViolation[] } | null = null;
  for (const message of fitting) {
    const violations = check(message.payload, json, 'value', mode);
    if (violations.length === 0) return result(topic, message, []);
    first ??= { message, violations };
  }
  return result(topic, first!.message, first!.violations);
}

/**
 * Checks a whole record: the value (validateEvent), the key against the message's key schema, the headers, and for
 * CloudEvents that the key is the event's subject (contract §4: subject is the communicationId or processKey).
 */
export function validateRecord(record: ContractRecord, options: ValidationOptions = {}): ContractCheck {
  const mode = options.mode ?? 'closed';
  const valueCheck = validateEvent(record.topic, record.value, options);
  const { messages } = topicContract(record.topic);
  const message = messages.find((m) => m.name === valueCheck.message) ?? null;
  if (message === null) return valueCheck;
  const key = record.key === null ? null : record.key.toString('utf8');
  const violations = [...valueCheck.violations, ...check(message.key, key, 'key', mode), ...check(message.headers, { ...record.headers }, 'headers', mode)];
  if (message.encoding === 'json' && message.selector.type !== undefined) {
    const parsed = parseValue(record.value);
    const subject = parsed.ok ? field(parsed.json, 'subject') : undefined;
    if (subject !== key) violations.push({ path: 'key', message: 'differs from the event subject' });
  }
  return result(record.topic, message, violations);
}

export function describeViolations(check: ContractCheck): string {
  if (check.valid) return `${check.topic}: valid${check.message ? ` ${check.message}` : ''}`;
  const lines = check.violations.map((v) => `  ${v.path} ${v.message}`);
  return `${check.topic}${check.message ? ` (${check.message})` : ''} breaks the contract:\n${lines.join('\n')}`;
}
