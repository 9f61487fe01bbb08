import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { PROVIDERS, type ProviderName } from '@hookbus/contracts';
import { parseOctapushOptions } from '@hookbus/providers/octapush/octapush-source';
import { SOURCE_PROFILES } from '@hookbus/providers/source-profiles';
import { ConfigError } from './config-error';
import { parseConsoleConfig } from './console-users';
import { KINDS_BY_PROVIDER, type GatewaySettings, type HookbusConfig, type SourceAuth, type SourceConfig, type SourceKind } from './sources';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const DEFAULT_RATE_LIMIT = { requestsPerSecond: 2000, burst: 4000 };

/**
 * The built-in source ids (contract section 2) are templates, not sources: a source exists only when the config
 * names it (an open endpoint nobody asked for is the worst default a webhook gateway can have). A config entry
 * whose id is one of these, or that says `template: <id>`, takes its provider and kind from here; `npm start`
 * writes a local config naming all nine with generated secrets (scripts/local-sources.ts).
 */
export const SOURCE_TEMPLATES: ReadonlyArray<{ id: string; provider: ProviderName; kind: SourceKind }> = [
  { id: 'credas-process', provider: 'credas', kind: 'process' },
  { id: 'credas-actor', provider: 'credas', kind: 'process-actor' },
  { id: 'credas-status-update', provider: 'credas', kind: 'status-update' },
  { id: 'credas-monitoring', provider: 'credas', kind: 'monitoring' },
  { id: 'authvia-business-process', provider: 'authvia', kind: 'business-process' },
  { id: 'authvia-business-process-action', provider: 'authvia', kind: 'business-process-action' },
  { id: 'octapush-sms', provider: 'octapush', kind: 'sms' },
  { id: 'octapush-viber', provider: 'octapush', kind: 'viber' },
  { id: 'cellosign', provider: 'cellosign', kind: 'workflow' },
];

/**
 * Shortest shared secret (token, header value, basic password, Authvia subscription secret), in characters. A
 * secret sent as is can be guessed by anyone who can reach the gateway, and the gateway lets a valid credential
 * through whatever failures came from the same address (failed guesses must never block the real sender), so
 * the secret's length is what stops guessing: 16 random characters are over 80 bits.
 */
export const MIN_SHARED_SECRET_LENGTH = 16;
/** Standard Webhooks: keys of 24 to 64 bytes (the spec's range), after the `whsec_` prefix and Base64. */
export const MIN_SIGNING_KEY_BYTES = 24;

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Replaces `${NAME}` with the environment's value; a missing variable is a problem named by its path. */
function interpolate(value: unknown, path: string, env: Readonly<Record<string, string | undefined>>, problems: string[]): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
      const v = env[name];
      if (v === undefined) {
        problems.push(`${path}: environment variable ${name} is not set`);
        return '';
      }
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, `${path}[${i}]`, env, problems));
  if (isObject(value)) {
    const out: Raw = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolate(v, path ? `${path}.${k}` : k, env, problems);
    return out;
  }
  return value;
}

function str(o: Raw, key: string, path: string, problems: string[], opts: { optional?: boolean; pattern?: RegExp } = {}): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) {
    if (!opts.optional) problems.push(`${path}.${key}: required`);
    return undefined;
  }
  if (typeof v !== 'string' || v === '') {
    problems.push(`${path}.${key}: expected a non-empty string`);
    return undefined;
  }
  if (opts.pattern && !opts.pattern.test(v)) problems.push(`${path}.${key}: must match ${opts.pattern}`);
  return v;
}

function positiveInt(o: Raw, key: string, path: string, fallback: number, problems: string[]): number {
  const v = o[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    problems.push(`${path}.${key}: expected a positive integer`);
    return fallback;
  }
  return v;
}

/** A shared secret of at least MIN_SHARED_SECRET_LENGTH characters; the problem never quotes the value. */
function readSharedSecret(o: Raw, key: string, path: string, problems: string[]): string {
  const value = str(o, key, path, problems) ?? '';
  if (value !== '' && [...value].length < MIN_SHARED_SECRET_LENGTH) {
    problems.push(`${path}.${key}: too short (${[...value].length} characters); a secret needs at least ${MIN_SHARED_SECRET_LENGTH} random characters`);
  }
  return value;
}

