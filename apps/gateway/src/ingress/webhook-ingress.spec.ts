import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { parseHookbusConfig } from '@hookbus/config';
import type { OutgoingRecord } from '@hookbus/kafka';
import { authviaSignature } from '../auth/source-authenticator';
import { WebhookIngress, type RecordStore } from './webhook-ingress';

const GUARDED_SECRET = 'guarded-secret-0123456789';
const AUTHVIA_SECRET = 'authvia-secret-0123456789';
const LIMIT = { requestsPerSecond: 1, burst: 3 };

const SOURCES = parseHookbusConfig(
  `
sources:
  - id: credas-guarded
    provider: credas
    kind: process-actor
    rateLimit: { requestsPerSecond: ${LIMIT.requestsPerSecond}, burst: ${LIMIT.burst} }
    auth: { type: header, name: webhookAuth, value: "${GUARDED_SECRET}" }
  - id: authvia-signed
    provider: authvia
    kind: business-process
    rateLimit: { requestsPerSecond: ${LIMIT.requestsPerSecond}, burst: ${LIMIT.burst} }
    auth: { type: authvia, secret: "${AUTHVIA_SECRET}" }
  - id: authvia-signed-too
    provider: authvia
    kind: business-process
    rateLimit: { requestsPerSecond: ${LIMIT.requestsPerSecond}, burst: ${LIMIT.burst} }
    auth: { type: authvia, secret: "${AUTHVIA_SECRET}" }
  - id: credas-open
    provider: credas
    kind: process-actor
    rateLimit: { requestsPerSecond: ${LIMIT.requestsPerSecond}, burst: ${LIMIT.burst} }
    auth: { type: none }
`,
  {},
).sources;

class MemoryStore implements RecordStore {
  readonly records: OutgoingRecord[] = [];
  async store(record: OutgoingRecord): Promise<void> {
    this.records.push(record);
  }
}

const NOW = 1_750_000_000_000;

function credasBody(): Buffer {
  return Buffer.from(JSON.stringify({ clientId: randomUUID(), processId: randomUUID(), processActorId: 11014, entityId: randomUUID(), smsStatus: 1 }));
}

function authviaHeaders(secret: string, value = randomUUID(), nowMs = NOW): IncomingHttpHeaders {
  const timestamp = String(Math.floor(nowMs / 1000));
  return { 'x-authvia-value': value, 'x-authvia-timestamp': timestamp, 'x-authvia-signature': authviaSignature(secret, value, timestamp) };
}

function authviaBody(extra: Record<string, unknown> = {}): Buffer {
  return Buffer.from(JSON.stringify({ id: randomUUID(), status: 'resolved', version: 1, ...extra }));
}

const ATTACKER = '198.51.100.66';
const PROVIDER = '203.0.113.7';

/** One request through both steps, as the route runs them; the status it is answered with. */
async function post(ingress: WebhookIngress, sourceId: string, headers: IncomingHttpHeaders, body: Buffer, client = PROVIDER, nowMs = NOW): Promise<number> {
  const admission = ingress.admit({ method: 'POST', sourceId, hasPathStatus: false, headers, rawQuery: '', client, nowMs });
  if (!admission.admitted) return admission.reply.status;
  const reply = await ingress.accept(admission, {
    method: 'POST',
    path: `/webhooks/${sourceId}`,
    rawQuery: '',
    sourceId,
    pathStatus: null,
    headers: { 'content-type': 'application/json', ...headers },
    body,
    oversize: false,
    receivedAtMs: nowMs,
  });
  return reply.status;
}

const guarded = (ingress: WebhookIngress, secret: string, client = PROVIDER) => post(ingress, 'credas-guarded', { webhookauth: secret }, credasBody(), client);

