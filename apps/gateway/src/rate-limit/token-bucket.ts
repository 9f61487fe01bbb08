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

/** Failed authentications one client may make per source: at most this, and never more than the source's rate. */
export const CLIENT_FAILURE_LIMIT: RateLimit = { requestsPerSecond: 10, burst: 50 };

/**
 * Failed authentications per source and client address. Only the client that fails is throttled, so a flood of
 * wrong guesses never spends what the real sender (another address) may do. At most `maxClients` buckets are
 * kept, least recently used first out: an attacker with more addresses than that only resets its own buckets.
 */
export class ClientFailureThrottle {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly limits = new Map<string, RateLimit>();

  constructor(sources: Iterable<{ readonly id: string; readonly rateLimit: RateLimit }>, private readonly maxClients = 10_000) {
    for (const source of sources) {
      this.limits.set(source.id, {
        requestsPerSecond: Math.min(source.rateLimit.requestsPerSecond, CLIENT_FAILURE_LIMIT.requestsPerSecond),
        burst: Math.min(source.rateLimit.burst, CLIENT_FAILURE_LIMIT.burst),
      });
    }
  }

  /** Counts one failure of `client` on `sourceId`; not ok once that client has spent its bucket. */
  fail(sourceId: string, client: string, nowMs: number): TakeResult {
    const limit = this.limits.get(sourceId);
    if (!limit) return { ok: true };
    const key = `${sourceId} ${client}`;
    let bucket = this.buckets.get(key);
    if (bucket) this.buckets.delete(key);
    else {
      bucket = new TokenBucket(limit);
      if (this.buckets.size >= this.maxClients) this.buckets.delete(this.buckets.keys().next().value!);
    }
    this.buckets.set(key, bucket);
    return bucket.take(nowMs);
  }

  get clients(): number {
    return this.buckets.size;
  }
}
