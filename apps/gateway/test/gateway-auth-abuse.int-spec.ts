import { connect, type Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Topics } from '@hookbus/contracts';
// The wire's header names, for assertions on what was written (production code reads them through the codecs).
import { QuarantineHeaders, RawHeaders } from '../../../libs/contracts/src/record-headers';
import type { RunningService } from '@hookbus/nest-kafka';
import { TEST_KAFKA_BROKERS, TopicObserver } from '@hookbus/testing';
import { authviaSignature } from '../src/auth/source-authenticator';
import { JSON_HEADERS, send, startTestGateway } from './gateway-support';

/**
 * Abuse of authentication and of the body path, against a real gateway and broker (issue 14, items 4 and 5): a
 * flood of wrong guesses, a credential that fails before the body is sent, parallel large uploads, and a captured
 * Authvia signature replayed on another body.
 */
const SECRET = 'credas-portal-secret-4f9a1c';
const AUTHVIA_SECRET = 'authvia-subscription-secret-77b2';
const LIMIT = { requestsPerSecond: 1, burst: 5 };
const BUDGET = 2 * 1024 * 1024;

const sourcesYaml = (extra = '') => `${extra}
sources:
  - id: credas-portal
    template: credas-actor
    rateLimit: { requestsPerSecond: 1000, burst: 1000 }
    auth: { type: header, name: webhookAuth, value: "${SECRET}" }
  - id: credas-guessed
    template: credas-actor
    rateLimit: { requestsPerSecond: ${LIMIT.requestsPerSecond}, burst: ${LIMIT.burst} }
    auth: { type: header, name: webhookAuth, value: "${SECRET}" }
  - id: credas-large
    template: credas-monitoring
    maxBodyBytes: 16777216
    auth: { type: header, name: webhookAuth, value: "${SECRET}" }
  - id: authvia-signed
    template: authvia-business-process
    auth: { type: authvia, secret: "${AUTHVIA_SECRET}" }
`;

let gateway: RunningService;
let proxied: RunningService;
let observer: TopicObserver;

beforeAll(async () => {
  observer = await TopicObserver.start([Topics.quarantine.name, 'webhooks.raw.authvia']);
  gateway = await startTestGateway(sourcesYaml(`gateway:\n  maxBodyBytesInFlight: ${BUDGET}\n`), TEST_KAFKA_BROKERS);
  proxied = await startTestGateway(sourcesYaml('gateway:\n  trustedProxies: [127.0.0.1, "::1"]\n'), TEST_KAFKA_BROKERS);
});

afterAll(async () => {
  await gateway?.close();
  await proxied?.close();
  await observer?.stop();
});

const actorBody = () => JSON.stringify({ clientId: randomUUID(), processId: randomUUID(), processActorId: 11014, entityId: randomUUID(), smsStatus: 1 });
const guess = (url: string, secret: string, headers: Record<string, string> = {}) =>
  send(`${url}/webhooks/credas-guessed`, { body: actorBody(), headers: { ...JSON_HEADERS, webhookAuth: secret, ...headers } });

describe('failed guesses never block the real sender', () => {
  it('after a flood of wrong guesses from its own address, the real sender with the right secret still gets 200', async () => {
    const statuses: number[] = [];
    const began = Date.now();
    for (let i = 0; i < LIMIT.burst + 10; i++) statuses.push((await guess(gateway.url, `guess-${i}-${randomUUID()}`)).status);
    const refills = Math.ceil(((Date.now() - began) / 1000) * LIMIT.requestsPerSecond);
    expect(statuses.slice(0, LIMIT.burst)).toEqual(Array(LIMIT.burst).fill(401));
    // The bucket refills at 1/s while the flood runs, so a later guess is 401 again once per second it took, no more.
    expect(statuses.slice(LIMIT.burst).every((s) => s === 429 || s === 401)).toBe(true);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(LIMIT.burst + refills);
    expect(statuses).toContain(429);
    const genuine = await guess(gateway.url, SECRET);
    expect(genuine.status).toBe(200);
  });

  it('behind a trusted proxy, the guesser is throttled by its forwarded address and nobody else is', async () => {
    const attacker = { 'x-forwarded-for': '198.51.100.66' };
    const provider = { 'x-forwarded-for': '203.0.113.7' };
    // The bucket refills at requestsPerSecond while the guesses run (slowly, on a loaded machine): each second adds
    // one more 401 before the 429, never more.
    const began = Date.now();
    const refused: number[] = [];
    let limited: Awaited<ReturnType<typeof guess>> | undefined;
    for (let i = 0; i < LIMIT.burst + 20 && !limited; i++) {
      const answer = await guess(proxied.url, `guess-${i}`, attacker);
      if (answer.status === 429) limited = answer;
      else refused.push(answer.status);
    }
    const refills = Math.ceil(((Date.now() - began) / 1000) * LIMIT.requestsPerSecond);
    expect(refused).toEqual(Array(refused.length).fill(401));
    expect(refused.length).toBeGreaterThanOrEqual(LIMIT.burst);
    expect(refused.length).toBeLessThanOrEqual(LIMIT.burst + refills);
    expect(limited?.status).toBe(429);
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Another client's mistake is its own first failure: 401, not 429.
    expect((await guess(proxied.url, 'typo', provider)).status).toBe(401);
    expect((await guess(proxied.url, SECRET, provider)).status).toBe(200);
  });
});

