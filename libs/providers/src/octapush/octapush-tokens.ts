import { InvalidRecordError } from '@hookbus/contracts';
import type { SourceConfig } from '@hookbus/config';
import type { DecodedWebhook } from '../webhook';
import { messageKeyProblem, validateOctapushCallback, type OctapushCallbackDto } from './octapush.payloads';
import { normalizePhone } from './octapush-phone';

/** Token name → value, null prototype: names are chosen by whoever configured the callback, `__proto__` included. */
export type OctapushTokens = Readonly<Record<string, unknown>>;

export interface OctapushCallback extends OctapushCallbackDto {
  readonly tokens: OctapushTokens;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Names go into error messages (they come from configuration, never personal data) but not unbounded. */
function quoteName(name: string): string {
  return JSON.stringify(name.slice(0, 100));
}

/**
 * Every query parameter and body field is a token (docs/providers/octapush.md#tokens: the user places tokens in the
 * query string of a GET URL or in a JSON body template for POST). Body fields win over query parameters of the same
 * name: the body is the template the user wrote for this status, the query string usually only carries our secret and
 * fixed values.
 */
export function collectTokens(webhook: DecodedWebhook): OctapushTokens {
  const tokens: Record<string, unknown> = Object.create(null);
  for (const name of Object.keys(webhook.query)) tokens[name] = webhook.query[name];
  const body = webhook.payload;
  if (body === null || body === undefined) return tokens;
  if (!isRecord(body)) {
    throw new InvalidRecordError('octapush.invalid_body', 'an Octapush callback body must be a JSON object or form fields');
  }
  for (const name of Object.keys(body)) tokens[name] = body[name];
  return tokens;
}

/** A token's text, trimmed; null when absent or empty. Structured values cannot be a status, phone or key. */
export function tokenText(tokens: OctapushTokens, name: string): string | null {
  if (!Object.hasOwn(tokens, name)) return null;
  const value = tokens[name];
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') {
    throw new InvalidRecordError('octapush.invalid_token', `token ${quoteName(name)} must be a string or a number`);
  }
  const text = value.trim();
  return text === '' ? null : text;
}

/** A status in the URL path wins over the status token (contract §2: /webhooks/{sourceId}/{status}). */
function readStatus(webhook: DecodedWebhook, tokens: OctapushTokens, source: SourceConfig): { status: string; statusSource: 'path' | 'token' } {
  const fromPath = webhook.pathStatus?.trim();
  if (fromPath) return { status: fromPath, statusSource: 'path' };
  const fromToken = tokenText(tokens, source.fields.status);
  if (fromToken !== null) return { status: fromToken, statusSource: 'token' };
  throw new InvalidRecordError(
    'octapush.missing_status',
    `no status: neither a status path segment nor a token named ${quoteName(source.fields.status)}`,
  );
}

/** ':' separates the parts of the key, so a part that contains one is escaped ('%' first, to stay reversible). */
function escapeKeyPart(part: string): string {
  return part.replace(/%/g, '%25').replace(/:/g, '%3A');
}

export function messageKeyTokenNames(source: SourceConfig): readonly string[] {
  return source.messageKey.length > 0 ? source.messageKey : [source.fields.phone];
}

/** `phone`: the phone token already normalized (libphonenumber is the costliest step of a callback: done once). */
function readMessageKey(tokens: OctapushTokens, source: SourceConfig, phone: string | null): string {
  const parts = messageKeyTokenNames(source).map((name) => {
    const text = tokenText(tokens, name);
    if (text === null) {
      throw new InvalidRecordError('octapush.missing_message_key', `message-key token ${quoteName(name)} is missing or empty`);
    }
    return escapeKeyPart(name === source.fields.phone ? phone! : text);
  });
  return parts.join(':');
}

function readPhone(tokens: OctapushTokens, source: SourceConfig): string | null {
  const phoneText = tokenText(tokens, source.fields.phone);
  return phoneText === null ? null : normalizePhone(phoneText, source.defaultPhoneRegion);
}

/** One callback's reading, before the DTO: the refusals for a missing status or message key happen here. */
function readCallbackParts(webhook: DecodedWebhook, source: SourceConfig): OctapushCallback {
  const tokens = collectTokens(webhook);
  const { status, statusSource } = readStatus(webhook, tokens, source);
  const phone = readPhone(tokens, source);
  return { status, statusSource, messageKey: readMessageKey(tokens, source, phone), phone, tokens };
}

/** Reads status, message key and phone from one callback; throws InvalidRecordError when one that is needed is missing. */
export function readOctapushCallback(webhook: DecodedWebhook, source: SourceConfig): OctapushCallback {
  const { tokens, ...parts } = readCallbackParts(webhook, source);
  const dto = validateOctapushCallback(parts);
  return { status: dto.status, statusSource: dto.statusSource, messageKey: dto.messageKey, phone: dto.phone ?? null, tokens };
}

/**
 * The message key alone, for the gateway's routing on every request: the same reading and the same refusals as
 * readOctapushCallback, without building and validating the DTO (the normalizer does that). By construction the
 * status and key are non-empty strings; only the key itself (its bytes, its characters) can break the DTO's rules,
 * and it is checked with the DTO's own rule.
 */
export function readOctapushMessageKey(webhook: DecodedWebhook, source: SourceConfig): string {
  const { messageKey } = readCallbackParts(webhook, source);
  const problem = messageKeyProblem(messageKey);
  if (problem) throw new InvalidRecordError('octapush.invalid_message_key', `invalid Octapush callback: ${problem}`);
  return messageKey;
}