function signingKeyProblem(secret: unknown): string | null {
  if (typeof secret !== 'string' || !/^whsec_[A-Za-z0-9+/]+={0,2}$/.test(secret)) return 'expected whsec_<base64> or a list of them';
  const bytes = Buffer.from(secret.slice('whsec_'.length), 'base64').length;
  return bytes < MIN_SIGNING_KEY_BYTES ? `a key of ${bytes} bytes is too short; Standard Webhooks keys are ${MIN_SIGNING_KEY_BYTES} to 64 random bytes` : null;
}

/**
 * Whether a config load reads the sources' credentials. Only the gateway authenticates requests ('read'); every other
 * service uses the sources' ids, kinds and header names only, and is deployed without the webhook secrets
 * (least privilege: deploy/k8s gives each pod only the keys it uses), so it loads them 'withheld': credential fields
 * are neither interpolated nor validated, and come out empty.
 */
export type SourceCredentials = 'read' | 'withheld';

/** The fields of an `auth` block that hold a credential: token and header values, basic user and password, secrets. */
const CREDENTIAL_FIELDS: readonly string[] = ['value', 'username', 'password', 'secret'];

/** A source's raw mapping without its credential fields, so that interpolation never asks for their variables. */
function withoutCredentials(raw: unknown): unknown {
  if (!isObject(raw) || !isObject(raw.auth)) return raw;
  const auth = Object.fromEntries(Object.entries(raw.auth).filter(([key]) => !CREDENTIAL_FIELDS.includes(key)));
  return { ...raw, auth };
}

function parseAuth(raw: unknown, path: string, problems: string[], credentials: SourceCredentials): SourceAuth {
  // Withheld credentials come out empty: a consumer never compares them with anything (startGateway refuses such a config).
  const sharedSecret = credentials === 'read' ? readSharedSecret : () => '';
  if (!isObject(raw)) {
    problems.push(`${path}: required (write {type: none} explicitly for an unauthenticated source)`);
    return { type: 'none' };
  }
  const type = raw.type;
  switch (type) {
    case 'token':
      return { type, value: sharedSecret(raw, 'value', path, problems), param: str(raw, 'param', path, problems, { optional: true }) ?? 'token' };
    case 'header': {
      const name = str(raw, 'name', path, problems) ?? '';
      return { type, name: name.toLowerCase(), value: sharedSecret(raw, 'value', path, problems) };
    }
    case 'basic':
      return { type, username: credentials === 'read' ? (str(raw, 'username', path, problems) ?? '') : '', password: sharedSecret(raw, 'password', path, problems) };
    case 'authvia':
      return { type, secret: sharedSecret(raw, 'secret', path, problems), toleranceSeconds: positiveInt(raw, 'toleranceSeconds', path, 300, problems) };
    case 'standard-webhooks': {
      if (credentials === 'withheld') return { type, secrets: [], toleranceSeconds: positiveInt(raw, 'toleranceSeconds', path, 300, problems) };
      // `secret` may be one whsec_ key or a list (key rotation: any of them verifies).
      const secrets = Array.isArray(raw.secret) ? raw.secret : [raw.secret];
      const problem = secrets.length === 0 ? 'expected whsec_<base64> or a list of them' : secrets.map(signingKeyProblem).find((p) => p !== null);
      if (problem) problems.push(`${path}.secret: ${problem}`);
      return { type, secrets: secrets.filter((s): s is string => typeof s === 'string'), toleranceSeconds: positiveInt(raw, 'toleranceSeconds', path, 300, problems) };
    }
    case 'none':
      return { type };
    default:
      problems.push(`${path}.type: expected one of token, header, basic, authvia, standard-webhooks, none; got ${JSON.stringify(type)}`);
      return { type: 'none' };
  }
}

