import type { RunningService } from '@hookbus/nest-kafka';
import { loadEnv, parseHookbusConfig } from '@hookbus/config';
import { serviceContext } from '@hookbus/platform';
import { LogCapture, expectNoPersonalData } from '@hookbus/testing';
import { fetch } from 'undici';
import { startOidcTestProvider, type OidcTestProvider } from './auth/testing/oidc-test-provider';
import { startConsole } from './console.app';
import type { ConsoleAuditEntry } from './console-runtime';
import { consoleSettings } from './console-settings';

/**
 * Single sign-on end to end, in process: the console configured with `console.oidc` (the real oidc-login.ts,
 * discovered as in production) against a real OpenID provider (`oidc-provider`, testing/oidc-test-provider.ts) on
 * 127.0.0.1:19982. The browser is plain HTTP: the console's cookies in one jar, the provider's in another.
 */
const PROVIDER_PORT = 19982;
const CONSOLE_PORT = 19983;
const CONSOLE = `http://127.0.0.1:${CONSOLE_PORT}`;
const REDIRECT = `${CONSOLE}/login/oidc/callback`;
const ROLE_CLAIM = 'groups';
const CLIENT_SECRET = 'console-oidc-spec-secret-0123456789';

const OLGA_EMAIL = 'olga@example.org';

const accounts: Record<string, Record<string, unknown>> = {
  olga: { preferred_username: 'olga', email: OLGA_EMAIL, [ROLE_CLAIM]: ['staff', 'hookbus-operators'] },
  vic: { preferred_username: 'vic', [ROLE_CLAIM]: 'hookbus-viewers' },
  nobody: { preferred_username: 'nobody', [ROLE_CLAIM]: ['staff'] },
};

let provider: OidcTestProvider;
let running: RunningService;
const logs = new LogCapture();
const audit: ConsoleAuditEntry[] = [];

