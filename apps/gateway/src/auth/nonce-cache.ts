/**
 * Authvia's signature covers a random value and a timestamp, not the body (apps/gateway/README.md, Authvia): within the timestamp
 * tolerance a captured signature would verify on any body. Each verified `X-AUTHVIA-VALUE` is remembered until its
 * timestamp leaves the tolerance (after that the timestamp check refuses it anyway), so it verifies once.
 *
 * Memory is bounded: only verified signatures get in (so only as fast as the provider's rate limit lets them), and
 * past `maxEntries` the entry that expires first is dropped. The cache is per process: with several gateway
 * replicas a replay can reach another replica once (see docs/threat-model.md).
 */
export class NonceCache {
  /** nonce → expiry (epoch ms), in insertion order, which is close to expiry order. */
  private readonly entries = new Map<string, number>();

  constructor(private readonly maxEntries = 100_000) {}

  /** Remembers `nonce` until `expiresAtMs`; false if it is already remembered (a replay). */
  claim(nonce: string, expiresAtMs: number, nowMs: number): boolean {
    const known = this.entries.get(nonce);
    // Inclusive: the timestamp check still accepts a signature at exactly its expiry, so the cache must refuse it there.
    if (known !== undefined && known >= nowMs) return false;
    if (known !== undefined) this.entries.delete(nonce);
    if (this.entries.size >= this.maxEntries) this.evict(nowMs);
    this.entries.set(nonce, expiresAtMs);
    return true;
  }

  /** Forgets a claim whose request was not stored (answered 429 or 503), so the provider's retry is accepted. */
  release(nonce: string): void {
    this.entries.delete(nonce);
  }

  get size(): number {
    return this.entries.size;
  }

  private evict(nowMs: number): void {
    for (const [nonce, expiresAt] of this.entries) {
      if (expiresAt < nowMs) this.entries.delete(nonce);
      else break;
    }
    if (this.entries.size < this.maxEntries) return;
    let first: string | null = null;
    let firstExpiry = Infinity;
    for (const [nonce, expiresAt] of this.entries) {
      if (expiresAt < firstExpiry) [first, firstExpiry] = [nonce, expiresAt];
    }
    if (first !== null) this.entries.delete(first);
  }
}
