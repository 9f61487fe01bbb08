import { createHash, createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { SourceAuth } from '@hookbus/config';
import { SECRET_HEADER_NAMES } from '@hookbus/contracts';
import { matchesSecret, safeEqual } from './constant-time';

/** What the authenticator reads from one request. Header names are lower case (Node's form). */
export interface AuthRequest {
  readonly headers: IncomingHttpHeaders;
  /** Query parameters, first value of each (null prototype). */
  readonly query: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** The reason goes to the caller as the 401 detail: it says what was wrong, never what was expected. */
export type AuthOutcome = { readonly ok: true } | { readonly ok: false; readonly reason: string };

const OK: AuthOutcome = { ok: true };
const refuse = (reason: string): AuthOutcome => ({ ok: false, reason });

export const AuthviaHeaders = {
  signature: 'x-authvia-signature',
  value: 'x-authvia-value',
  timestamp: 'x-authvia-timestamp',
  algorithm: 'x-authvia-algorithm',
} as const;

export const StandardWebhooksHeaders = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const;

function header(headers: IncomingHttpHeaders, name: string): string | null {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? null : first;
}

/** Epoch seconds written as digits only; anything else is no timestamp. */
function epochSeconds(text: string): number | null {
  return /^\d{1,12}$/.test(text) ? Number(text) : null;
}

function withinTolerance(timestamp: number, nowMs: number, toleranceSeconds: number): boolean {
  return Math.abs(nowMs / 1000 - timestamp) <= toleranceSeconds;
}

function token(auth: Extract<SourceAuth, { type: 'token' }>, request: AuthRequest): AuthOutcome {
  const value = request.query[auth.param];
  if (value === undefined || value === '') return refuse('missing credentials');
  return matchesSecret(value, auth.value) ? OK : refuse('invalid credentials');
}

function headerSecret(auth: Extract<SourceAuth, { type: 'header' }>, request: AuthRequest): AuthOutcome {
  const value = header(request.headers, auth.name);
  if (value === null) return refuse('missing credentials');
  return matchesSecret(value, auth.value) ? OK : refuse('invalid credentials');
}

function basic(auth: Extract<SourceAuth, { type: 'basic' }>, request: AuthRequest): AuthOutcome {
  const value = header(request.headers, 'authorization');
  const match = value === null ? null : /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(value);
  if (!match) return refuse('missing credentials');
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return refuse('invalid credentials');
  // Both halves are always compared, so the time taken does not tell which one was wrong.
  const userOk = matchesSecret(decoded.slice(0, colon), auth.username);
  const passwordOk = matchesSecret(decoded.slice(colon + 1), auth.password);
  return userOk && passwordOk ? OK : refuse('invalid credentials');
}

/** The signed string `{VALUE}.{VALUE.length}.{TIMESTAMP}`, HMAC-SHA256, Base64 (apps/gateway/README.md, Authvia). */
export function authviaSignature(secret: string, value: string, timestamp: string): string {
  return createHmac('sha256', secret).update(`${value}.${value.length}.${timestamp}`).digest('base64');
}

/**
 * Authvia signs a random value and a timestamp, not the body (apps/gateway/README.md, Authvia): the timestamp tolerance is what
 * stops a captured signature being replayed later, so it is checked in both directions.
 */
function authvia(auth: Extract<SourceAuth, { type: 'authvia' }>, request: AuthRequest, nowMs: number): AuthOutcome {
  const signature = header(request.headers, AuthviaHeaders.signature);
  const value = header(request.headers, AuthviaHeaders.value);
  const timestampText = header(request.headers, AuthviaHeaders.timestamp);
  if (signature === null || value === null || timestampText === null) return refuse('missing credentials');
  const algorithm = header(request.headers, AuthviaHeaders.algorithm);
  if (algorithm !== null && algorithm.replace('-', '').toUpperCase() !== 'SHA256') return refuse('unsupported signature algorithm');
  const timestamp = epochSeconds(timestampText);
  if (timestamp === null) return refuse('invalid signature timestamp');
  if (!withinTolerance(timestamp, nowMs, auth.toleranceSeconds)) return refuse('signature timestamp outside the tolerance');
  // An HMAC-SHA256 in base64 is 44 characters: anything much longer is refused before it costs any work.
  if (signature.length > MAX_AUTHVIA_SIGNATURE_LENGTH) return refuse('invalid signature');
  const expected = authviaSignature(auth.secret, value, timestampText);
  // Padding is compared away: the signature is the same bytes with or without it.
  return safeEqual(withoutBase64Padding(signature), withoutBase64Padding(expected)) ? OK : refuse('invalid signature');
}

/** Longest X-AUTHVIA-SIGNATURE looked at (base64 of 32 bytes is 44 characters; room for hex and whitespace). */
export const MAX_AUTHVIA_SIGNATURE_LENGTH = 128;

/**
 * `text` without its trailing `=`. Not `replace(/=+$/, '')`: that regex is quadratic in a run of `=` not at the
 * end — a 16,000-character header blocked the event loop for ~124 ms, with no credential needed.
 */
export function withoutBase64Padding(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 61 /* = */) end--;
  return text.slice(0, end);
}

/** The HMAC key of a `whsec_<base64>` secret. */
function standardWebhooksKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
}

