import { randomInt, randomUUID } from 'node:crypto';
import { Topics, rawTopicFor, PROVIDERS } from '@hookbus/contracts';
// The wire's header names, for assertions on what was written (production code reads them through the codecs).
import { QuarantineHeaders, RawHeaders } from '../../../libs/contracts/src/record-headers';
import type { ConsumedRecord } from '@hookbus/kafka';
import type { RunningService } from '@hookbus/nest-kafka';
import { TEST_KAFKA_BROKERS, TopicObserver } from '@hookbus/testing';
import { authviaSignature, standardWebhooksSignature } from '../src/auth/source-authenticator';
import { JSON_HEADERS, send, startTestGateway, type Sent } from './gateway-support';

const SW_OLD = `whsec_${Buffer.from('old-signing-key-0123456789').toString('base64')}`;
const SW_NEW = `whsec_${Buffer.from('new-signing-key-9876543210').toString('base64')}`;

const CONFIG = `
sources:
  - id: credas-portal-b
    provider: credas
    kind: process-actor
    auth: { type: header, name: webhookAuth, value: "\${PORTAL_B_SECRET}" }
  - id: octapush-secure
    provider: octapush
    kind: sms
    auth: { type: token, value: "tok-123-0123456789abcdef" }
  - id: authvia-signed
    provider: authvia
    kind: business-process
    auth: { type: authvia, secret: "authvia-secret-0123456789" }
  - id: cellosign-basic
    provider: cellosign
    kind: workflow
    auth: { type: basic, username: cello, password: "pa:ss-0123456789abcdef" }
  - id: credas-signed
    provider: credas
    kind: monitoring
    auth: { type: standard-webhooks, secret: ["${SW_NEW}", "${SW_OLD}"] }
  - id: credas-small
    provider: credas
    kind: monitoring
    maxBodyBytes: 64
    auth: { type: header, name: webhookAuth, value: small-secret-0123456789 }
  - id: credas-throttled
    provider: credas
    kind: monitoring
    rateLimit: { requestsPerSecond: 1, burst: 2 }
    auth: { type: none }
`;

let gateway: RunningService;
let observer: TopicObserver;

beforeAll(async () => {
  observer = await TopicObserver.start([...PROVIDERS.map(rawTopicFor), Topics.quarantine.name]);
  gateway = await startTestGateway(CONFIG, TEST_KAFKA_BROKERS, {}, { PORTAL_B_SECRET: 'portal-b-secret-0123456789' });
});

afterAll(async () => {
  await gateway?.close();
  await observer?.stop();
});

const at = (path: string) => `${gateway.url}${path}`;
const byReceipt = (receiptId: string) => (r: ConsumedRecord) => r.headers[RawHeaders.receiptId] === receiptId;

async function recordFor(reply: Sent, topic?: string): Promise<ConsumedRecord> {
  const receiptId = reply.json<{ receiptId: string }>().receiptId;
  const [record] = await observer.waitForRecords((r) => byReceipt(receiptId)(r) && (topic === undefined || r.topic === topic));
  return record!;
}

async function quarantined(reply: Sent): Promise<ConsumedRecord> {
  const receiptId = reply.json<{ receiptId: string }>().receiptId;
  expect(receiptId).toMatch(/^[0-9a-f-]{36}$/);
  const [record] = await observer.waitForRecords((r) => r.topic === Topics.quarantine.name && byReceipt(receiptId)(r));
  return record!;
}

function phone(): string {
  return `3069${randomInt(10_000_000, 99_999_999)}`;
}

