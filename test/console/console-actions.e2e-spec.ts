/**
 * The console's actions and live overview in a real browser (issue 20), on the same kind of stack as
 * console.e2e-spec.ts (dist/scripts/start.js in a fresh folder, fed by `npm run demo`) with ports of its own
 * (CONSOLE_ACTIONS_TEST_PORT_BASE, default 19921..19928; broker CONSOLE_ACTIONS_TEST_KAFKA_PORT, default 19929):
 * an operator redrives a dead letter, watches it leave the list and its record reach Postgres; the overview
 * updates itself when webhooks arrive.
 */
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { v7 as uuidv7 } from 'uuid';
import { Topics, decodeRawWebhook, encodeDeadLetter, encodeRawWebhook } from '@hookbus/contracts';
import { waitFor } from '@hookbus/testing';
import { ROOT, startConsoleStack, type ConsoleStack } from './console-stack';

const KAFKA_PORT = Number(process.env.CONSOLE_ACTIONS_TEST_KAFKA_PORT || 19929);
const DATABASE_URL = process.env.CONSOLE_ACTIONS_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/hookbus_console_actions_browser';
const CHROMIUM = process.env.CONSOLE_TEST_CHROMIUM || '/usr/bin/chromium';
const SCREENSHOTS = join(ROOT, 'docs', 'console');

let stack: ConsoleStack;
let CONSOLE: string;
let credasProcessId: string;
let browser: Browser;
let db: Client;
const kafka = new Kafka({ clientId: 'console-actions-e2e', brokers: [`127.0.0.1:${KAFKA_PORT}`], logLevel: logLevel.NOTHING });

function shot(page: Page, name: string): Promise<Buffer> {
  return page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

async function login(context: BrowserContext, user: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${CONSOLE}/login`);
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(stack.credentials[user]!);
  await Promise.all([page.waitForURL(`${CONSOLE}/`), page.getByRole('button', { name: 'Log in' }).click()]);
  return page;
}

/** A raw webhook the demo sent, under a new receipt id: a record Postgres has never seen, byte for byte valid. */
async function aRawRecordNeverProjected(): Promise<{ receiptId: string; record: ReturnType<typeof encodeRawWebhook> }> {
  const consumer = kafka.consumer({ groupId: `console-actions-e2e-${uuidv7()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: Topics.raw.octapush.name, fromBeginning: true });
    const raw = await new Promise<ReturnType<typeof decodeRawWebhook>>((resolve, reject) => {
      consumer.run({ eachMessage: async ({ topic, message }) => resolve(decodeRawWebhook({ topic, key: message.key, value: message.value, headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])) })) }).catch(reject);
    });
    const receiptId = uuidv7();
    return { receiptId, record: encodeRawWebhook({ ...raw, key: raw.key ?? 'octapush', receiptId, receivedAt: new Date().toISOString() }) };
  } finally {
    await consumer.disconnect();
  }
}

beforeAll(async () => {
  stack = await startConsoleStack({ portBase: Number(process.env.CONSOLE_ACTIONS_TEST_PORT_BASE || 19921), kafkaPort: KAFKA_PORT, databaseUrl: DATABASE_URL, kafkaData: 'kafka-console-actions-test' });
  CONSOLE = stack.consoleUrl;
  const demo = await stack.run('demo.js', 120_000);
  expect(demo.code).toBe(0);
  credasProcessId = /npm run show -- credas:([0-9a-f-]{36})/.exec(demo.output)![1]!;
  db = new Client({ connectionString: DATABASE_URL });
  await db.connect();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await db?.end();
  await stack?.stop();
}, 120_000);

