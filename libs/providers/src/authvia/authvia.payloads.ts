import { IsArray, IsDefined, IsOptional, IsString, ValidateBy } from 'class-validator';
import { DateTime } from 'luxon';
import { fastValidator, isArray, isText, matching, optionalField, requiredField } from '../support/fast-payload';
import { coerceIdText, coerceNumber, IDENTIFIER_PATTERN, IsIdentifier, ToIdText, ToNumber, type FieldAliases } from '../support/payload-support';

/*
 * The Authvia webhook bodies as validated shapes. Only `statusReason` is a certain key spelling
 * (docs/providers/authvia.md#business-process-updated): each attribute is looked up under every plausible
 * camelCase/snake_case name (matching ignores case, `_` and `-`), first alias first. Unnamed fields stay in `original`.
 */

/** An ISO 8601 date-time (Authvia documents `expiration` as one); luxon must read it. */
export function isIsoDateTimeText(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 64 && DateTime.fromISO(value.trim()).isValid;
}

export function IsIsoDateTime(): PropertyDecorator {
  return ValidateBy({
    name: 'isIsoDateTime',
    validator: {
      validate: isIsoDateTimeText,
      defaultMessage: (args) => `${args?.property ?? 'value'} must be an ISO 8601 date-time`,
    },
  });
}

/**
 * The highest `version` accepted: the largest integer a JSON number holds exactly, which also fits the read model's
 * bigint column. A counter and an epoch-millisecond or -microsecond timestamp (Authvia does not say which `version`
 * is) both fit; 1e308, fractions and negatives do not, so one request cannot place a process at a version no real
 * update will ever exceed (with a replayed signature it would otherwise pin the process's state for good).
 */
export const MAX_AUTHVIA_VERSION = Number.MAX_SAFE_INTEGER;

