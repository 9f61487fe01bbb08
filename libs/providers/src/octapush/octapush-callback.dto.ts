import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength, validateSync } from 'class-validator';
import { plainToInstance } from 'class-transformer';
import { InvalidRecordError } from '@hookbus/contracts';

/** Kafka keys and subjects stay short; a message key longer than this is not an identifier. */
export const MAX_MESSAGE_KEY_LENGTH = 1024;

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

  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_MESSAGE_KEY_LENGTH)
  messageKey!: string;

  @IsOptional()
  @IsString()
  phone!: string | null;
}

export function validateOctapushCallback(plain: Record<string, unknown>): OctapushCallbackDto {
  const dto = plainToInstance(OctapushCallbackDto, plain);
  const errors = validateSync(dto, { forbidUnknownValues: true });
  if (errors.length === 0) return dto;
  // Name the properties and the rules they broke, never the values (they may be phone numbers).
  const broken = errors.map((e) => `${e.property} (${Object.keys(e.constraints ?? {}).join(', ')})`).join('; ');
  const code = errors.some((e) => e.property === 'messageKey') ? 'octapush_invalid_message_key' : 'octapush_invalid_callback';
  throw new InvalidRecordError(code, `invalid Octapush callback: ${broken}`);
}
