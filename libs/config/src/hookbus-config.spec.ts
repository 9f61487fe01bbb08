import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './config-error';
import { MIN_SHARED_SECRET_LENGTH, SOURCE_TEMPLATES, parseHookbusConfig, sourceTemplates } from './hookbus-config';

const STRONG = 'k7Qp2Vx9Lm4Rt8Wz';
const KEY_24 = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;

function problemsOf(yaml: string, env: Record<string, string> = {}): string[] {
  try {
    parseHookbusConfig(yaml, env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('sources exist only if the config names them', () => {
  it('without a config there is no source at all', () => {
    expect(parseHookbusConfig(null, {}).sources).toEqual([]);
  });

  it('a config naming one portal leaves every built-in id unserved', () => {
    const config = parseHookbusConfig(
      `sources:\n  - id: credas-portal-eu\n    template: credas-actor\n    auth: { type: header, name: webhookAuth, value: "${STRONG}" }\n`,
      {},
    );
    expect(config.sources.map((s) => s.id)).toEqual(['credas-portal-eu']);
    expect(config.sources[0]).toMatchObject({ provider: 'credas', kind: 'process-actor', auth: { type: 'header', name: 'webhookauth' } });
  });

  it('a built-in id takes provider and kind from its template; written ones must agree', () => {
    const config = parseHookbusConfig(`sources:\n  - id: cellosign\n    auth: { type: token, value: "${STRONG}" }\n`, {});
    expect(config.sources[0]).toMatchObject({ id: 'cellosign', provider: 'cellosign', kind: 'workflow', maxBodyBytes: 16 * 1024 * 1024 });
    expect(problemsOf(`sources:\n  - id: cellosign\n    provider: credas\n    kind: process\n    auth: { type: none }\n`)).toEqual([
      expect.stringContaining('sources[0] (cellosign): template cellosign is cellosign/workflow'),
    ]);
  });

  it('an unknown template and a source with neither template nor provider are errors', () => {
    expect(problemsOf(`sources:\n  - id: x\n    template: credas\n    auth: { type: none }\n`)).toContainEqual(expect.stringContaining('sources[0] (x).template: expected one of'));
    expect(problemsOf(`sources:\n  - id: x\n    auth: { type: none }\n`)).toEqual(
      expect.arrayContaining([expect.stringContaining('sources[0] (x).provider: required'), expect.stringContaining('sources[0] (x).kind: required')]),
    );
  });

  it('auth stays required: an open source is one somebody wrote `none` for', () => {
    expect(problemsOf(`sources:\n  - id: credas-process\n`)).toEqual([expect.stringContaining('sources[0] (credas-process).auth: required')]);
    expect(parseHookbusConfig(`sources:\n  - id: credas-process\n    auth: { type: none }\n`, {}).sources[0]!.auth).toEqual({ type: 'none' });
  });

  it('every template is a valid source of its own', () => {
    expect(sourceTemplates().map((s) => `${s.id}=${s.provider}/${s.kind}`)).toEqual(SOURCE_TEMPLATES.map((t) => `${t.id}=${t.provider}/${t.kind}`));
  });

  it("reads Octapush's options through the provider's parser: defaults, a message key, and each problem in the loader's words", () => {
    const [octapush] = parseHookbusConfig(`sources:\n  - id: octapush-sms\n    auth: { type: none }\n    fields: { phone: to }\n    messageKey: [to, ref]\n`, {}).sources;
    expect(octapush).toMatchObject({ fields: { status: 'status', phone: 'to' }, messageKey: ['to', 'ref'] });
    const [plain] = parseHookbusConfig(`sources:\n  - id: octapush-viber\n    auth: { type: none }\n    fields: { phone: to }\n`, {}).sources;
    expect(plain!.messageKey).toEqual(['to']);
    expect(problemsOf(`sources:\n  - id: octapush-sms\n    auth: { type: none }\n    fields: { status: '', phone: 3 }\n    messageKey: []\n`)).toEqual([
      'sources[0] (octapush-sms).messageKey: expected a token name or a list of them',
      'sources[0] (octapush-sms).fields.status: expected a non-empty string',
      'sources[0] (octapush-sms).fields.phone: expected a non-empty string',
    ]);
    expect(problemsOf(`sources:\n  - id: octapush-sms\n    auth: { type: none }\n    fields: [a]\n`)).toEqual(['sources[0] (octapush-sms).fields: expected a mapping']);
  });

  it("takes each provider's defaults from its source profile: Octapush also accepts GET, Cellosign bodies up to 16 MiB", () => {
    const defaults = Object.fromEntries(sourceTemplates().map((s) => [s.id, `${s.methods.join('+')} ${s.maxBodyBytes}`]));
    expect(defaults).toEqual({
      'credas-process': 'POST 1048576',
      'credas-actor': 'POST 1048576',
      'credas-status-update': 'POST 1048576',
      'credas-monitoring': 'POST 1048576',
      'authvia-business-process': 'POST 1048576',
      'authvia-business-process-action': 'POST 1048576',
      'octapush-sms': 'GET+POST 1048576',
      'octapush-viber': 'GET+POST 1048576',
      cellosign: 'POST 16777216',
    });
  });
});

describe('secret strength', () => {
  const short = 'a'.repeat(MIN_SHARED_SECRET_LENGTH - 1);
  it.each([
    ['token', `{ type: token, value: "${short}" }`, 'auth.value'],
    ['header', `{ type: header, name: webhookAuth, value: "${short}" }`, 'auth.value'],
    ['basic', `{ type: basic, username: cello, password: "${short}" }`, 'auth.password'],
    ['authvia', `{ type: authvia, secret: "${short}" }`, 'auth.secret'],
  ])('a %s secret shorter than the minimum stops the start, naming the source and never quoting the secret', (_type, auth, key) => {
    const problems = problemsOf(`sources:\n  - id: credas-actor\n    auth: ${auth}\n`);
    expect(problems).toEqual([expect.stringContaining(`sources[0] (credas-actor).${key}: too short`)]);
    expect(problems.join('\n')).not.toContain(short);
  });

  it.each([
    ['token', `{ type: token, value: "${STRONG}" }`],
    ['header', `{ type: header, name: webhookAuth, value: "${STRONG}" }`],
    ['basic', `{ type: basic, username: cello, password: "${STRONG}" }`],
    ['authvia', `{ type: authvia, secret: "${STRONG}" }`],
    ['standard-webhooks', `{ type: standard-webhooks, secret: "${KEY_24}" }`],
  ])('a %s secret of the minimum length is accepted', (_type, auth) => {
    expect(parseHookbusConfig(`sources:\n  - id: credas-actor\n    auth: ${auth}\n`, {}).sources).toHaveLength(1);
  });

  it('counts characters, not UTF-16 units', () => {
    expect(problemsOf(`sources:\n  - id: credas-actor\n    auth: { type: token, value: "${'🔑'.repeat(8)}" }\n`)).toEqual([expect.stringContaining('too short (8 characters)')]);
  });

  it('a whsec_ key under 24 bytes is refused, also as one entry of a rotation list', () => {
    const weak = `whsec_${Buffer.from('short-key').toString('base64')}`;
    expect(problemsOf(`sources:\n  - id: credas-monitoring\n    auth: { type: standard-webhooks, secret: "${weak}" }\n`)).toEqual([
      expect.stringContaining('sources[0] (credas-monitoring).auth.secret: a key of 9 bytes is too short'),
    ]);
    expect(problemsOf(`sources:\n  - id: credas-monitoring\n    auth: { type: standard-webhooks, secret: ["${KEY_24}", "${weak}"] }\n`)).toHaveLength(1);
  });

  it('a secret from an unset environment variable names the variable and the source', () => {
    expect(problemsOf(`sources:\n  - id: octapush-sms\n    auth: { type: token, value: "\${OCTAPUSH_TOKEN}" }\n`)).toContainEqual(
      'sources[0] (octapush-sms).auth.value: environment variable OCTAPUSH_TOKEN is not set',
    );
  });
});

describe('a config loaded with the credentials withheld (every service but the gateway)', () => {
  const STRONG_ENV = { CREDAS_SECRET: STRONG, AUTHVIA_SECRET: STRONG, TOKEN: STRONG, KEY: KEY_24, CELLO_USER: 'cello' };
  it.each([
    ['token', '{ type: token, value: "${TOKEN}", param: t }', { type: 'token', value: '', param: 't' }],
    ['header', '{ type: header, name: webhookAuth, value: "${CREDAS_SECRET}" }', { type: 'header', name: 'webhookauth', value: '' }],
    ['basic', '{ type: basic, username: "${CELLO_USER}", password: "${TOKEN}" }', { type: 'basic', username: '', password: '' }],
    ['authvia', '{ type: authvia, secret: "${AUTHVIA_SECRET}", toleranceSeconds: 60 }', { type: 'authvia', secret: '', toleranceSeconds: 60 }],
    ['standard-webhooks', '{ type: standard-webhooks, secret: ["${KEY}"] }', { type: 'standard-webhooks', secrets: [], toleranceSeconds: 300 }],
    ['none', '{ type: none }', { type: 'none' }],
  ])('%s: keeps the shape, reads no secret and needs none of its variables', (_type, auth, expected) => {
    const yaml = `sources:\n  - id: credas-actor\n    auth: ${auth}\n`;
    const withheld = parseHookbusConfig(yaml, {}, 'withheld');
    expect(withheld.sources[0]!.auth).toEqual(expected);
    expect(withheld.credentialsWithheld).toBe(true);
    // The same file, read: the secrets are there and the config is not marked.
    const read = parseHookbusConfig(yaml, STRONG_ENV, 'read');
    expect(read.credentialsWithheld).toBeUndefined();
    if (_type === 'none') expect(read.sources[0]!.auth).toEqual(expected);
    else expect(read.sources[0]!.auth).not.toEqual(expected);
  });

  it('still refuses what is wrong besides the secrets, and still interpolates the rest', () => {
    expect(() => parseHookbusConfig('sources:\n  - id: credas-actor\n    auth: { type: nonsense, value: x }\n', {}, 'withheld')).toThrow(/auth.type: expected one of/);
    expect(() => parseHookbusConfig('sources:\n  - id: credas-actor\n', {}, 'withheld')).toThrow(/auth: required/);
    expect(() => parseHookbusConfig('spool:\n  directory: "${SPOOL_DIR}"\n', {}, 'withheld')).toThrow(/SPOOL_DIR is not set/);
    expect(parseHookbusConfig('spool:\n  directory: "${SPOOL_DIR}"\n', { SPOOL_DIR: '/var/spool' }, 'withheld').spool).toEqual({ directory: '/var/spool', maxBytes: 1024 * 1024 * 1024 });
  });

  it('reads the shipped configs without a single webhook secret set', () => {
    for (const file of ['docker/hookbus/hookbus.yaml', 'deploy/k8s/base/config/hookbus.yaml', 'hookbus.example.yaml']) {
      const text = readFileSync(join(__dirname, '..', '..', '..', file), 'utf8');
      expect(() => parseHookbusConfig(text, {})).toThrow(/is not set/);
      const config = parseHookbusConfig(text, {}, 'withheld');
      expect(config.sources.length).toBeGreaterThanOrEqual(9);
    }
  });
});

describe('gateway settings', () => {
  it('default to a bounded body budget and no trusted proxy', () => {
    expect(parseHookbusConfig(null, {}).gateway).toEqual({ maxBodyBytesInFlight: 128 * 1024 * 1024, trustedProxies: [] });
  });

  it('read the body budget and trusted proxies; a malformed address is an error', () => {
    expect(parseHookbusConfig('gateway:\n  maxBodyBytesInFlight: 1048576\n  trustedProxies: [10.0.0.0/8, "::1", 192.168.1.7]\n', {}).gateway).toEqual({
      maxBodyBytesInFlight: 1048576,
      trustedProxies: ['10.0.0.0/8', '::1', '192.168.1.7'],
    });
    expect(problemsOf('gateway:\n  trustedProxies: [10.0.0.0/33]\n')).toEqual([expect.stringContaining('gateway.trustedProxies')]);
  });
});

describe('hookbus.example.yaml', () => {
  it('parses with its secrets set, every source authenticated', () => {
    const text = readFileSync(join(__dirname, '..', '..', '..', 'hookbus.example.yaml'), 'utf8');
    const env = Object.fromEntries([...text.matchAll(/\$\{([A-Z_]+)\}/g)].map(([, name]) => [name!, `${name!.toLowerCase()}-0123456789`]));
    const config = parseHookbusConfig(text, env);
    expect(config.sources.length).toBeGreaterThanOrEqual(9);
    for (const source of config.sources) expect(source.auth.type).not.toBe('none');
    expect(config.gateway.trustedProxies).toEqual(['10.0.0.0/8']);
  });
});

describe('a config that is not valid YAML', () => {
  it('is refused by line and column, never quoting the line (it may hold a literal secret)', () => {
    const yaml = 'sources:\n  - id: credas-actor\n    auth: { type: header, name: webhookAuth, value: "literal-secret-0123456789" \n';
    let message = '';
    try {
      parseHookbusConfig(yaml, {});
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/HOOKBUS_CONFIG: not valid YAML at line \d+, column \d+/);
    expect(message).not.toContain('literal-secret');
  });
});
