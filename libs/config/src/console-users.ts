import { ConfigError } from './config-error';

/** Who may use the console (apps/console): a viewer reads with personal data masked; an operator may act and unmask. */
export type ConsoleRole = 'viewer' | 'operator';
export const CONSOLE_ROLES: readonly ConsoleRole[] = ['viewer', 'operator'];

export interface ConsoleUser {
  readonly name: string;
  readonly role: ConsoleRole;
  /** `scrypt$<N>$<r>$<p>$<salt b64>$<hash b64>` (apps/console/src/auth/password-hash.ts, `npm run console:hash-password`). */
  readonly passwordHash: string;
}

/** Optional OpenID Connect login (the client secret comes from env CONSOLE_OIDC_CLIENT_SECRET, never the YAML). */
export interface ConsoleOidcConfig {
  readonly issuer: string;
  readonly clientId: string;
  readonly redirectUrl: string;
  /** The ID token claim that holds the role (a string or a list of strings). */
  readonly roleClaim: string;
  readonly operatorValues: readonly string[];
  readonly viewerValues: readonly string[];
}

/** The `console:` section of hookbus.yaml. */
export interface ConsoleConfig {
  readonly users: readonly ConsoleUser[];
  readonly oidc: ConsoleOidcConfig | null;
}

export const NO_CONSOLE: ConsoleConfig = { users: [], oidc: null };

const NAME = /^[A-Za-z0-9._@-]{1,64}$/;
/** The hash format only (the numbers' bounds are checked where it is verified). */
export const PASSWORD_HASH = /^scrypt\$\d{1,8}\$\d{1,3}\$\d{1,3}\$[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]+={0,2}$/;

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses a list of console users (the YAML's `console.users`, or the file CONSOLE_USERS_FILE names); problems name `path`. */
export function parseConsoleUsers(raw: unknown, path: string, problems: string[]): ConsoleUser[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    problems.push(`${path}: expected a list of { name, role, passwordHash }`);
    return [];
  }
  const users: ConsoleUser[] = [];
  raw.forEach((entry, i) => {
    const at = `${path}[${i}]`;
    if (!isObject(entry)) {
      problems.push(`${at}: expected { name, role, passwordHash }`);
      return;
    }
    const { name, role, passwordHash } = entry;
    if (typeof name !== 'string' || !NAME.test(name)) problems.push(`${at}.name: expected 1-64 letters, digits or . _ @ -`);
    if (typeof role !== 'string' || !(CONSOLE_ROLES as readonly string[]).includes(role)) problems.push(`${at}.role: expected viewer or operator`);
    // Never echoed: a hash is not a password, but it is what a guesser works from.
    if (typeof passwordHash !== 'string' || !PASSWORD_HASH.test(passwordHash)) problems.push(`${at}.passwordHash: expected scrypt$N$r$p$salt$hash (npm run console:hash-password)`);
    if (typeof name === 'string' && users.some((u) => u.name === name)) problems.push(`${at}.name: duplicate user ${name}`);
    if (typeof name === 'string' && typeof role === 'string' && typeof passwordHash === 'string') users.push({ name, role: role as ConsoleRole, passwordHash });
  });
  return users;
}

function stringList(raw: unknown, path: string, problems: string[]): string[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw) || raw.some((v) => typeof v !== 'string' || v === '')) {
    problems.push(`${path}: expected a list of strings`);
    return [];
  }
  return raw as string[];
}

function httpUrl(raw: unknown, path: string, problems: string[]): string {
  if (typeof raw !== 'string') {
    problems.push(`${path}: required (a URL)`);
    return '';
  }
  try {
    const url = new URL(raw);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') problems.push(`${path}: expected an http(s) URL`);
  } catch {
    problems.push(`${path}: not a valid URL`);
  }
  return raw;
}

function parseOidc(raw: unknown, problems: string[]): ConsoleOidcConfig | null {
  if (raw === undefined || raw === null) return null;
  if (!isObject(raw)) {
    problems.push('console.oidc: expected a mapping');
    return null;
  }
  if (raw.clientSecret !== undefined) problems.push('console.oidc.clientSecret: not read from the YAML; set env CONSOLE_OIDC_CLIENT_SECRET');
  const clientId = typeof raw.clientId === 'string' && raw.clientId !== '' ? raw.clientId : '';
  if (!clientId) problems.push('console.oidc.clientId: required');
  const roleClaim = raw.roleClaim === undefined ? 'roles' : raw.roleClaim;
  if (typeof roleClaim !== 'string' || roleClaim === '') problems.push('console.oidc.roleClaim: expected a claim name');
  const oidc: ConsoleOidcConfig = {
    issuer: httpUrl(raw.issuer, 'console.oidc.issuer', problems),
    clientId,
    redirectUrl: httpUrl(raw.redirectUrl, 'console.oidc.redirectUrl', problems),
    roleClaim: typeof roleClaim === 'string' ? roleClaim : 'roles',
    operatorValues: raw.operatorValues === undefined ? ['operator'] : stringList(raw.operatorValues, 'console.oidc.operatorValues', problems),
    viewerValues: raw.viewerValues === undefined ? ['viewer'] : stringList(raw.viewerValues, 'console.oidc.viewerValues', problems),
  };
  return oidc;
}

/** The `console:` section; absent: no users and no OIDC (the console then refuses to start, the rest do not care). */
export function parseConsoleConfig(raw: unknown, problems: string[]): ConsoleConfig {
  if (raw === undefined || raw === null) return NO_CONSOLE;
  if (!isObject(raw)) {
    problems.push('console: expected a mapping');
    return NO_CONSOLE;
  }
  return { users: parseConsoleUsers(raw.users, 'console.users', problems), oidc: parseOidc(raw.oidc, problems) };
}

/** Throws ConfigError naming every problem of a users list read on its own (CONSOLE_USERS_FILE). */
export function consoleUsersOrThrow(raw: unknown, path: string): ConsoleUser[] {
  const problems: string[] = [];
  const users = parseConsoleUsers(raw, path, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return users;
}
