import { Transform } from 'class-transformer';
import { Matches, validateSync, type ValidationError } from 'class-validator';
import { cloudEventEnvelope, InvalidRecordError, sourceUri, type CloudEvent, type ProviderName } from '@hookbus/contracts';
import { deliveryEventId } from '../provider-adapter';
import { toDtoInstance } from './dto-instance';
import { isoToUtc } from './iso-time';
import type { ReceivedWebhook } from '../webhook';

/**
 * Helpers the Credas and Authvia adapters share: tolerant field lookup, DTO validation that never echoes a value,
 * time conversion and the CloudEvent envelope. Nothing here copies an untrusted object with Object.assign or
 * writes an untrusted key, so a `__proto__` key in a body stays an inert own property.
 */
export type JsonObject = Record<string, unknown>;

/**
 * Ids that become Kafka keys and parts of communicationId/processKey: no `:` (the key separator), no `/` or whitespace,
 * and short enough for a key. Credas ids are GUIDs (its examples, docs/providers/credas.md#webhook-kinds); Authvia's
 * are "v4 ids" (docs/providers/authvia.md#business-process-updated).
 */
export const IDENTIFIER_PATTERN = /^[A-Za-z0-9._~-]{1,128}$/;
export const IDENTIFIER_RULE = '1-128 characters of A-Z a-z 0-9 . _ ~ -';
/** Provider status texts are copied into providerStatus; the full value stays in `original`. */
export const MAX_STATUS_TEXT = 500;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

export function requireObject(value: unknown, what: string): JsonObject {
  if (isJsonObject(value)) return value;
  throw new InvalidRecordError('providers.payload_not_object', `${what}: expected a JSON object, got ${describeType(value)}`);
}

/** A plain copy of an untrusted object (spread defines own properties; it never runs the `__proto__` setter). */
export function copyOriginal(value: JsonObject): JsonObject {
  return { ...value };
}

/** `ProcessId`, `processId`, `process_id` and `process-id` all read as `processid`. */
export function foldKey(key: string): string {
  return key.toLowerCase().replace(/[_\-\s]/g, '');
}

/** Canonical field name → accepted spellings, in priority order (each folded with foldKey before matching). */
export type FieldAliases = Readonly<Record<string, readonly string[]>>;

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  return typeof a === 'object' && typeof b === 'object' && JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Reads the known fields of a provider body whatever their casing, into a fresh object keyed by canonical names.
 * The first alias present wins; two spellings of the same alias with different values (`ProcessId` and
 * `processId`) are refused rather than guessed between.
 */
export function pickFields(source: JsonObject, aliases: FieldAliases, what: string): JsonObject {
  const byFolded = new Map<string, string[]>();
  for (const key of Object.keys(source)) {
    const folded = foldKey(key);
    const keys = byFolded.get(folded);
    if (keys) keys.push(key);
    else byFolded.set(folded, [key]);
  }
  const picked: JsonObject = {};
  for (const [canonical, spellings] of Object.entries(aliases)) {
    for (const spelling of spellings) {
      const keys = byFolded.get(foldKey(spelling));
      if (!keys) continue;
      const values = keys.map((k) => source[k]).filter((v) => v !== undefined && v !== null);
      if (values.some((v) => !sameValue(v, values[0]))) {
        throw new InvalidRecordError('providers.ambiguous_field', `${what}: ${keys.length} spellings of ${canonical} carry different values`);
      }
      if (values.length === 0) continue;
      picked[canonical] = values[0];
      break;
    }
  }
  return picked;
}

/** Integers may arrive as numeric strings (form bodies, loosely typed senders); anything else is left to fail. */
export function coerceInteger(value: unknown): unknown {
  if (typeof value === 'string' && /^\s*-?\d{1,15}\s*$/.test(value)) return Number(value);
  return value;
}

export function coerceNumber(value: unknown): unknown {
  if (typeof value === 'string' && value.trim() !== '' && value.length <= 40) {
    const n = Number(value);
    if (Number.isFinite(n)) return n;
  }
  return value;
}

/** Secondary ids (client, customer, partner) are kept as text whether sent as a string or a number. */
export function coerceIdText(value: unknown): unknown {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return value;
}