/** `v1,<base64>` of `{id}.{timestamp}.{body}` (Standard Webhooks spec). */
export function standardWebhooksSignature(secret: string, id: string, timestamp: string, body: Buffer): string {
  return createHmac('sha256', standardWebhooksKey(secret)).update(`${id}.${timestamp}.`).update(body).digest('base64');
}

/**
 * Standard Webhooks: `webhook-signature` holds space-separated `v1,<sig>` entries (the sender signs with old and
 * new keys during a rotation) and the source may hold several secrets (our side of the rotation): any pair verifies.
 */
function standardWebhooks(auth: Extract<SourceAuth, { type: 'standard-webhooks' }>, request: AuthRequest, nowMs: number): AuthOutcome {
  const id = header(request.headers, StandardWebhooksHeaders.id);
  const timestampText = header(request.headers, StandardWebhooksHeaders.timestamp);
  const signatures = header(request.headers, StandardWebhooksHeaders.signature);
  if (id === null || timestampText === null || signatures === null) return refuse('missing credentials');
  const timestamp = epochSeconds(timestampText);
  if (timestamp === null) return refuse('invalid signature timestamp');
  if (!withinTolerance(timestamp, nowMs, auth.toleranceSeconds)) return refuse('signature timestamp outside the tolerance');
  const received = signatures
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => entry.slice(3));
  if (received.length === 0) return refuse('invalid signature');
  let verified = false;
  for (const secret of auth.secrets) {
    const expected = standardWebhooksSignature(secret, id, timestampText, request.body);
    // No early exit: every entry is compared against every key.
    for (const signature of received) verified = safeEqual(signature, expected) || verified;
  }
  return verified ? OK : refuse('invalid signature');
}

/** Checks one request against its source's auth (contract §2). Pure apart from the clock passed in. */
export function authenticate(auth: SourceAuth, request: AuthRequest, nowMs: number): AuthOutcome {
  switch (auth.type) {
    case 'none':
      return OK;
    case 'token':
      return token(auth, request);
    case 'header':
      return headerSecret(auth, request);
    case 'basic':
      return basic(auth, request);
    case 'authvia':
      return authvia(auth, request, nowMs);
    case 'standard-webhooks':
      return standardWebhooks(auth, request, nowMs);
  }
}

/**
 * What makes an Authvia signature single-use: a digest of its `X-AUTHVIA-VALUE` (a digest, so a 16 KiB
 * header costs the cache 44 bytes) and when its timestamp leaves the tolerance. Null for other auth types.
 */
export function signatureNonce(auth: SourceAuth, headers: IncomingHttpHeaders): { readonly nonce: string; readonly expiresAtMs: number } | null {
  if (auth.type !== 'authvia') return null;
  const value = header(headers, AuthviaHeaders.value);
  const timestamp = epochSeconds(header(headers, AuthviaHeaders.timestamp) ?? '');
  if (value === null || timestamp === null) return null;
  // The value alone, not per source: sources that share an Authvia secret (the business-process and action sources
  // do in the shipped configs) would otherwise each accept the same captured signature once.
  return { nonce: createHash('sha256').update(value).digest('base64'), expiresAtMs: (timestamp + auth.toleranceSeconds) * 1000 };
}

/** Whether the auth needs the whole body (so it cannot vouch for a body cut at the size limit). */
export function authCoversBody(auth: SourceAuth): boolean {
  return auth.type === 'standard-webhooks';
}

/** Request headers that must never reach a record or a log for this source: the shared list and its own auth header. */
export function secretHeaderNames(auth: SourceAuth): ReadonlySet<string> {
  const names = new Set<string>(SECRET_HEADER_NAMES);
  if (auth.type === 'header') names.add(auth.name.toLowerCase());
  return names;
}
