/**
 * Failed logins, per client address and per user name: after 5 failures a key is locked out for 1 s, doubling with
 * each further failure up to 15 minutes. A success clears the name's count (not the address's: one right password
 * must not reset a guesser's budget for other names). Memory is bounded: the oldest keys go first.
 */
export const FREE_FAILURES = 5;
export const MAX_LOCKOUT_MS = 15 * 60 * 1000;
const FIRST_LOCKOUT_MS = 1000;
const MAX_KEYS = 10_000;

interface Failures {
  count: number;
  lockedUntil: number;
}

export class LoginThrottle {
  private readonly failures = new Map<string, Failures>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Milliseconds until a login from this address for this name may be tried again; 0: now. */
  retryAfterMs(address: string, name: string): number {
    const at = this.now();
    return Math.max(0, ...[this.failures.get(`ip:${address}`), this.failures.get(`user:${name}`)].map((f) => (f ? f.lockedUntil - at : 0)));
  }

  failed(address: string, name: string): void {
    for (const key of [`ip:${address}`, `user:${name}`]) {
      const entry = this.failures.get(key) ?? { count: 0, lockedUntil: 0 };
      entry.count += 1;
      if (entry.count >= FREE_FAILURES) entry.lockedUntil = this.now() + Math.min(MAX_LOCKOUT_MS, FIRST_LOCKOUT_MS * 2 ** (entry.count - FREE_FAILURES));
      this.failures.delete(key);
      this.failures.set(key, entry);
    }
    while (this.failures.size > MAX_KEYS) this.failures.delete(this.failures.keys().next().value as string);
  }

  succeeded(name: string): void {
    this.failures.delete(`user:${name}`);
  }
}