export const ToInteger = () => Transform(({ value }) => coerceInteger(value));
export const ToNumber = () => Transform(({ value }) => coerceNumber(value));
export const ToIdText = () => Transform(({ value }) => coerceIdText(value));

function flatten(errors: readonly ValidationError[], prefix = ''): Array<{ path: string; value: unknown; rules: string[] }> {
  return errors.flatMap((e) => {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    const own = e.constraints ? [{ path, value: e.value, rules: Object.values(e.constraints) }] : [];
    return [...own, ...flatten(e.children ?? [], path)];
  });
}

/**
 * Validates picked fields against a DTO class. Unknown fields were never picked, so nothing is whitelisted away
 * from `original`. Error messages name fields, rules and value types, never values (they may be personal data).
 * `fast` is the DTO's fast validator (fast-payload.ts): when it is certain the fields are valid its instance is the
 * answer; otherwise class-validator decides and words the refusal.
 */
export function validatePayload<T extends object>(dto: new () => T, picked: JsonObject, what: string, fast?: (plain: unknown) => T | null): T {
  const certainlyValid = fast?.(picked);
  if (certainlyValid) return certainlyValid;
  const instance = toDtoInstance(dto, picked, 'providers.invalid_field', what);
  const errors = flatten(validateSync(instance, { forbidUnknownValues: false }));
  if (errors.length === 0) return instance;
  const first = errors[0]!;
  const missing = first.value === undefined || first.value === null;
  const detail = errors
    .slice(0, 5)
    .map((e) => `${e.rules.join('; ')} (got ${describeType(e.value)})`)
    .join(', ');
  throw new InvalidRecordError(missing ? 'providers.missing_field' : 'providers.invalid_field', `${what}: ${detail}`);
}

/**
 * An ISO 8601 time in UTC. Times without an offset are read in `zone` (the source's timezone, contract §4).
 * Returns null for text that is not an ISO date-time.
 */
export function toUtcIso(value: string, zone: string): string | null {
  return isoToUtc(value, zone, false);
}

export function truncateText(value: string | null | undefined, max = MAX_STATUS_TEXT): string | null {
  if (value === null || value === undefined) return null;
  return value.length > max ? value.slice(0, max) : value;
}

export interface EnvelopeInput<T, TType extends string> {
  readonly webhook: ReceivedWebhook;
  readonly provider: ProviderName;
  readonly type: TType;
  readonly subject: string;
  /** The provider's event time in UTC, or null to use the receipt time. */
  readonly time: string | null;
  readonly data: T;
  /** Separates several events made from one delivery (deliveryEventId). */
  readonly discriminator?: readonly string[];
}

/** The CloudEvent envelope of contract §4 around one normalized event. */
export function cloudEvent<T, TType extends string>(input: EnvelopeInput<T, TType>): CloudEvent<T, TType> {
  return cloudEventEnvelope({
    id: deliveryEventId(input.webhook, ...(input.discriminator ?? [])),
    type: input.type,
    source: sourceUri(input.webhook.sourceId),
    subject: input.subject,
    time: input.time ?? input.webhook.receivedAt,
    provider: input.provider,
    receiptid: input.webhook.receiptId,
    data: input.data,
  });
}

/** A required or optional id that will become (part of) a Kafka key. */
export function IsIdentifier(): PropertyDecorator {
  return Matches(IDENTIFIER_PATTERN, { message: ({ property }) => `${property} must be an id of ${IDENTIFIER_RULE}` });
}

/**
 * Reads only the field that identifies the entity, for routingKey: the gateway answers 400 for a body without it
 * (contract §3), while every other field is judged by the normalizer, where a bad value dead-letters the record
 * instead of refusing the delivery (Authvia disables a subscription after 50 failed deliveries).
 */
export function readIdentifier(body: JsonObject, name: string, aliases: readonly string[], what: string): string {
  const value = pickFields(body, { [name]: aliases }, what)[name];
  if (value === undefined) throw new InvalidRecordError('providers.missing_field', `${what}: ${name} is missing`);
  if (typeof value !== 'string' || !IDENTIFIER_PATTERN.test(value)) {
    throw new InvalidRecordError('providers.invalid_field', `${what}: ${name} must be an id of ${IDENTIFIER_RULE} (got ${describeType(value)})`);
  }
  return value;
}