describe('every default source: the raw record is the request, byte for byte', () => {
  const processId = randomUUID();
  const entityId = randomUUID();
  const cases: Array<{ source: string; kind: string; path?: string; method?: string; query?: string; body: string; contentType?: string; key: string | RegExp; topic: string; pathStatus?: string }> = [
    { source: 'credas-process', kind: 'process', query: 'our-reference=1232323', body: `{"ProcessId":"${processId}","ClientId":"c-1","Status":2,"StatusDescription":"The process is complete"}`, key: processId, topic: 'webhooks.raw.credas' },
    { source: 'credas-actor', kind: 'process-actor', body: `{"clientId":"c-1","processId":"${processId}","processActorId":11014,"entityId":"${entityId}","smsStatus":2,"smsStatusDescription":"Delivered","emailStatus":5,"emailStatusDescription":"Bounced"}`, key: processId, topic: 'webhooks.raw.credas' },
    { source: 'credas-status-update', kind: 'status-update', body: JSON.stringify({ UpdateType: 1, Payload: JSON.stringify({ EntityIdvEntryIdDocumentId: 48213, NameCheckVerificationResult: 1, EntityId: entityId, ClientId: 'c-1' }) }), key: entityId, topic: 'webhooks.raw.credas' },
    { source: 'credas-monitoring', kind: 'monitoring', body: `{ "EntityId": "${entityId}",\n  "ClientId": "c-1" }\n`, key: entityId, topic: 'webhooks.raw.credas' },
    { source: 'authvia-business-process', kind: 'business-process', body: `{"id":"${processId}","status":"in-progress","version":2,"statusReason":null}`, key: processId, topic: 'webhooks.raw.authvia' },
    { source: 'authvia-business-process-action', kind: 'business-process-action', body: `{"actionId":"a-1","businessProcessId":"${processId}","type":"payment","status":"completed"}`, key: processId, topic: 'webhooks.raw.authvia' },
    { source: 'octapush-sms', kind: 'sms', method: 'GET', query: `phone=${phone()}&status=Delivered&firstname=Maria&option2=`, body: '', contentType: undefined, key: /^\+?3069\d{8}$/, topic: 'webhooks.raw.octapush' },
    { source: 'octapush-viber', kind: 'viber', path: '/webhooks/octapush-viber/Seen', body: `{"phone":"${phone()}","customid":"CRM-1"}`, key: /^\+?3069\d{8}$/, topic: 'webhooks.raw.octapush', pathStatus: 'Seen' },
    { source: 'octapush-sms', kind: 'sms', query: 'x=1', body: `phone=${phone()}&status=Submitted`, contentType: 'application/x-www-form-urlencoded', key: /^\+?3069\d{8}$/, topic: 'webhooks.raw.octapush' },
    { source: 'cellosign', kind: 'workflow', body: `{ "event": { "type": "WHEF_SESSION_CREATED", "timestamp": "2025-01-26T08:49:33.626046" }, "session": { "id": "${processId}", "reference": "r", "process_id": "p", "recipient": { "id": 1, "name": "client" } } }`, key: processId, topic: 'webhooks.raw.cellosign' },
  ];

  it.each(cases)('$source ($topic, key $key)', async (c) => {
    const method = c.method ?? 'POST';
    const path = c.path ?? `/webhooks/${c.source}`;
    const contentType = 'contentType' in c ? c.contentType : 'application/json';
    const reply = await send(at(`${path}${c.query ? `?${c.query}` : ''}`), {
      method,
      body: method === 'GET' ? undefined : c.body,
      headers: { ...(contentType ? { 'content-type': contentType } : {}), 'user-agent': 'provider-test' },
    });
    expect(reply.status).toBe(200);
    let record: ConsumedRecord;
    if (c.source === 'cellosign') {
      expect(reply.text).toBe('{"status":"0","errordesc":""}');
      [record] = (await observer.waitForRecords((r) => r.topic === c.topic && r.value?.toString() === c.body)) as [ConsumedRecord];
    } else {
      expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
      record = await recordFor(reply, c.topic);
    }
    expect(record.topic).toBe(c.topic);
    expect(record.value!.equals(Buffer.from(c.body))).toBe(true);
    if (typeof c.key === 'string') expect(record.key!.toString()).toBe(c.key);
    else expect(record.key!.toString()).toMatch(c.key);
    const h = record.headers;
    expect(h[RawHeaders.receiptId]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Date(h[RawHeaders.receivedAt]!).toISOString()).toBe(h[RawHeaders.receivedAt]);
    expect(h).toMatchObject({
      [RawHeaders.sourceId]: c.source,
      [RawHeaders.provider]: c.topic.slice('webhooks.raw.'.length),
      [RawHeaders.method]: method,
      [RawHeaders.path]: path,
      [RawHeaders.query]: c.query ?? '',
      [RawHeaders.contentType]: contentType ?? '',
      [RawHeaders.pathStatus]: c.pathStatus ?? '',
    });
    expect(h[RawHeaders.kind]).toBe(c.kind);
    expect(JSON.parse(h[RawHeaders.requestHeaders]!)['user-agent']).toBe('provider-test');
  });
});

