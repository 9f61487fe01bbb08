import 'reflect-metadata';
import { Transform, Type } from 'class-transformer';
import {
  IsDefined,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateBy,
  ValidateNested,
  validateSync,
  type ValidationError,
} from 'class-validator';
import { InvalidRecordError, type ErrorCode } from '@hookbus/contracts';
import { toDtoInstance } from '../support/dto-instance';
import { fastValidator, isNonEmptyText, isObjectValue, isTextWithin, matching, optionalField, requiredField } from '../support/fast-payload';

/**
 * session.id becomes the processKey `cellosign:{id}` and the Kafka key: no ':' or '/', short. The ids in Cellosign's
 * example are 10-character tokens (`5Wkt78ciJc`, docs/providers/cellosign.md#body).
 */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9._~-]{1,128}$/;
/** Summary strings copied into the event (references, names); anything longer stays only in `original`. */
const MAX_TEXT = 1000;

/** Numbers and ids arrive as numbers in Cellosign's example (`process_number: 51`) but may come as text: accept both. */
function isTextOrNumber(value: unknown): value is string | number {
  return (typeof value === 'string' && value.length <= MAX_TEXT) || (typeof value === 'number' && Number.isFinite(value));
}

function IsTextOrNumber(): PropertyDecorator {
  return ValidateBy({
    name: 'isTextOrNumber',
    validator: {
      validate: isTextOrNumber,
      defaultMessage: () => 'must be a string or a number',
    },
  });
}

/** A numeric session id is read as its text. */
function sessionIdText(value: unknown): unknown {
  return typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
}

export class CellosignEventDto {
  @IsString() @IsNotEmpty() @MaxLength(200) type!: string;
  @IsOptional() @IsString() @MaxLength(64) timestamp?: string | null;
}

export class CellosignRecipientDto {
  @IsOptional() @IsTextOrNumber() id?: string | number | null;
  @IsOptional() @IsString() @MaxLength(MAX_TEXT) name?: string | null;
}

export class CellosignSessionDto {
  @IsDefined()
  @Transform(({ value }) => sessionIdText(value))
  @IsString()
  @Matches(SESSION_ID_PATTERN)
  id!: string;

  @IsOptional() @IsString() @MaxLength(MAX_TEXT) reference?: string | null;
  @IsOptional() @IsTextOrNumber() process_id?: string | number | null;
  @IsOptional() @IsTextOrNumber() process_number?: string | number | null;
  @IsOptional() @IsTextOrNumber() transaction_number?: string | number | null;

  @IsOptional() @IsObject() @ValidateNested() @Type(() => CellosignRecipientDto) recipient?: CellosignRecipientDto | null;

  @IsOptional() @IsObject() labels?: Record<string, unknown> | null;
}

export class CellosignClientDto {
  @IsOptional() @IsString() @MaxLength(MAX_TEXT) ip?: string | null;
  @IsOptional() @IsString() @MaxLength(MAX_TEXT) user_agent?: string | null;
}

/**
 * The webhook body (docs/providers/cellosign.md#body); archive contents are undocumented and only kept, not checked
 * (docs/providers/cellosign.md#archive).
 */
export class CellosignWebhookDto {
  @IsDefined() @IsObject() @ValidateNested() @Type(() => CellosignEventDto) event!: CellosignEventDto;
  @IsDefined() @IsObject() @ValidateNested() @Type(() => CellosignSessionDto) session!: CellosignSessionDto;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => CellosignClientDto) client?: CellosignClientDto | null;
}

/*
 * The fast validators of the DTOs above (support/fast-payload.ts): their decorators again, one rule per field. They
 * read the validation view (only declared fields, free-form objects emptied), as class-transformer does.
 */
const isText = isTextWithin(MAX_TEXT);
const fastCellosignEvent = fastValidator(CellosignEventDto, {
  type: requiredField((value) => isNonEmptyText(value) && isTextWithin(200)(value)),
  timestamp: optionalField(isTextWithin(64)),
});
const fastCellosignRecipient = fastValidator(CellosignRecipientDto, {
  id: optionalField(isTextOrNumber),
  name: optionalField(isText),
});
const fastCellosignSession = fastValidator(CellosignSessionDto, {
  id: requiredField(matching(SESSION_ID_PATTERN), sessionIdText),
  reference: optionalField(isText),
  process_id: optionalField(isTextOrNumber),
  process_number: optionalField(isTextOrNumber),
  transaction_number: optionalField(isTextOrNumber),
  recipient: { required: false, nested: fastCellosignRecipient },
  labels: optionalField(isObjectValue),
});
const fastCellosignClient = fastValidator(CellosignClientDto, {
  ip: optionalField(isText),
  user_agent: optionalField(isText),
});
const fastCellosignWebhookView = fastValidator(CellosignWebhookDto, {
  event: { required: true, nested: fastCellosignEvent },
  session: { required: true, nested: fastCellosignSession },
  client: { required: false, nested: fastCellosignClient },
});

