import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { InvalidRecordError, Topics } from '@hookbus/contracts';
import { sourceTemplates, type SourceConfig } from '@hookbus/config';
import type { ReceivedWebhook } from '../webhook';
import type { OmittedValue } from './cellosign-archive';
import { cellosignAdapter, type CellosignProcessData } from './cellosign.adapter';
import { CELLOSIGN_EVENT_TYPES } from './cellosign-event.table';
import { cellosignWebhook, readFixture, type CellosignRequest } from './fixtures/webhook-fixture';

const utcSource = sourceTemplates().find((s) => s.id === 'cellosign')!;
const israelSource: SourceConfig = { ...utcSource, timezone: 'Asia/Jerusalem' };
const UUID_V8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function normalizeOne(request: CellosignRequest, source: SourceConfig = israelSource) {
  const events = cellosignAdapter.normalize(cellosignWebhook(request), source);
  expect(events).toHaveLength(1);
  return events[0]!;
}

function dataOf(request: CellosignRequest, source: SourceConfig = israelSource): CellosignProcessData {
  return normalizeOne(request, source).event.data as CellosignProcessData;
}

function bodyWith(type: string, timestamp: string | null = '2025-01-26T08:49:33.626046', session: Record<string, unknown> = { id: '5Wkt78ciJc' }): string {
  return JSON.stringify({ event: timestamp === null ? { type } : { type, timestamp }, session });
}

function errorOf(fn: () => unknown): InvalidRecordError {
  expect(fn).toThrow(InvalidRecordError);
  try {
    fn();
  } catch (error) {
    return error as InvalidRecordError;
  }
  throw new Error('unreachable');
}

/** A deterministic stand-in for a signed PDF: a PDF header and `size` bytes that do not compress to nothing. */
function fakePdf(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  Buffer.from('%PDF-1.7\n%\xE2\xE3\xCF\xD3\n', 'latin1').copy(bytes);
  for (let i = 16, x = 7; i < size; i++) bytes[i] = x = (x * 1103515245 + 12345) & 0xff;
  return bytes;
}

function pointerGet(document: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, token) => (node as Record<string, unknown>)[token], document);
}

