import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadEnv, parseHookbusConfig } from '@hookbus/config';
import { consoleSettings } from './console-settings';

const HASH = 'scrypt$32768$8$1$ss4gGuYAcKCLUswq7RD8Kg==$HliBTE8IgwQwx7WeTjblMgPYefJ63LyllBMG7FAOG3c=';
const env = loadEnv({}, () => false);

describe('consoleSettings', () => {
  it('refuses to start without any user (nobody could log in)', () => {
    expect(() => consoleSettings(env, parseHookbusConfig(null), {})).toThrow(/console\.users: no console user is configured/);
  });

  it('reads users from the YAML and from CONSOLE_USERS_FILE, with defaults for the rest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'console-settings-'));
    const file = join(dir, 'users.yaml');
    writeFileSync(file, `users:\n  - { name: viewer, role: viewer, passwordHash: "${HASH}" }\n`);
    const config = parseHookbusConfig(`console:\n  users:\n    - { name: operator, role: operator, passwordHash: "${HASH}" }\n`);
    const settings = consoleSettings(env, config, { CONSOLE_USERS_FILE: file });
    expect(settings.users.map((u) => u.name)).toEqual(['operator', 'viewer']);
    expect(settings).toMatchObject({ port: 3006, cookieSecure: true, monitorUrl: 'http://127.0.0.1:3005', webhookBaseUrl: 'http://127.0.0.1:3000', oidc: null, trustedProxies: [] });
  });

  it('names every bad setting at once', () => {
    const config = parseHookbusConfig(`console:\n  oidc: { issuer: "https://id.example.org", clientId: c, redirectUrl: "https://c.example.org/cb" }\n`);
    let error: unknown;
    try {
      consoleSettings(env, config, { CONSOLE_COOKIE_SECURE: 'maybe', CONSOLE_ALLOWED_ORIGINS: 'https://ok.example.org,not-an-origin', CONSOLE_MONITOR_URL: 'ftp://x', CONSOLE_USERS_FILE: '/nonexistent/users.yaml', CONSOLE_TRUSTED_PROXIES: '10.0.0.0/8, 10.0.0.0/33, ingress' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      expect.stringContaining('CONSOLE_USERS_FILE: cannot read'),
      'CONSOLE_OIDC_CLIENT_SECRET: required with console.oidc',
      expect.stringContaining('CONSOLE_COOKIE_SECURE'),
      expect.stringContaining('CONSOLE_ALLOWED_ORIGINS: "not-an-origin"'),
      expect.stringContaining('CONSOLE_TRUSTED_PROXIES: "10.0.0.0/33"'),
      expect.stringContaining('CONSOLE_TRUSTED_PROXIES: "ingress"'),
      'CONSOLE_MONITOR_URL: expected an http(s) URL',
    ]);
  });

  // From the review (issue 20): N=2^21 is past MAX_N, N=1000 is not a power of two: the format check passed and
  // every login then failed silently.
  it('refuses at start a password hash that verifyPassword would refuse at every login, naming the user', () => {
    for (const n of [2 ** 21, 1000]) {
      const config = parseHookbusConfig(`console:\n  users:\n    - { name: operator, role: operator, passwordHash: "scrypt$${n}$8$1$c2FsdHNhbHRzYWx0c2FsdA==$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U=" }\n`);
      expect(() => consoleSettings(env, config, {})).toThrow(/console\.users: operator: passwordHash is not a scrypt hash this console verifies/);
    }
  });
});
