import { ConfigError, loadEnv } from '@hookbus/config';
import { credasBaseUrlProblem, credasClientSettings } from './orchestrator-settings';

describe('credasClientSettings', () => {
  // `npm start` runs the local fake Credas API without a key; compose and Kubernetes start the orchestrator directly,
  // and there a missing key must stop it at boot, naming the setting.
  it('refuses to start without CREDAS_API_KEY', () => {
    const env = loadEnv({}, () => false);
    expect(() => credasClientSettings(env, {})).toThrow(ConfigError);
    expect(() => credasClientSettings(env, {})).toThrow(/CREDAS_API_KEY: required by the orchestrator/);
  });

  it('takes the key and base URL from the validated environment', () => {
    const env = loadEnv({ CREDAS_API_KEY: 'k', CREDAS_API_BASE_URL: 'http://127.0.0.1:3100/api/v2/ci/' }, () => false);
    expect(credasClientSettings(env, {})).toMatchObject({ apiKey: 'k', baseUrl: 'http://127.0.0.1:3100/api/v2/ci/' });
  });
});

describe('the Credas client knobs (read through libs/config, as every numeric setting)', () => {
  const env = loadEnv({ CREDAS_API_KEY: 'k' }, () => false);

  it('takes them', () => {
    expect(credasClientSettings(env, { CREDAS_API_CONCURRENCY: '4', CREDAS_API_TIMEOUT_MS: '2000' })).toMatchObject({ concurrency: 4, headersTimeoutMs: 2_000 });
  });

  it.each([
    ['CREDAS_API_CONCURRENCY', '0'],
    ['CREDAS_API_CONCURRENCY', 'many'],
    ['CREDAS_API_TIMEOUT_MS', '1.5'],
    ['CREDAS_API_BODY_TIMEOUT_MS', String(11 * 60 * 1000)],
    ['CREDAS_API_MAX_BODY_BYTES', '-1'],
  ])('refuses %s=%s, naming the setting', (name, value) => {
    expect(() => credasClientSettings(env, { [name]: value })).toThrow(new RegExp(`${name}: expected a whole number`));
  });
});

describe('credasBaseUrlProblem', () => {
  it.each([
    ['https://portal.credas.com/api/v2/ci/', null],
    ['https://portal.credasdemo.com/api/v2/ci/', null],
    ['https://127.0.0.1:8443/api/v2/ci/', null],
    // npm start's fake Credas API: plain http, but the key never leaves the machine.
    ['http://127.0.0.1:3100/api/v2/ci/', null],
    ['http://localhost:3100/api/v2/ci/', null],
    ['http://[::1]:3100/api/v2/ci/', null],
    ['HTTP://LOCALHOST:3100/api/v2/ci/', null],
    ['http://portal.credas.com/api/v2/ci/', /^CREDAS_API_BASE_URL: expected an https URL .* got http:\/\/portal\.credas\.com/],
    ['http://10.0.0.5/api/v2/ci/', /^CREDAS_API_BASE_URL: expected an https URL/],
    ['http://127.0.0.2/api/v2/ci/', /^CREDAS_API_BASE_URL: expected an https URL/],
    // A look-alike host must not pass as loopback.
    ['http://localhost.example.com/api/v2/ci/', /^CREDAS_API_BASE_URL: expected an https URL/],
    ['http://127.0.0.1.nip.io/api/v2/ci/', /^CREDAS_API_BASE_URL: expected an https URL/],
    ['ftp://portal.credas.com/', /^CREDAS_API_BASE_URL: expected an https URL/],
    ['not a url', /^CREDAS_API_BASE_URL: not a valid URL$/],
  ] as const)('%s -> %s', (baseUrl, expected) => {
    const problem = credasBaseUrlProblem(baseUrl);
    if (expected === null) expect(problem).toBeNull();
    else expect(problem).toMatch(expected);
  });

  it('stops the orchestrator at boot on a plain-http Credas host, naming the setting', () => {
    const env = loadEnv({ CREDAS_API_KEY: 'k', CREDAS_API_BASE_URL: 'http://portal.credas.com/api/v2/ci/' }, () => false);
    expect(() => credasClientSettings(env, {})).toThrow(ConfigError);
    expect(() => credasClientSettings(env, {})).toThrow(/CREDAS_API_BASE_URL: expected an https URL/);
  });
});