/** A non-negative integer no greater than MAX_AUTHVIA_VERSION. */
export function isAuthviaVersion(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

export function IsAuthviaVersion(): PropertyDecorator {
  return ValidateBy({
    name: 'isAuthviaVersion',
    validator: {
      validate: isAuthviaVersion,
      defaultMessage: (args) => `${args?.property ?? 'value'} must be an integer from 0 to ${MAX_AUTHVIA_VERSION}`,
    },
  });
}

/** The version alone: checked by the gateway's routing key, so a bad one is refused 400 and quarantined. */
export class AuthviaVersionPayload {
  @IsOptional() @ToNumber() @IsAuthviaVersion() version?: number | null;
}

/* Each DTO's fast validator (support/fast-payload.ts) follows it: its decorators again, one rule per field. */
const isIdentifier = matching(IDENTIFIER_PATTERN);
const versionRule = optionalField(isAuthviaVersion, coerceNumber);

export const fastAuthviaVersionPayload = fastValidator(AuthviaVersionPayload, { version: versionRule });

const BUSINESS_PROCESS_ID = ['businessProcessId', 'businessProcessV4Id', 'v4Id'];
// Bare nouns (`customer`, `partner`, `agent`, `closed`) are not aliases: they may as well hold objects or flags.
const SHARED_ALIASES = {
  partnerId: ['partnerId', 'partnerAccountId'],
  avid: ['avid', 'merchantAvid', 'merchantId', 'merchantAccountId'],
  customerId: ['customerId'],
  updatedAt: ['updatedAt', 'updatedDate', 'lastUpdatedAt', 'modifiedAt'],
} as const;

/** Business Process Updated (`business_processes.update`, docs/providers/authvia.md#business-process-updated). */
export class AuthviaBusinessProcessPayload {
  @IsDefined() @IsIdentifier() businessProcessId!: string;
  @IsOptional() @IsString() blueprint?: string | null;
  @IsOptional() @ToIdText() @IsString() partnerId?: string | null;
  @IsOptional() @ToIdText() @IsString() avid?: string | null;
  @IsOptional() @ToIdText() @IsString() customerId?: string | null;
  @IsOptional() @IsString() status?: string | null;
  @IsOptional() @IsString() statusReason?: string | null;
  @IsOptional() @IsIsoDateTime() expiration?: string | null;
  @IsOptional() @ToNumber() @IsAuthviaVersion() version?: number | null;
  @IsOptional() @IsString() agentAddress?: string | null;
  @IsOptional() @IsIsoDateTime() closedDate?: string | null;
  @IsOptional() @IsIsoDateTime() updatedAt?: string | null;
  @IsOptional() @IsArray() actions?: unknown[] | null;
  @IsOptional() @IsArray() addresses?: unknown[] | null;
}

export const fastAuthviaBusinessProcessPayload = fastValidator(AuthviaBusinessProcessPayload, {
  businessProcessId: requiredField(isIdentifier),
  blueprint: optionalField(isText),
  partnerId: optionalField(isText, coerceIdText),
  avid: optionalField(isText, coerceIdText),
  customerId: optionalField(isText, coerceIdText),
  status: optionalField(isText),
  statusReason: optionalField(isText),
  expiration: optionalField(isIsoDateTimeText),
  version: versionRule,
  agentAddress: optionalField(isText),
  closedDate: optionalField(isIsoDateTimeText),
  updatedAt: optionalField(isIsoDateTimeText),
  actions: optionalField(isArray),
  addresses: optionalField(isArray),
});

export const AUTHVIA_BUSINESS_PROCESS_FIELDS: FieldAliases = {
  // In a business process body a bare `id` is the process's own ("the unique identifier v4 id",
  // docs/providers/authvia.md#business-process-updated).
  businessProcessId: [...BUSINESS_PROCESS_ID, 'id'],
  blueprint: ['blueprintSlug', 'slug', 'blueprintName'],
  ...SHARED_ALIASES,
  status: ['status'],
  statusReason: ['statusReason'],
  expiration: ['expiration', 'expiresAt', 'expirationDate', 'expiry', 'expireAt'],
  version: ['version'],
  agentAddress: ['agentAddress'],
  closedDate: ['closedDate', 'closedAt', 'dateClosed', 'closedOn'],
  actions: ['actions'],
  addresses: ['addresses'],
};

/** Business Process Action Updated (`business_processes_actions.update`). */
export class AuthviaBusinessProcessActionPayload {
  @IsDefined() @IsIdentifier() actionId!: string;
  @IsDefined() @IsIdentifier() businessProcessId!: string;
  @IsOptional() @ToIdText() @IsString() partnerId?: string | null;
  @IsOptional() @ToIdText() @IsString() avid?: string | null;
  @IsOptional() @ToIdText() @IsString() customerId?: string | null;
  @IsOptional() @IsString() type?: string | null;
  @IsOptional() @IsString() status?: string | null;
  @IsOptional() @IsIsoDateTime() updatedAt?: string | null;
}

/** `context` and `features` are picked too (AUTHVIA_ACTION_FIELDS) and copied onto the instance unchecked. */
export const fastAuthviaBusinessProcessActionPayload = fastValidator(
  AuthviaBusinessProcessActionPayload,
  {
    actionId: requiredField(isIdentifier),
    businessProcessId: requiredField(isIdentifier),
    partnerId: optionalField(isText, coerceIdText),
    avid: optionalField(isText, coerceIdText),
    customerId: optionalField(isText, coerceIdText),
    type: optionalField(isText),
    status: optionalField(isText),
    updatedAt: optionalField(isIsoDateTimeText),
  },
  ['context', 'features'],
);

export const AUTHVIA_ACTION_FIELDS: FieldAliases = {
  // In an action body a bare `id` is the action's; its process is named explicitly.
  actionId: ['actionId', 'businessProcessActionId', 'id'],
  businessProcessId: BUSINESS_PROCESS_ID,
  ...SHARED_ALIASES,
  type: ['type', 'actionType'],
  status: ['status'],
  context: ['context'],
  features: ['features'],
};

/** Wrappers a delivery might put around the entity (undocumented: accepted only when the top level has no id). */
export const AUTHVIA_ENVELOPE_KEYS = {
  'business-process': ['data', 'businessProcess'],
  'business-process-action': ['data', 'action', 'businessProcessAction'],
} as const;
