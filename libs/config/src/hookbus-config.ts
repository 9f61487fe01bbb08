import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { PROVIDERS, type ProviderName } from '@hookbus/contracts';
import { ConfigError } from './config-error';
import { KINDS_BY_PROVIDER, type HookbusConfig, type SourceAuth, type SourceConfig, type SourceKind } from './sources';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** Cellosign WHP_ARCHIVE bodies carry the signed PDF and attachments as base64. */
export const CELLOSIGN_MAX_BODY_BYTES = 16 * 1024 * 1024;
const DEFAULT_RATE_LIMIT = { requestsPerSecond: 2000, burst: 4000 };

/**
 * The built-in sources (contract section 2). They carry no secret, so each authenticates with `none` until the
 * YAML config gives it one; `npm start` warns about every such source.
 */
export const DEFAULT_SOURCE_IDS: ReadonlyArray<{ id: string; provider: ProviderName; kind: SourceKind }> = [
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

function parseAuth(raw: unknown, path: string, problems: string[]): SourceAuth {
  if (!isObject(raw)) {
    problems.push(`${path}: required (write {type: none} explicitly for an unauthenticated source)`);
    return { type: 'none' };
  }
  const type = raw.type;
  switch (type) {
    case 'token':
      return { type, value: str(raw, 'value', path, problems) ?? '', param: str(raw, 'param', path, problems, { optional: true }) ?? 'token' };
    case 'header': {
      const name = str(raw, 'name', path, problems) ?? '';
      return { type, name: name.toLowerCase(), value: str(raw, 'value', path, problems) ?? '' };
    }
    case 'basic':
      return { type, username: str(raw, 'username', path, problems) ?? '', password: str(raw, 'password', path, problems) ?? '' };
    case 'authvia':
      return { type, secret: str(raw, 'secret', path, problems) ?? '', toleranceSeconds: positiveInt(raw, 'toleranceSeconds', path, 300, problems) };
    case 'standard-webhooks': {
      // `secret` may be one whsec_ key or a list (key rotation: any of them verifies).
      const secrets = Array.isArray(raw.secret) ? raw.secret : [raw.secret];
      if (secrets.length === 0 || secrets.some((s) => typeof s !== 'string' || !/^whsec_[A-Za-z0-9+/=]+$/.test(s))) {
        problems.push(`${path}.secret: expected whsec_<base64> or a list of them`);
      }
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

function parseSource(raw: unknown, path: string, problems: string[]): SourceConfig | null {
  if (!isObject(raw)) {
    problems.push(`${path}: expected a mapping`);
    return null;
  }
  const id = str(raw, 'id', path, problems, { pattern: /^[a-z0-9-]+$/ });
  const provider = str(raw, 'provider', path, problems) as ProviderName | undefined;
  if (provider && !PROVIDERS.includes(provider)) problems.push(`${path}.provider: expected one of ${PROVIDERS.join(', ')}`);
  const kind = str(raw, 'kind', path, problems) as SourceKind | undefined;
  if (provider && kind && PROVIDERS.includes(provider) && !KINDS_BY_PROVIDER[provider].includes(kind)) {
    problems.push(`${path}.kind: ${provider} sources are one of ${KINDS_BY_PROVIDER[provider].join(', ')}`);
  }
  const auth = parseAuth(raw.auth, `${path}.auth`, problems);
  const defaultMethods: Array<'GET' | 'POST'> = provider === 'octapush' ? ['GET', 'POST'] : ['POST'];
  let methods = defaultMethods;
  if (raw.methods !== undefined) {
    if (!Array.isArray(raw.methods) || raw.methods.length === 0 || raw.methods.some((m) => m !== 'GET' && m !== 'POST')) {
      problems.push(`${path}.methods: expected a list of GET and/or POST`);
    } else methods = raw.methods as Array<'GET' | 'POST'>;
  }
  const timezone = str(raw, 'timezone', path, problems, { optional: true }) ?? 'UTC';
  if (!isValidTimeZone(timezone)) problems.push(`${path}.timezone: unknown IANA time zone ${JSON.stringify(timezone)}`);
  const fieldsRaw = isObject(raw.fields) ? raw.fields : {};
  if (raw.fields !== undefined && !isObject(raw.fields)) problems.push(`${path}.fields: expected a mapping`);
  const messageKeyRaw = raw.messageKey;
  let messageKey: string[] = [];
  if (messageKeyRaw !== undefined) {
    const list = typeof messageKeyRaw === 'string' ? [messageKeyRaw] : messageKeyRaw;
    if (!Array.isArray(list) || list.length === 0 || list.some((k) => typeof k !== 'string' || k === '')) {
      problems.push(`${path}.messageKey: expected a token name or a list of them`);
    } else messageKey = list as string[];
  }
  const fields = {
    status: str(fieldsRaw, 'status', `${path}.fields`, problems, { optional: true }) ?? 'status',
    phone: str(fieldsRaw, 'phone', `${path}.fields`, problems, { optional: true }) ?? 'phone',
  };
  const rate = isObject(raw.rateLimit) ? raw.rateLimit : {};
  const defaultRegion = str(raw, 'defaultPhoneRegion', path, problems, { optional: true, pattern: /^[A-Z]{2}$/ }) ?? null;
  if (!id || !provider || !kind) return null;
  return {
    id,
    provider,
    kind,
    auth,
    methods,
    maxBodyBytes: positiveInt(raw, 'maxBodyBytes', path, provider === 'cellosign' ? CELLOSIGN_MAX_BODY_BYTES : DEFAULT_MAX_BODY_BYTES, problems),
    timezone,
    rateLimit: {
      requestsPerSecond: positiveInt(rate, 'requestsPerSecond', `${path}.rateLimit`, DEFAULT_RATE_LIMIT.requestsPerSecond, problems),
      burst: positiveInt(rate, 'burst', `${path}.rateLimit`, DEFAULT_RATE_LIMIT.burst, problems),
    },
    fields,
    messageKey: messageKey.length > 0 ? messageKey : [fields.phone],
    defaultPhoneRegion: defaultRegion,
  };
}

export function defaultSources(): SourceConfig[] {
  const problems: string[] = [];
  const sources = DEFAULT_SOURCE_IDS.map((s, i) => parseSource({ ...s, auth: { type: 'none' } }, `defaults[${i}]`, problems)!);
  return sources;
}

/**
 * Parses the YAML config. Sources in the file replace built-in defaults of the same id and add new ones; every
 * problem is collected and reported at once, each naming its key.
 */
export function parseHookbusConfig(yamlText: string | null, env: Readonly<Record<string, string | undefined>> = process.env): HookbusConfig {
  const problems: string[] = [];
  let doc: unknown = {};
  if (yamlText !== null) {
    try {
      doc = parseYaml(yamlText) ?? {};
    } catch (error) {
      throw new ConfigError([`HOOKBUS_CONFIG: not valid YAML: ${(error as Error).message}`]);
    }
  }
  if (!isObject(doc)) throw new ConfigError(['HOOKBUS_CONFIG: the document must be a mapping']);
  const interpolated = interpolate(doc, '', env, problems) as Raw;
  const byId = new Map<string, SourceConfig>(defaultSources().map((s) => [s.id, s]));
  const seen = new Set<string>();
  if (interpolated.sources !== undefined) {
    if (!Array.isArray(interpolated.sources)) problems.push('sources: expected a list');
    else {
      interpolated.sources.forEach((raw, i) => {
        const source = parseSource(raw, `sources[${i}]`, problems);
        if (!source) return;
        if (seen.has(source.id)) problems.push(`sources[${i}].id: duplicate id ${source.id}`);
        seen.add(source.id);
        byId.set(source.id, source);
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
  if (problems.length > 0) throw new ConfigError(problems);
  return { sources: [...byId.values()], spool };
}

export function loadHookbusConfig(path: string | null, env: Readonly<Record<string, string | undefined>> = process.env): HookbusConfig {
  return parseHookbusConfig(path === null ? null : readFileSync(path, 'utf8'), env);
}
