import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { InvalidRecordError, Topics } from '@hookbus/contracts';
import { sourceTemplates, type SourceConfig } from '@hookbus/config';
import type { ReceivedWebhook } from '../webhook';
import { octapushAdapter, type OctapushCommunicationData } from './octapush.adapter';
import { OCTAPUSH_STATUSES } from './octapush-status.table';
import { loadFixture, receivedWebhook, type FixtureRequest } from './fixtures/webhook-fixture';

const smsSource = sourceTemplates().find((s) => s.id === 'octapush-sms')!;
const viberSource = sourceTemplates().find((s) => s.id === 'octapush-viber')!;
const RECEIVED_AT = '2025-03-04T09:15:02.120Z';

function request(overrides: Partial<FixtureRequest>): FixtureRequest {
  return { method: 'GET', sourceId: 'octapush-sms', receiptId: '01936b2a-0c00-7000-8000-0000000000aa', receivedAt: RECEIVED_AT, ...overrides };
}

function webhook(overrides: Partial<FixtureRequest>, source: SourceConfig = smsSource): ReceivedWebhook {
  return receivedWebhook(request({ sourceId: source.id, ...overrides }), 'octapush', source.kind);
}

function normalizeOne(hook: ReceivedWebhook, source: SourceConfig = smsSource): OctapushCommunicationData {
  const events = octapushAdapter.normalize(hook, source);
  expect(events).toHaveLength(1);
  return events[0]!.event.data as OctapushCommunicationData;
}

function expectInvalid(fn: () => unknown, code: string): InvalidRecordError {
  expect(fn).toThrow(InvalidRecordError);
  try {
    fn();
  } catch (error) {
    expect((error as InvalidRecordError).code).toBe(code);
    return error as InvalidRecordError;
  }
  throw new Error('unreachable');
}