describe('authentication', () => {
  const actorBody = () => `{"clientId":"c","processId":"${randomUUID()}","processActorId":1,"entityId":"e","smsStatus":1}`;

  it('header: missing and wrong secrets are 401, the right one is stored without the header', async () => {
    expect((await send(at('/webhooks/credas-portal-b'), { body: actorBody(), headers: JSON_HEADERS })).status).toBe(401);
    const wrong = await send(at('/webhooks/credas-portal-b'), { body: actorBody(), headers: { ...JSON_HEADERS, webhookAuth: 'nope' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(wrong.json()).toEqual({ type: 'urn:hookbus:problem:unauthorized', title: 'Unauthorized', status: 401, detail: 'invalid credentials' });
    const ok = await send(at('/webhooks/credas-portal-b'), { body: actorBody(), headers: { ...JSON_HEADERS, webhookAuth: 'portal-b-secret-0123456789', cookie: 'a=b' } });
    expect(ok.status).toBe(200);
    const stored = JSON.parse((await recordFor(ok)).headers[RawHeaders.requestHeaders]!);
    expect(stored).not.toHaveProperty('webhookauth');
    expect(stored).not.toHaveProperty('cookie');
  });

  it('token: the query parameter authenticates and is removed from the record', async () => {
    const p = phone();
    expect((await send(at(`/webhooks/octapush-secure?phone=${p}&status=Sent`), { method: 'GET' })).status).toBe(401);
    expect((await send(at(`/webhooks/octapush-secure?phone=${p}&status=Sent&token=bad`), { method: 'GET' })).status).toBe(401);
    const ok = await send(at(`/webhooks/octapush-secure?phone=${p}&token=tok-123-0123456789abcdef&status=Sent`), { method: 'GET' });
    expect(ok.status).toBe(200);
    expect((await recordFor(ok)).headers[RawHeaders.query]).toBe(`phone=${p}&status=Sent`);
  });

  it('a path status longer than 100 characters reaches the route (not Fastify\'s own 414) and is stored', async () => {
    const p = phone();
    const status = 'Delivered-'.repeat(200);
    const ok = await send(at(`/webhooks/octapush-secure/${status}?phone=${p}&token=tok-123-0123456789abcdef`), { method: 'GET' });
    expect(ok.status).toBe(200);
    expect((await recordFor(ok)).headers[RawHeaders.pathStatus]).toBe(status);
  });

  it('authvia: a fresh signature passes; too old, in the future or a wrong secret is 401', async () => {
    const now = Math.floor(Date.now() / 1000);
    const headers = (timestamp: number, secret = 'authvia-secret-0123456789') => ({
      ...JSON_HEADERS,
      'x-authvia-value': 'abcdef0123',
      'x-authvia-timestamp': String(timestamp),
      'x-authvia-signature': authviaSignature(secret, 'abcdef0123', String(timestamp)),
    });
    const body = `{"id":"${randomUUID()}","status":"scheduled","version":1}`;
    expect((await send(at('/webhooks/authvia-signed'), { body, headers: headers(now - 400) })).json()).toMatchObject({ status: 401, detail: 'signature timestamp outside the tolerance' });
    expect((await send(at('/webhooks/authvia-signed'), { body, headers: headers(now + 400) })).status).toBe(401);
    expect((await send(at('/webhooks/authvia-signed'), { body, headers: headers(now, 'wrong') })).status).toBe(401);
    const ok = await send(at('/webhooks/authvia-signed'), { body, headers: headers(now) });
    expect(ok.status).toBe(200);
    expect(JSON.parse((await recordFor(ok)).headers[RawHeaders.requestHeaders]!)).not.toHaveProperty('x-authvia-signature');
  });

  it('basic: a Cellosign source refuses in its own format', async () => {
    const body = `{"event":{"type":"WHEF_SESSION_CREATED","timestamp":"2025-01-26T08:49:33.626046"},"session":{"id":"${randomUUID()}"}}`;
    const refused = await send(at('/webhooks/cellosign-basic'), { body, headers: { ...JSON_HEADERS, authorization: `Basic ${Buffer.from('cello:wrong').toString('base64')}` } });
    expect(refused.status).toBe(401);
    expect(refused.json()).toEqual({ status: '-1', errordesc: 'invalid credentials' });
    const ok = await send(at('/webhooks/cellosign-basic'), { body, headers: { ...JSON_HEADERS, authorization: `Basic ${Buffer.from('cello:pa:ss-0123456789abcdef').toString('base64')}` } });
    expect(ok.text).toBe('{"status":"0","errordesc":""}');
  });

  it('standard-webhooks: a signature with the rotated-out key still verifies while both are configured', async () => {
    const body = `{"EntityId":"${randomUUID()}","ClientId":"c"}`;
    const ts = String(Math.floor(Date.now() / 1000));
    const sig = (secret: string) => `v1,${standardWebhooksSignature(secret, 'msg_1', ts, Buffer.from(body))}`;
    const headers = (signature: string) => ({ ...JSON_HEADERS, 'webhook-id': 'msg_1', 'webhook-timestamp': ts, 'webhook-signature': signature });
    const other = `whsec_${Buffer.from('someone-else').toString('base64')}`;
    expect((await send(at('/webhooks/credas-signed'), { body, headers: headers(sig(other)) })).status).toBe(401);
    expect((await send(at('/webhooks/credas-signed'), { body, headers: headers(sig(SW_OLD)) })).status).toBe(200);
    expect((await send(at('/webhooks/credas-signed'), { body, headers: headers(`${sig(other)} ${sig(SW_NEW)}`) })).status).toBe(200);
  });
});

describe('refusals', () => {
  it('404 for an unknown source, and for the status-path form on a non-Octapush source', async () => {
    const unknown = await send(at('/webhooks/nobody'), { body: '{}', headers: JSON_HEADERS });
    expect(unknown.status).toBe(404);
    expect(unknown.json()).toMatchObject({ type: 'urn:hookbus:problem:unknown-source', status: 404 });
    expect((await send(at('/webhooks/credas-process/Delivered'), { body: '{}', headers: JSON_HEADERS })).status).toBe(404);
  });

  it('405 with Allow for a method the source does not take', async () => {
    const reply = await send(at('/webhooks/credas-process'), { method: 'GET' });
    expect(reply.status).toBe(405);
    expect(reply.headers.get('allow')).toBe('POST');
    expect((await send(at('/webhooks/octapush-sms'), { method: 'PUT', body: '{}', headers: JSON_HEADERS })).headers.get('allow')).toBe('GET, POST');
  });

  it('400 for malformed JSON, recorded on the quarantine with the reason', async () => {
    const body = '{"ProcessId": "abc",';
    const reply = await send(at('/webhooks/credas-process?our-reference=9'), { body, headers: JSON_HEADERS });
    expect(reply.status).toBe(400);
    expect(reply.json()).toMatchObject({ type: 'urn:hookbus:problem:invalid-request', title: 'Bad Request', status: 400 });
    const record = await quarantined(reply);
    expect(record.value!.toString()).toBe(body);
    expect(record.key!.toString()).toBe(reply.json().receiptId);
    expect(record.headers).toMatchObject({ [QuarantineHeaders.status]: '400', [QuarantineHeaders.truncated]: 'false', [QuarantineHeaders.sourceId]: 'credas-process', [QuarantineHeaders.query]: 'our-reference=9' });
    expect(record.headers[QuarantineHeaders.reason]).toMatch(/^providers\.malformed_json: /);
  });

  it('400 for a body that does not name its entity, quarantined', async () => {
    const reply = await send(at('/webhooks/credas-monitoring'), { body: '{"ClientId":"c-1"}', headers: JSON_HEADERS });
    expect(reply.status).toBe(400);
    expect((await quarantined(reply)).headers[QuarantineHeaders.status]).toBe('400');
  });

  it('400 for JSON nested too deep', async () => {
    const reply = await send(at('/webhooks/credas-monitoring'), { body: '['.repeat(1000) + ']'.repeat(1000), headers: JSON_HEADERS });
    expect(reply.status).toBe(400);
    expect((await quarantined(reply)).headers[QuarantineHeaders.reason]).toMatch(/^providers\.json_too_deep/);
  });

  it('415 for an unsupported content type, quarantined; a Cellosign source answers in its format', async () => {
    const reply = await send(at('/webhooks/credas-monitoring'), { body: '<EntityId>1</EntityId>', headers: { 'content-type': 'application/xml' } });
    expect(reply.status).toBe(415);
    expect((await quarantined(reply)).headers[QuarantineHeaders.status]).toBe('415');
    const cello = await send(at('/webhooks/cellosign'), { body: '<x/>', headers: { 'content-type': 'application/xml' } });
    expect(cello.status).toBe(415);
    expect(cello.json()).toMatchObject({ status: '-1', errordesc: expect.stringContaining('not supported') });
  });

  it('413 past the source limit: authenticated bodies are quarantined up to the limit, others refused', async () => {
    const body = `{"EntityId":"${randomUUID()}","ClientId":"${'x'.repeat(200)}"}`;
    expect((await send(at('/webhooks/credas-small'), { body, headers: JSON_HEADERS })).status).toBe(401);
    const reply = await send(at('/webhooks/credas-small'), { body, headers: { ...JSON_HEADERS, webhookAuth: 'small-secret-0123456789' } });
    expect(reply.status).toBe(413);
    expect(reply.json()).toMatchObject({ type: 'urn:hookbus:problem:body-too-large', status: 413 });
    const record = await quarantined(reply);
    expect(record.value!.equals(Buffer.from(body).subarray(0, 64))).toBe(true);
    expect(record.headers[QuarantineHeaders.truncated]).toBe('true');
  });

  it('413 for a body over the default 1 MiB limit', async () => {
    const body = `{"EntityId":"e","pad":"${'x'.repeat(1024 * 1024 + 10)}"}`;
    const reply = await send(at('/webhooks/credas-monitoring'), { body, headers: JSON_HEADERS });
    expect(reply.status).toBe(413);
    expect((await quarantined(reply)).value!.length).toBe(1024 * 1024);
  });

  it('429 with Retry-After over the source rate', async () => {
    const body = `{"EntityId":"${randomUUID()}"}`;
    const replies = await Promise.all([1, 2, 3, 4].map(() => send(at('/webhooks/credas-throttled'), { body, headers: JSON_HEADERS })));
    const limited = replies.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(2);
    expect(Number(limited[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited[0]!.json()).toMatchObject({ type: 'urn:hookbus:problem:rate-limited', status: 429 });
  });

  it('431 for too many header fields, and for headers over the size limit', async () => {
    const many: Record<string, string> = { ...JSON_HEADERS };
    for (let i = 0; i < 120; i++) many[`x-h-${i}`] = 'v';
    expect((await send(at('/webhooks/credas-monitoring'), { body: '{"EntityId":"e"}', headers: many })).status).toBe(431);
    const big = await fetch(at('/webhooks/credas-monitoring'), { method: 'POST', body: '{}', headers: { 'x-big': 'y'.repeat(20_000) } }).then((r) => r.status, () => 431);
    expect(big).toBe(431);
  });
});

describe('ordering', () => {
  it('concurrent requests about one process land on one partition in the order they were accepted', async () => {
    const processId = randomUUID();
    const replies = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        send(at('/webhooks/credas-actor'), { body: `{"clientId":"c","processId":"${processId}","processActorId":${i},"entityId":"e","smsStatus":1}`, headers: JSON_HEADERS }),
      ),
    );
    expect(replies.every((r) => r.status === 200)).toBe(true);
    const records = await observer.waitForRecords((r) => r.topic === 'webhooks.raw.credas' && r.key?.toString() === processId, 40);
    expect(new Set(records.map((r) => r.partition)).size).toBe(1);
    // Receipt ids are UUID v7, monotonic in this process: offset order must be acceptance order.
    const byOffset = [...records].sort((a, b) => Number(BigInt(a.offset) - BigInt(b.offset))).map((r) => r.headers[RawHeaders.receiptId]);
    expect(byOffset).toEqual([...byOffset].sort());
  });
});

describe('operations', () => {
  it('exports request, latency, batch and quarantine metrics', async () => {
    const text = await (await fetch(at('/metrics'))).text();
    expect(text).toMatch(/hookbus_gateway_requests_total\{source="credas-process",status="200"/);
    expect(text).toContain('hookbus_gateway_request_seconds_bucket');
    expect(text).toContain('hookbus_gateway_produce_batch_records_bucket');
    expect(text).toMatch(/hookbus_gateway_quarantined_total\{source="credas-monitoring",status="415"/);
  });

  it('leaves the stack-wide lag series to the monitor service', async () => {
    const text = await (await fetch(at('/metrics'))).text();
    // Registered series print their HELP line before any sample, so this is false as soon as a LagMonitor exists.
    expect(text).not.toContain('kafka_consumergroup_lag');
    expect(text).not.toContain('hookbus_consumergroup_');
  });

  it('is ready while its producer is connected', async () => {
    expect((await fetch(at('/health/ready'))).status).toBe(200);
  });
});
