import { hash, timingSafeEqual } from 'node:crypto';

/**
 * Both sides are hashed to equal length first, so neither a secret's content nor its length leaks: the time taken
 * depends on the received value's length alone, and the comparison of the two digests is constant-time. SHA-256 in
 * one call (crypto.hash), not an HMAC object per request: the digest is only compared, never shown, so a key adds
 * nothing, and the one-shot call costs a third of createHmac on the gateway's hot path (every token request).
 */
function digest(value: string | Buffer): Buffer {
  return hash('sha256', value, 'buffer');
}

/** Constant-time equality of two strings or byte strings, whatever their lengths. */
export function safeEqual(received: string | Buffer, expected: string | Buffer): boolean {
  return timingSafeEqual(digest(received), digest(expected));
}

const secretDigests = new Map<string, Buffer>();

/**
 * safeEqual against a secret from the configuration: its digest is computed once, not on every request. Only for
 * configured secrets (a bounded set); a value computed per request (an expected signature) must use safeEqual.
 */
export function matchesSecret(received: string, secret: string): boolean {
  let expected = secretDigests.get(secret);
  if (!expected) secretDigests.set(secret, (expected = digest(secret)));
  return timingSafeEqual(digest(received), expected);
}
