import { ADDRESS_FREE_FAILURES, LoginThrottle, MAX_LOCKOUT_MS } from './login-throttle';
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS, SessionStore } from './sessions';

describe('SessionStore', () => {
  it('gives each login a new random id and CSRF token', () => {
    const store = new SessionStore();
    const a = store.create('operator', 'operator');
    const b = store.create('operator', 'operator');
    expect(a.id).not.toBe(b.id);
    expect(a.csrfToken).not.toBe(a.id);
    expect(Buffer.from(a.id, 'base64url')).toHaveLength(32);
    expect(store.touch(a.id)).toBe(a);
    expect(store.touch('unknown')).toBeNull();
    expect(store.touch(undefined)).toBeNull();
  });

  it('ends a session after 30 idle minutes, and after 12 hours however active', () => {
    let now = 0;
    const store = new SessionStore(() => now);
    const idle = store.create('viewer', 'viewer');
    now = SESSION_IDLE_MS - 1;
    expect(store.touch(idle.id)).not.toBeNull();
    now += SESSION_IDLE_MS + 1;
    expect(store.touch(idle.id)).toBeNull();

    const busy = store.create('viewer', 'viewer');
    const start = now;
    while (now - start < SESSION_ABSOLUTE_MS - SESSION_IDLE_MS) {
      now += SESSION_IDLE_MS - 1000;
      expect(store.touch(busy.id)).not.toBeNull();
    }
    now = start + SESSION_ABSOLUTE_MS + 1;
    expect(store.touch(busy.id)).toBeNull();
  });

  it('forgets a destroyed session', () => {
    const store = new SessionStore();
    const s = store.create('viewer', 'viewer');
    store.destroy(s.id);
    expect(store.touch(s.id)).toBeNull();
  });
});

describe('LoginThrottle', () => {
  it('allows 5 failures, then locks out exponentially, up to 15 minutes', () => {
    let now = 0;
    const throttle = new LoginThrottle(() => now);
    for (let i = 0; i < 4; i++) throttle.failed('10.0.0.1', 'operator');
    expect(throttle.retryAfterMs('10.0.0.1', 'operator')).toBe(0);
    throttle.failed('10.0.0.1', 'operator');
    expect(throttle.retryAfterMs('10.0.0.1', 'operator')).toBe(1000);
    throttle.failed('10.0.0.1', 'operator');
    expect(throttle.retryAfterMs('10.0.0.1', 'operator')).toBe(2000);
    for (let i = 0; i < 30; i++) throttle.failed('10.0.0.1', 'operator');
    expect(throttle.retryAfterMs('10.0.0.1', 'operator')).toBe(MAX_LOCKOUT_MS);
    now += MAX_LOCKOUT_MS;
    expect(throttle.retryAfterMs('10.0.0.1', 'operator')).toBe(0);
  });

  it('locks a user name out from every address, and an address out for every name', () => {
    const throttle = new LoginThrottle(() => 0);
    for (let i = 0; i < 5; i++) throttle.failed(`10.0.0.${i}`, 'operator');
    expect(throttle.retryAfterMs('192.0.2.9', 'operator')).toBeGreaterThan(0);
    expect(throttle.retryAfterMs('192.0.2.9', 'viewer')).toBe(0);
    for (let i = 0; i < ADDRESS_FREE_FAILURES - 1; i++) throttle.failed('192.0.2.50', `name${i}`);
    expect(throttle.retryAfterMs('192.0.2.50', 'someone-else')).toBe(0);
    throttle.failed('192.0.2.50', 'one-more');
    expect(throttle.retryAfterMs('192.0.2.50', 'someone-else')).toBeGreaterThan(0);
  });

  it('a success clears the name, not the address', () => {
    const throttle = new LoginThrottle(() => 0);
    for (let i = 0; i < ADDRESS_FREE_FAILURES; i++) throttle.failed('10.0.0.1', 'viewer');
    throttle.succeeded('viewer');
    expect(throttle.retryAfterMs('10.0.0.2', 'viewer')).toBe(0);
    expect(throttle.retryAfterMs('10.0.0.1', 'viewer')).toBeGreaterThan(0);
  });
});
