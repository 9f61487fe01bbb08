import { ConfigError } from '@hookbus/config';
import type { ConsoleSettings } from '../console-settings';

/**
 * What the console needs of an OpenID Connect login: the shapes of CONSOLE.md's `OidcLogin`
 * (apps/console/src/auth/oidc-login.ts, built by the console-search part) without importing it, so the routes
 * (oidc.controller.ts) are wired and tested here with any implementation.
 */
export interface OidcLoginStart {
  readonly url: string;
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
}

export interface OidcIdentity {
  readonly name: string;
  readonly role: 'viewer' | 'operator';
}

export interface OidcFlow {
  start(): Promise<OidcLoginStart>;
  /** Throws when the provider's answer is refused (no role, wrong state...). */
  finish(callbackUrl: URL, expected: { state: string; nonce: string; codeVerifier: string }): Promise<OidcIdentity>;
}

/**
 * Discovers the configured provider through oidc-login.ts, loaded only when `console.oidc` is configured: a build
 * without it refuses to start with a config error rather than showing a login button that cannot work.
 */
export async function discoverOidc(oidc: NonNullable<ConsoleSettings['oidc']>): Promise<OidcFlow> {
  let module: { OidcLogin: { discover(settings: NonNullable<ConsoleSettings['oidc']>): Promise<OidcFlow> } };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    module = require('./oidc-login');
  } catch {
    throw new ConfigError(['console.oidc: this build has no OpenID Connect login (apps/console/src/auth/oidc-login.ts)']);
  }
  return module.OidcLogin.discover(oidc);
}
