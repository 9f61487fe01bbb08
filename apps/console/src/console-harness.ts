import type { RunningService } from '@hookbus/nest-kafka';
import { loadEnv, parseHookbusConfig } from '@hookbus/config';
import { serviceContext } from '@hookbus/platform';
import { hashPassword } from './auth/password-hash';
import { startConsole } from './console.app';
import { consoleSettings } from './console-settings';

/** A console in this process (no database: the specs stub ReadModel's methods), and a browser-like client for it. */
export interface Harness {
  readonly running: RunningService;
  readonly url: string;
  request(path: string, init?: { method?: string; cookie?: string; form?: Record<string, string>; origin?: string | null }): Promise<Answer>;
  login(name: string, password: string): Promise<{ cookie: string; answer: Answer }>;
  close(): Promise<void>;
}

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

export async function startHarness(users: ReadonlyArray<{ name: string; role: string; password: string; params?: { N: number; r: number; p: number } }>, extraYaml = '', rawEnv: Record<string, string> = {}): Promise<Harness> {
  const env = loadEnv({ LOG_LEVEL: 'error', LISTEN_HOST: '127.0.0.1', DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' }, () => false);
  const lines = await Promise.all(users.map(async (u) => `    - { name: ${u.name}, role: ${u.role}, passwordHash: "${await hashPassword(u.password, u.params)}" }`));
  const config = parseHookbusConfig(`console:\n  users:\n${lines.join('\n')}\n${extraYaml}`, {}, 'withheld');
  const running = await startConsole(serviceContext('console', { env, config }), { port: 0, settings: consoleSettings(env, config, { CONSOLE_COOKIE_SECURE: 'false', ...rawEnv }), audit: { record: async () => undefined } });
  const url = running.url;
  const request: Harness['request'] = async (path, init = {}) => {
    const headers: Record<string, string> = {};
    if (init.cookie) headers.cookie = init.cookie;
    if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
    if (init.origin !== null && init.method === 'POST') headers.origin = init.origin ?? url;
    const response = await fetch(`${url}${path}`, { method: init.method ?? 'GET', headers, body: init.form ? new URLSearchParams(init.form).toString() : undefined, redirect: 'manual' });
    return { status: response.status, headers: response.headers, text: await response.text() };
  };
  const cookiesOf = (answer: Answer): Record<string, string> => Object.fromEntries(answer.headers.getSetCookie().map((c) => c.split(';')[0]!.split('=') as [string, string]));
  const login: Harness['login'] = async (name, password) => {
    const form = await request('/login');
    const token = cookiesOf(form).hookbus_console_login!;
    const answer = await request('/login', { method: 'POST', cookie: `hookbus_console_login=${token}`, form: { _csrf: token, username: name, password } });
    return { cookie: `hookbus_console=${cookiesOf(answer).hookbus_console}`, answer };
  };
  return { running, url, request, login, close: () => running.close() };
}
