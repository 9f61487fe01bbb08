import { IsDefined, IsInt, IsOptional, IsString, Min } from 'class-validator';
import { fastValidator, isInteger, isNonNegativeInteger, isText, matching, optionalField, requiredField } from '../support/fast-payload';
import { coerceIdText, coerceInteger, IDENTIFIER_PATTERN, IsIdentifier, ToIdText, ToInteger, type FieldAliases } from '../support/payload-support';

/*
 * The Credas webhook bodies as validated shapes. Field lookup ignores casing (process bodies are PascalCase,
 * actor bodies camelCase — docs/providers/credas.md#webhook-kinds), so each class names its fields once in camelCase
 * and the aliases list what else is accepted. Fields not named here stay in `original` untouched.
 */

/** What identifies a process actor webhook's messages: checked by the gateway before it stores the request. */
export class CredasActorIdentity {
  @IsDefined() @IsIdentifier() processId!: string;
  @IsDefined() @ToInteger() @IsInt() @Min(0) processActorId!: number;
}

/* Each DTO's fast validator (support/fast-payload.ts) follows it: its decorators again, one rule per field. */
const isIdentifier = matching(IDENTIFIER_PATTERN);
const CREDAS_ACTOR_IDENTITY_RULES = {
  processId: requiredField(isIdentifier),
  processActorId: requiredField(isNonNegativeInteger, coerceInteger),
};

export const fastCredasActorIdentity = fastValidator(CredasActorIdentity, CREDAS_ACTOR_IDENTITY_RULES);

/** Process actor webhook (docs/providers/credas.md#process-actor-webhook). */
export class CredasProcessActorPayload extends CredasActorIdentity {
  @IsOptional() @IsIdentifier() entityId?: string | null;
  @IsOptional() @ToIdText() @IsString() clientId?: string | null;
  @IsOptional() @ToInteger() @IsInt() smsStatus?: number | null;
  @IsOptional() @IsString() smsStatusDescription?: string | null;
  @IsOptional() @ToInteger() @IsInt() emailStatus?: number | null;
  @IsOptional() @IsString() emailStatusDescription?: string | null;
}

export const fastCredasProcessActorPayload = fastValidator(CredasProcessActorPayload, {
  ...CREDAS_ACTOR_IDENTITY_RULES,
  entityId: optionalField(isIdentifier),
  clientId: optionalField(isText, coerceIdText),
  smsStatus: optionalField(isInteger, coerceInteger),
  smsStatusDescription: optionalField(isText),
  emailStatus: optionalField(isInteger, coerceInteger),
  emailStatusDescription: optionalField(isText),
});

export const CREDAS_ACTOR_IDENTITY_FIELDS: FieldAliases = {
  processId: ['processId'],
  processActorId: ['processActorId'],
};

export const CREDAS_ACTOR_FIELDS: FieldAliases = {
  ...CREDAS_ACTOR_IDENTITY_FIELDS,
  entityId: ['entityId'],
  clientId: ['clientId'],
  smsStatus: ['smsStatus'],
  smsStatusDescription: ['smsStatusDescription'],
  emailStatus: ['emailStatus'],
  emailStatusDescription: ['emailStatusDescription'],
};

/** Process webhook (docs/providers/credas.md#process-webhook): PascalCase, no entity id. */
export class CredasProcessPayload {
  @IsDefined() @IsIdentifier() processId!: string;
  @IsOptional() @ToIdText() @IsString() clientId?: string | null;
  @IsOptional() @ToInteger() @IsInt() status?: number | null;
  @IsOptional() @IsString() statusDescription?: string | null;
}

export const fastCredasProcessPayload = fastValidator(CredasProcessPayload, {
  processId: requiredField(isIdentifier),
  clientId: optionalField(isText, coerceIdText),
  status: optionalField(isInteger, coerceInteger),
  statusDescription: optionalField(isText),
});

export const CREDAS_PROCESS_FIELDS: FieldAliases = {
  processId: ['ProcessId'],
  clientId: ['ClientId'],
  status: ['Status'],
  statusDescription: ['StatusDescription'],
};

/**
 * Status update (result) webhook: the outer body; `Payload` is JSON encoded in a string
 * (docs/providers/credas.md#status-update-webhook).
 */
export class CredasStatusUpdatePayload {
  @IsOptional() @ToInteger() @IsInt() updateType?: number | null;
}

export const fastCredasStatusUpdatePayload = fastValidator(CredasStatusUpdatePayload, {
  updateType: optionalField(isInteger, coerceInteger),
});

export const CREDAS_STATUS_UPDATE_FIELDS: FieldAliases = {
  updateType: ['UpdateType'],
  payload: ['Payload'],
};

/** The parsed `Payload` of a status update, and the monitoring webhook body (`{EntityId, ClientId}`). */
export class CredasEntityPayload {
  @IsDefined() @IsIdentifier() entityId!: string;
  @IsOptional() @ToIdText() @IsString() clientId?: string | null;
}

export const fastCredasEntityPayload = fastValidator(CredasEntityPayload, {
  entityId: requiredField(isIdentifier),
  clientId: optionalField(isText, coerceIdText),
});

export const CREDAS_ENTITY_FIELDS: FieldAliases = {
  entityId: ['EntityId'],
  clientId: ['ClientId'],
};
