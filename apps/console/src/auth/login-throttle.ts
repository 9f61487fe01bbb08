/**
 * Failed logins, per client address and per user name. A user name gets FREE_FAILURES wrong passwords, then is
 * locked out for 1 s, doubling with each further failure up to 15 minutes. An address gets ADDRESS_FREE_FAILURES,
 * ten times more: many people can share one (an office NAT, an ingress whose range is not yet in
 * CONSOLE_TRUSTED_PROXIES), and one stranger's five guesses must not lock them all out. Each name keeps its own small
 * budget, so the address bound only has to stop one address spraying guesses across many names.
 *
 * An attempt is counted when it starts (`begin`), before its scrypt runs, not when it has failed: guesses sent in
 * parallel cannot all be verified while the first ones are still hashing. A success gives the address its attempt
 * back and clears the name's count (not the address's: one right password must not reset a guesser's budget for
 * other names). At most MAX_CONCURRENT_VERIFICATIONS logins are verified at a time; beyond that the answer is 429.
 *
 * Memory is bounded at MAX_KEYS: the oldest keys go first, but never a key that is locked out or has a lockout to
 * come (a locked name forgotten would get a fresh budget). Addresses are keys as given: IPv6 clients come as their
 * /64 (clientAddress in @hookbus/platform), so one host cannot rotate through fresh budgets.
 */
export const FREE_FAILURES = 5;
export const ADDRESS_FREE_FAILURES = 10 * FREE_FAILURES;
export const MAX_LOCKOUT_MS = 15 * 60 * 1000;
/** scrypt runs on libuv's thread pool (4 threads by default): more at once only queues, each holding 32 MiB. */
export const MAX_CONCURRENT_VERIFICATIONS = 4;
const FIRST_LOCKOUT_MS = 1000;
const MAX_KEYS = 10_000;
/** Past MAX_KEYS only locked keys are left: beyond this hard bound even they go, oldest first. */
const HARD_MAX_KEYS = 4 * MAX_KEYS;

interface Failures {
  count: number;
  lockedUntil: number;
}

/** An attempt under way: `succeeded()` or `failed()` ends it (exactly once). */
export interface LoginAttempt {
  succeeded(): void;
  failed(): void;
}

export type LoginAdmission = { readonly attempt: LoginAttempt; readonly retryAfterMs: 0 } | { readonly attempt: null; readonly retryAfterMs: number };

export class LoginThrottle {
  private readonly failures = new Map<string, Failures>();
  private verifying = 0;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxConcurrent = MAX_CONCURRENT_VERIFICATIONS,
  ) {}

  /** Milliseconds until a login from this address for this name may be tried again; 0: now. */
  retryAfterMs(address: string, name: string): number {
    const at = this.now();
    return Math.max(0, ...[this.failures.get(`ip:${address}`), this.failures.get(`user:${name}`)].map((f) => (f ? f.lockedUntil - at : 0)));
  }

  /**
   * Admits a login attempt, counted against the address and the name before the password is verified; or says how
   * long to wait (locked out, or too many verifications under way: then 1 s).
   */
  begin(address: string, name: string): LoginAdmission {
    const wait = this.retryAfterMs(address, name);
    if (wait > 0) return { attempt: null, retryAfterMs: wait };
    if (this.verifying >= this.maxConcurrent) return { attempt: null, retryAfterMs: FIRST_LOCKOUT_MS };
    this.verifying += 1;
    this.count(`ip:${address}`, ADDRESS_FREE_FAILURES);
    this.count(`user:${name}`, FREE_FAILURES);
    let open = true;
    const end = (): boolean => {
      if (!open) return false;
      open = false;
      this.verifying -= 1;
      return true;
    };
    return {
      retryAfterMs: 0,
      attempt: {
        failed: () => void end(),
        succeeded: () => {
          if (!end()) return;
          this.failures.delete(`user:${name}`);
          this.release(`ip:${address}`, ADDRESS_FREE_FAILURES);
        },
      },
    };
  }

  /** A failure counted after the fact (a refused single sign-on, say): no attempt was begun for it. */
  failed(address: string, name: string): void {
    this.count(`ip:${address}`, ADDRESS_FREE_FAILURES);
    this.count(`user:${name}`, FREE_FAILURES);
  }

  succeeded(name: string): void {
    this.failures.delete(`user:${name}`);
  }

  private count(key: string, free: number): void {
    const entry = this.failures.get(key) ?? { count: 0, lockedUntil: 0 };
    entry.count += 1;
    if (entry.count >= free) entry.lockedUntil = this.now() + Math.min(MAX_LOCKOUT_MS, FIRST_LOCKOUT_MS * 2 ** Math.min(30, entry.count - free));
    this.failures.delete(key);
    this.failures.set(key, entry);
    this.evict();
  }

  /** Gives back an attempt counted by begin(): it was no failure. */
  private release(key: string, free: number): void {
    const entry = this.failures.get(key);
    if (!entry) return;
    entry.count -= 1;
    if (entry.count < free) entry.lockedUntil = 0;
    if (entry.count <= 0) this.failures.delete(key);
  }

  private evict(): void {
    if (this.failures.size <= MAX_KEYS) return;
    const at = this.now();
    // Oldest first, skipping keys that are locked out or at their budget's end (their next failure locks them).
    for (const [key, entry] of this.failures) {
      if (this.failures.size <= MAX_KEYS) return;
      const free = key.startsWith('ip:') ? ADDRESS_FREE_FAILURES : FREE_FAILURES;
      if (entry.lockedUntil <= at && entry.count < free - 1) this.failures.delete(key);
    }
    for (const [key, entry] of this.failures) {
      if (this.failures.size <= MAX_KEYS) return;
      if (entry.lockedUntil <= at) this.failures.delete(key);
    }
    while (this.failures.size > HARD_MAX_KEYS) this.failures.delete(this.failures.keys().next().value as string);
  }
}
