import { FREE_FAILURES, LoginThrottle, MAX_CONCURRENT_VERIFICATIONS } from './login-throttle';
import { startHarness, type Harness } from '../console-harness';

/**
 * Security review (issue 20, "rate-limited login"): the throttle is checked before the password's scrypt and
 * counted only after it, so every guess that arrives while earlier ones are still being hashed gets a full try.
 */
describe('login throttle under concurrent guesses', () => {
  let h: Harness;
  // The real cost (N=2^15), as `npm run console:hash-password` makes every production hash.
  beforeAll(async () => {
    h = await startHarness([{ name: 'operator', role: 'operator', password: 'operator-password-123' }]);
  });
  afterAll(() => h.close());

  it('gives at most FREE_FAILURES wrong guesses at one name before 429, however many arrive at once', async () => {
    const form = await h.request('/login');
    const token = /hookbus_console_login=([^;]+)/.exec(form.headers.getSetCookie().join('\n'))![1]!;
    const guess = (i: number) =>
      h.request('/login', { method: 'POST', cookie: `hookbus_console_login=${token}`, form: { _csrf: token, username: 'operator', password: `guess-${i}` } }).then((a) => a.status);
    const statuses = await Promise.all(Array.from({ length: 30 }, (_, i) => guess(i)));
    const tried = statuses.filter((s) => s === 401).length;
    // Before the fix: 30 of 30 were verified (401), none refused (429).
    expect(tried).toBeLessThanOrEqual(FREE_FAILURES);
  }, 60_000);
});

describe('LoginThrottle memory bound', () => {
  it('does not forget a locked-out user name because other keys pushed it out of the map', () => {
    const throttle = new LoginThrottle(() => 0);
    for (let i = 0; i < FREE_FAILURES; i++) throttle.failed('192.0.2.1', 'operator');
    expect(throttle.retryAfterMs('198.51.100.7', 'operator')).toBeGreaterThan(0);
    // 5,000 failures of random names from many addresses (an IPv6 /64 gives any number of them; one failure each).
    for (let i = 0; i < 5_000; i++) throttle.failed(`2001:db8::${i.toString(16)}`, `nobody-${i}`);
    // Before the fix: the eviction of "the oldest keys" dropped user:operator, and the guessing budget was fresh again.
    expect(throttle.retryAfterMs('198.51.100.7', 'operator')).toBeGreaterThan(0);
  });
});

describe('LoginThrottle.begin', () => {
  it('verifies at most MAX_CONCURRENT_VERIFICATIONS logins at once, across names and addresses', () => {
    const throttle = new LoginThrottle(() => 0);
    const attempts = Array.from({ length: MAX_CONCURRENT_VERIFICATIONS }, (_, i) => throttle.begin(`192.0.2.${i}`, `name${i}`).attempt!);
    expect(throttle.begin('198.51.100.1', 'other')).toEqual({ attempt: null, retryAfterMs: 1000 });
    attempts[0]!.failed();
    attempts[0]!.failed(); // ending twice frees one slot only
    expect(throttle.begin('198.51.100.1', 'other').attempt).not.toBeNull();
    expect(throttle.begin('198.51.100.2', 'other2').attempt).toBeNull();
  });

  it('counts an attempt when it begins and gives it back when the password was right', () => {
    const throttle = new LoginThrottle(() => 0, 100);
    for (let i = 0; i < FREE_FAILURES - 1; i++) throttle.begin('192.0.2.1', 'operator').attempt!.succeeded();
    expect(throttle.retryAfterMs('192.0.2.1', 'operator')).toBe(0);
    for (let i = 0; i < FREE_FAILURES; i++) expect(throttle.begin('192.0.2.1', 'operator').attempt).not.toBeNull(); // still under way
    expect(throttle.begin('192.0.2.1', 'operator').attempt).toBeNull();
  });
});
