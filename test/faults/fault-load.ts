import { randomInt, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sourceTemplates, type SourceConfig } from '@hookbus/config';
import { Topics, type CloudEvent, type ProcessStatusEvent } from '@hookbus/contracts';
import { adapterFor, decodeBody, queryToObject, type ReceivedWebhook } from '@hookbus/providers';
import { applyCommunicationEvent, applyProcessEvent, type CommunicationState, type ProcessState } from '@hookbus/tracking';

/** One HTTP request a provider would send. */
export interface Delivery {
  readonly sourceId: string;
  readonly method: 'GET' | 'POST';
  readonly pathStatus: string | null;
  readonly query: string;
  readonly contentType: string | null;
  readonly body: string;
}

/** One entity's sequence of deliveries, in the provider's order. */
export interface EntitySequence {
  readonly label: string;
  readonly deliveries: Delivery[];
}

const FIXTURES = join(__dirname, '..', '..', 'libs', 'providers', 'src');
const fixture = <T>(path: string): T => JSON.parse(readFileSync(join(FIXTURES, path), 'utf8')) as T;

interface AuthviaFixture {
  deliveries: Array<{ sourceId: string; query: Record<string, string>; body: unknown }>;
}
interface OctapushFixture {
  requests: Array<{ method: 'GET' | 'POST'; sourceId: string; pathStatus?: string; query?: string; contentType?: string; body?: string }>;
}

function greekMobile(): string {
  return `3069${randomInt(10_000_000, 99_999_999)}`;
}

/** Credas process actor: invitation sent, delivered, email opened — or both channels bounce (its example's shape). */
function credasActor(bounce: boolean): EntitySequence {
  const seed = fixture<Record<string, unknown>>('credas/fixtures/process-actor.seed-000.json');
  const ids = { clientId: randomUUID(), processId: randomUUID(), entityId: randomUUID() };
  const step = (sms: number, email: number): Delivery => ({
    sourceId: 'credas-actor',
    method: 'POST',
    pathStatus: null,
    query: '',
    contentType: 'application/json',
    body: JSON.stringify({ ...seed, ...ids, smsStatus: sms, smsStatusDescription: `s${sms}`, emailStatus: email, emailStatusDescription: `e${email}` }),
  });
  const steps = bounce ? [step(1, 1), step(5, 5)] : [step(1, 1), step(2, 2), step(2, 3)];
  return { label: 'credas-actor', deliveries: steps };
}

/** Authvia business process from its fixture sequence (resolved, or expired), under a fresh process id. */
function authvia(which: 'resolved' | 'expired'): EntitySequence {
  const raw = readFileSync(join(FIXTURES, 'authvia', 'fixtures', `business-process.${which}.sequence.json`), 'utf8');
  const original = (JSON.parse(raw) as AuthviaFixture).deliveries[0]!.body as { id: string };
  const parsed = JSON.parse(raw.split(original.id).join(randomUUID())) as AuthviaFixture;
  return {
    label: `authvia-${which}`,
    deliveries: parsed.deliveries.map((d) => ({
      sourceId: d.sourceId,
      method: 'POST',
      pathStatus: null,
      query: new URLSearchParams(d.query).toString(),
      contentType: 'application/json',
      body: JSON.stringify(d.body),
    })),
  };
}

/** Octapush Viber from its fixture (delivered, seen, clicked; a URL per status), under a fresh phone number. */
function octapushViber(): EntitySequence {
  const phone = greekMobile();
  const parsed = fixture<OctapushFixture>('octapush/fixtures/viber-delivered-seen-clicked.json');
  return {
    label: 'octapush-viber',
    deliveries: parsed.requests.map((r) => ({ sourceId: r.sourceId, method: r.method, pathStatus: r.pathStatus ?? null, query: (r.query ?? '').replace(/phone=\d+/, `phone=${phone}`), contentType: null, body: '' })),
  };
}

/** Octapush SMS by GET callbacks: pending, submitted, sent, delivered (tokens: docs/providers/octapush.md#tokens). */
function octapushSms(): EntitySequence {
  const phone = greekMobile();
  return {
    label: 'octapush-sms',
    deliveries: ['Pending', 'Submitted', 'Sent', 'Delivered'].map((status) => ({ sourceId: 'octapush-sms', method: 'GET', pathStatus: null, query: `phone=${phone}&status=${status}&customid=CRM-${phone.slice(-4)}`, contentType: null, body: '' })),
  };
}

