import { startHarness, type Harness } from '../console-harness';
import { FREE_FAILURES } from './login-throttle';

/**
 * Security review (issue 20, "rate-limited login"; deploy/k8s/base/console.yaml: "Reach it through an Ingress").
 * The throttle keys on request.ip, and the console's Fastify does not trust X-Forwarded-For (good: it cannot be
 * spoofed), but it has no trusted-proxy setting either (the gateway has gateway.trustedProxies). Behind the ingress
 * every person's address is the ingress controller's, so one stranger's five wrong guesses lock everybody out, for
 * up to 15 minutes, again and again. This spec plays the ingress: all requests from 127.0.0.1, each person's own
 * address in X-Forwarded-For.
 */
describe('the login throttle behind a reverse proxy', () => {
  let h: Harness;
  beforeAll(async () => {
    // The spec plays the ingress from 127.0.0.1, which CONSOLE_TRUSTED_PROXIES names.
    h = await startHarness([{ name: 'viewer', role: 'viewer', password: 'viewer-password-123', params: { N: 1024, r: 8, p: 1 } }], '', { CONSOLE_TRUSTED_PROXIES: '127.0.0.1, ::1' });
  });
  afterAll(() => h.close());

  async function attempt(client: string, username: string, password: string): Promise<number> {
    const form = await fetch(`${h.url}/login`, { headers: { 'x-forwarded-for': client } });
    const token = /hookbus_console_login=([^;]+)/.exec(form.headers.getSetCookie().join('\n'))![1]!;
    const answer = await fetch(`${h.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { origin: h.url, cookie: `hookbus_console_login=${token}`, 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': client },
      body: new URLSearchParams({ _csrf: token, username, password }).toString(),
    });
    return answer.status;
  }

  it("does not lock a person out because a stranger behind the same ingress guessed wrong", async () => {
    for (let i = 0; i < 5; i++) expect(await attempt('203.0.113.66', `admin${i}`, 'guess')).toBe(401);
    // Before the fix: 429 (the ingress's address, 127.0.0.1 here, is locked for every name).
    expect(await attempt('198.51.100.20', 'viewer', 'viewer-password-123')).toBe(303);
  });

  it('counts the guesser by its own forwarded address: the right-most one that is not a trusted proxy', async () => {
    const guesser = '192.0.2.77';
    // A client-supplied hop further left is ignored: the name locks after FREE_FAILURES, whatever the guesser claims.
    for (let i = 0; i < FREE_FAILURES; i++) expect(await attempt(`10.${i}.0.1, ${guesser}`, 'viewer', 'guess')).toBe(401);
    expect(await attempt(guesser, 'viewer', 'viewer-password-123')).toBe(429);
    // Its address has a budget of its own for other names, much larger than a name's; nobody else's is touched.
    expect(await attempt(guesser, 'someone', 'guess')).toBe(401);
  });
});

describe('the login throttle without CONSOLE_TRUSTED_PROXIES', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness([{ name: 'viewer', role: 'viewer', password: 'viewer-password-123', params: { N: 1024, r: 8, p: 1 } }]);
  });
  afterAll(() => h.close());

  it('does not lock every name out because one address (an untrusted ingress, a NAT) guessed wrong five times', async () => {
    for (let i = 0; i < FREE_FAILURES; i++) expect((await h.login(`admin${i}`, 'guess')).answer.status).toBe(401);
    expect((await h.login('viewer', 'viewer-password-123')).answer.status).toBe(303);
  });
});
