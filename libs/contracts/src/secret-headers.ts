/**
 * Request headers that carry credentials and must never reach a record, an archive row or a log — the one list the
 * gateway (which also drops each source's configured auth header), the projector and the logger's redaction share.
 * Lower case, as Node delivers header names.
 */
export const SECRET_HEADER_NAMES = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  // Authvia and Standard Webhooks signatures (docs/providers/authvia.md#signature,
  // docs/providers/README.md#standard-webhooks): a valid signature replayed within the tolerance passes.
  'x-authvia-signature',
  'webhook-signature',
  // Credas' custom auth header as its portal configures it by default (`webhookAuth: 123456`,
  // docs/providers/credas.md#webhook-authentication).
  'webhookauth',
] as const;

export const ALWAYS_SECRET_HEADERS: ReadonlySet<string> = new Set(SECRET_HEADER_NAMES);
