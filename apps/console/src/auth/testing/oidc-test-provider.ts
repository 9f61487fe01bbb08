import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { runInThisContext } from 'node:vm';
import { fetch } from 'undici';
import { nodeRequire } from '../oidc-login';

/**
 * A real OpenID provider (`oidc-provider`) for the specs, on 127.0.0.1:`port` in the test's process, with one
 * confidential client (client_secret_basic, PKCE required) and the accounts the test gives. Its login interaction
 * is answered by a handler that logs in the account the test names (authorize()); consent is granted up front (a
 * first-party client), so the provider redirects straight back to the client with the code.
 */
export interface OidcTestProviderOptions {
  readonly port: number;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUrl: string;
  /** The claim the accounts' roles are in; released with the `profile` scope. */
  readonly roleClaim: string;
  /** Account id (the subject) → its claims. */
  readonly accounts: Record<string, Record<string, unknown>>;
}

export interface OidcTestProvider {
  readonly issuer: string;
  /**
   * The browser at the provider: from the authorization URL, logs in as `account` and follows the provider's
   * redirects (one cookie jar per login) until it is sent to the client's redirect URL, which it returns.
   */
  authorize(url: string, account: string): Promise<URL>;
  close(): Promise<void>;
}

/**
 * The provider (loaded by Node, outside jest's sandbox) merges its configuration with its defaults only for plain
 * objects of its own realm: the configuration is copied into that realm (functions stay as they are).
 */
const inProviderRealm = runInThisContext(
  '(function copy(v) { if (Array.isArray(v)) return v.map(copy); if (v && typeof v === "object") { const o = {}; for (const k of Object.keys(v)) o[k] = copy(v[k]); return o; } return v; })',
) as <T>(value: T) => T;

/* eslint-disable @typescript-eslint/no-explicit-any -- oidc-provider ships no types */
export async function startOidcTestProvider(options: OidcTestProviderOptions): Promise<OidcTestProvider> {
  const { default: Provider } = nodeRequire('oidc-provider') as { default: any };
  const issuer = `http://127.0.0.1:${options.port}`;
  const { accounts } = options;
  let loginAs = '';
  const provider = new Provider(issuer, inProviderRealm({
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: [options.redirectUrl],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    cookies: { keys: ['test-cookie-key-not-a-secret'] },
    pkce: { required: () => true },
    claims: { openid: ['sub'], profile: ['preferred_username', options.roleClaim] },
    features: { devInteractions: { enabled: false } },
    findAccount: async (_ctx: unknown, sub: string) => (accounts[sub] ? { accountId: sub, claims: async () => ({ sub, ...accounts[sub] }) } : undefined),
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    // A first-party client: consent is given with the login (the recipe in oidc-provider's docs for skipping it).
    loadExistingGrant: async (ctx: any) => {
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid profile');
      await grant.save();
      return grant;
    },
  }));
  const handle = provider.callback();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith('/interaction/')) {
      // The login page: logs in the account the test chose, and the provider redirects back to its authorization.
      provider.interactionFinished(req, res, { login: { accountId: loginAs } }, { mergeWithLastSubmission: false }).catch((error: Error) => {
        res.statusCode = 500;
        res.end(error.message);
      });
      return;
    }
    handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(options.port, '127.0.0.1', resolve));

  return {
    issuer,
    async authorize(url, account) {
      loginAs = account;
      const jar = new Map<string, string>();
      let next = url;
      for (let hop = 0; hop < 10; hop++) {
        const response = await fetch(next, { redirect: 'manual', headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
        for (const cookie of response.headers.getSetCookie()) {
          const pair = cookie.split(';')[0]!;
          jar.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
        }
        const location = response.headers.get('location');
        if (!location) throw new Error(`no redirect from ${new URL(next).pathname}: ${response.status} ${await response.text()}`);
        const target = new URL(location, next);
        if (target.href.startsWith(options.redirectUrl)) return target;
        next = target.href;
      }
      throw new Error('too many redirects');
    },
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
/* eslint-enable @typescript-eslint/no-explicit-any */
