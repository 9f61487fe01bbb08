import { IsIn, IsNotEmpty, IsOptional, IsString, validateSync } from 'class-validator';
import { InvalidRecordError, MAX_IDENTITY_BYTES, identityProblem } from '@hookbus/contracts';
import { toDtoInstance } from '../support/dto-instance';
import { fastValidator, isNonEmptyText, isText, optionalField, requiredField } from '../support/fast-payload';

/**
 * The message key becomes the communicationId `octapush:{channel}:{messageKey}`, an identity (MAX_IDENTITY_BYTES in
 * UTF-8): the key may use what the longest prefix leaves. Bytes, not UTF-16 units: 1,024 CJK characters are 3,072
 * bytes, which Postgres refused as an index row.
 */
export const MAX_MESSAGE_KEY_BYTES = MAX_IDENTITY_BYTES - 'octapush:viber:'.length;

/** Why a message key cannot be one (too long in bytes, control characters, lone surrogates), or null. */
export function messageKeyProblem(messageKey: string): string | null {
  if (Buffer.byteLength(messageKey, 'utf8') > MAX_MESSAGE_KEY_BYTES) return `messageKey (longer than ${MAX_MESSAGE_KEY_BYTES} bytes in UTF-8)`;
  const problem = identityProblem(messageKey);
  return problem ? `messageKey ${problem}` : null;
}

/**
 * What one Octapush callback says once its user-defined tokens are read (the token names are configuration, so the
 * body itself has no fixed shape to declare: see octapush-tokens.ts).
 */
export class OctapushCallbackDto {
  @IsString()
  @IsNotEmpty()
  status!: string;

  @IsIn(['path', 'token'])
  statusSource!: 'path' | 'token';

  /** Its length in bytes and characters are checked by messageKeyProblem (class-validator counts UTF-16 units). */
  @IsString()
  @IsNotEmpty()
  messageKey!: string;

  @IsOptional()
  @IsString()
  phone!: string | null;
}

/** The DTO's fast validator (support/fast-payload.ts): its decorators again, one rule per field. */
const fastOctapushCallbackShape = fastValidator(OctapushCallbackDto, {
  status: requiredField(isNonEmptyText),
  statusSource: requiredField((value) => value === 'path' || value === 'token'),
  messageKey: requiredField(isNonEmptyText),
  phone: optionalField(isText),
});

/** The callback when it is certainly valid, message key included; null leaves the verdict to validateOctapushCallback. */
export function fastOctapushCallback(plain: unknown): OctapushCallbackDto | null {
  const dto = fastOctapushCallbackShape(plain);
  return dto && messageKeyProblem(dto.messageKey) === null ? dto : null;
}

/** The callback's parts as the DTO: the fast validator's answer when it is certain, class-validator's otherwise. */
export function validateOctapushCallback(plain: Record<string, unknown>): OctapushCallbackDto {
  return fastOctapushCallback(plain) ?? validateOctapushCallbackWithClassValidator(plain);
}

/** The DTO's own verdict, and the wording of every refusal. */
export function validateOctapushCallbackWithClassValidator(plain: Record<string, unknown>): OctapushCallbackDto {
  const dto = toDtoInstance(OctapushCallbackDto, plain, 'octapush.invalid_callback', 'invalid Octapush callback');
  const errors = validateSync(dto, { forbidUnknownValues: true });
  const keyProblem = typeof dto.messageKey === 'string' ? messageKeyProblem(dto.messageKey) : null;
  if (keyProblem) throw new InvalidRecordError('octapush.invalid_message_key', `invalid Octapush callback: ${keyProblem}`);
  if (errors.length === 0) return dto;
  // Name the properties and the rules they broke, never the values (they may be phone numbers).
  const broken = errors.map((e) => `${e.property} (${Object.keys(e.constraints ?? {}).join(', ')})`).join('; ');
  const code = errors.some((e) => e.property === 'messageKey') ? 'octapush.invalid_message_key' : 'octapush.invalid_callback';
  throw new InvalidRecordError(code, `invalid Octapush callback: ${broken}`);
}
