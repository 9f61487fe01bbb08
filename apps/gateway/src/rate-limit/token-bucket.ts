import type { RateLimit } from '@hookbus/config';

export type TakeResult = { readonly ok: true } | { readonly ok: false; readonly retryAfterSeconds: number };

/**
 * A token bucket: `burst` tokens, refilled at `requestsPerSecond`. Time is passed in (epoch ms), so the bucket is
 * a pure state machine and tests are exact.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number | null = null;

  constructor(private readonly limit: RateLimit) {
    this.tokens = limit.burst;
  }

  take(nowMs: number): TakeResult {
    const result = this.check(nowMs);
    if (result.ok) this.tokens -= 1;
    return result;
  }

  /** Whether a token is there, without taking it. */
  check(nowMs: number): TakeResult {
    this.refill(nowMs);
    if (this.tokens >= 1) return { ok: true };
    const waitMs = ((1 - this.tokens) / this.limit.requestsPerSecond) * 1000;
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  private refill(nowMs: number): void {
    if (this.updatedAt !== null && nowMs > this.updatedAt) {
      const refilled = ((nowMs - this.updatedAt) / 1000) * this.limit.requestsPerSecond;
      this.tokens = Math.min(this.limit.burst, this.tokens + refilled);
    }
    if (this.updatedAt === null || nowMs > this.updatedAt) this.updatedAt = nowMs;
  }
}

/** One bucket per source id. */
export class SourceRateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(limits: Iterable<{ readonly id: string; readonly rateLimit: RateLimit }>) {
    for (const source of limits) this.buckets.set(source.id, new TokenBucket(source.rateLimit));
  }

  take(sourceId: string, nowMs: number): TakeResult {
    const bucket = this.buckets.get(sourceId);
    return bucket ? bucket.take(nowMs) : { ok: true };
  }

  check(sourceId: string, nowMs: number): TakeResult {
    const bucket = this.buckets.get(sourceId);
    return bucket ? bucket.check(nowMs) : { ok: true };
  }
}