beforeAll(async () => {
  provider = await startOidcTestProvider({ port: PROVIDER_PORT, clientId: 'hookbus-console', clientSecret: CLIENT_SECRET, redirectUrl: REDIRECT, roleClaim: ROLE_CLAIM, accounts });
  const env = loadEnv({ LOG_LEVEL: 'error', LISTEN_HOST: '127.0.0.1', DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' }, () => false);
  const config = parseHookbusConfig(`console:
  oidc:
    issuer: "${provider.issuer}"
    clientId: hookbus-console
    redirectUrl: "${REDIRECT}"
    roleClaim: ${ROLE_CLAIM}
    operatorValues: [hookbus-operators]
    viewerValues: [hookbus-viewers]
`);
  // The spec's requests come from 127.0.0.1; as a trusted proxy its X-Forwarded-For gives a request another address.
  const settings = consoleSettings(env, config, { CONSOLE_COOKIE_SECURE: 'false', CONSOLE_OIDC_CLIENT_SECRET: CLIENT_SECRET, CONSOLE_TRUSTED_PROXIES: '127.0.0.1' });
  running = await startConsole({ ...serviceContext('console', { env, config }), logger: logs.logger('console') }, { port: CONSOLE_PORT, settings, audit: { record: async (entry) => void audit.push(entry) } });
});

afterAll(async () => {
  try {
    await running?.close();
  } finally {
    await provider?.close();
  }
  expect(logs.text()).not.toContain(CLIENT_SECRET);
  expectNoPersonalData(logs, { testData: [OLGA_EMAIL], ownUrls: [running.url, provider.issuer] });
});

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

async function request(path: string, init: { method?: string; cookie?: string; form?: Record<string, string>; from?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (init.from) headers['x-forwarded-for'] = init.from;
  if (init.cookie) headers.cookie = init.cookie;
  if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
  if (init.method === 'POST') headers.origin = CONSOLE;
  const response = await fetch(path.startsWith('http') ? path : `${CONSOLE}${path}`, { method: init.method ?? 'GET', headers, body: init.form ? new URLSearchParams(init.form).toString() : undefined, redirect: 'manual' });
  return { status: response.status, headers: response.headers as unknown as Headers, text: await response.text() };
}

const sessionCookieOf = (answer: Answer): string | undefined => answer.headers.getSetCookie().find((c) => c.startsWith('hookbus_console='));

/** GET /login/oidc → the provider (log in as `account`) → the provider's redirect to the console's callback. */
async function signOn(account: string, tamper?: (callback: URL) => URL): Promise<{ callback: Answer; callbackUrl: URL }> {
  const start = await request('/login/oidc?next=%2Fsearch');
  expect(start.status).toBe(303);
  const location = new URL(start.headers.get('location')!);
  expect(location.origin).toBe(provider.issuer);
  const pending = start.headers.getSetCookie()[0]!.split(';')[0]!;
  expect(pending).toMatch(/^hookbus_console_oidc=/);
  let callbackUrl = await provider.authorize(location.href, account);
  expect(callbackUrl.origin + callbackUrl.pathname).toBe(REDIRECT);
  if (tamper) callbackUrl = tamper(callbackUrl);
  const callback = await request(callbackUrl.href, { cookie: pending });
  return { callback, callbackUrl };
}

/** The CSRF token of a session, as its pages carry it (the layout's logout form). */
function csrfIn(page: Answer): string {
  return /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
}

describe('single sign-on with a real OpenID provider', () => {
  it.each([
    ['olga', 'operator', 303],
    ['vic', 'viewer', 403],
  ] as const)('logs %s in as %s: an HttpOnly, SameSite=Strict session that reads pages and acts by its role (operator POST → %i)', async (account, role, unmaskStatus) => {
    const { callback } = await signOn(account);
    expect(callback.status).toBe(200);
    expect(callback.text).toContain('<meta http-equiv="refresh" content="0;url=/search">');
    const set = sessionCookieOf(callback)!;
    expect(set).toMatch(/^hookbus_console=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    const cookie = set.split(';')[0]!;

    const search = await request('/search', { cookie });
    expect(search.status).toBe(200);
    expect(search.text).toContain(`${account} <span class="badge">${role}</span>`);
    const token = csrfIn(search);

    // An operator-only action: without the CSRF token refused for both, with it allowed to the operator only.
    expect((await request('/unmask', { method: 'POST', cookie, form: { next: '/search' } })).status).toBe(403);
    const unmask = await request('/unmask', { method: 'POST', cookie, form: { next: '/search', _csrf: token } });
    expect(unmask.status).toBe(unmaskStatus);
    if (role === 'viewer') expect(unmask.text).toContain('this needs the operator role');
    expect(audit.filter((a) => a.user === account && a.action !== 'login').map((a) => a.role)).toEqual(role === 'operator' ? ['operator'] : []);
    // The login is on the audit trail like a password login's.
    expect(audit).toContainEqual(expect.objectContaining({ user: account, role, action: 'login', target: 'oidc', outcome: 'ok', targetKind: 'session' }));
  });

  it('refuses an account whose role claim maps to no console role: a clear page, no session', async () => {
    const { callback } = await signOn('nobody');
    expect(callback.status).toBe(403);
    expect(callback.text).toContain('Your account has no console role');
    expect(callback.text).toContain('href="/login"');
    expect(sessionCookieOf(callback)).toBeUndefined();
    expect(audit).toContainEqual(expect.objectContaining({ action: 'login.refused', target: 'oidc', outcome: 'refused', detail: 'console.oidc_no_role' }));
    expect(logs.lines.some((line) => line.includes('console.oidc_no_role'))).toBe(true);
  });

  it("refuses a callback whose state is not the login's (forged), with no session", async () => {
    const { callback, callbackUrl } = await signOn('olga', (url) => {
      const forged = new URL(url);
      forged.searchParams.set('state', 'forged-state');
      return forged;
    });
    expect(callbackUrl.searchParams.get('state')).toBe('forged-state');
    expect(callback.status).toBe(403);
    expect(callback.text).toContain('did not let you in');
    expect(sessionCookieOf(callback)).toBeUndefined();
    expect(audit).toContainEqual(expect.objectContaining({ action: 'login.refused', target: 'oidc', detail: 'console.oidc_state_mismatch' }));
  });

  it('refuses a callback without a login started in this browser', async () => {
    const start = await request('/login/oidc');
    const callbackUrl = await provider.authorize(start.headers.get('location')!, 'olga');
    const callback = await request(callbackUrl.href);
    expect(callback.status).toBe(403);
    expect(sessionCookieOf(callback)).toBeUndefined();
  });

  it("keeps a person's login in progress while others flood the start of single sign-on (429 when full, never evicted)", async () => {
    // Before: past 1,000 logins under way the oldest was evicted, so unauthenticated GETs pushed everyone's out.
    const start = await request('/login/oidc?next=%2Fsearch');
    const pending = start.headers.getSetCookie()[0]!.split(';')[0]!;
    // One address keeps at most five (its own oldest dropped); a thousand addresses fill the table, then 429.
    for (let i = 0; i < 10; i++) expect((await request('/login/oidc', { from: '203.0.113.7' })).status).toBe(303);
    const statuses: number[] = [];
    for (let i = 0; i < 1000; i++) statuses.push((await request('/login/oidc', { from: `198.18.${i >> 8}.${i & 255}` })).status);
    expect(statuses.filter((s) => s === 303).length).toBeLessThan(1000);
    expect(statuses.at(-1)).toBe(429);
    const callbackUrl = await provider.authorize(start.headers.get('location')!, 'olga');
    const callback = await request(callbackUrl.href, { cookie: pending });
    expect(callback.status).toBe(200);
    expect(sessionCookieOf(callback)).toBeDefined();
  });
});
