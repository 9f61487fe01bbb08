/**
 * Error codes are `<origin>.<what>`, both snake_case: the origin is the stage or library that raises the error, or the
 * provider or dependency it is about (`providers.missing_field`, `octapush.invalid_token`, `projector.row_refused`,
 * `credas.not_found`). The type holds every code to it at compile time.
 */
export const ERROR_CODE_ORIGINS = ['gateway', 'normalizer', 'tracker', 'projector', 'orchestrator', 'monitor', 'kafka', 'tracking', 'providers', 'contracts', 'credas', 'authvia', 'octapush', 'cellosign'] as const;
export type ErrorCodeOrigin = (typeof ERROR_CODE_ORIGINS)[number];
export type ErrorCode = `${ErrorCodeOrigin}.${string}`;

/**
 * Errors carry a stable code and whether trying again can help. They become HTTP statuses only in the gateway,
 * and retry or dead-letter decisions only at the consumer edge.
 */
export class HookbusError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retriable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The record itself is wrong: retrying cannot help; dead-letter it with this reason. */
export class InvalidRecordError extends HookbusError {
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, false, options);
  }
}

/** A dependency is unavailable (broker, database, provider API): try again later. */
export class TransientError extends HookbusError {
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, true, options);
  }
}

/** `code` if it is an ErrorCode already, else `<origin>.<code>` (another library's error, named by its class). */
export function asErrorCode(code: string, origin: ErrorCodeOrigin): ErrorCode {
  const [head, ...rest] = code.split('.');
  return rest.length > 0 && (ERROR_CODE_ORIGINS as readonly string[]).includes(head!) ? (code as ErrorCode) : `${origin}.${code}`;
}

export function isRetriable(error: unknown): boolean {
  if (error instanceof HookbusError) return error.retriable;
  return true;
}

export function errorCode(error: unknown): string {
  if (error instanceof HookbusError) return error.code;
  if (error instanceof Error) return error.name;
  return 'unknown';
}

/** What kind of error this is — its class (`InvalidRecordError`, `KafkaJSProtocolError`), or the type of a non-Error. */
export function errorClass(error: unknown): string {
  if (error instanceof Error) return error.name;
  return error === null ? 'null' : typeof error;
}

/**
 * Fields to log for an error: class and code (and a kafkajs `type`), never the message — messages can quote the
 * input they failed on, and logs must carry no personal data.
 */
export function errorFields(error: unknown): { readonly class: string; readonly code: string; readonly type?: string } {
  const type = (error as { type?: unknown } | null)?.type;
  const own = (error as { code?: unknown } | null)?.code;
  return {
    class: errorClass(error),
    code: error instanceof HookbusError ? error.code : typeof own === 'string' ? own : errorCode(error),
    ...(typeof type === 'string' ? { type } : {}),
  };
}

/**
 * Nothing tells whether trying again can help (a bug, a server error no table lists). `retriable` is true so callers
 * that bound their own attempts (the orchestrator's retry lanes) try again; the consumer runner retries such a
 * record a bounded number of times (MAX_RECORD_ATTEMPTS in libs/kafka) and then dead-letters it.
 */
export class UnclassifiedError extends HookbusError {
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, true, options);
  }
}
