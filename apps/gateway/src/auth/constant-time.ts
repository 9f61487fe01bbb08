import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Per-process key: both sides are hashed to equal length first, so neither a secret's content nor its length leaks. */
const COMPARE_KEY = randomBytes(32);

function digest(value: string | Buffer): Buffer {
  return createHmac('sha256', COMPARE_KEY).update(value).digest();
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
