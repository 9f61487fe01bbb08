import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import type { Producer } from 'kafkajs';
import { sourceTemplates, type SourceConfig } from '@hookbus/config';
import { encodeRawWebhook, type EncodedRecord, type RawWebhook } from '@hookbus/contracts';
import { adapterFor, decodedWebhook } from '@hookbus/providers';

/**
 * Raw records of every provider, as the gateway writes them, for the drain benchmarks: the provider fixtures (the
 * same ones the contract test uses) with ids made unique per "story", keyed by each adapter's routing key.
 * One story = a Credas process sequence, an Authvia business process (three updates and an action), an Octapush SMS
 * (submitted, delivered) and a Cellosign session (four events). Stories cycle through a bounded id space so repeated
 * bench runs do not grow the compacted state topics without end.
 */
const FIXTURES = join(__dirname, '..', '..', 'libs', 'providers', 'src');

interface Template {
  readonly source: SourceConfig;
  readonly body: string;
  readonly query: string;
  readonly method: 'GET' | 'POST';
}

/** A raw record as the raw webhook codec encodes it. */
export type RawMessage = EncodedRecord;

function fixture(provider: string, name: string): string {
  return readFileSync(join(FIXTURES, provider, 'fixtures', name), 'utf8');
}

const ID = '{{STORY}}';
const PHONE = '{{PHONE}}';

function templates(): Template[] {
  const sources = new Map(sourceTemplates().map((s) => [s.id, s]));
  const source = (id: string) => sources.get(id) ?? raise(`no default source ${id}`);
  const credas = JSON.parse(
    fixture('credas', 'process.sequence.json')
      .replaceAll('9afe8b16-0b4d-4da3-a7d3-353c7ebece0d', `9afe8b16-0b4d-4da3-a7d3-${ID}`)
      .replaceAll('3bd81445-a87d-4aa1-9f1d-72afc60fa414', `3bd81445-a87d-4aa1-9f1d-${ID}`)
      .replaceAll('c1a7e0d2-5b8f-4e0a-9d3c-2f6b8a4e1d77', `c1a7e0d2-5b8f-4e0a-9d3c-${ID}`),
  ) as { deliveries: Array<{ sourceId: string; query: Record<string, string>; body: unknown }> };
  const process = {
    id: `bp-bench-${ID}`, blueprint: 'card-payment', partnerId: 'partner-1', avid: 'AV-1001', customerId: 'cus-77',
    status: 'scheduled', expiration: '2031-03-04T10:00:00Z', version: 1, actions: [], addresses: [],
  };
  const cellosign = ['seed-session-created.json', 'session-client-logged-in.json', 'session-client-form-loaded.json', 'session-client-form-submitted.json'].map((name) => {
    const body = JSON.parse(fixture('cellosign', name)) as { session: { id: string } };
    body.session.id = `bench${ID}`;
    return JSON.stringify(body);
  });
  const octapush = (status: string) => `{"status":"${status}","phone":"+3069${PHONE}","customId":"B-${ID}"}`;
  return [
    ...credas.deliveries.map((d) => ({ source: source(d.sourceId), body: JSON.stringify(d.body), query: new URLSearchParams(d.query).toString(), method: 'POST' as const })),
    ...[
      JSON.stringify(process),
      JSON.stringify({ ...process, status: 'in-progress', version: 2 }),
      JSON.stringify({ ...process, status: 'resolved', version: 3, closedDate: '2031-03-04T10:16:00' }),
    ].map((body) => ({ source: source('authvia-business-process'), body, query: '', method: 'POST' as const })),
    {
      source: source('authvia-business-process-action'),
      body: JSON.stringify({ id: `act-bench-${ID}`, businessProcessId: `bp-bench-${ID}`, type: 'payment', status: 'completed', updatedAt: '2031-03-04T10:01:00Z', context: { amount: 10 } }),
      query: '',
      method: 'POST' as const,
    },
    ...['Submitted', 'Delivered'].map((status) => ({ source: source('octapush-sms'), body: octapush(status), query: '', method: 'POST' as const })),
    ...cellosign.map((body) => ({ source: source('cellosign'), body, query: '', method: 'POST' as const })),
  ];
}

function raise(message: string): never {
  throw new Error(message);
}

/** The raw record the gateway would write for one delivery. */
function rawMessage(template: Template, story: number, receivedAt: string): RawMessage {
  // 12 hex digits: the last group of a UUID, so Credas ids stay valid UUIDs; 8 digits for a Greek mobile number.
  const body = Buffer.from(template.body.replaceAll(ID, story.toString(16).padStart(12, '0')).replaceAll(PHONE, String(story % 100_000_000).padStart(8, '0')), 'utf8');
  const s = template.source;
  const raw: Omit<RawWebhook, 'key'> = {
    body,
    receiptId: uuidv7(),
    receivedAt,
    sourceId: s.id,
    provider: s.provider,
    kind: s.kind,
    method: template.method,
    path: `/webhooks/${s.id}`,
    query: template.query,
    contentType: 'application/json',
    pathStatus: null,
    requestHeaders: '{}',
  };
  return encodeRawWebhook({ ...raw, key: adapterFor(s.provider).routingKey(decodedWebhook(raw), s) });
}

export const RECORDS_PER_STORY = templates().length;

/** One story's raw records, every template once: the workload's record sizes, for the Kafka ceilings (bench/ceilings.ts). */
export function storyRecords(story: number): RawMessage[] {
  const receivedAt = new Date().toISOString();
  return templates().map((template) => rawMessage(template, story, receivedAt));
}

/** Writes at least `records` raw records (whole stories), acks=-1, a few batches in flight; returns the count. */
export async function prefillRaw(producer: Producer, records: number, storySpace: number, storyBase: number): Promise<number> {
  const all = templates();
  const stories = Math.ceil(records / all.length);
  const batch: RawMessage[] = [];
  const inFlight: Promise<unknown>[] = [];
  let written = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const byTopic = new Map<string, RawMessage[]>();
    for (const m of batch.splice(0)) byTopic.set(m.topic, [...(byTopic.get(m.topic) ?? []), m]);
    inFlight.push(producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages: messages.map(({ key, value, headers }) => ({ key, value, headers: { ...headers } })) })) }));
    if (inFlight.length >= 4) await Promise.all(inFlight.splice(0));
  };
  for (let i = 0; i < stories; i++) {
    const story = storyBase + (i % storySpace);
    const receivedAt = new Date().toISOString();
    for (const template of all) batch.push(rawMessage(template, story, receivedAt));
    written += all.length;
    if (batch.length >= 2000) await flush();
  }
  await flush();
  await Promise.all(inFlight);
  return written;
}