describe('console actions in a browser', () => {
  it('operator: redrives a dead letter, watches it leave the list, and its record reaches Postgres; the redrive is audited', async () => {
    const { receiptId, record } = await aRawRecordNeverProjected();
    const deadLetter = encodeDeadLetter({
      original: { topic: record.topic, partition: 0, offset: String(900_000 + Math.floor(Math.random() * 100_000)), key: record.key, value: record.value, headers: record.headers },
      stage: 'normalizer',
      errorCode: 'providers.missing_field',
      errorClass: 'InvalidRecordError',
      attempts: 1,
      failedAt: new Date(),
    });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic: deadLetter.topic, acks: -1, messages: [{ key: deadLetter.key, value: deadLetter.value, headers: deadLetter.headers }] });
    await producer.disconnect();
    const rowId = await waitFor(async () => (await db.query("SELECT id FROM hookbus.dead_letters WHERE headers->>'hookbus-receipt-id' = $1", [receiptId])).rows[0]?.id as string | undefined, { timeoutMs: 60_000, what: 'the dead letter row' });

    const context = await browser.newContext();
    const page = await login(context, 'operator');
    await page.goto(`${CONSOLE}/deadletters?stage=normalizer`);
    const row = page.locator(`#deadletters tr[data-id="${rowId}"]`);
    await expect(row.count()).resolves.toBe(1);
    await page.goto(`${CONSOLE}/deadletters/${rowId}`);
    await expect(page.locator('#deadletter').innerText()).resolves.toContain('providers.missing_field');
    await shot(page, 'deadletter');
    await page.goto(`${CONSOLE}/deadletters?stage=normalizer`);
    await shot(page, 'deadletters');
    await row.getByRole('checkbox').check();
    await Promise.all([page.waitForURL(/\/deadletters\?redriven=1/), page.getByRole('button', { name: 'Redrive the selected' }).click()]);
    await expect(page.locator('#redrive-done').innerText()).resolves.toContain('1 dead letter(s) redriven');
    // It leaves the list once the projector has read the redrive marker.
    await waitFor(async () => {
      await page.goto(`${CONSOLE}/deadletters?stage=normalizer`);
      return (await page.locator(`tr[data-id="${rowId}"]`).count()) === 0;
    }, { timeoutMs: 60_000, intervalMs: 1000, what: 'the dead letter to leave the list' });
    // The original, sent back to its topic, reached Postgres as the receipt it is.
    const receipt = await waitFor(async () => (await db.query('SELECT source_id, quarantined FROM hookbus.receipts WHERE receipt_id = $1', [receiptId])).rows[0], { timeoutMs: 60_000, what: 'the redriven record in hookbus.receipts' });
    expect(receipt).toMatchObject({ quarantined: false });
    expect((await db.query('SELECT redriven_at FROM hookbus.dead_letters WHERE id = $1', [rowId])).rows[0].redriven_at).not.toBeNull();
    // Audited: on the audit page once the projector has written it.
    await waitFor(async () => {
      await page.goto(`${CONSOLE}/audit?action=redrive`);
      return (await page.locator('#audit tbody tr').filter({ hasText: rowId }).count()) === 1;
    }, { timeoutMs: 60_000, intervalMs: 1000, what: 'the redrive on the audit page' });
    await expect(page.locator('#audit tbody tr').filter({ hasText: rowId }).innerText()).resolves.toMatch(/operator\s+operator\s+redrive/);
    await shot(page, 'audit');
    await context.close();
  });

  it('viewer: sees the dead letters but gets 403 for a redrive', async () => {
    const context = await browser.newContext();
    const page = await login(context, 'viewer');
    await page.goto(`${CONSOLE}/deadletters`);
    await expect(page.getByRole('button', { name: 'Redrive the selected' }).count()).resolves.toBe(0);
    const csrf = await page.locator('header form input[name="_csrf"]').first().inputValue();
    const status = await page.evaluate(async (token) => (await fetch('/deadletters/redrive', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `_csrf=${token}&id=00000000-0000-8000-8000-000000000000` })).status, csrf);
    expect(status).toBe(403);
    await context.close();
  });

  it('operator: asks Credas for a process again from its card, and the re-fetch is audited', async () => {
    const context = await browser.newContext();
    const page = await login(context, 'operator');
    await page.goto(`${CONSOLE}/search?q=credas:${credasProcessId}`);
    const card = page.locator('#current-state section', { hasText: `credas:${credasProcessId}` });
    await Promise.all([page.waitForURL(/\/search\?q=.*&refetch=/), card.getByRole('button', { name: 'Fetch again from Credas' }).click()]);
    await expect(page.locator('#refetch-requested').innerText()).resolves.toContain('Asked the orchestrator to fetch this process again');
    await waitFor(async () => {
      await page.goto(`${CONSOLE}/audit?action=credas.refetch`);
      return (await page.locator('#audit tbody tr').filter({ hasText: `credas:${credasProcessId}` }).count()) === 1;
    }, { timeoutMs: 60_000, intervalMs: 1000, what: 'the re-fetch on the audit page' });
    // A viewer sees no such button.
    const viewer = await browser.newContext();
    const vp = await login(viewer, 'viewer');
    await vp.goto(`${CONSOLE}/search?q=credas:${credasProcessId}`);
    await expect(vp.getByRole('button', { name: 'Fetch again from Credas' }).count()).resolves.toBe(0);
    await viewer.close();
    await context.close();
  });

  it('the overview updates itself when webhooks arrive', async () => {
    const context = await browser.newContext();
    const page = await login(context, 'operator');
    const accepted = async () => Number((await page.locator('#webhooks td[data-accepted]').evaluateAll((cells) => cells.map((c) => c.getAttribute('data-accepted')))).reduce((s, v) => s + Number(v), 0));
    await page.waitForSelector('#overview[data-stream="open"]', { timeout: 30_000 });
    await expect(page.locator('#groups tr[data-group="hookbus-projector"]').count()).resolves.toBe(1);
    const before = await accepted();
    const url = page.url();
    const demo = await stack.run('demo.js', 120_000);
    expect(demo.code).toBe(0);
    await waitFor(async () => (await accepted()) > before, { timeoutMs: 60_000, intervalMs: 500, what: 'the overview to count the new webhooks' });
    // Without a reload: the same page, updated by the event stream.
    expect(page.url()).toBe(url);
    expect(Number(await page.locator('#overview').getAttribute('data-updates'))).toBeGreaterThan(0);
    await shot(page, 'overview');
    await context.close();
  });
});
