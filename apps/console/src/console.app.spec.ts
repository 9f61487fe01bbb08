import type { RunningService } from '@hookbus/nest-kafka';
import { decodeConsoleAudit, decodeReplayCommand } from '@hookbus/contracts';
import type { OutgoingRecord } from '@hookbus/kafka';
import { loadEnv, parseHookbusConfig } from '@hookbus/config';
import { serviceContext } from '@hookbus/platform';
import { LogCapture, expectNoPersonalData } from '@hookbus/testing';
import { hashPassword } from './auth/password-hash';
import { startConsole } from './console.app';
import type { OidcFlow } from './auth/oidc-flow';
import type { ConsoleAuditEntry } from './console-runtime';
import { consoleSettings } from './console-settings';

/**
 * The access rules over HTTP, in process (no page here touches the database): login and its throttle, sessions,
 * origin and CSRF on POST, roles, security headers. The browser suite (test/console) checks them in chromium too.
 */
const FAST = { N: 1024, r: 8, p: 1 };
let running: RunningService;
let url: string;
const audit: ConsoleAuditEntry[] = [];
/** What the actions sent to Kafka (a fake producer): each send is one batch. */
const batches: OutgoingRecord[][] = [];

beforeAll(async () => {
  const env = loadEnv({ LOG_LEVEL: 'error', LISTEN_HOST: '127.0.0.1', DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' }, () => false);
  const yaml = `console:
  users:
    - { name: operator, role: operator, passwordHash: "${await hashPassword('operator-password', FAST)}" }
    - { name: viewer, role: viewer, passwordHash: "${await hashPassword('viewer-password', FAST)}" }
`;
  const config = parseHookbusConfig(yaml);
  const context = serviceContext('console', { env, config });
  running = await startConsole(context, { port: 0, settings: consoleSettings(env, config, { CONSOLE_COOKIE_SECURE: 'false' }), audit: { record: async (entry) => void audit.push(entry) }, actionPorts: { deadLetters: async () => [], send: async (records) => void batches.push([...records]) } });
  url = running.url;
});

afterAll(() => running.close());

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

async function request(path: string, init: { method?: string; cookie?: string; form?: Record<string, string>; origin?: string | null; forwardedFor?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (init.cookie) headers.cookie = init.cookie;
  if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
  if (init.origin !== null && init.method === 'POST') headers.origin = init.origin ?? url;
  const response = await fetch(`${url}${path}`, { method: init.method ?? 'GET', headers, body: init.form ? new URLSearchParams(init.form).toString() : undefined, redirect: 'manual' });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

function cookiesOf(answer: Answer): Record<string, string> {
  return Object.fromEntries(answer.headers.getSetCookie().map((c) => c.split(';')[0]!.split('=') as [string, string]));
}

async function login(name: string, password: string): Promise<{ cookie: string; answer: Answer }> {
  const form = await request('/login');
  const loginToken = cookiesOf(form).hookbus_console_login!;
  const answer = await request('/login', { method: 'POST', cookie: `hookbus_console_login=${loginToken}`, form: { _csrf: loginToken, username: name, password, next: '/sources' } });
  return { cookie: `hookbus_console=${cookiesOf(answer).hookbus_console}`, answer };
}

/** The CSRF token of a session, as its pages carry it (the layout's logout form; a 404 page of a route needs no database). */
async function csrfOf(cookie: string): Promise<string> {
  const page = await request('/receipts/not-a-receipt-id', { cookie });
  expect(page.status).toBe(404);
  return /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
}

// Before 'console access': its last test locks the operator's name out (the login throttle).
describe('replay of a raw range (/replay)', () => {
  const consumed = (record: OutgoingRecord) => ({ topic: record.topic, key: record.key === null || record.key === undefined ? null : Buffer.from(record.key), value: record.value === null || record.value === undefined ? null : Buffer.from(record.value), headers: {} });

  it("publishes an operator's replay command and its raw.replay audit record in one batch, and shows the command id", async () => {
    const { cookie } = await login('operator', 'operator-password');
    const form = await request('/replay', { cookie });
    expect(form.text).toContain('id="replay-form"');
    const before = batches.length;
    const answer = await request('/replay', { method: 'POST', cookie, form: { _csrf: await csrfOf(cookie), provider: 'credas', sourceId: 'credas-actor', from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00', partition: '2', fromOffset: '', toOffset: '' } });
    expect(answer.status).toBe(303);
    expect(batches).toHaveLength(before + 1);
    const [command, auditRecord] = batches.at(-1)!;
    expect(command!.topic).toBe('normalizer.commands.v1');
    const sent = decodeReplayCommand(consumed(command!));
    expect(sent).toMatchObject({ type: 'replay', provider: 'credas', sourceId: 'credas-actor', from: '2026-11-01T00:00:00.000Z', to: '2026-11-02T00:00:00.000Z', partition: 2, requestedBy: 'operator' });
    expect(sent.fromOffset).toBeUndefined();
    expect(decodeConsoleAudit(consumed(auditRecord!))).toMatchObject({ actor: 'operator', role: 'operator', action: 'raw.replay', target: { kind: 'raw-range' }, outcome: 'ok', detail: `command ${sent.commandId}` });
    expect(answer.headers.get('location')).toBe(`/replay?requested=${sent.commandId}`);
    const page = await request(answer.headers.get('location')!, { cookie });
    expect(page.text).toContain(`Replay requested (command ${sent.commandId})`);
  });

  it('refuses (400, nothing sent, audited refused) what npm run replay refuses: offsets the wrong way round', async () => {
    const { cookie } = await login('operator', 'operator-password');
    const before = batches.length;
    const answer = await request('/replay', { method: 'POST', cookie, form: { _csrf: await csrfOf(cookie), provider: 'credas', partition: '0', fromOffset: '9', toOffset: '3' } });
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('is after toOffset');
    // Only the refusal's audit record went out, alone.
    expect(batches.slice(before).map((batch) => batch.map((r) => r.topic))).toEqual([['console.audit.v1']]);
  });

  it("refuses a viewer's replay (403) and a replay without the CSRF token (403); neither sends anything", async () => {
    const viewer = (await login('viewer', 'viewer-password')).cookie;
    const operator = (await login('operator', 'operator-password')).cookie;
    expect((await request('/replay', { cookie: viewer })).text).not.toContain('id="replay-form"');
    const before = batches.length;
    expect((await request('/replay', { method: 'POST', cookie: viewer, form: { _csrf: await csrfOf(viewer), provider: 'credas' } })).status).toBe(403);
    expect((await request('/replay', { method: 'POST', cookie: operator, form: { provider: 'credas' } })).status).toBe(403);
    expect(batches.slice(before).filter((batch) => batch.some((r) => r.topic === 'normalizer.commands.v1'))).toEqual([]);
  });
});

describe('console access', () => {
  it('sends a browser without a session to the login page, and answers health probes without one', async () => {
    const answer = await request('/search?q=x');
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe('/login?next=%2Fsearch%3Fq%3Dx');
    expect((await request('/health/live')).status).toBe(200);
    expect((await request('/metrics')).status).toBe(200);
  });

  it('sets the security headers on every page: CSP without inline script, no framing, no sniffing, no caching', async () => {
    const answer = await request('/login');
    expect(answer.headers.get('content-security-policy')).toContain("default-src 'self'; frame-ancestors 'none'");
    expect(answer.headers.get('x-frame-options')).toBe('DENY');
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.text).not.toMatch(/<script(?![^>]*\ssrc=)/);
    expect(answer.text).not.toMatch(/\sstyle=/);
  });

  it('logs in with a new HttpOnly, SameSite=Strict session cookie and goes where it was asked, never off-site', async () => {
    const { answer } = await login('viewer', 'viewer-password');
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe('/sources');
    const set = answer.headers.getSetCookie().find((c) => c.startsWith('hookbus_console='))!;
    expect(set).toMatch(/; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    expect(set).not.toContain('Secure');
    const form = await request('/login');
    const token = cookiesOf(form).hookbus_console_login!;
    for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example']) {
      const offsite = await request('/login', { method: 'POST', cookie: `hookbus_console_login=${token}`, form: { _csrf: token, username: 'viewer', password: 'viewer-password', next } });
      expect(offsite.headers.get('location')).toBe('/');
    }
  });

  it('refuses a login without its form token or from another origin (403)', async () => {
    const form = await request('/login');
    const token = cookiesOf(form).hookbus_console_login!;
    expect((await request('/login', { method: 'POST', cookie: `hookbus_console_login=${token}`, form: { username: 'viewer', password: 'viewer-password' } })).status).toBe(403);
    expect((await request('/login', { method: 'POST', form: { _csrf: token, username: 'viewer', password: 'viewer-password' } })).status).toBe(403);
    expect((await request('/login', { method: 'POST', cookie: `hookbus_console_login=${token}`, origin: 'https://evil.example', form: { _csrf: token, username: 'viewer', password: 'viewer-password' } })).status).toBe(403);
    expect((await request('/login', { method: 'POST', cookie: `hookbus_console_login=${token}`, origin: null, form: { _csrf: token, username: 'viewer', password: 'viewer-password' } })).status).toBe(403);
  });

  it('checks the CSRF token and the origin of every POST of a session, and the role of an action', async () => {
    const viewer = (await login('viewer', 'viewer-password')).cookie;
    const token = await csrfOf(viewer);
    expect((await request('/unmask', { method: 'POST', cookie: viewer, form: { next: '/search' } })).status).toBe(403);
    expect((await request('/mask', { method: 'POST', cookie: viewer, form: { next: '/search', _csrf: 'x'.repeat(token.length) } })).status).toBe(403);
    expect((await request('/mask', { method: 'POST', cookie: viewer, origin: 'http://evil.example', form: { next: '/search', _csrf: token } })).status).toBe(403);
    expect((await request('/mask', { method: 'POST', cookie: viewer, form: { next: '/search', _csrf: token } })).status).toBe(303);
    // A viewer's action is refused however right the token.
    const refused = await request('/unmask', { method: 'POST', cookie: viewer, form: { next: '/search', _csrf: token } });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('this needs the operator role');
    // Nothing but the viewer's logins (audited since console-actions wired the audit trail).
    expect(audit.filter((a) => a.user === 'viewer' && a.action !== 'login')).toEqual([]);
    expect(audit.filter((a) => a.user === 'viewer' && a.action === 'login')).toContainEqual(expect.objectContaining({ role: 'viewer', outcome: 'ok', targetKind: 'session' }));
  });

  it('logs out: the session is gone', async () => {
    const viewer = (await login('viewer', 'viewer-password')).cookie;
    const token = await csrfOf(viewer);
    const out = await request('/logout', { method: 'POST', cookie: viewer, form: { _csrf: token } });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/login');
    expect((await request('/sources', { cookie: viewer })).status).toBe(303);
  });
  // Last: the failures lock this test's address (127.0.0.1) out too.
  it('throttles a user name after 5 wrong passwords: 429 with Retry-After, even with the right password', async () => {
    for (let i = 0; i < 5; i++) expect((await login('operator', `wrong-${i}`)).answer.status).toBe(401);
    const locked = (await login('operator', 'operator-password')).answer;
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(locked.text).toContain('Too many failed logins');
  });

});

describe('single sign-on routes (console.oidc, with a stand-in for oidc-login.ts)', () => {
  let sso: RunningService;
  const logs = new LogCapture();
  const EMAIL_NAME = 'ana@example.org';
  const PHONE_NAME = '+306912345678';
  const finished: Array<{ url: string; state: string }> = [];
  const flow: OidcFlow = {
    start: async () => ({ url: 'https://id.example.org/authorize?state=s1', state: 's1', nonce: 'n1', codeVerifier: 'v1' }),
    finish: async (callbackUrl, expected) => {
      finished.push({ url: callbackUrl.toString(), state: expected.state });
      if (callbackUrl.searchParams.get('state') !== expected.state) throw new Error('state mismatch');
      // Single sign-on names are often an email address, sometimes a phone number: both personal data.
      return { name: callbackUrl.searchParams.get('code') === 'phone' ? PHONE_NAME : EMAIL_NAME, role: 'operator' };
    },
  };

  beforeAll(async () => {
    const env = loadEnv({ LOG_LEVEL: 'error', LISTEN_HOST: '127.0.0.1', DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' }, () => false);
    const config = parseHookbusConfig('console:\n  oidc: { issuer: "https://id.example.org", clientId: hookbus, redirectUrl: "http://127.0.0.1/login/oidc/callback" }\n');
    const settings = consoleSettings(env, config, { CONSOLE_COOKIE_SECURE: 'false', CONSOLE_OIDC_CLIENT_SECRET: 'client-secret-0123456789' });
    sso = await startConsole({ ...serviceContext('console', { env, config }), logger: logs.logger('console') }, { port: 0, settings, oidc: flow });
  });

  afterAll(async () => {
    await sso.close();
    // The single sign-on names are an email address and a phone number: the login's log lines mask them. The console's
    // own address is not personal data (its random port once read as a phone number in the "listening" line).
    expect(logs.lines.filter((line) => line.includes('console: login (single sign-on)'))).toHaveLength(2);
    expectNoPersonalData(logs, { testData: [EMAIL_NAME, PHONE_NAME], ownUrls: [sso.url] });
  });

  it('sends the browser to the provider, then logs in with the identity it gives, once', async () => {
    const start = await fetch(`${sso.url}/login/oidc?next=%2Fsources`, { redirect: 'manual' });
    expect(start.status).toBe(303);
    expect(start.headers.get('location')).toBe('https://id.example.org/authorize?state=s1');
    const pending = start.headers.getSetCookie()[0]!.split(';')[0]!;
    expect(start.headers.getSetCookie()[0]).toContain('HttpOnly; SameSite=Lax');

    const callback = await fetch(`${sso.url}/login/oidc/callback?code=c1&state=s1`, { headers: { cookie: pending }, redirect: 'manual' });
    expect(callback.status).toBe(200);
    expect(finished.at(-1)).toEqual({ url: 'http://127.0.0.1/login/oidc/callback?code=c1&state=s1', state: 's1' });
    const session = callback.headers.getSetCookie().find((c) => c.startsWith('hookbus_console='))!;
    expect(session).toContain('HttpOnly; SameSite=Strict');
    expect(await callback.text()).toContain('<meta http-equiv="refresh" content="0;url=/sources">');
    const page = await fetch(`${sso.url}/receipts/not-a-receipt-id`, { headers: { cookie: session.split(';')[0]! }, redirect: 'manual' });
    expect(await page.text()).toContain(`${EMAIL_NAME} <span class="badge">operator</span>`);

    // The pending login is used up: the same callback again is refused.
    expect((await fetch(`${sso.url}/login/oidc/callback?code=c1&state=s1`, { headers: { cookie: pending }, redirect: 'manual' })).status).toBe(403);
  });

  it('logs in a single sign-on name that is a phone number', async () => {
    const start = await fetch(`${sso.url}/login/oidc`, { redirect: 'manual' });
    const pending = start.headers.getSetCookie()[0]!.split(';')[0]!;
    const callback = await fetch(`${sso.url}/login/oidc/callback?code=phone&state=s1`, { headers: { cookie: pending }, redirect: 'manual' });
    expect(callback.status).toBe(200);
    expect(callback.headers.getSetCookie().some((c) => c.startsWith('hookbus_console='))).toBe(true);
  });

  it('refuses a callback the provider refused, and one without a login started here', async () => {
    const start = await fetch(`${sso.url}/login/oidc`, { redirect: 'manual' });
    const pending = start.headers.getSetCookie()[0]!.split(';')[0]!;
    const refused = await fetch(`${sso.url}/login/oidc/callback?code=c1&state=forged`, { headers: { cookie: pending }, redirect: 'manual' });
    expect(refused.status).toBe(403);
    expect(refused.headers.getSetCookie().some((c) => c.startsWith('hookbus_console='))).toBe(false);
    expect((await fetch(`${sso.url}/login/oidc/callback?code=c1&state=s1`, { redirect: 'manual' })).status).toBe(403);
  });

  it('offers single sign-on on the login page; without console.oidc the routes are 404', async () => {
    expect(await (await fetch(`${sso.url}/login`)).text()).toContain('href="/login/oidc?next=%2F"');
    expect((await fetch(`${url}/login/oidc`, { redirect: 'manual' })).status).toBe(404);
  });
});
