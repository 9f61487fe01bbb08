/**
 * The console in a real browser (issue 20): Debian's chromium (/usr/bin/chromium, CONSOLE_TEST_CHROMIUM) driven by
 * playwright-core, against the whole stack as `npm start` runs it (dist/scripts/start.js in a fresh folder, so it
 * generates the local users as on a fresh clone), fed by `npm run demo`. Screenshots of each page go to docs/console/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expectNoPersonalData, recreateDatabase, stackPortSettings, stackPorts, waitFor, waitForStackReady } from '@hookbus/testing';

const ROOT = join(__dirname, '..', '..');
const PORTS = stackPorts(Number(process.env.CONSOLE_TEST_PORT_BASE || 19900));
const KAFKA_PORT = Number(process.env.CONSOLE_TEST_KAFKA_PORT || 19910);
const DATABASE_URL = process.env.CONSOLE_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/hookbus_console_core_browser';
const CHROMIUM = process.env.CONSOLE_TEST_CHROMIUM || '/usr/bin/chromium';
const CONSOLE = `http://127.0.0.1:${PORTS.CONSOLE_PORT}`;
const SCREENSHOTS = join(ROOT, 'docs', 'console');

let cwd: string;
let stack: ChildProcess;
let stackOutput = '';
let browser: Browser;
let credentials: Record<string, string>;
let credasProcessId: string;
let phone: string;

function stackEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...(process.env.HOOKBUS_CACHE_DIR ? { HOOKBUS_CACHE_DIR: process.env.HOOKBUS_CACHE_DIR } : {}),
    DATABASE_URL,
    KAFKA_BROKERS: `127.0.0.1:${KAFKA_PORT}`,
    HOOKBUS_KAFKA_DATA: join(ROOT, '.hookbus', 'kafka-console-test'),
    HOOKBUS_KAFKA_HEAP_MB: '384',
    ...stackPortSettings(PORTS),
  };
}

function run(script: string, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'scripts', script)], { cwd, env: stackEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} took longer than ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

async function login(context: BrowserContext, user: string, password: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${CONSOLE}/search`);
  // Not logged in: sent to the login page, back to /search after.
  expect(new URL(page.url()).pathname).toBe('/login');
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password);
  await Promise.all([page.waitForURL(`${CONSOLE}/search`), page.getByRole('button', { name: 'Log in' }).click()]);
  expect(await page.locator('header .who').innerText()).toContain(user);
  return page;
}

async function search(page: Page, query: string): Promise<void> {
  await page.locator('#q').fill(query);
  await Promise.all([page.waitForURL(/\/search\?q=/), page.locator('#q').press('Enter')]);
}

function shot(page: Page, name: string): Promise<Buffer> {
  return page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  cwd = mkdtempSync(join(tmpdir(), 'hookbus-console-test-'));
  await recreateDatabase(DATABASE_URL);
  stack = spawn(process.execPath, [join(ROOT, 'dist', 'scripts', 'start.js')], { cwd, env: stackEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  stack.stdout!.on('data', (c: Buffer) => (stackOutput += c.toString()));
  stack.stderr!.on('data', (c: Buffer) => (stackOutput += c.toString()));
  await waitForStackReady(stack, PORTS, () => stackOutput.slice(-4000), 180_000);
  await waitFor(async () => (await fetch(`${CONSOLE}/health/ready`).catch(() => null))?.ok === true, { timeoutMs: 60_000, what: 'the console ready' });
  const demo = await run('demo.js', 120_000);
  expect(demo.code).toBe(0);
  credasProcessId = /npm run show -- credas:([0-9a-f-]{36})/.exec(demo.output)![1]!;
  phone = /octapush:sms:(\+\d+)/.exec(demo.output)![1]!;
  credentials = Object.fromEntries(
    readFileSync(join(cwd, '.hookbus', 'console-credentials.txt'), 'utf8')
      .split('\n')
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => line.split(' ') as [string, string]),
  );
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  if (stack && stack.exitCode === null) {
    const exited = new Promise((resolve) => stack.once('exit', resolve));
    stack.kill('SIGTERM');
    await exited;
  }
  if (cwd) rmSync(cwd, { recursive: true, force: true });
}, 120_000);

describe('npm start on a fresh folder', () => {
  it('generates an operator and a viewer, passwords in .hookbus/console-credentials.txt (0600), and says so in one line', () => {
    expect(stackOutput).toContain(`console: ${CONSOLE} (users operator and viewer; passwords in .hookbus/console-credentials.txt)`);
    expect(Object.keys(credentials).sort()).toEqual(['operator', 'viewer']);
    expect(statSync(join(cwd, '.hookbus', 'console-credentials.txt')).mode & 0o777).toBe(0o600);
    // The hashes, never the passwords, are in the local config.
    const config = readFileSync(join(cwd, '.hookbus', 'local.hookbus.yaml'), 'utf8');
    expect(config).toMatch(/name: operator, role: operator, passwordHash: "scrypt\$32768\$8\$1\$/);
    expect(config).not.toContain(credentials.operator);
  });
});

describe('the console in chromium', () => {
  it('refuses a wrong password, and sets its session cookie HttpOnly and SameSite=Strict on login', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${CONSOLE}/login`);
    await shot(page, 'login');
    await page.getByLabel('User name').fill('viewer');
    await page.getByLabel('Password').fill(`${credentials.viewer}x`);
    const [refused] = await Promise.all([page.waitForResponse((r) => r.url() === `${CONSOLE}/login` && r.request().method() === 'POST'), page.getByRole('button', { name: 'Log in' }).click()]);
    expect(refused.status()).toBe(401);
    expect((await page.getByRole('alert').innerText()).trim()).toBe('Wrong user name or password.');
    expect((await context.cookies()).find((c) => c.name === 'hookbus_console')).toBeUndefined();
    await page.getByLabel('Password').fill(credentials.viewer!);
    await Promise.all([page.waitForURL((url) => url.pathname !== '/login'), page.getByRole('button', { name: 'Log in' }).click()]);
    const cookie = (await context.cookies()).find((c) => c.name === 'hookbus_console')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    await context.close();
  });

  it('viewer: finds the demo Credas process, its timeline and its PDF result, and opens a receipt in the inspector', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const page = await login(context, 'viewer', credentials.viewer!);
    await search(page, `credas:${credasProcessId}`);
    const state = page.locator('#current-state');
    expect(await state.innerText()).toContain(`Process credas:${credasProcessId}`);
    expect(await state.innerText()).toContain('final');
    expect(await page.locator('#results').innerText()).toContain('PDF stored');
    expect(await page.locator('#timeline tr.entry-receipt').first().isVisible()).toBe(true);
    expect(await page.locator('#timeline tr.entry-event').count()).toBeGreaterThan(0);
    expect(await page.locator('#timeline tr.entry-transition').count()).toBeGreaterThan(0);
    expect(await page.locator('#timeline tr.entry-result').count()).toBe(1);
    // Newest first: the times in the timeline never increase going down.
    const times = await page.locator('#timeline tbody tr td:first-child').allTextContents();
    expect([...times].sort().reverse()).toEqual(times);
    await shot(page, 'search');

    const receipt = page.locator('#timeline tr.entry-receipt a', { hasText: '/webhooks/credas-process' }).first();
    await Promise.all([page.waitForURL(/\/receipts\/[0-9a-f-]{36}$/), receipt.click()]);
    expect((await page.locator('#method').innerText()).trim()).toBe('POST');
    expect((await page.locator('#path').innerText()).trim()).toBe('/webhooks/credas-process');
    expect((await page.locator('#query').innerText()).trim()).toBe('our-reference=DEMO-1');
    expect((await page.locator('#body-kind').innerText()).trim()).toBe('JSON, pretty-printed');
    expect(await page.locator('#body').innerText()).toContain(`"ProcessId": "${credasProcessId}"`);
    const headerNames = await page.locator('#headers tbody tr td:first-child').allTextContents();
    expect(headerNames).toContain('content-type');
    expect(headerNames.map((h) => h.toLowerCase())).not.toContain('webhookauth');
    expect(await page.locator('#downstream').innerText()).toContain('credas');
    await shot(page, 'receipt');
    await context.close();
  });

  it('masks a phone number for the viewer everywhere; the operator sees it after unmasking (audited)', async () => {
    const viewer = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const page = await login(viewer, 'viewer', credentials.viewer!);
    await search(page, phone);
    expect(await page.locator('#current-state').innerText()).toContain('octapush:sms:+30');
    const shown = await page.locator('main').innerText();
    // The search box holds what the viewer typed; nothing the console rendered holds the number.
    expect(shown).not.toContain(phone);
    expect(shown).not.toContain(phone.slice(1));
    expect(await page.locator('#personal-data').innerText()).toContain('masked for viewers');
    expect(await page.locator('#unmask').count()).toBe(0);
    const receipt = page.locator('#timeline tr.entry-receipt a', { hasText: '/webhooks/octapush-viber' }).first();
    await Promise.all([page.waitForURL(/\/receipts\//), receipt.click()]);
    expect(await page.locator('main').innerText()).not.toContain(phone.slice(1));
    await viewer.close();

    const operator = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const op = await login(operator, 'operator', credentials.operator!);
    await search(op, phone);
    expect(await op.locator('main').innerText()).not.toContain(phone.slice(1));
    await Promise.all([op.waitForURL(/\/search\?q=/), op.locator('#unmask').click()]);
    expect(await op.locator('#current-state').innerText()).toContain(`octapush:sms:${phone}`);
    expect(await op.locator('#personal-data').innerText()).toContain('Personal data shown');
    await shot(op, 'search-unmasked');
    await Promise.all([op.waitForURL(/\/search\?q=/), op.getByRole('button', { name: 'Mask it again' }).click()]);
    expect(await op.locator('#current-state').innerText()).not.toContain(phone.slice(1));
    await operator.close();
  });

  it('refuses a POST without the CSRF token, from another origin, and a viewer\'s action (403)', async () => {
    const operator = await browser.newContext();
    const op = await login(operator, 'operator', credentials.operator!);
    const token = await op.locator('form[action="/logout"] input[name="_csrf"]').getAttribute('value');
    const post = (path: string, form: Record<string, string>, origin = CONSOLE) => operator.request.post(`${CONSOLE}${path}`, { form, headers: { origin }, maxRedirects: 0 });
    expect((await post('/unmask', { next: '/search' })).status()).toBe(403);
    expect((await post('/unmask', { next: '/search', _csrf: 'wrong' })).status()).toBe(403);
    expect((await post('/unmask', { next: '/search', _csrf: token! }, 'https://evil.example')).status()).toBe(403);
    expect((await post('/unmask', { next: '/search', _csrf: token! })).status()).toBe(303);
    await operator.close();

    const viewer = await browser.newContext();
    const page = await login(viewer, 'viewer', credentials.viewer!);
    const viewerToken = await page.locator('form[action="/logout"] input[name="_csrf"]').getAttribute('value');
    const refused = await viewer.request.post(`${CONSOLE}/unmask`, { form: { next: '/search', _csrf: viewerToken! }, headers: { origin: CONSOLE }, maxRedirects: 0 });
    expect(refused.status()).toBe(403);
    await viewer.close();
  });

  it('lists quarantined requests and every source with its URL and auth type, never a secret', async () => {
    // A request that authenticates but is refused (malformed JSON): quarantined with its reason.
    const config = readFileSync(join(cwd, '.hookbus', 'local.hookbus.yaml'), 'utf8');
    const secret = /id: credas-process\n\s+auth: \{ type: header, name: webhookAuth, value: "([^"]+)" \}/.exec(config)![1]!;
    const answer = await fetch(`http://127.0.0.1:${PORTS.GATEWAY_PORT}/webhooks/credas-process`, { method: 'POST', headers: { 'content-type': 'application/json', webhookAuth: secret }, body: '{"ProcessId": ' });
    expect(answer.status).toBe(400);
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const page = await login(context, 'viewer', credentials.viewer!);
    await page.goto(`${CONSOLE}/quarantine`);
    await waitFor(async () => (await page.reload(), (await page.locator('#quarantine tbody tr').count()) > 0), { timeoutMs: 30_000, intervalMs: 500, what: 'the quarantined request in the list' });
    expect(await page.locator('#quarantine tbody tr').first().innerText()).toContain('credas-process');
    expect(await page.locator('#quarantine tbody tr').first().innerText()).toContain('400');
    await shot(page, 'quarantine');

    await page.goto(`${CONSOLE}/sources`);
    expect(await page.locator('#sources tbody tr').count()).toBe(9);
    expect(await page.locator('#source-credas-process').innerText()).toContain(`http://127.0.0.1:${PORTS.GATEWAY_PORT}/webhooks/credas-process`);
    expect(await page.locator('#source-credas-process').innerText()).toContain('shared secret in the header "webhookauth"');
    expect(await page.locator('#source-authvia-business-process').innerText()).toContain('/ 50 failures');
    expect(await page.content()).not.toContain(secret);
    await shot(page, 'sources');
    await context.close();
  });

  it('audited the unmasking, and logged no phone number or email address while it served all this', () => {
    const consoleLines = stackOutput.split('\n').filter((line) => line.startsWith('[console]'));
    expect(consoleLines.some((line) => line.includes('console: login'))).toBe(true);
    // The operator's unmasking is on the audit record (console.audit.v1, and a log line for each audited action).
    expect(consoleLines.some((line) => line.includes('console action unmask by operator'))).toBe(true);
    expectNoPersonalData(consoleLines);
  });
});
