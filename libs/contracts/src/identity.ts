/** The identity formats of the contract (section 4): every key on the event and state topics is built here. */
export type CommunicationChannel = 'sms' | 'email' | 'viber';

export function credasCommunicationId(processId: string, processActorId: number | string, channel: 'sms' | 'email'): string {
  return `credas:${processId}:${processActorId}:${channel}`;
}

export function octapushCommunicationId(channel: 'sms' | 'viber', messageKey: string): string {
  return `octapush:${channel}:${messageKey}`;
}

export function processKey(provider: 'credas' | 'authvia' | 'cellosign', id: string): string {
  return `${provider}:${id}`;
}

/** A communicationId taken apart (contract §4); the inverse of credasCommunicationId / octapushCommunicationId. */
export type ParsedCommunicationId =
  | { readonly provider: 'credas'; readonly processId: string; readonly processActorId: string; readonly channel: 'sms' | 'email'; readonly processKey: string }
  | { readonly provider: 'octapush'; readonly channel: 'sms' | 'viber'; readonly messageKey: string };

/** A processKey taken apart (contract §4); the inverse of processKey(). */
export interface ParsedProcessKey {
  readonly provider: 'credas' | 'authvia' | 'cellosign';
  readonly processId: string;
}

/**
 * Reads a communicationId, or null when it is not one. Credas ids have exactly four parts (process and actor ids hold
 * no `:`); an Octapush message key may hold `:` (several tokens joined), so everything after the channel is the key.
 */
export function parseCommunicationId(id: string): ParsedCommunicationId | null {
  const credas = /^credas:([^:]+):([^:]+):(sms|email)$/.exec(id);
  if (credas) {
    const [, processId, processActorId, channel] = credas;
    return { provider: 'credas', processId: processId!, processActorId: processActorId!, channel: channel as 'sms' | 'email', processKey: processKey('credas', processId!) };
  }
  const octapush = /^octapush:(sms|viber):([\s\S]+)$/.exec(id);
  if (octapush) return { provider: 'octapush', channel: octapush[1] as 'sms' | 'viber', messageKey: octapush[2]! };
  return null;
}

/** Reads a processKey, or null when it is not one. Credas and Authvia ids hold no `:`; a Cellosign session id may. */
export function parseProcessKey(key: string): ParsedProcessKey | null {
  const match = /^(credas|authvia):([^:]+)$/.exec(key) ?? /^(cellosign):([\s\S]+)$/.exec(key);
  if (!match) return null;
  return { provider: match[1] as ParsedProcessKey['provider'], processId: match[2]! };
}

/** Which kind of identity a key on events.transitions.v1 (or any event topic) is. */
export type ParsedIdentity = { readonly kind: 'communication'; readonly id: ParsedCommunicationId } | { readonly kind: 'process'; readonly id: ParsedProcessKey };

export function parseIdentity(key: string): ParsedIdentity | null {
  const communication = parseCommunicationId(key);
  if (communication) return { kind: 'communication', id: communication };
  const process = parseProcessKey(key);
  return process ? { kind: 'process', id: process } : null;
}

/**
 * The most UTF-8 bytes an identity (a Kafka key, a communicationId, a processKey, a CloudEvent subject) may have.
 * Identities are primary keys and btree index entries in the read model, and Postgres refuses an index row above
 * about 2,700 bytes (SQLSTATE 54000) — a limit in bytes, which a length in UTF-16 units does not bound (1,024 CJK
 * characters are 3,072 bytes). 1,024 bytes leaves room for the prefixes and the other columns of an index.
 */
export const MAX_IDENTITY_BYTES = 1024;

/** C0 controls (NUL included), DEL and C1 controls: never part of an id, and Postgres text refuses NUL. */
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;
/** A lone UTF-16 surrogate has no UTF-8 form: encoded as a Kafka key it becomes U+FFFD, another identity. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `value` cannot be an identity, or null when it can. The reason names the rule, never the value. */
export function identityProblem(value: string): string | null {
  if (value.length === 0) return 'is empty';
  if (CONTROL_CHARACTER.test(value)) return 'contains a control character (NUL included)';
  if (LONE_SURROGATE.test(value)) return 'contains a lone UTF-16 surrogate (not valid Unicode)';
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > MAX_IDENTITY_BYTES) return `is ${bytes} bytes in UTF-8, over the ${MAX_IDENTITY_BYTES} an identity may have`;
  return null;
}

/**
 * The longest prefix of `value` that fits `maxBytes` in UTF-8, cut on a character boundary: for storing what we can
 * of a value that is too long to be stored whole (never for building an identity: two long ids could collide).
 */
export function truncateUtf8(value: string, maxBytes: number): string {
  if (Buffer.byteLength(value, 'utf8') <= maxBytes) return value;
  let bytes = 0;
  let end = 0;
  for (const character of value) {
    const size = Buffer.byteLength(character, 'utf8');
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += character.length;
  }
  return value.slice(0, end);
}

/**
 * Text bound for Postgres never carries NUL (Postgres text refuses it, SQLSTATE 22021): each U+0000 is written as
 * the six characters `\u0000`. Escaped, not stripped, so a stored value still shows that the sender sent a NUL.
 */
export function withoutNul(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\\u0000') : text;
}

/**
 * JSON text made acceptable to jsonb, which refuses two escapes that JSON allows: `\u0000` (SQLSTATE 22P05) and a
 * lone surrogate such as `\ud83d` with no partner (22P02; JSON.stringify writes one for a JS string holding half a
 * pair). Each becomes the JSON string of its six characters (`\\u0000`, `\\ud83d`), so nothing is lost and the
 * row is stored. A surrogate pair written as two escapes is valid and kept; an escaped backslash before `u` (an even
 * run of backslashes) is text, not an escape, and is left alone.
 */
export function jsonForJsonb(json: string): string {
  if (!json.includes('\\u')) return json;
  return json.replace(JSONB_REFUSED_ESCAPE, (_match, before: string | undefined, code: string | undefined, lowBefore: string | undefined, low: string | undefined) =>
    code !== undefined ? `${before}\\\\u${code}` : `${lowBefore}\\\\u${low}`,
  );
}

/** `\u0000` or a high surrogate escape with no low one after it | a low surrogate escape with no high one before it. */
const JSONB_REFUSED_ESCAPE =
  /(?<!\\)((?:\\\\)*)\\u(0000|d[89ab][0-9a-f]{2}(?!\\ud[c-f][0-9a-f]{2}))|(?<!\\ud[89ab][0-9a-f]{2})(?<!\\)((?:\\\\)*)\\u(d[c-f][0-9a-f]{2})/gi;