/** Opens a connection, writes `head`, and resolves with what the server answered within `timeoutMs` (null: nothing). */
function openRequest(url: string, head: string): Promise<{ socket: Socket; answer: (timeoutMs: number) => Promise<string | null> }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(head);
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
      const answer = (timeoutMs: number) =>
        new Promise<string | null>((done) => {
          const deadline = Date.now() + timeoutMs;
          const poll = () => {
            if (/\r\n\r\n/.test(text) || socket.destroyed) return done(text || null);
            if (Date.now() > deadline) return done(null);
            setTimeout(poll, 20);
          };
          poll();
        });
      resolve({ socket, answer });
    });
    socket.once('error', reject);
  });
}

const head = (url: string, path: string, length: number, secret: string) =>
  `POST ${path} HTTP/1.1\r\nHost: ${new URL(url).host}\r\nContent-Type: application/json\r\nwebhookAuth: ${secret}\r\nContent-Length: ${length}\r\n\r\n`;

describe('the body path', () => {
  it('a wrong header credential is answered 401 before a byte of the announced 10 MB body is sent', async () => {
    const request = await openRequest(gateway.url, head(gateway.url, '/webhooks/credas-large', 10_000_000, 'wrong-secret-000000'));
    const answer = await request.answer(5_000);
    request.socket.destroy();
    expect(answer).toMatch(/^HTTP\/1\.1 401 /);
  });

  it('bodies in flight are bounded per process: one that does not fit is refused 503 with Retry-After, later ones are taken', async () => {
    const length = Math.floor(BUDGET * 0.75);
    const entity = randomUUID();
    const body = Buffer.from(`{"EntityId":"${entity}","pad":"${'x'.repeat(length - 60)}"}`.padEnd(length, ' '));
    const first = await openRequest(gateway.url, head(gateway.url, '/webhooks/credas-large', body.length, SECRET));
    first.socket.write(body.subarray(0, 1024));
    // The first upload holds 75 % of the budget while it trickles: a second of the same size does not fit.
    const second = await send(`${gateway.url}/webhooks/credas-large`, { body, headers: { ...JSON_HEADERS, webhookAuth: SECRET } });
    expect(second.status).toBe(503);
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(second.json()).toMatchObject({ type: 'urn:hookbus:problem:not-durable', status: 503 });
    first.socket.write(body.subarray(1024));
    expect(await first.answer(10_000)).toMatch(/^HTTP\/1\.1 200 /);
    first.socket.destroy();
    // The first one's bytes were given back once it was answered.
    expect((await send(`${gateway.url}/webhooks/credas-large`, { body, headers: { ...JSON_HEADERS, webhookAuth: SECRET } })).status).toBe(200);
  });

  it('a chunked body that outgrows the budget is cut off with 503', async () => {
    const { hostname, port } = new URL(gateway.url);
    const socket = connect(Number(port), hostname);
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.write(`POST /webhooks/credas-large HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nwebhookAuth: ${SECRET}\r\nTransfer-Encoding: chunked\r\n\r\n`);
    const chunk = Buffer.alloc(256 * 1024, 0x20);
    for (let sent = 0; sent <= BUDGET && !socket.destroyed && text === ''; sent += chunk.length) {
      socket.write(`${chunk.length.toString(16)}\r\n`);
      socket.write(chunk);
      socket.write('\r\n');
      await new Promise((resolve) => setImmediate(resolve));
    }
    const deadline = Date.now() + 10_000;
    while (!/\r\n\r\n/.test(text) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    socket.destroy();
    expect(text).toMatch(/^HTTP\/1\.1 503 /);
    expect(text.toLowerCase()).toContain('retry-after: 1');
  });
});

describe('Authvia replays', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const signed = (value = randomUUID(), timestamp = String(now())) => ({
    ...JSON_HEADERS,
    'x-authvia-value': value,
    'x-authvia-timestamp': timestamp,
    'x-authvia-signature': authviaSignature(AUTHVIA_SECRET, value, timestamp),
  });

  it('a captured signature replayed within the tolerance on another body is refused 401 and nothing is recorded', async () => {
    const id = randomUUID();
    const captured = signed();
    const original = await send(`${gateway.url}/webhooks/authvia-signed`, { body: JSON.stringify({ id, status: 'in-progress', version: 2 }), headers: captured });
    expect(original.status).toBe(200);
    const forgedBody = JSON.stringify({ id, status: 'resolved', version: 3 });
    const replay = await send(`${gateway.url}/webhooks/authvia-signed`, { body: forgedBody, headers: captured });
    expect(replay.status).toBe(401);
    expect(replay.json()).toMatchObject({ detail: 'this signature was already used' });
    // A fresh signature is accepted (control), and only the two signed deliveries reached the raw topic.
    expect((await send(`${gateway.url}/webhooks/authvia-signed`, { body: JSON.stringify({ id, status: 'resolved', version: 4 }), headers: signed() })).status).toBe(200);
    const records = await observer.waitForRecords((r) => r.topic === 'webhooks.raw.authvia' && r.key?.toString() === id, 2);
    expect(records.map((r) => JSON.parse(r.value!.toString()).version)).toEqual([2, 4]);
  });

  it('a version of 1e308 is refused 400 and quarantined, so it never reaches the state machines', async () => {
    const body = `{"id":"${randomUUID()}","status":"resolved","version":1e308}`;
    const reply = await send(`${gateway.url}/webhooks/authvia-signed`, { body, headers: signed() });
    expect(reply.status).toBe(400);
    const receiptId = reply.json<{ receiptId: string }>().receiptId;
    const [record] = await observer.waitForRecords((r) => r.topic === Topics.quarantine.name && r.headers[RawHeaders.receiptId] === receiptId);
    expect(record!.headers[QuarantineHeaders.status]).toBe('400');
    expect(record!.headers[QuarantineHeaders.reason]).toMatch(/^providers\.invalid_field: .*version/);
  });
});