function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Provider and kind of a source: written out, or from a template (`template: credas-actor`, or an id that is a
 * template's); written values must agree with the template's.
 */
function providerAndKind(raw: Raw, id: string | undefined, path: string, problems: string[]): { provider?: ProviderName; kind?: SourceKind } {
  const templateId = str(raw, 'template', path, problems, { optional: true });
  const template = SOURCE_TEMPLATES.find((t) => t.id === (templateId ?? id));
  if (templateId !== undefined && !template) problems.push(`${path}.template: expected one of ${SOURCE_TEMPLATES.map((t) => t.id).join(', ')}`);
  const provider = (str(raw, 'provider', path, problems, { optional: template !== undefined }) ?? template?.provider) as ProviderName | undefined;
  if (provider && !PROVIDERS.includes(provider)) problems.push(`${path}.provider: expected one of ${PROVIDERS.join(', ')}`);
  const kind = (str(raw, 'kind', path, problems, { optional: template !== undefined }) ?? template?.kind) as SourceKind | undefined;
  if (template && (provider !== template.provider || kind !== template.kind)) {
    problems.push(`${path}: template ${template.id} is ${template.provider}/${template.kind}; provider and kind may be left out, but not contradict it`);
  }
  if (provider && kind && PROVIDERS.includes(provider) && !KINDS_BY_PROVIDER[provider].includes(kind)) {
    problems.push(`${path}.kind: ${provider} sources are one of ${KINDS_BY_PROVIDER[provider].join(', ')}`);
  }
  return { provider, kind };
}

function parseSource(raw: unknown, path: string, problems: string[], credentials: SourceCredentials = 'read'): SourceConfig | null {
  if (!isObject(raw)) {
    problems.push(`${path}: expected a mapping`);
    return null;
  }
  const id = str(raw, 'id', path, problems, { pattern: /^[a-z0-9-]+$/ });
  const { provider, kind } = providerAndKind(raw, id, path, problems);
  const auth = parseAuth(raw.auth, `${path}.auth`, problems, credentials);
  // The provider's defaults come from its source profile (libs/providers/src/<provider>/<provider>-source.ts).
  const profile = provider && PROVIDERS.includes(provider) ? SOURCE_PROFILES[provider] : null;
  const defaultMethods: Array<'GET' | 'POST'> = [...(profile?.defaultMethods ?? ['POST'])];
  let methods = defaultMethods;
  if (raw.methods !== undefined) {
    if (!Array.isArray(raw.methods) || raw.methods.length === 0 || raw.methods.some((m) => m !== 'GET' && m !== 'POST')) {
      problems.push(`${path}.methods: expected a list of GET and/or POST`);
    } else methods = raw.methods as Array<'GET' | 'POST'>;
  }
  const timezone = str(raw, 'timezone', path, problems, { optional: true }) ?? 'UTC';
  if (!isValidTimeZone(timezone)) problems.push(`${path}.timezone: unknown IANA time zone ${JSON.stringify(timezone)}`);
  // Octapush's options (`fields`, `messageKey`) are its folder's to read (libs/providers/src/octapush/octapush-source.ts);
  // every source carries them, with the defaults for any other provider.
  const { fields, messageKey } = parseOctapushOptions(raw, path, problems, (o, key, at, list) => str(o, key, at, list, { optional: true }));
  const rate = isObject(raw.rateLimit) ? raw.rateLimit : {};
  const defaultRegion = str(raw, 'defaultPhoneRegion', path, problems, { optional: true, pattern: /^[A-Z]{2}$/ }) ?? null;
  if (!id || !provider || !kind) return null;
  return {
    id,
    provider,
    kind,
    auth,
    methods,
    maxBodyBytes: positiveInt(raw, 'maxBodyBytes', path, profile?.defaultMaxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, problems),
    timezone,
    rateLimit: {
      requestsPerSecond: positiveInt(rate, 'requestsPerSecond', `${path}.rateLimit`, DEFAULT_RATE_LIMIT.requestsPerSecond, problems),
      burst: positiveInt(rate, 'burst', `${path}.rateLimit`, DEFAULT_RATE_LIMIT.burst, problems),
    },
    fields,
    messageKey,
    defaultPhoneRegion: defaultRegion,
  };
}

/**
 * The templates as sources with `auth: none`, for code that needs a kind's default options without a config:
 * the normalizer's fallback for a record from a source no longer configured, unit specs, the bench. The gateway
 * never serves these; it serves only what the config names.
 */
export function sourceTemplates(): SourceConfig[] {
  const problems: string[] = [];
  return SOURCE_TEMPLATES.map((s, i) => parseSource({ ...s, auth: { type: 'none' } }, `templates[${i}]`, problems)!);
}

/** `sources[3] (credas-actor)`: problems name the source by its id when it has one, not only by its position. */
function sourcePath(raw: unknown, index: number): string {
  const id = isObject(raw) && typeof raw.id === 'string' && /^[a-z0-9-]{1,64}$/.test(raw.id) ? ` (${raw.id})` : '';
  return `sources[${index}]${id}`;
}

const DEFAULT_GATEWAY: GatewaySettings = { maxBodyBytesInFlight: 128 * 1024 * 1024, trustedProxies: [] };

function parseGateway(raw: unknown, problems: string[]): GatewaySettings {
  if (raw === undefined || raw === null) return DEFAULT_GATEWAY;
  if (!isObject(raw)) {
    problems.push('gateway: expected a mapping');
    return DEFAULT_GATEWAY;
  }
  const trusted = raw.trustedProxies ?? [];
  let trustedProxies: string[] = [];
  if (!Array.isArray(trusted) || trusted.some((t) => typeof t !== 'string' || !isAddressOrSubnet(t))) {
    problems.push('gateway.trustedProxies: expected a list of IP addresses or CIDR subnets (10.0.0.0/8, fd00::/8)');
  } else trustedProxies = trusted as string[];
  return { maxBodyBytesInFlight: positiveInt(raw, 'maxBodyBytesInFlight', 'gateway', DEFAULT_GATEWAY.maxBodyBytesInFlight, problems), trustedProxies };
}

/** An IP address or a CIDR subnet (10.0.0.0/8, fd00::/8): what a trusted-proxy list may hold. */
export function isAddressOrSubnet(text: string): boolean {
  const [address, bits, ...rest] = text.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  const prefix = Number(bits);
  return /^\d{1,3}$/.test(bits) && prefix <= (family === 4 ? 32 : 128);
}

/**
 * Parses the YAML config. A source exists only if the file names it (no file: no sources); every problem is
 * collected and reported at once, each naming its key and, for a source, its id.
 */
/** ` at line L, column C` of a YAML parse error (the yaml package's linePos), or nothing. */
function yamlPosition(error: unknown): string {
  const at = (error as { linePos?: Array<{ line: number; col: number }> }).linePos?.[0];
  return at ? ` at line ${at.line}, column ${at.col}` : '';
}

export function parseHookbusConfig(
  yamlText: string | null,
  env: Readonly<Record<string, string | undefined>> = process.env,
  credentials: SourceCredentials = 'read',
): HookbusConfig {
  const problems: string[] = [];
  let doc: unknown = {};
  if (yamlText !== null) {
    try {
      doc = parseYaml(yamlText) ?? {};
    } catch (error) {
      // Line and column only: the parser's message quotes the offending line, which may hold a literal secret.
      throw new ConfigError([`HOOKBUS_CONFIG: not valid YAML${yamlPosition(error)}`]);
    }
  }
  if (!isObject(doc)) throw new ConfigError(['HOOKBUS_CONFIG: the document must be a mapping']);
  const { sources: rawSources, ...rest } = doc;
  const interpolated = interpolate(rest, '', env, problems) as Raw;
  const sources: SourceConfig[] = [];
  const seen = new Set<string>();
  if (rawSources !== undefined && rawSources !== null) {
    if (!Array.isArray(rawSources)) problems.push('sources: expected a list');
    else {
      rawSources.forEach((raw, i) => {
        const path = sourcePath(raw, i);
        const source = parseSource(interpolate(credentials === 'read' ? raw : withoutCredentials(raw), path, env, problems), path, problems, credentials);
        if (!source) return;
        if (seen.has(source.id)) problems.push(`${path}.id: duplicate id ${source.id}`);
        seen.add(source.id);
        sources.push(source);
      });
    }
  }
  let spool: HookbusConfig['spool'] = null;
  if (interpolated.spool !== undefined && interpolated.spool !== null) {
    if (!isObject(interpolated.spool)) problems.push('spool: expected a mapping');
    else {
      const directory = str(interpolated.spool, 'directory', 'spool', problems);
      const maxBytes = positiveInt(interpolated.spool, 'maxBytes', 'spool', 1024 * 1024 * 1024, problems);
      if (directory) spool = { directory, maxBytes };
    }
  }
  const gateway = parseGateway(interpolated.gateway, problems);
  const consoleConfig = parseConsoleConfig(interpolated.console, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return { sources, spool, gateway, console: consoleConfig, ...(credentials === 'withheld' ? { credentialsWithheld: true as const } : {}) };
}

export function loadHookbusConfig(
  path: string | null,
  env: Readonly<Record<string, string | undefined>> = process.env,
  credentials: SourceCredentials = 'read',
): HookbusConfig {
  return parseHookbusConfig(path === null ? null : readFileSync(path, 'utf8'), env, credentials);
}