describe('octapushAdapter', () => {
  it('declares its provider and kinds', () => {
    expect(octapushAdapter.provider).toBe('octapush');
    expect(octapushAdapter.kinds).toEqual(['sms', 'viber']);
  });

  describe("the two examples of Octapush's webhook page (docs/providers/octapush.md#callbacks)", () => {
    it('normalizes the GET callback for Blacklisted into one CloudEvent', () => {
      const [req] = loadFixture('blacklisted-get.json').requests;
      const hook = receivedWebhook(req!, 'octapush', 'sms');
      const events = octapushAdapter.normalize(hook, smsSource);
      expect(events).toEqual([
        {
          topic: Topics.communications.name,
          key: 'octapush:sms:+306912345678',
          event: {
            specversion: '1.0',
            id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
            type: 'hookbus.communication.status',
            source: '/webhooks/octapush-sms',
            subject: 'octapush:sms:+306912345678',
            time: '2025-03-04T09:15:02.120Z',
            datacontenttype: 'application/json',
            provider: 'octapush',
            receiptid: '01936b2a-0c00-7000-8000-000000000001',
            data: {
              communicationId: 'octapush:sms:+306912345678',
              provider: 'octapush',
              channel: 'sms',
              status: 'blacklisted',
              final: true,
              providerStatus: { code: 'Blacklisted', text: 'Blacklisted' },
              continuedAs: null,
              messageKey: '+306912345678',
              phone: '+306912345678',
              statusSource: 'token',
              original: {
                phone: '306912345678',
                status: 'Blacklisted',
                firstname: 'Maria',
                lastname: 'Papadopoulou',
                title: 'Ms',
                option1: 'spring-campaign',
                option2: '',
                customid: 'CRM-10442',
              },
            },
          },
        },
      ]);
      expect(octapushAdapter.routingKey(hook, smsSource)).toBe('+306912345678');
    });

    it('normalizes the POST callback for Submitted, keeping every body field', () => {
      const [req] = loadFixture('submitted-post.json').requests;
      const data = normalizeOne(receivedWebhook(req!, 'octapush', 'sms'));
      expect(data).toMatchObject({ status: 'submitted', final: false, messageKey: '+306912345678', statusSource: 'token' });
      expect(data.original).toEqual({
        status: 'Submitted',
        phone: '+30 691 234 5678',
        firstName: 'Maria',
        lastName: 'Papadopoulou',
        customId: 'CRM-10442',
      });
    });
  });

  describe('realistic sequences', () => {
    it('follows one Viber message delivered → seen → clicked on one communication', () => {
      const { requests } = loadFixture('viber-delivered-seen-clicked.json');
      const events = requests.flatMap((r) => octapushAdapter.normalize(receivedWebhook(r, 'octapush', 'viber'), viberSource));
      expect(events.map((e) => e.key)).toEqual(Array(3).fill('octapush:viber:+306912345678'));
      expect(events.map((e) => [(e.event.data as OctapushCommunicationData).status, (e.event.data as OctapushCommunicationData).final])).toEqual([
        ['delivered', true],
        ['seen', true],
        ['clicked', true],
      ]);
      expect(events.map((e) => e.event.time)).toEqual(requests.map((r) => r.receivedAt));
      expect(new Set(events.map((e) => e.event.id)).size).toBe(3);
      expect(events.every((e) => (e.event.data as OctapushCommunicationData).statusSource === 'path')).toBe(true);
    });

    it('links a Viber fallback to the SMS communication that continues it', () => {
      const { requests } = loadFixture('viber-fallback-sms.json');
      const sources: Record<string, SourceConfig> = { 'octapush-viber': viberSource, 'octapush-sms': smsSource };
      const events = requests.flatMap((r) => {
        const source = sources[r.sourceId]!;
        return octapushAdapter.normalize(receivedWebhook(r, 'octapush', source.kind), source);
      });
      const data = events.map((e) => e.event.data as OctapushCommunicationData);
      expect(data[0]).toMatchObject({
        communicationId: 'octapush:viber:+306987654321',
        status: 'fallback_sms',
        final: false,
        continuedAs: 'octapush:sms:+306987654321',
      });
      expect(data.slice(1).map((d) => [d.communicationId, d.status, d.continuedAs])).toEqual([
        ['octapush:sms:+306987654321', 'sent', null],
        ['octapush:sms:+306987654321', 'delivered', null],
      ]);
    });

    it('does not mark an SMS Fallbacksms as continued', () => {
      expect(normalizeOne(webhook({ query: 'status=Fallbacksms&phone=306912345678' })).continuedAs).toBeNull();
    });
  });

  describe('every status through the adapter', () => {
    it.each(OCTAPUSH_STATUSES.map((e) => [e.name, e.status, e.final] as const))('%s → %s, final %s', (name, status, final) => {
      const byToken = normalizeOne(webhook({ query: `status=${encodeURIComponent(name)}&phone=306912345678` }));
      const byPath = normalizeOne(webhook({ pathStatus: name, query: 'phone=306912345678' }));
      for (const data of [byToken, byPath]) {
        expect(data).toMatchObject({ status, final, providerStatus: { code: name, text: name } });
      }
    });

    it('maps an unrecognised status to unknown, not final, keeping the value', () => {
      expect(normalizeOne(webhook({ query: 'status=Queued&phone=306912345678' }))).toMatchObject({
        status: 'unknown',
        final: false,
        providerStatus: { code: 'Queued', text: null },
      });
    });

    it.each(['Not Delivered', 'not_delivered', 'NotDelivered', 'NOT DELIVERED', 'notdelivered'])('matches the path status %j loosely', (name) => {
      expect(normalizeOne(webhook({ pathStatus: name, query: 'phone=306912345678' }))).toMatchObject({ status: 'not_delivered', final: true });
    });
  });

  describe('GET, POST and path status', () => {
    const expected = { communicationId: 'octapush:sms:+306912345678', status: 'delivered' };

    it('reads a GET callback from the query string', () => {
      expect(normalizeOne(webhook({ query: 'status=Delivered&phone=306912345678' }))).toMatchObject({ ...expected, statusSource: 'token' });
    });

    it('reads a POST JSON body together with query parameters', () => {
      const hook = webhook({ method: 'POST', query: 'campaign=spring', contentType: 'application/json', body: '{"status":"Delivered","phone":306912345678}' });
      const data = normalizeOne(hook);
      expect(data).toMatchObject(expected);
      expect(data.original).toEqual({ campaign: 'spring', status: 'Delivered', phone: 306912345678 });
    });

    it('reads a POST form body', () => {
      const hook = webhook({ method: 'POST', contentType: 'application/x-www-form-urlencoded', body: 'status=Delivered&phone=%2B30+691+234+5678' });
      expect(normalizeOne(hook)).toMatchObject(expected);
    });

    it('lets a body field win over a query parameter of the same name', () => {
      const hook = webhook({ method: 'POST', query: 'status=Sent&phone=306912345678', contentType: 'application/json', body: '{"status":"Delivered"}' });
      expect(normalizeOne(hook).status).toBe('delivered');
    });

    it('lets the path status win over the status token', () => {
      const data = normalizeOne(webhook({ pathStatus: 'Seen', query: 'status=Delivered&phone=306912345678' }, viberSource), viberSource);
      expect(data).toMatchObject({ status: 'seen', statusSource: 'path', providerStatus: { code: 'Seen' } });
    });

    it('reads the status and phone from the configured field names', () => {
      const source: SourceConfig = { ...smsSource, fields: { status: 'st', phone: 'msisdn' }, messageKey: ['msisdn'] };
      const data = normalizeOne(webhook({ query: 'st=Delivered&msisdn=306912345678&status=Sent' }), source);
      expect(data).toMatchObject({ ...expected, phone: '+306912345678' });
    });
  });

  describe('message key', () => {
    it('defaults to the phone number when messageKey is empty', () => {
      const source: SourceConfig = { ...smsSource, messageKey: [] };
      expect(octapushAdapter.routingKey(webhook({ query: 'status=Sent&phone=00306912345678' }), source)).toBe('+306912345678');
    });

    it('joins several tokens with ":" and normalizes only the phone token', () => {
      const source: SourceConfig = { ...smsSource, messageKey: ['customid', 'phone'] };
      const hook = webhook({ query: 'status=Sent&phone=%2B30%20691%20234%205678&customid=CRM-10442' });
      expect(octapushAdapter.routingKey(hook, source)).toBe('CRM-10442:+306912345678');
      expect(normalizeOne(hook, source).communicationId).toBe('octapush:sms:CRM-10442:+306912345678');
    });

    it('escapes ":" inside a token so different token values never share a key', () => {
      const source: SourceConfig = { ...smsSource, messageKey: ['a', 'b'] };
      const one = octapushAdapter.routingKey(webhook({ query: 'status=Sent&a=x%3Ay&b=z' }), source);
      const two = octapushAdapter.routingKey(webhook({ query: 'status=Sent&a=x&b=y%3Az' }), source);
      expect(one).toBe('x%3Ay:z');
      expect(two).toBe('x:y%3Az');
    });

    it('uses the default region for a national number', () => {
      const source: SourceConfig = { ...smsSource, defaultPhoneRegion: 'GR' };
      expect(octapushAdapter.routingKey(webhook({ query: 'status=Sent&phone=6912345678' }), source)).toBe('+306912345678');
    });

    it('keeps an unparseable number as its digits instead of failing', () => {
      expect(octapushAdapter.routingKey(webhook({ query: 'status=Sent&phone=12-345' }), smsSource)).toBe('12345');
    });

    it('allows a message without a phone token when the key does not need one', () => {
      const source: SourceConfig = { ...smsSource, messageKey: ['customid'] };
      expect(normalizeOne(webhook({ query: 'status=Sent&customid=42' }), source)).toMatchObject({ messageKey: '42', phone: null });
    });
  });

  describe('invalid callbacks', () => {
    it('refuses a callback without a status, without naming the phone', () => {
      const error = expectInvalid(() => octapushAdapter.routingKey(webhook({ query: 'phone=306912345678' }), smsSource), 'octapush.missing_status');
      expect(error.message).not.toContain('6912345678');
      expectInvalid(() => octapushAdapter.normalize(webhook({ query: 'phone=306912345678&status=%20' }), smsSource), 'octapush.missing_status');
    });

    it('refuses a callback without the message-key token', () => {
      const error = expectInvalid(() => octapushAdapter.routingKey(webhook({ query: 'status=Sent&customid=7' }), smsSource), 'octapush.missing_message_key');
      expect(error.message).toBe('message-key token "phone" is missing or empty');
      expectInvalid(() => octapushAdapter.normalize(webhook({ query: 'status=Sent&phone=' }), smsSource), 'octapush.missing_message_key');
    });

    it.each([
      ['[1,2]', 'octapush.invalid_body'],
      ['"Delivered"', 'octapush.invalid_body'],
      ['{"status":{"name":"Delivered"},"phone":"306912345678"}', 'octapush.invalid_token'],
      ['{"status":"Delivered","phone":["306912345678"]}', 'octapush.invalid_token'],
      ['{"status":true,"phone":"306912345678"}', 'octapush.invalid_token'],
    ])('refuses the body %s with %s', (body, code) => {
      const hook = webhook({ method: 'POST', contentType: 'application/json', body });
      expectInvalid(() => octapushAdapter.normalize(hook, smsSource), code);
    });

    it('refuses a message key longer than a key should be', () => {
      const source: SourceConfig = { ...smsSource, messageKey: ['customid'] };
      expectInvalid(() => octapushAdapter.routingKey(webhook({ query: `status=Sent&customid=${'x'.repeat(2000)}` }), source), 'octapush.invalid_message_key');
      expectInvalid(() => octapushAdapter.normalize(webhook({ query: `status=Sent&customid=${'x'.repeat(2000)}` }), source), 'octapush.invalid_message_key');
    });

    it('routes by exactly the key the normalizer reads, and refuses exactly what it refuses (the gateway skips the DTO)', () => {
      const source: SourceConfig = { ...smsSource, messageKey: ['customid', 'phone'] };
      const token = fc.oneof(fc.constant(''), fc.constant('  '), fc.string({ maxLength: 12 }), fc.constantFrom('306912345678', '+30 691 234 5678', '00306912345678', '6912345678', 'x:y%'));
      fc.assert(
        fc.property(fc.option(token, { nil: undefined }), fc.option(token, { nil: undefined }), fc.option(token, { nil: undefined }), (status, customid, phone) => {
          const query = new URLSearchParams();
          if (status !== undefined) query.set('status', status);
          if (customid !== undefined) query.set('customid', customid);
          if (phone !== undefined) query.set('phone', phone);
          const hook = webhook({ query: query.toString() });
          const outcome = (fn: () => string) => {
            try {
              return { key: fn() };
            } catch (error) {
              return { code: (error as InvalidRecordError).code };
            }
          };
          const routed = outcome(() => octapushAdapter.routingKey(hook, source));
          const normalized = outcome(() => (octapushAdapter.normalize(hook, source)[0]!.event.data as OctapushCommunicationData).messageKey);
          expect(routed).toEqual(normalized);
        }),
      );
    });
  });

  describe('deterministic ids', () => {
    const query = 'status=Delivered&phone=306912345678';

    it('gives the same delivery received twice the same id', () => {
      const first = octapushAdapter.normalize(webhook({ query, receiptId: 'r-1', receivedAt: '2025-03-04T09:00:00.000Z' }), smsSource)[0]!;
      const again = octapushAdapter.normalize(webhook({ query, receiptId: 'r-2', receivedAt: '2025-03-04T09:05:00.000Z' }), smsSource)[0]!;
      expect(again.event.id).toBe(first.event.id);
      expect(again.event.receiptid).toBe('r-2');
    });

    it('ignores the order of query parameters', () => {
      const a = octapushAdapter.normalize(webhook({ query }), smsSource)[0]!;
      const b = octapushAdapter.normalize(webhook({ query: 'phone=306912345678&status=Delivered' }), smsSource)[0]!;
      expect(b.event.id).toBe(a.event.id);
    });

    it('gives another status or another source another id', () => {
      const a = octapushAdapter.normalize(webhook({ query }), smsSource)[0]!;
      const b = octapushAdapter.normalize(webhook({ query: 'status=Sent&phone=306912345678' }), smsSource)[0]!;
      const c = octapushAdapter.normalize(webhook({ query }, viberSource), viberSource)[0]!;
      expect(new Set([a.event.id, b.event.id, c.event.id]).size).toBe(3);
    });
  });

  describe('hostile payloads', () => {
    it('keeps __proto__ and constructor tokens as plain fields without touching a prototype', () => {
      const hook = webhook({
        method: 'POST',
        query: '__proto__=q&constructor=c',
        contentType: 'application/json',
        body: '{"status":"Sent","phone":"306912345678","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}',
      });
      const data = normalizeOne(hook);
      expect(Object.getPrototypeOf(data.original)).toBe(Object.prototype);
      expect(Object.hasOwn(data.original, '__proto__')).toBe(true);
      expect(data.original['__proto__']).toEqual({ polluted: true });
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect((data.original as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('accepts __proto__ as a configured token name', () => {
      const source: SourceConfig = { ...smsSource, fields: { status: '__proto__', phone: 'constructor' }, messageKey: ['constructor'] };
      const hook = webhook({ method: 'POST', contentType: 'application/json', body: '{"__proto__":"Seen","constructor":"306912345678"}' });
      expect(normalizeOne(hook, source)).toMatchObject({ status: 'seen', messageKey: '+306912345678' });
    });

    it('does not read tokens from Object.prototype', () => {
      const source: SourceConfig = { ...smsSource, fields: { status: 'toString', phone: 'phone' } };
      expectInvalid(() => octapushAdapter.routingKey(webhook({ query: 'phone=306912345678' }), source), 'octapush.missing_status');
    });
  });

  it('either returns well-formed events or throws InvalidRecordError, for any payload and query (property)', () => {
    const name = fc.oneof(fc.constantFrom('status', 'phone', '__proto__', 'constructor', 'toString', 'customid'), fc.string({ maxLength: 8 }));
    const scalar = fc.oneof(
      fc.constantFrom(...OCTAPUSH_STATUSES.map((e) => e.name), '306912345678', '+30 691 234 5678', '', ' ', 'Not Delivered'),
      fc.string({ maxLength: 20 }),
    );
    const payload = fc.oneof(fc.constant(null), fc.jsonValue({ maxDepth: 3 }), fc.dictionary(name, fc.oneof(scalar, fc.jsonValue({ maxDepth: 2 }))));
    const query = fc.dictionary(name, scalar, { maxKeys: 5 });
    const source = fc.record({
      base: fc.constantFrom(smsSource, viberSource),
      messageKey: fc.oneof(fc.constant([] as string[]), fc.array(name, { minLength: 1, maxLength: 3 })),
      region: fc.constantFrom(null, 'GR', 'IL', 'ZZ'),
      pathStatus: fc.oneof(fc.constant(null), scalar),
    });
    const outcomes = { events: 0, refused: 0 };
    fc.assert(
      fc.property(payload, query, source, (body, q, s) => {
        const config: SourceConfig = { ...s.base, messageKey: s.messageKey, defaultPhoneRegion: s.region };
        const text = body === null ? '' : JSON.stringify(body);
        const hook: ReceivedWebhook = {
          ...webhook({ method: body === null ? 'GET' : 'POST', contentType: 'application/json', pathStatus: s.pathStatus }, config),
          query: Object.setPrototypeOf(Object.fromEntries(Object.entries(q)), null) as Record<string, string>,
          body: Buffer.from(text),
          payload: text === '' ? null : JSON.parse(text),
        };
        let events;
        try {
          events = octapushAdapter.normalize(hook, config);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidRecordError);
          outcomes.refused++;
          expect(() => octapushAdapter.routingKey(hook, config)).toThrow(InvalidRecordError);
          return;
        }
        expect(events).toHaveLength(1);
        outcomes.events++;
        const [{ topic, key, event }] = events as [(typeof events)[0]];
        expect(topic).toBe(Topics.communications.name);
        expect(key).toBe(`octapush:${config.kind}:${octapushAdapter.routingKey(hook, config)}`);
        expect(event).toMatchObject({ specversion: '1.0', subject: key, source: `/webhooks/${config.id}`, time: RECEIVED_AT, provider: 'octapush' });
        // The event is published as JSON text, so it must come back from that text unchanged: a Date, NaN or Infinity
        // would come back as something else (toEqual), an undefined field or a class instance would lose its field or
        // its type (isDeepStrictEqual; toStrictEqual cannot be used, it misreads the hostile `constructor` tokens).
        const wire: unknown = JSON.parse(JSON.stringify(event));
        expect(wire).toEqual(event);
        expect(isDeepStrictEqual(wire, event)).toBe(true);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 500 },
    );
    // Both branches must be exercised, or the property says nothing.
    expect(outcomes.events).toBeGreaterThan(5);
    expect(outcomes.refused).toBeGreaterThan(5);
  });
});
