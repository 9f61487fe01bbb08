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

export type { Logger };