describe('cellosignAdapter', () => {
  it('declares its provider and kind', () => {
    expect(cellosignAdapter.provider).toBe('cellosign');
    expect(cellosignAdapter.kinds).toEqual(['workflow']);
  });

  it("normalizes Cellosign's example (fixtures/seed-session-created.json) into one hookbus.process.status event", () => {
    const body = readFixture('seed-session-created.json');
    const hook = cellosignWebhook({ body, receiptId: 'r-seed', receivedAt: '2025-01-26T06:49:34.001Z' });
    expect(cellosignAdapter.routingKey(hook, israelSource)).toBe('5Wkt78ciJc');
    expect(cellosignAdapter.normalize(hook, israelSource)).toEqual([
      {
        topic: Topics.processes.name,
        key: 'cellosign:5Wkt78ciJc',
        event: {
          specversion: '1.0',
          id: expect.stringMatching(UUID_V8),
          type: 'hookbus.process.status',
          source: '/webhooks/cellosign',
          subject: 'cellosign:5Wkt78ciJc',
          time: '2025-01-26T06:49:33.626Z',
          datacontenttype: 'application/json',
          provider: 'cellosign',
          receiptid: 'r-seed',
          data: {
            processKey: 'cellosign:5Wkt78ciJc',
            provider: 'cellosign',
            processId: '5Wkt78ciJc',
            status: 'created',
            final: false,
            providerStatus: { code: 'WHEF_SESSION_CREATED', text: null },
            entityId: null,
            reference: null,
            eventTimestamp: '2025-01-26T08:49:33.626046',
            session: {
              reference: '7932390e-ee95-4888-ba64-9c7e6f2f5908',
              workflowProcessId: '7932390e-ee95-4888-ba64-9c7e6f2f5908',
              processNumber: 51,
              transactionNumber: 53,
              recipient: { id: 1, name: 'client' },
              labels: { CUSTOMER_TAG: 'CUSTOMER_VALUE' },
            },
            client: null,
            archive: null,
            original: JSON.parse(body),
          },
        },
      },
    ]);
  });

  describe('a session from creation to archive', () => {
    const pdf = fakePdf(3 * 1024 * 1024);
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), fakePdf(20 * 1024).subarray(4)]);
    const archiveBody = readFixture('session-archive.template.json')
      .replace('{{SIGNED_PDF_BASE64}}', pdf.toString('base64'))
      .replace('{{ID_CARD_JPEG_BASE64}}', jpeg.toString('base64'));
    const bodies = [
      readFixture('seed-session-created.json'),
      readFixture('session-client-logged-in.json'),
      readFixture('session-client-form-loaded.json'),
      readFixture('session-client-form-submitted.json'),
      archiveBody,
    ];
    const events = bodies.flatMap((body, i) =>
      cellosignAdapter.normalize(cellosignWebhook({ body, receiptId: `r-${i}` }), israelSource),
    );
    const data = events.map((e) => e.event.data as CellosignProcessData);

    it('keys every event on the session and walks the statuses in order', () => {
      expect(events.map((e) => e.key)).toEqual(Array(5).fill('cellosign:5Wkt78ciJc'));
      expect(data.map((d) => [d.status, d.final])).toEqual([
        ['created', false],
        ['in_progress', false],
        ['in_progress', false],
        ['submitted', false],
        ['completed', true],
      ]);
      expect(events.map((e) => e.event.time)).toEqual([
        '2025-01-26T06:49:33.626Z',
        '2025-01-26T06:52:10.004Z',
        '2025-01-26T06:52:11.918Z',
        '2025-01-26T07:01:45.120Z',
        '2025-01-26T07:01:47.530Z',
      ]);
    });

    it('says who acted on client events', () => {
      expect(data[1]!.client).toEqual({ ip: '203.0.113.24', userAgent: expect.stringContaining('iPhone') });
      expect(data[0]!.client).toBeNull();
    });

    it('carries the archive as descriptors pointing into the raw body, not as megabytes', () => {
      const archive = events[4]!;
      expect(Buffer.byteLength(archiveBody)).toBeGreaterThan(4 * 1024 * 1024);
      expect(Buffer.byteLength(JSON.stringify(archive.event))).toBeLessThan(8 * 1024);
      const items = data[4]!.archive!.items;
      expect(data[4]!.archive!.receiptId).toBe('r-4');
      expect(items.map((i) => [i.pointer, i.encoding, i.mediaType])).toEqual([
        ['/archive/attachments/0/content', 'base64', 'image/jpeg'],
        ['/archive/document/content', 'base64', 'application/pdf'],
      ]);
      const raw = JSON.parse(archiveBody);
      for (const item of items) {
        const value = pointerGet(raw, item.pointer) as string;
        expect(item).toMatchObject({ omitted: true, receiptId: 'r-4', bytes: value.length });
        expect(item.sha256).toBe(createHash('sha256').update(value).digest('hex'));
      }
      expect(Buffer.from(pointerGet(raw, items[1]!.pointer) as string, 'base64').equals(pdf)).toBe(true);
      const original = data[4]!.original as { archive: { form: unknown; document: { file_name: string; content: OmittedValue } } };
      expect(original.archive.form).toEqual({ first_name: 'Dana', last_name: 'Levi', id_number: '000000018', consent: true });
      expect(original.archive.document).toEqual({ file_name: 'signed.pdf', content: items[1] });
    });

    it('gives the other events no archive', () => {
      expect(data.slice(0, 4).map((d) => d.archive)).toEqual([null, null, null, null]);
    });
  });

  it('always says what an archive held, even when nothing was large', () => {
    expect(dataOf({ body: bodyWith('WHP_ARCHIVE') }).archive).toEqual({ receiptId: '01936b2a-0c00-7000-8000-0000000000c1', items: [] });
  });

  it('describes a large string on any event type rather than carry it', () => {
    const data = dataOf({ body: bodyWith('WHEF_CLIENT_FORM_SUBMITTED', null, { id: 's1', labels: { note: 'x'.repeat(10_000) } }) });
    expect(data.archive!.items).toEqual([expect.objectContaining({ pointer: '/session/labels/note', bytes: 10_000 })]);
    expect(data.session.labels).toEqual({ note: data.archive!.items[0] });
  });

  describe('every event type', () => {
    it.each(CELLOSIGN_EVENT_TYPES.map((e) => [e.type, e.status, e.final] as const))('%s → %s, final %s', (type, status, final) => {
      expect(dataOf({ body: bodyWith(type) })).toMatchObject({ status, final, providerStatus: { code: type, text: null } });
    });

    it('maps an unknown type to unknown, keeping it', () => {
      expect(dataOf({ body: bodyWith('WHEF_SESSION_REOPENED') })).toMatchObject({
        status: 'unknown',
        final: false,
        providerStatus: { code: 'WHEF_SESSION_REOPENED' },
      });
    });
  });

  describe('time', () => {
    it.each([
      ['Israeli winter', israelSource, '2025-01-26T08:49:33.626046', '2025-01-26T06:49:33.626Z'],
      ['Israeli summer', israelSource, '2025-07-15T10:00:00.123456', '2025-07-15T07:00:00.123Z'],
      ['the default zone, UTC', utcSource, '2025-07-15T10:00:00.123456', '2025-07-15T10:00:00.123Z'],
      ['an explicit offset', israelSource, '2025-07-15T10:00:00.123456+02:00', '2025-07-15T08:00:00.123Z'],
    ])('reads %s', (_what, source, timestamp, time) => {
      const { event } = normalizeOne({ body: bodyWith('WHEF_SESSION_CREATED', timestamp) }, source);
      expect(event.time).toBe(time);
      expect((event.data as CellosignProcessData).eventTimestamp).toBe(timestamp);
    });

    it.each([
      ['no timestamp', null],
      ['an unreadable timestamp', 'yesterday at noon'],
    ])('falls back to the receipt time with %s', (_what, timestamp) => {
      const { event } = normalizeOne({ body: bodyWith('WHEF_SESSION_CREATED', timestamp), receivedAt: '2025-01-26T06:49:34.001Z' });
      expect(event.time).toBe('2025-01-26T06:49:34.001Z');
      expect((event.data as CellosignProcessData).eventTimestamp).toBe(timestamp);
    });
  });

  describe('deterministic ids', () => {
    const body = readFixture('seed-session-created.json');

    it('gives the same delivery received twice the same id', () => {
      const first = normalizeOne({ body, receiptId: 'r-1', receivedAt: '2025-01-26T06:49:34.001Z' });
      const again = normalizeOne({ body, receiptId: 'r-2', receivedAt: '2025-01-26T06:55:00.000Z' });
      expect(again.event.id).toBe(first.event.id);
      expect(again.event.receiptid).toBe('r-2');
    });

    it('gives another body another id', () => {
      const a = normalizeOne({ body });
      const b = normalizeOne({ body: readFixture('session-client-logged-in.json') });
      expect(b.event.id).not.toBe(a.event.id);
    });
  });

  it('keeps the webhook URL query (secret already removed) as the customer reference', () => {
    expect(dataOf({ body: bodyWith('WHEF_SESSION_CREATED'), query: 'our-ref=A-17' }).reference).toEqual({ 'our-ref': 'A-17' });
  });

  it('accepts a numeric session id as text', () => {
    const hook = cellosignWebhook({ body: bodyWith('WHEF_SESSION_CREATED', null, { id: 1234 }) });
    expect(cellosignAdapter.routingKey(hook, israelSource)).toBe('1234');
    expect(cellosignAdapter.normalize(hook, israelSource)[0]!.key).toBe('cellosign:1234');
  });

  describe('invalid webhooks', () => {
    it.each([
      ['no session', '{"event":{"type":"WHEF_SESSION_CREATED"}}', 'cellosign.missing_session_id'],
      ['no session id', '{"event":{"type":"WHEF_SESSION_CREATED"},"session":{"reference":"r"}}', 'cellosign.missing_session_id'],
      ['a null session id', '{"event":{"type":"WHEF_SESSION_CREATED"},"session":{"id":null}}', 'cellosign.missing_session_id'],
      ['a session id with ":"', '{"event":{"type":"X"},"session":{"id":"a:b"}}', 'cellosign.invalid_session_id'],
      ['an object as session id', '{"event":{"type":"X"},"session":{"id":{"constructor":"x"}}}', 'cellosign.invalid_session_id'],
      ['a session that is a string', '{"event":{"type":"X"},"session":"5Wkt78ciJc"}', 'cellosign.invalid_session_id'],
      ['no event', '{"session":{"id":"5Wkt78ciJc"}}', 'cellosign.invalid_body'],
      ['an event without type', '{"event":{"timestamp":"2025-01-26T08:49:33"},"session":{"id":"5Wkt78ciJc"}}', 'cellosign.invalid_body'],
      ['an event that is an array', '{"event":[{"type":"WHP_ARCHIVE"}],"session":{"id":"5Wkt78ciJc"}}', 'cellosign.invalid_body'],
      ['a numeric timestamp', '{"event":{"type":"X","timestamp":1737881373},"session":{"id":"5Wkt78ciJc"}}', 'cellosign.invalid_body'],
      ['labels that are a list', '{"event":{"type":"X"},"session":{"id":"5Wkt78ciJc","labels":["a"]}}', 'cellosign.invalid_body'],
      ['a body that is an array', '[{"event":{"type":"X"}}]', 'cellosign.invalid_body'],
    ])('refuses %s', (_what, body, code) => {
      const hook = cellosignWebhook({ body });
      expect(errorOf(() => cellosignAdapter.routingKey(hook, israelSource)).code).toBe(code);
      expect(errorOf(() => cellosignAdapter.normalize(hook, israelSource)).code).toBe(code);
    });

    it('refuses a form body (no event, no session)', () => {
      const hook = cellosignWebhook({ body: 'event=x&session=y', contentType: 'application/x-www-form-urlencoded' });
      expect(() => cellosignAdapter.routingKey(hook, israelSource)).toThrow(InvalidRecordError);
    });

    it('never puts personal data in the message', () => {
      const body = JSON.stringify({ event: { type: 'X' }, session: { id: 'bad id', recipient: { id: 1, name: ['Dana Levi'] }, client: 1 }, client: { ip: 42 } });
      const error = errorOf(() => cellosignAdapter.normalize(cellosignWebhook({ body }), israelSource));
      expect(error.message).toMatch(/session\.id/);
      expect(error.message).not.toMatch(/Dana|bad id|42/);
    });
  });

  describe('hostile payloads', () => {
    it('keeps __proto__ and constructor keys as plain fields without touching a prototype', () => {
      const body =
        '{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},"event":{"type":"WHEF_SESSION_CREATED","constructor":"x","__proto__":{"polluted":1}},' +
        '"session":{"id":"5Wkt78ciJc","constructor":{"name":"x"},"recipient":{"id":1,"constructor":"String"},"labels":{"__proto__":{"polluted":1},"constructor":"Function"}},' +
        '"client":{"constructor":"Object","ip":"203.0.113.24"},"archive":{"constructor":{"constructor":"x"}}}';
      const data = dataOf({ body });
      expect(data.status).toBe('created');
      expect(Object.hasOwn(data.original, '__proto__')).toBe(true);
      expect(Object.getPrototypeOf(data.original)).toBe(Object.prototype);
      expect(data.session.labels).toEqual(JSON.parse(body).session.labels);
      expect(Object.hasOwn(data.session.labels!, '__proto__')).toBe(true);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });

  it('either returns well-formed events or throws InvalidRecordError, for any payload and query (property)', () => {
    const key = fc.oneof(fc.constantFrom('event', 'session', 'client', 'type', 'timestamp', 'id', 'labels', 'recipient', '__proto__', 'constructor'), fc.string({ maxLength: 6 }));
    const anything = fc.jsonValue({ maxDepth: 3 });
    // Mostly well-formed pieces, sometimes anything at all: both outcomes must be reached often.
    const mostly = <T,>(valid: fc.Arbitrary<T>) => fc.oneof({ arbitrary: valid, weight: 5 }, { arbitrary: anything, weight: 1 });
    const id = mostly(fc.oneof({ arbitrary: fc.constantFrom('5Wkt78ciJc', 1234, 'abc-DEF_1.2~'), weight: 4 }, fc.constantFrom('a:b', '', -1.5, null)));
    const type = mostly(fc.constantFrom(...CELLOSIGN_EVENT_TYPES.map((e) => e.type), 'whp_archive', 'WHEF_OTHER', ''));
    const timestamp = mostly(fc.constantFrom('2025-01-26T08:49:33.626046', '2025-07-15T10:00:00+05:00', 'nope', ''));
    const labels = mostly(fc.dictionary(key, anything, { maxKeys: 3 }));
    const recipient = mostly(fc.record({ id: mostly(fc.constantFrom(1, 'r-1')), name: anything }, { requiredKeys: [] }));
    const extra = fc.dictionary(key, anything, { maxKeys: 2 });
    const session = fc
      .tuple(fc.record({ id, labels, recipient, reference: mostly(fc.constantFrom('7932390e', null)) }, { requiredKeys: ['id'] }), extra)
      .map(([s, e]) => ({ ...e, ...s }));
    const client = fc.record({ ip: mostly(fc.constant('203.0.113.24')), user_agent: mostly(fc.constant('Mozilla/5.0')) }, { requiredKeys: [] });
    const shaped = fc.record(
      { event: mostly(fc.record({ type, timestamp }, { requiredKeys: ['type'] })), session: mostly(session), client: mostly(client) },
      { requiredKeys: ['event', 'session'] },
    );
    const payload = fc.oneof({ arbitrary: shaped, weight: 6 }, { arbitrary: fc.dictionary(key, anything), weight: 1 }, { arbitrary: anything, weight: 1 });
    const query = fc.dictionary(key, fc.string({ maxLength: 10 }), { maxKeys: 3 });
    const zone = fc.constantFrom('UTC', 'Asia/Jerusalem', 'Europe/London');
    const outcomes = { events: 0, refused: 0 };
    fc.assert(
      fc.property(payload, query, zone, (body, q, timezone) => {
        const source: SourceConfig = { ...utcSource, timezone };
        const text = JSON.stringify(body);
        const hook: ReceivedWebhook = {
          ...cellosignWebhook({ body: '{}' }),
          query: Object.setPrototypeOf(Object.fromEntries(Object.entries(q)), null) as Record<string, string>,
          body: Buffer.from(text),
          payload: JSON.parse(text),
        };
        let events;
        try {
          events = cellosignAdapter.normalize(hook, source);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidRecordError);
          outcomes.refused++;
          expect(() => cellosignAdapter.routingKey(hook, source)).toThrow(InvalidRecordError);
          return;
        }
        expect(events).toHaveLength(1);
        outcomes.events++;
        const { topic, key: eventKey, event } = events[0]!;
        expect(topic).toBe(Topics.processes.name);
        expect(eventKey).toBe(`cellosign:${cellosignAdapter.routingKey(hook, source)}`);
        expect(event).toMatchObject({ specversion: '1.0', id: expect.stringMatching(UUID_V8), subject: eventKey, source: '/webhooks/cellosign', provider: 'cellosign' });
        expect(event.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
        expect((event.data as CellosignProcessData).processKey).toBe(eventKey);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 500 },
    );
    // Both branches must be exercised, or the property says nothing.
    expect(outcomes.events).toBeGreaterThan(5);
    expect(outcomes.refused).toBeGreaterThan(5);
  });
});
