import type * as OpenIdClient from 'openid-client';

/**
 * Login through OpenID Connect (CONSOLE.md, `console.oidc`): the authorization-code flow with PKCE (S256), state and
 * nonce, on `openid-client` 6. The caller keeps what start() returns in a short-lived pre-login cookie or session
 * and hands it back to finish() with the callback URL; finish() exchanges the code, checks state, nonce and the ID
 * token, and maps the role claim to a console role. No role → refused: an account the IdP knows is not a console
 * user until an administrator gives it one. Nothing here logs; refusals carry a code, never a claim's value.
 */
export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUrl: string;
  roleClaim: string;
  operatorValues: string[];
  viewerValues: string[];
}

/** Kept in a short-lived pre-login cookie/session by the caller. */
export interface OidcLoginStart {
  url: string;
  state: string;
  nonce: string;
  codeVerifier: string;
}

export interface OidcIdentity {
  name: string;
  role: 'viewer' | 'operator';
}

export type OidcRefusal =
  /** The callback's state is not the one this login started with (a forged or replayed callback). */
  | 'console.oidc_state_mismatch'
  /** The IdP answered the callback with an error (the user cancelled, consent refused...). */
  | 'console.oidc_provider_error'
  /** The code exchange or the ID token failed a check (nonce, PKCE verifier, signature, issuer, audience, expiry). */
  | 'console.oidc_token_refused'
  /** The account has no value of the role claim that the settings map to viewer or operator. */
  | 'console.oidc_no_role';

export class OidcRefused extends Error {
  constructor(
    readonly code: OidcRefusal,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
    this.name = 'OidcRefused';
  }
}

/**
 * openid-client 6 is an ES module only. Node ≥ 20.19 (package.json engines) require()s ES modules, and the compiled
 * console is CommonJS, so Node's own require loads it. Taken from process.getBuiltinModule (Node ≥ 20.16) rather than
 * an import: under jest, `import`/`require` and node:module's createRequire go through jest's module registry, which
 * cannot load an ES module; the built-in one can, in the specs as in production.
 */
export function nodeRequire(id: string): unknown {
  return process.getBuiltinModule('node:module').createRequire(__filename)(id);
}

const openid = nodeRequire('openid-client') as typeof OpenIdClient;

const SCOPE = 'openid profile';

export class OidcLogin {
  private constructor(
    private readonly settings: OidcSettings,
    private readonly config: OpenIdClient.Configuration,
  ) {}

  /**
   * Reads the issuer's discovery document. Plain http only for an issuer on the loopback interface (a local IdP,
   * the tests); anything else must be https.
   */
  static async discover(settings: OidcSettings): Promise<OidcLogin> {
    const issuer = new URL(settings.issuer);
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);
    if (issuer.protocol !== 'https:' && !(issuer.protocol === 'http:' && loopback)) {
      throw new Error(`console.oidc.issuer must be an https URL (http only on 127.0.0.1/localhost), got ${issuer.protocol}//${issuer.host}`);
    }
    const config = await openid.discovery(
      issuer,
      settings.clientId,
      undefined,
      openid.ClientSecretBasic(settings.clientSecret),
      issuer.protocol === 'http:' ? { execute: [openid.allowInsecureRequests] } : undefined,
    );
    return new OidcLogin(settings, config);
  }

  /** A new login: where to send the browser, and the secrets its callback must match (PKCE verifier, state, nonce). */
  async start(): Promise<OidcLoginStart> {
    const codeVerifier = openid.randomPKCECodeVerifier();
    const state = openid.randomState();
    const nonce = openid.randomNonce();
    const url = openid.buildAuthorizationUrl(this.config, {
      redirect_uri: this.settings.redirectUrl,
      scope: SCOPE,
      response_type: 'code',
      code_challenge: await openid.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.href, state, nonce, codeVerifier };
  }

  /**
   * The callback: exchanges the code (with the PKCE verifier), checks state, nonce and the ID token, then reads the
   * role claim from the ID token or, when the IdP puts profile claims only there, from userinfo. Throws OidcRefused.
   */
  async finish(callbackUrl: URL, expected: { state: string; nonce: string; codeVerifier: string }): Promise<OidcIdentity> {
    // Checked here first (openid-client checks it too) so a forged or replayed callback never reaches the IdP.
    if (callbackUrl.searchParams.get('state') !== expected.state) throw new OidcRefused('console.oidc_state_mismatch', 'the callback does not belong to this login');
    if (callbackUrl.searchParams.has('error')) throw new OidcRefused('console.oidc_provider_error', `the identity provider answered ${errorCode(callbackUrl.searchParams.get('error'))}`);
    let claims: Record<string, unknown>;
    try {
      const tokens = await openid.authorizationCodeGrant(this.config, callbackUrl, {
        pkceCodeVerifier: expected.codeVerifier,
        expectedState: expected.state,
        expectedNonce: expected.nonce,
        idTokenExpected: true,
      });
      const idToken = tokens.claims()!;
      claims = { ...idToken };
      if (claims[this.settings.roleClaim] === undefined) {
        claims = { ...(await openid.fetchUserInfo(this.config, tokens.access_token, idToken.sub)), ...idToken };
      }
    } catch (error) {
      throw new OidcRefused('console.oidc_token_refused', `the code exchange or the ID token was refused (${errorCode((error as { code?: unknown; error?: unknown }).error ?? (error as { code?: unknown }).code)})`, { cause: error });
    }
    const role = roleOf(claims[this.settings.roleClaim], this.settings);
    if (!role) throw new OidcRefused('console.oidc_no_role', `the account has no ${this.settings.roleClaim} value that maps to viewer or operator`);
    return { name: nameOf(claims), role };
  }
}

/** Operator wins when the account holds values of both roles. The claim may be one string or a list of them. */
export function roleOf(value: unknown, settings: Pick<OidcSettings, 'operatorValues' | 'viewerValues'>): OidcIdentity['role'] | null {
  const values = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
  if (values.some((v) => settings.operatorValues.includes(v))) return 'operator';
  if (values.some((v) => settings.viewerValues.includes(v))) return 'viewer';
  return null;
}

/** The name the console shows and audits: the IdP's user name, else its subject (never the email: personal data). */
function nameOf(claims: Record<string, unknown>): string {
  const name = [claims.preferred_username, claims.sub].find((v) => typeof v === 'string' && v.length > 0) as string;
  return name;
}

/** An error code from the IdP or the library, reduced to what is safe to show: letters, digits, '_' and '-'. */
function errorCode(value: unknown): string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(value) ? value : 'an error';
}
