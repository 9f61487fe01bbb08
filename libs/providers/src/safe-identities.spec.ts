import { InvalidRecordError } from '@hookbus/contracts';
import { MAX_MESSAGE_KEY_BYTES } from './octapush/octapush.payloads';
import { adapterFor } from './adapters';
import { testSource, testWebhook } from './support/test-webhook';

const sms = testSource('octapush', 'sms', { methods: ['GET', 'POST'] });
/** A source whose message key is a free-text token: a phone token loses everything but its digits. */
const byRef = testSource('octapush', 'sms', { methods: ['GET', 'POST'], messageKey: ['ref'] });
const CJK = Array.from({ length: 1024 }, (_, i) => String.fromCodePoint(0x4e00 + ((i * 7919) % 20_000))).join('');

function octapush(query: string) {
  return testWebhook({ provider: 'octapush', kind: 'sms', body: '', contentType: 'text/plain', query });
}

/**
 * Issue 14: `?status=delivered&phone=%00` and a phone of 1,024 CJK characters were accepted as routing keys (200),
 * then broke Postgres downstream. Every registered adapter now refuses them where the identity is made.
 */
describe('identities are checked by every registered adapter', () => {
  it.each([
    ['a NUL phone (%00)', sms, 'status=delivered&phone=%00', /control character/],
    ['a phone of 1,024 CJK characters', sms, `status=delivered&phone=${encodeURIComponent(CJK)}`, /bytes in UTF-8/],
    ['a key token with a newline', byRef, 'status=delivered&ref=a%0Ab', /control character/],
  ])('refuses %s as a routing key and in normalize', (_name, source, query, reason) => {
    const adapter = adapterFor('octapush');
    const hook = octapush(query);
    for (const attempt of [() => adapter.routingKey(hook, source), () => adapter.normalize(hook, source)]) {
      expect(attempt).toThrow(InvalidRecordError);
      expect(attempt).toThrow(reason);
    }
  });

  it('refuses a key token with a lone surrogate (possible in JSON, "\\ud800")', () => {
    const hook = testWebhook({ provider: 'octapush', kind: 'sms', body: { status: 'delivered', ref: 'a\ud800' } });
    expect(() => adapterFor('octapush').normalize(hook, byRef)).toThrow(/surrogate/);
  });

  it('keeps ordinary ids, and bounds a message key in UTF-8 bytes so its communicationId fits', () => {
    const adapter = adapterFor('octapush');
    expect(adapter.routingKey(octapush('status=delivered&phone=%2B447700900123'), sms)).toBe('+447700900123');
    const longest = '€'.repeat(Math.floor(MAX_MESSAGE_KEY_BYTES / 3));
    expect(adapter.normalize(octapush(`status=delivered&ref=${encodeURIComponent(longest)}`), byRef)[0]!.key).toBe(`octapush:sms:${longest}`);
    expect(() => adapter.routingKey(octapush(`status=delivered&ref=${encodeURIComponent(`${longest}€`)}`), byRef)).toThrow(/messageKey \(longer than/);
  });

  it('names the rule, never the value', () => {
    expect(() => adapterFor('octapush').routingKey(octapush('status=delivered&ref=447700900123%00'), byRef)).toThrow(expect.objectContaining({ message: expect.not.stringContaining('4477') }));
  });
});