describe('rate limits and authentication', () => {
  it('failed authentications do not spend the quota of the provider that has the secret', async () => {
    const ingress = new WebhookIngress(SOURCES, new MemoryStore());
    for (let i = 1; i < LIMIT.burst; i++) expect(await guarded(ingress, `guess-${i}`, ATTACKER)).toBe(401);
    const genuine = [];
    for (let i = 0; i < LIMIT.burst; i++) genuine.push(await guarded(ingress, GUARDED_SECRET));
    expect(genuine).toEqual([200, 200, 200]);
  });

  it('a flood of wrong guesses gets the guesser 429s and never blocks the real sender', async () => {
    const ingress = new WebhookIngress(SOURCES, new MemoryStore());
    const statuses = [];
    for (let i = 0; i < LIMIT.burst + 2; i++) statuses.push(await guarded(ingress, `guess-${i}`, ATTACKER));
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    expect(await guarded(ingress, GUARDED_SECRET, PROVIDER)).toBe(200);
  });

  it('a valid credential is always compared and accepted, even from an address that failed too often (a shared proxy)', async () => {
    const ingress = new WebhookIngress(SOURCES, new MemoryStore());
    for (let i = 0; i < LIMIT.burst + 2; i++) await guarded(ingress, `guess-${i}`, ATTACKER);
    expect(await guarded(ingress, GUARDED_SECRET, ATTACKER)).toBe(200);
    expect(await guarded(ingress, 'guess-again', ATTACKER)).toBe(429);
  });

  it('the quota is still charged for authenticated requests: 429 past the burst', async () => {
    const ingress = new WebhookIngress(SOURCES, new MemoryStore());
    const statuses = [];
    for (let i = 0; i < LIMIT.burst + 1; i++) statuses.push(await guarded(ingress, GUARDED_SECRET));
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it('a valid HMAC signature is never refused because of others’ failures; bad ones get 429 past the burst', async () => {
    const ingress = new WebhookIngress(SOURCES, new MemoryStore());
    const forged = [];
    for (let i = 0; i < LIMIT.burst + 2; i++) forged.push(await post(ingress, 'authvia-signed', authviaHeaders('wrong-secret-0123456789'), authviaBody(), ATTACKER));
    expect(forged).toEqual([401, 401, 401, 429, 429]);
    expect(await post(ingress, 'authvia-signed', authviaHeaders(AUTHVIA_SECRET), authviaBody())).toBe(200);
  });

  it('a credential in the headers is refused before the body is read: admit answers it', () => {
    const ingress = new WebhookIngress(SOURCES, new MemoryStore());
    const admission = ingress.admit({ method: 'POST', sourceId: 'credas-guarded', hasPathStatus: false, headers: { webhookauth: 'wrong' }, rawQuery: '', client: ATTACKER, nowMs: NOW });
    expect(admission).toMatchObject({ admitted: false, reply: { status: 401 } });
  });

  it('a source without authentication is charged before the body is read', () => {
    const ingress = new WebhookIngress(SOURCES, new MemoryStore());
    const admitted = Array.from({ length: LIMIT.burst + 1 }, () => ingress.admit({ method: 'POST', sourceId: 'credas-open', hasPathStatus: false, headers: {}, rawQuery: '', client: PROVIDER, nowMs: NOW }).admitted);
    expect(admitted).toEqual([true, true, true, false]);
  });
});

describe('Authvia replays', () => {
  it('a captured signature is accepted once; replayed on another body within the tolerance it is refused', async () => {
    const ingress = new WebhookIngress(SOURCES, new MemoryStore());
    const captured = authviaHeaders(AUTHVIA_SECRET);
    expect(await post(ingress, 'authvia-signed', captured, authviaBody())).toBe(200);
    expect(await post(ingress, 'authvia-signed', captured, authviaBody({ version: 2, status: 'failed' }), ATTACKER, NOW + 60_000)).toBe(401);
  });

  it('a captured signature is refused on another source that shares the secret (the cache is keyed by the value alone)', async () => {
    const ingress = new WebhookIngress(SOURCES, new MemoryStore());
    const captured = authviaHeaders(AUTHVIA_SECRET);
    expect(await post(ingress, 'authvia-signed', captured, authviaBody())).toBe(200);
    expect(await post(ingress, 'authvia-signed-too', captured, authviaBody({ version: 2, status: 'failed' }), ATTACKER, NOW + 60_000)).toBe(401);
  });

  it('a signature whose request was not stored (503) can be sent again: the provider retries it', async () => {
    let failing = true;
    const ingress = new WebhookIngress(SOURCES, {
      store: async () => {
        if (failing) throw new Error('broker down');
      },
    });
    const headers = authviaHeaders(AUTHVIA_SECRET);
    expect(await post(ingress, 'authvia-signed', headers, authviaBody())).toBe(503);
    failing = false;
    expect(await post(ingress, 'authvia-signed', headers, authviaBody())).toBe(200);
    expect(await post(ingress, 'authvia-signed', headers, authviaBody())).toBe(401);
  });

  it.each([['1e308'], ['-1'], ['1.5'], ['9007199254740993'], ['"NaN"']])('a version of %s is refused 400 and quarantined', async (version) => {
    const store = new MemoryStore();
    const ingress = new WebhookIngress(SOURCES, store);
    const body = Buffer.from(`{"id":"${randomUUID()}","status":"resolved","version":${version}}`);
    expect(await post(ingress, 'authvia-signed', authviaHeaders(AUTHVIA_SECRET), body)).toBe(400);
    expect(store.records.map((r) => r.topic)).toEqual(['webhooks.quarantine']);
  });
});
