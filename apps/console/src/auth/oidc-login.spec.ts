import { OidcLogin, OidcRefused, roleOf, type OidcSettings } from './oidc-login';
import { startOidcTestProvider, type OidcTestProvider } from './testing/oidc-test-provider';

/**
 * OidcLogin against a real OpenID provider (`oidc-provider`) running in this process on 127.0.0.1:19980
 * (testing/oidc-test-provider.ts): the whole authorization-code + PKCE flow, the browser's part played by plain HTTP
 * requests with a cookie jar.
 */
const PORT = 19980;
const ISSUER = `http://127.0.0.1:${PORT}`;
const REDIRECT = 'http://127.0.0.1:19981/login/oidc/callback';
const ROLE_CLAIM = 'hookbus_roles';

const accounts: Record<string, Record<string, unknown>> = {
  olga: { preferred_username: 'olga', [ROLE_CLAIM]: 'hookbus-operators' },
  vic: { preferred_username: 'vic', [ROLE_CLAIM]: ['staff', 'hookbus-viewers'] },
  both: { preferred_username: 'both', [ROLE_CLAIM]: ['hookbus-viewers', 'hookbus-operators'] },
  nobody: { preferred_username: 'nobody', [ROLE_CLAIM]: ['staff'] },
  norole: { preferred_username: 'norole' },
};

const settings: OidcSettings = {
  issuer: ISSUER,
  clientId: 'hookbus-console',
  clientSecret: 'test-client-secret-not-a-secret',
  redirectUrl: REDIRECT,
  roleClaim: ROLE_CLAIM,
  operatorValues: ['hookbus-operators'],
  viewerValues: ['hookbus-viewers'],
};

let provider: OidcTestProvider;

beforeAll(async () => {
  provider = await startOidcTestProvider({ port: PORT, clientId: settings.clientId, clientSecret: settings.clientSecret, redirectUrl: REDIRECT, roleClaim: ROLE_CLAIM, accounts });
});

afterAll(() => provider.close());

const authorize = (url: string, account: string): Promise<URL> => provider.authorize(url, account);

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => new Error('finish() accepted the login'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OidcRefused);
  return (error as OidcRefused).code;
}

describe('OidcLogin against oidc-provider', () => {
  let login: OidcLogin;

  beforeAll(async () => {
    login = await OidcLogin.discover(settings);
  });

  it('starts an authorization-code login with PKCE (S256), state and nonce, each new per login', async () => {
    const first = await login.start();
    const second = await login.start();
    const url = new URL(first.url);
    expect(url.origin + url.pathname).toBe(`${ISSUER}/auth`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: settings.clientId,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid profile',
      code_challenge_method: 'S256',
      state: first.state,
      nonce: first.nonce,
    });
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.has('code_verifier')).toBe(false);
    expect(new Set([first.state, second.state]).size).toBe(2);
    expect(new Set([first.nonce, second.nonce]).size).toBe(2);
    expect(first.codeVerifier).not.toBe(second.codeVerifier);
  });

  it.each([
    ['olga', { name: 'olga', role: 'operator' }],
    ['vic', { name: 'vic', role: 'viewer' }],
    ['both', { name: 'both', role: 'operator' }],
  ])('completes the flow and maps the role claim of %s', async (account, identity) => {
    const started = await login.start();
    const callback = await authorize(started.url, account);
    expect(callback.searchParams.get('state')).toBe(started.state);
    expect(await login.finish(callback, started)).toEqual(identity);
  });

  it.each(['nobody', 'norole'])('refuses %s: no role claim value maps to viewer or operator', async (account) => {
    const started = await login.start();
    expect(await refusal(login.finish(await authorize(started.url, account), started))).toBe('console.oidc_no_role');
  });

  it("refuses a callback whose state is not this login's (a forged or replayed callback)", async () => {
    const mine = await login.start();
    const theirs = await login.start();
    const callback = await authorize(theirs.url, 'olga');
    expect(await refusal(login.finish(callback, mine))).toBe('console.oidc_state_mismatch');
    const stripped = new URL(callback);
    stripped.searchParams.delete('state');
    expect(await refusal(login.finish(stripped, theirs))).toBe('console.oidc_state_mismatch');
  });

  it('refuses an ID token whose nonce is not the one the login started with', async () => {
    const started = await login.start();
    const callback = await authorize(started.url, 'olga');
    expect(await refusal(login.finish(callback, { ...started, nonce: (await login.start()).nonce }))).toBe('console.oidc_token_refused');
  });

  it('refuses a code exchanged with another PKCE verifier, and a code used twice', async () => {
    const started = await login.start();
    const callback = await authorize(started.url, 'olga');
    expect(await refusal(login.finish(callback, { ...started, codeVerifier: (await login.start()).codeVerifier }))).toBe('console.oidc_token_refused');
    const again = await login.start();
    const used = await authorize(again.url, 'olga');
    await expect(login.finish(used, again)).resolves.toEqual({ name: 'olga', role: 'operator' });
    expect(await refusal(login.finish(used, again))).toBe('console.oidc_token_refused');
  });

  it("refuses a callback carrying the provider's error", async () => {
    const started = await login.start();
    const denied = new URL(`${REDIRECT}?error=access_denied&state=${started.state}&iss=${encodeURIComponent(ISSUER)}`);
    expect(await refusal(login.finish(denied, started))).toBe('console.oidc_provider_error');
  });
});

describe('roleOf', () => {
  it.each<[unknown, 'viewer' | 'operator' | null]>([
    ['hookbus-operators', 'operator'],
    [['hookbus-viewers'], 'viewer'],
    [['hookbus-viewers', 'hookbus-operators'], 'operator'],
    [[], null],
    [undefined, null],
    [42, null],
    ['Hookbus-Operators', null],
  ])('%j → %s', (value, role) => {
    expect(roleOf(value, settings)).toBe(role);
  });
});

describe('OidcLogin.discover', () => {
  it('refuses a plain-http issuer that is not on the loopback interface', async () => {
    await expect(OidcLogin.discover({ ...settings, issuer: 'http://idp.example.com' })).rejects.toThrow(/https/);
  });
});
