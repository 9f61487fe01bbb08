import { plainToInstance } from 'class-transformer';
import { InvalidRecordError, type ErrorCode } from '@hookbus/contracts';

/**
 * plainToInstance, refusing what class-transformer cannot read. It takes a nested object's own key named like a
 * property of every object (`constructor`: `{"actions":[{"constructor":1}]}`) for that object's class and throws a
 * TypeError; without this the normalizer dead-lettered such a webhook as an internal fault (an ERROR someone must
 * act on) when it is the sender's odd body. `code` is the provider's invalid-body code; the message names no value.
 */
export function toDtoInstance<T extends object>(dto: new () => T, plain: unknown, code: ErrorCode, what: string): T {
  try {
    return plainToInstance(dto, plain);
  } catch (error) {
    throw new InvalidRecordError(code, `${what}: a nested object could not be read (it has a key such as "constructor" that names a property of every object)`, { cause: error });
  }
}
