import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { parseHookbusConfig, type SourceConfig } from '@hookbus/config';
import type { OutgoingRecord } from '@hookbus/kafka';
import '@hookbus/providers/adapters';
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

function authviaHeaders(secret: string): IncomingHttpHeaders {
  const timestamp = String(Math.floor(NOW / 1000));
  return { 'x-authvia-value': 'v', 'x-authvia-timestamp': timestamp, 'x-authvia-signature': authviaSignature(secret, 'v', timestamp) };
}

function authviaBody(): Buffer {
  return Buffer.from(JSON.stringify({ event: 'business-process.updated', data: { id: randomUUID(), status: 'COMPLETED' } }));
}

/** One request through both steps, as the route runs them; the status it is answered with. */
async function post(ingress: WebhookIngress, sourceId: string, headers: IncomingHttpHeaders, body: Buffer): Promise<number> {
  const admission = ingress.admit('POST', sourceId, false, NOW);
  if (!admission.admitted) return admission.reply.status;
  const source: SourceConfig = admission.source;
  const reply = await ingress.accept(source, {
    method: 'POST',
    path: `/webhooks/${sourceId}`,
    rawQuery: '',
    sourceId,
    pathStatus: null,
    headers: { 'content-type': 'application/json', ...headers },
    body,
    oversize: false,
    receivedAtMs: NOW,
  });
  return reply.status;
}

const guarded = (ingress: WebhookIngress, secret: string) => post(ingress, 'credas-guarded', { webhookauth: secret }, credasBody());

describe('rate limits and authentication', () => {
  it('failed authentications do not spend the quota of the provider that has the secret', async () => {
    const ingress = new WebhookIngress(SOURCES, new MemoryStore());
    for (let i = 1; i < LIMIT.burst; i++) expect(await guarded(ingress, `guess-${i}`)).toBe(401);
    const genuine = [];
    for (let i = 0; i < LIMIT.burst; i++) genuine.push(await guarded(ingress, GUARDED_SECRET));
    expect(genuine).toEqual([200, 200, 200]);
  });

  it('guessing a shared secret gets 401s, then 429 before the credential is compared, even for the right one', async () => {
    const ingress = new WebhookIngress(SOURCES, new MemoryStore());
    const statuses = [];
    for (let i = 0; i < LIMIT.burst + 2; i++) statuses.push(await guarded(ingress, `guess-${i}`));
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    expect(await guarded(ingress, GUARDED_SECRET)).toBe(429);
    const admission = ingress.admit('POST', 'credas-guarded', false, NOW);
    expect(admission.admitted).toBe(false);
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
    for (let i = 0; i < LIMIT.burst + 2; i++) forged.push(await post(ingress, 'authvia-signed', authviaHeaders('wrong'), authviaBody()));
    expect(forged).toEqual([401, 401, 401, 429, 429]);
    expect(await post(ingress, 'authvia-signed', authviaHeaders(AUTHVIA_SECRET), authviaBody())).toBe(200);
  });

  it('a source without authentication is charged before the body is read', () => {
    const ingress = new WebhookIngress(SOURCES, new MemoryStore());
    const admitted = Array.from({ length: LIMIT.burst + 1 }, () => ingress.admit('POST', 'credas-open', false, NOW).admitted);
    expect(admitted).toEqual([true, true, true, false]);
  });
});
