import { createHmac, randomBytes } from 'node:crypto';
import pino, { type Logger } from 'pino';
import { SECRET_HEADER_NAMES } from '@hookbus/contracts';

/**
 * Structured JSON logs (pino). Paths that can carry personal data or secrets are redacted wherever they appear,
 * so a careless `log.info({ payload })` still cannot leak a phone number or an API key.
 */
export const REDACTED_PATHS = [
  'phone', '*.phone', 'email', '*.email', 'recipient', '*.recipient', 'addresses', '*.addresses',
  'authorization', '*.authorization', ...SECRET_HEADER_NAMES.map((name) => `headers["${name}"]`),
  'apiKey', '*.apiKey', 'secret', '*.secret', 'password', '*.password', 'token', '*.token',
  'body', '*.body', 'payload', '*.payload', 'original', '*.original', 'data.original',
];

export function createLogger(service: string, level: string = process.env.LOG_LEVEL || 'info'): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
  });
}

/** Never written anywhere: a key hash cannot be reversed with a dictionary of phone numbers, only compared. */
const KEY_HASH_SECRET = randomBytes(32);

/**
 * What a log line says instead of a record key: keys can hold phone numbers (`octapush:sms:+30…` communication ids),
 * so a log names a key by a 12-hex keyed hash — equal keys give equal hashes within one process, so lines about
 * the same entity can be matched. To find the record itself, log its topic, partition and offset beside it.
 */
export function keyHash(key: string | Buffer | null | undefined): string | null {
  if (key === null || key === undefined) return null;
  return createHmac('sha256', KEY_HASH_SECRET).update(key).digest('hex').slice(0, 12);
}

export type { Logger };
