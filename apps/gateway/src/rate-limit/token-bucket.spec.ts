import { ClientFailureThrottle, SourceRateLimiter, TokenBucket } from './token-bucket';

describe('TokenBucket', () => {
  it('allows a burst, then refuses with the time until the next token', () => {
    const bucket = new TokenBucket({ requestsPerSecond: 2, burst: 3 });
    expect([1, 2, 3].map(() => bucket.take(1000).ok)).toEqual([true, true, true]);
    expect(bucket.take(1000)).toEqual({ ok: false, retryAfterSeconds: 1 });
  });

  it('refills at the configured rate, never above the burst', () => {
    const bucket = new TokenBucket({ requestsPerSecond: 10, burst: 2 });
    bucket.take(0);
    bucket.take(0);
    expect(bucket.take(50).ok).toBe(false);
    expect(bucket.take(150).ok).toBe(true);
    const later = [0, 1, 2].map(() => bucket.take(60_000).ok);
    expect(later).toEqual([true, true, false]);
  });

  it('rounds Retry-After up to whole seconds for slow rates', () => {
    const bucket = new TokenBucket({ requestsPerSecond: 0.25, burst: 1 });
    bucket.take(0);
    expect(bucket.take(0)).toEqual({ ok: false, retryAfterSeconds: 4 });
  });

  it('check tells whether a token is there without taking it', () => {
    const bucket = new TokenBucket({ requestsPerSecond: 1, burst: 1 });
    expect([bucket.check(0), bucket.check(0)]).toEqual([{ ok: true }, { ok: true }]);
    bucket.take(0);
    expect(bucket.check(0)).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(bucket.check(1000).ok).toBe(true);
  });

  it('does not refill when the clock goes backwards', () => {
    const bucket = new TokenBucket({ requestsPerSecond: 1, burst: 1 });
    bucket.take(10_000);
    expect(bucket.take(5_000).ok).toBe(false);
    expect(bucket.take(10_500).ok).toBe(false);
    expect(bucket.take(11_000).ok).toBe(true);
  });
});

describe('SourceRateLimiter', () => {
  it('keeps one bucket per source', () => {
    const limiter = new SourceRateLimiter([
      { id: 'a', rateLimit: { requestsPerSecond: 1, burst: 1 } },
      { id: 'b', rateLimit: { requestsPerSecond: 1, burst: 1 } },
    ]);
    expect(limiter.take('a', 0).ok).toBe(true);
    expect(limiter.take('a', 0).ok).toBe(false);
    expect(limiter.take('b', 0).ok).toBe(true);
  });
});

describe('ClientFailureThrottle', () => {
  const sources = [{ id: 'a', rateLimit: { requestsPerSecond: 1, burst: 2 } }, { id: 'big', rateLimit: { requestsPerSecond: 2000, burst: 4000 } }];

  it('throttles the client that fails, not the others', () => {
    const throttle = new ClientFailureThrottle(sources);
    expect([1, 2, 3].map(() => throttle.fail('a', '198.51.100.1', 0).ok)).toEqual([true, true, false]);
    expect(throttle.fail('a', '203.0.113.7', 0).ok).toBe(true);
    expect(throttle.fail('a', '198.51.100.1', 1000).ok).toBe(true);
  });

  it('gives one client at most CLIENT_FAILURE_LIMIT, even on a source with a large rate', () => {
    const throttle = new ClientFailureThrottle(sources);
    const outcomes = Array.from({ length: 60 }, () => throttle.fail('big', 'x', 0).ok);
    expect(outcomes.filter(Boolean)).toHaveLength(50);
  });

  it('keeps at most maxClients buckets', () => {
    const throttle = new ClientFailureThrottle(sources, 100);
    for (let i = 0; i < 1000; i++) throttle.fail('a', `client-${i}`, 0);
    expect(throttle.clients).toBe(100);
  });
});