type JsonObject = Record<string, unknown>;

function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Only the declared fields reach class-transformer, and free-form objects (labels) only as an empty stand-in: it
 * would otherwise walk undocumented archive contents, and a nested `constructor` key makes it call `new` on a
 * string. Unknown fields are not lost: the event's `original` is built from the payload itself.
 */
function pick(value: unknown, keys: readonly string[], nested: Readonly<Record<string, (v: unknown) => unknown>> = {}): unknown {
  if (Array.isArray(value)) return [];
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    keys.filter((k) => Object.hasOwn(value, k)).map((k) => [k, nested[k] ? nested[k]!(value[k]) : value[k]]),
  );
}

const freeForm = (value: unknown): unknown => (isRecord(value) ? {} : Array.isArray(value) ? [] : value);
const scalarsOnly = (value: unknown): unknown => (isRecord(value) || Array.isArray(value) ? {} : value);

function validationView(payload: JsonObject): unknown {
  return {
    event: pick(payload.event, ['type', 'timestamp'], { type: scalarsOnly, timestamp: scalarsOnly }),
    session: pick(payload.session, ['id', 'reference', 'process_id', 'process_number', 'transaction_number', 'recipient', 'labels'], {
      id: scalarsOnly,
      reference: scalarsOnly,
      process_id: scalarsOnly,
      process_number: scalarsOnly,
      transaction_number: scalarsOnly,
      recipient: (v) => pick(v, ['id', 'name'], { id: scalarsOnly, name: scalarsOnly }),
      labels: freeForm,
    }),
    ...(Object.hasOwn(payload, 'client') ? { client: pick(payload.client, ['ip', 'user_agent'], { ip: scalarsOnly, user_agent: scalarsOnly }) } : {}),
  };
}

interface BrokenRule {
  readonly path: string;
  readonly rules: readonly string[];
  readonly missing: boolean;
}

function flatten(errors: readonly ValidationError[], prefix = ''): BrokenRule[] {
  return errors.flatMap((e) => {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    const own = e.constraints ? [{ path, rules: Object.keys(e.constraints), missing: e.value === undefined || e.value === null }] : [];
    return [...own, ...flatten(e.children ?? [], path)];
  });
}

function errorCode(broken: readonly BrokenRule[]): ErrorCode {
  const session = broken.find((b) => b.path === 'session' || b.path === 'session.id');
  if (session) return session.missing ? 'cellosign.missing_session_id' : 'cellosign.invalid_session_id';
  return 'cellosign.invalid_body';
}

/**
 * Validates a Cellosign body. Errors name the fields and the rules they broke, never the values (recipient
 * names, client addresses). Throws InvalidRecordError.
 */
export function parseCellosignWebhook(payload: unknown): CellosignWebhookDto {
  return fastCellosignWebhook(payload) ?? parseCellosignWebhookWithClassValidator(payload);
}

/** The body as the DTO when the fast validators are certain it is valid; null leaves the verdict to class-validator. */
export function fastCellosignWebhook(payload: unknown): CellosignWebhookDto | null {
  return isRecord(payload) ? fastCellosignWebhookView(validationView(payload)) : null;
}

/** The DTO's own verdict, and the wording of every refusal. */
export function parseCellosignWebhookWithClassValidator(payload: unknown): CellosignWebhookDto {
  if (!isRecord(payload)) {
    throw new InvalidRecordError('cellosign.invalid_body', 'a Cellosign webhook body must be a JSON object');
  }
  const dto = toDtoInstance(CellosignWebhookDto, validationView(payload), 'cellosign.invalid_body', 'invalid Cellosign webhook');
  const broken = flatten(validateSync(dto, { forbidUnknownValues: false }));
  if (broken.length === 0) return dto;
  const detail = broken
    .slice(0, 5)
    .map((b) => `${b.path} (${b.missing ? 'missing' : b.rules.join(', ')})`)
    .join('; ');
  throw new InvalidRecordError(errorCode(broken), `invalid Cellosign webhook: ${detail}`);
}
