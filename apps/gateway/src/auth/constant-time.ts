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
