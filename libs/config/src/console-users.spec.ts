import { ConfigError } from './config-error';
import { parseHookbusConfig } from './hookbus-config';

const HASH = 'scrypt$32768$8$1$ss4gGuYAcKCLUswq7RD8Kg==$HliBTE8IgwQwx7WeTjblMgPYefJ63LyllBMG7FAOG3c=';

describe('console section of hookbus.yaml', () => {
  it('is empty when absent', () => {
    expect(parseHookbusConfig('sources: []').console).toEqual({ users: [], oidc: null });
  });

  it('reads users and OIDC', () => {
    const config = parseHookbusConfig(`
console:
  users:
    - { name: operator, role: operator, passwordHash: "${HASH}" }
    - { name: ana@example.org, role: viewer, passwordHash: "${HASH}" }
  oidc: { issuer: "https://id.example.org", clientId: hookbus, redirectUrl: "https://console.example.org/login/oidc/callback", roleClaim: groups }
`);
    expect(config.console!.users.map((u) => [u.name, u.role])).toEqual([['operator', 'operator'], ['ana@example.org', 'viewer']]);
    expect(config.console!.oidc).toMatchObject({ clientId: 'hookbus', roleClaim: 'groups', operatorValues: ['operator'], viewerValues: ['viewer'] });
  });

  it('names every problem, never echoing a hash', () => {
    let error: unknown;
    try {
      parseHookbusConfig(`
console:
  users:
    - { name: "bad name", role: admin, passwordHash: "plain-text-password" }
    - { name: ok, role: viewer, passwordHash: "${HASH}" }
    - { name: ok, role: viewer, passwordHash: "${HASH}" }
  oidc: { issuer: "not a url", clientSecret: "s3cret" }
`);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('console.users[0].name');
    expect(problems).toContain('console.users[0].role: expected viewer or operator');
    expect(problems).toContain('console.users[0].passwordHash');
    expect(problems).toContain('console.users[2].name: duplicate user ok');
    expect(problems).toContain('console.oidc.clientSecret: not read from the YAML');
    expect(problems).toContain('console.oidc.issuer: not a valid URL');
    expect(problems).toContain('console.oidc.clientId: required');
    expect(problems).not.toContain('plain-text-password');
    expect(problems).not.toContain('s3cret');
  });
});
