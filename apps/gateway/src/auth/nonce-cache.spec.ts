import { NonceCache } from './nonce-cache';

describe('NonceCache', () => {
  it('a nonce is claimed once until it expires, then again', () => {
    const cache = new NonceCache();
    expect(cache.claim('v1', 1_000, 0)).toBe(true);
    expect(cache.claim('v1', 1_000, 999)).toBe(false);
    // At exactly its expiry the timestamp check still accepts the signature, so the cache must still refuse it.
    expect(cache.claim('v1', 1_000, 1_000)).toBe(false);
    expect(cache.claim('v1', 2_000, 1_001)).toBe(true);
  });

  it('a released claim can be claimed again (the provider retries what was not stored)', () => {
    const cache = new NonceCache();
    expect(cache.claim('v1', 1_000, 0)).toBe(true);
    cache.release('v1');
    expect(cache.claim('v1', 1_000, 0)).toBe(true);
  });

  it('holds at most maxEntries: expired entries go first, then the one expiring soonest', () => {
    const cache = new NonceCache(3);
    cache.claim('a', 100, 0);
    cache.claim('b', 5_000, 0);
    cache.claim('c', 4_000, 0);
    expect(cache.claim('d', 6_000, 200)).toBe(true);
    expect(cache.size).toBe(3);
    expect(cache.claim('a', 7_000, 200)).toBe(true);
    expect(cache.size).toBe(3);
    // `c` expired soonest among the live ones and was dropped; `b` and `d` still refuse a replay.
    expect(cache.claim('b', 5_000, 300)).toBe(false);
    expect(cache.claim('d', 6_000, 300)).toBe(false);
    for (let i = 0; i < 1000; i++) cache.claim(`n${i}`, 10_000 + i, 300);
    expect(cache.size).toBe(3);
  });
});
