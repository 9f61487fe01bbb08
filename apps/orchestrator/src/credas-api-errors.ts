import { HookbusError, InvalidRecordError, TransientError, type ErrorCode } from '@hookbus/contracts';

/**
 * What a Credas API call can fail with. Messages name the endpoint and status only: they end up in dead-letter
 * headers and logs, and must never carry the API key or response bodies (personal data).
 */

/**
 * 403: the key is missing or invalid (docs/providers/credas.md#result-api) — it affects every call, not one process.
 */
export class CredasAuthRejectedError extends HookbusError {
  constructor(endpoint: string) {
    super('credas.auth_rejected', `Credas ${endpoint} answered 403: the API key was refused`, true);
  }
}

/** 429, 5xx, timeouts, connection failures: try again later, not before `retryAfterMs` when Credas said so. */
export class CredasUnavailableError extends TransientError {
  constructor(code: ErrorCode, message: string, readonly retryAfterMs: number | null = null, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** 404 and other 4xx answers: asking again cannot help. */
export class CredasRejectedError extends InvalidRecordError {}

export function retryAfterOf(error: unknown): number | null {
  return error instanceof CredasUnavailableError ? error.retryAfterMs : null;
}

/**
 * Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). Unparseable values are ignored (the
 * backoff applies), negative ones read as "now".
 */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | null {
  const raw = Array.isArray(value) ? value[0] : value;
  if (!raw) return null;
  const trimmed = raw.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}
