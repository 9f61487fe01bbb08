import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCAL_CONFIG_PATH, loadHookbusConfig, parseHookbusConfig } from '@hookbus/config';
import { verifyPassword } from '../apps/console/src/auth/password-hash';
import { CONSOLE_CREDENTIALS_PATH, LOCAL_CONSOLE_USERS_PATH, ensureLocalConsoleUsers } from './local-console-users';

describe('ensureLocalConsoleUsers (npm start on a fresh clone)', () => {
  const home = process.cwd();
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'console-users-'));
    process.chdir(dir);
  });
  afterEach(() => {
    process.chdir(home);
    rmSync(dir, { recursive: true, force: true });
  });

  const credentials = (): Record<string, string> =>
    Object.fromEntries(readFileSync(CONSOLE_CREDENTIALS_PATH, 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(' ') as [string, string]));

  it('adds an operator and a viewer to the local config, passwords in a 0600 file, and says so in one line', async () => {
    mkdirSync('.hookbus');
    writeFileSync(LOCAL_CONFIG_PATH, 'sources: []\n');
    const result = await ensureLocalConsoleUsers(LOCAL_CONFIG_PATH, parseHookbusConfig('sources: []'), {}, 'http://127.0.0.1:3006');
    expect(result).toEqual({ env: {}, line: 'console: http://127.0.0.1:3006 (users operator and viewer; passwords in .hookbus/console-credentials.txt)' });
    expect(statSync(CONSOLE_CREDENTIALS_PATH).mode & 0o777).toBe(0o600);
    const config = loadHookbusConfig(LOCAL_CONFIG_PATH, {});
    const users = config.console!.users;
    expect(users.map((u) => [u.name, u.role])).toEqual([['operator', 'operator'], ['viewer', 'viewer']]);
    const passwords = credentials();
    await expect(verifyPassword(passwords.operator!, users[0]!.passwordHash)).resolves.toBe(true);
    await expect(verifyPassword(passwords.viewer!, users[1]!.passwordHash)).resolves.toBe(true);
    expect(readFileSync(LOCAL_CONFIG_PATH, 'utf8')).not.toContain(passwords.operator!);

    // The next start finds them and generates nothing.
    const again = await ensureLocalConsoleUsers(LOCAL_CONFIG_PATH, config, {}, 'http://127.0.0.1:3006');
    expect(again.env).toEqual({});
    expect(credentials()).toEqual(passwords);
  });

  it("leaves a config of the user's own alone: the users go to .hookbus/console-users.yaml, named by CONSOLE_USERS_FILE", async () => {
    writeFileSync('hookbus.yaml', 'sources: []\n');
    const first = await ensureLocalConsoleUsers('./hookbus.yaml', parseHookbusConfig('sources: []'), {}, 'http://127.0.0.1:3006');
    expect(first.env).toEqual({ CONSOLE_USERS_FILE: LOCAL_CONSOLE_USERS_PATH });
    expect(readFileSync('hookbus.yaml', 'utf8')).toBe('sources: []\n');
    expect(statSync(LOCAL_CONSOLE_USERS_PATH).mode & 0o777).toBe(0o600);
    const passwords = credentials();
    const second = await ensureLocalConsoleUsers('./hookbus.yaml', parseHookbusConfig('sources: []'), {}, 'http://127.0.0.1:3006');
    expect(second.env).toEqual(first.env);
    expect(credentials()).toEqual(passwords);
  });

  it('generates nothing when users are configured', async () => {
    const result = await ensureLocalConsoleUsers('./hookbus.yaml', parseHookbusConfig('sources: []'), { CONSOLE_USERS_FILE: '/etc/users.yaml' }, 'http://127.0.0.1:3006');
    expect(result).toEqual({ env: {}, line: 'console: http://127.0.0.1:3006 (users from CONSOLE_USERS_FILE)' });
  });
});