/** A mixed batch: every provider family, several sequences each. */
export function mixedEntities(perKind: number): EntitySequence[] {
  const out: EntitySequence[] = [];
  for (let i = 0; i < perKind; i += 1) {
    out.push(credasActor(i % 3 === 2), authvia(i % 2 === 0 ? 'resolved' : 'expired'), octapushViber(), octapushSms());
  }
  return out;
}

export function shuffled<T>(items: readonly T[], random?: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = random ? Math.floor(random() * (i + 1)) : randomInt(0, i + 1);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/** A seeded PRNG (mulberry32) in [0, 1): the same seed gives the same kill moments and send order. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixed entities with at least `requests` deliveries in all (whole sequences, every provider family). */
export function mixedLoad(requests: number): EntitySequence[] {
  const out: EntitySequence[] = [];
  let count = 0;
  while (count < requests) {
    // Six units at a time: mixedEntities varies its sequences (bounce, expired) with the unit, in a cycle of six.
    const entities = mixedEntities(6);
    out.push(...entities);
    count += entities.reduce((n, e) => n + e.deliveries.length, 0);
  }
  return out;
}

/**
 * The requests of one open-loop run, as slots sent at once: `in-order` and `duplicates` deal the entities' deliveries
 * round-robin (each entity's statuses in its order, spread over the run, as a provider's arrive), `duplicates` sends
 * each one `copies` times in one slot, `shuffled` sends each entity's whole sequence, shuffled, in one slot.
 */
export function loadSlots(entities: readonly EntitySequence[], mode: { kind: 'in-order' } | { kind: 'duplicates'; copies: number } | { kind: 'shuffled' }, random: () => number): Delivery[][] {
  if (mode.kind === 'shuffled') return entities.map((e) => shuffled(e.deliveries, random));
  const slots: Delivery[][] = [];
  const longest = Math.max(...entities.map((e) => e.deliveries.length));
  for (let step = 0; step < longest; step += 1) {
    for (const entity of entities) {
      const delivery = entity.deliveries[step];
      if (delivery) slots.push(Array.from({ length: mode.kind === 'duplicates' ? mode.copies : 1 }, () => delivery));
    }
  }
  return slots;
}

const SOURCES = new Map<string, SourceConfig>(sourceTemplates().map((s) => [s.id, s]));

export function urlOf(gatewayUrl: string, d: Delivery): string {
  return `${gatewayUrl}/webhooks/${d.sourceId}${d.pathStatus ? `/${d.pathStatus}` : ''}${d.query ? `?${d.query}` : ''}`;
}

/** What the pipeline must end with, computed from what was sent: the events (by id) and the final states. */
export interface Expectation {
  readonly eventIds: Set<string>;
  readonly communications: Map<string, CommunicationState>;
  readonly processes: Map<string, ProcessState>;
}

/**
 * The oracle: each distinct delivery normalized by its provider adapter (pure) and folded into states by the
 * tracking functions (a join: order and repetition do not matter). The fault-free answer the stack must match.
 */
export function expectationFor(deliveries: Iterable<Delivery>): Expectation {
  const expected: Expectation = { eventIds: new Set(), communications: new Map(), processes: new Map() };
  const seen = new Set<string>();
  for (const d of deliveries) {
    const identity = JSON.stringify(d);
    if (seen.has(identity)) continue;
    seen.add(identity);
    const source = SOURCES.get(d.sourceId)!;
    const body = Buffer.from(d.body);
    const webhook: ReceivedWebhook = {
      sourceId: source.id,
      provider: source.provider,
      kind: source.kind,
      method: d.method,
      path: `/webhooks/${source.id}${d.pathStatus ? `/${d.pathStatus}` : ''}`,
      query: queryToObject(d.query),
      pathStatus: d.pathStatus,
      contentType: d.contentType,
      body,
      payload: decodeBody(body, d.contentType),
      receiptId: '00000000-0000-7000-8000-000000000000',
      receivedAt: '2025-01-01T00:00:00.000Z',
    };
    for (const { topic, key, event } of adapterFor(source.provider).normalize(webhook, source)) {
      expected.eventIds.add(event.id);
      if (topic === Topics.communications.name) {
        expected.communications.set(key, applyCommunicationEvent(expected.communications.get(key) ?? null, event).state);
      } else if (topic === Topics.processes.name && event.type === 'hookbus.process.status') {
        expected.processes.set(key, applyProcessEvent(expected.processes.get(key) ?? null, event as CloudEvent as ProcessStatusEvent).state);
      }
    }
  }
  return expected;
}
