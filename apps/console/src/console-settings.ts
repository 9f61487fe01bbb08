import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError, isAddressOrSubnet, parseConsoleUsers, type ConsoleOidcConfig, type ConsoleUser, type HookbusConfig, type HookbusEnv } from '@hookbus/config';
import { passwordHashProblem } from './auth/password-hash';

type Env = Readonly<Record<string, string | undefined>>;

export interface ConsoleSettings {
  readonly port: number;
  readonly users: readonly ConsoleUser[];
  /** With its client secret (CONSOLE_OIDC_CLIENT_SECRET); null: password login only. */
  readonly oidc: (ConsoleOidcConfig & { readonly clientSecret: string }) | null;
  /** Secure on the session cookie (CONSOLE_COOKIE_SECURE, default true; npm start sets false for http://127.0.0.1). */
  readonly cookieSecure: boolean;
  /** Where the monitor answers (CONSOLE_MONITOR_URL, default http://127.0.0.1:MONITOR_PORT). */
  readonly monitorUrl: string;
  /** The gateway's public base URL, to show the URL each provider is given (CONSOLE_WEBHOOK_BASE_URL). */
  readonly webhookBaseUrl: string;
  /**
   * The origins a POST may come from besides the request's own Host (CONSOLE_ALLOWED_ORIGINS, comma separated): a
   * console behind a proxy that rewrites Host names its public origin here.
   */
  readonly allowedOrigins: readonly string[];
  /**
   * The reverse proxies whose X-Forwarded-For is believed (CONSOLE_TRUSTED_PROXIES, comma separated IP addresses or
   * CIDR subnets, like the gateway's `gateway.trustedProxies`): behind an ingress every request comes from the
   * controller's address, so the login throttle counts the right-most forwarded address that is not one of these.
   * Empty (the default): the socket's peer, and the header is never read.
   */
  readonly trustedProxies: readonly string[];
}

function urlSetting(raw: Env, name: string, fallback: string, problems: string[]): string {
  const value = raw[name] || fallback;
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') problems.push(`${name}: expected an http(s) URL`);
  } catch {
    problems.push(`${name}: not a valid URL`);
  }
  return value.replace(/\/+$/, '');
}

/** CONSOLE_USERS_FILE: a YAML file `users: [{ name, role, passwordHash }]` (a Kubernetes secret mounted in the console's pod only). */
function usersFile(raw: Env, problems: string[]): ConsoleUser[] {
  const path = raw.CONSOLE_USERS_FILE;
  if (!path) return [];
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    problems.push(`CONSOLE_USERS_FILE: cannot read ${JSON.stringify(path)} as YAML (${(error as NodeJS.ErrnoException).code ?? 'parse error'})`);
    return [];
  }
  const list = typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? (doc as { users?: unknown }).users : doc;
  return parseConsoleUsers(list, 'CONSOLE_USERS_FILE users', problems);
}

/**
 * The console's settings, validated once at start: every problem named in one ConfigError. Without a user and
 * without OpenID Connect nobody could log in, so that is a problem too (compose and Kubernetes must be given users;
 * npm start generates local ones).
 */
export function consoleSettings(env: HookbusEnv, config: HookbusConfig, raw: Env = process.env): ConsoleSettings {
  const problems: string[] = [];
  const section = config.console ?? { users: [], oidc: null };
  const fileUsers = usersFile(raw, problems);
  const users = [...section.users];
  for (const user of fileUsers) {
    if (users.some((u) => u.name === user.name)) problems.push(`CONSOLE_USERS_FILE: user ${user.name} is also in console.users`);
    else users.push(user);
  }
  // The format was checked by the config; the numbers' bounds are verifyPassword's: a hash it would refuse at every
  // login is refused here, at start, with the user's name.
  for (const user of users) {
    const problem = passwordHashProblem(user.passwordHash);
    if (problem) problems.push(`console.users: ${user.name}: passwordHash is ${problem}`);
  }
  let oidc: ConsoleSettings['oidc'] = null;
  if (section.oidc) {
    const clientSecret = raw.CONSOLE_OIDC_CLIENT_SECRET ?? '';
    if (!clientSecret) problems.push('CONSOLE_OIDC_CLIENT_SECRET: required with console.oidc');
    oidc = { ...section.oidc, clientSecret };
  }
  if (users.length === 0 && !oidc) {
    problems.push('console.users: no console user is configured (add console.users to hookbus.yaml or a CONSOLE_USERS_FILE, hashes from `npm run console:hash-password`, or configure console.oidc); nobody could log in');
  }
  const cookieRaw = raw.CONSOLE_COOKIE_SECURE ?? '';
  if (!['', 'true', 'false'].includes(cookieRaw)) problems.push(`CONSOLE_COOKIE_SECURE: expected true or false, got ${JSON.stringify(cookieRaw)}`);
  const allowedOrigins = (raw.CONSOLE_ALLOWED_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean);
  for (const origin of allowedOrigins) {
    let ok = false;
    try {
      ok = new URL(origin).origin === origin;
    } catch {
      ok = false;
    }
    if (!ok) problems.push(`CONSOLE_ALLOWED_ORIGINS: ${JSON.stringify(origin)} is not an origin such as https://console.example.com`);
  }
  const trustedProxies = (raw.CONSOLE_TRUSTED_PROXIES ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  for (const proxy of trustedProxies) {
    if (!isAddressOrSubnet(proxy)) problems.push(`CONSOLE_TRUSTED_PROXIES: ${JSON.stringify(proxy)} is not an IP address or a CIDR subnet such as 10.0.0.0/8 or fd00::/8`);
  }
  const settings: ConsoleSettings = {
    port: env.servicePorts.console,
    users,
    oidc,
    cookieSecure: cookieRaw !== 'false',
    monitorUrl: urlSetting(raw, 'CONSOLE_MONITOR_URL', `http://127.0.0.1:${env.servicePorts.monitor}`, problems),
    webhookBaseUrl: urlSetting(raw, 'CONSOLE_WEBHOOK_BASE_URL', `http://127.0.0.1:${env.gatewayPort}`, problems),
    allowedOrigins,
    trustedProxies,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return settings;
}
