import fc from 'fast-check';
import { InvalidRecordError } from '@hookbus/contracts';
import type { SourceKind } from '@hookbus/config';
import { eventProblems, testSource, testWebhook } from '../support/test-webhook';
import type { NormalizedEvent } from '../provider-adapter';
import { authviaAdapter } from './authvia.adapter';

const KINDS = ['business-process', 'business-process-action'] as const;
const FIELD_NAMES = [
  'id', 'businessProcessId', 'business_process_id', 'actionId', 'status', 'statusReason', 'expiration', 'expires_at', 'version',
  'closedDate', 'updatedAt', 'customerId', 'actions', 'addresses', 'context', 'features', 'type', 'data', '__proto__', 'constructor',
];
const plausibleValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.uuid(),
  fc.constantFrom('scheduled', 'in-progress', 'resolved', 'failed', 'expired', 'IN_PROGRESS'),
  fc.date({ min: new Date(0), max: new Date(4e12) }).map((d) => (Number.isNaN(d.getTime()) ? '2025-01-01' : d.toISOString())),
  fc.constantFrom('2025-01-01T10:00:00', '2025-01-01T10:00:00+05:30', '2025-13-45', 'soon'),
  fc.integer({ min: 0, max: 20 }).map(String),
);
const plausibleBody = fc.dictionary(fc.constantFrom(...FIELD_NAMES), plausibleValue, { maxKeys: 8 });
const VALID = {
  'business-process': { id: '6f1c2a9e-3b7d-4e15-9a0c-8d2f5b4e7a61', status: 'in-progress', version: 2, actions: [], addresses: [] },
  'business-process-action': { actionId: 'a-1', businessProcessId: '6f1c2a9e-3b7d-4e15-9a0c-8d2f5b4e7a61', status: 'pending' },
};
const anyBody = (kind: (typeof KINDS)[number]) =>
  fc.oneof(
    fc.jsonValue({ maxDepth: 4 }),
    plausibleBody,
    plausibleBody.map((overrides) => ({ ...VALID[kind], ...overrides })),
  );

function outcome(call: () => unknown): { ok: true; value: unknown } | { ok: false; error: unknown } {
  try {
    return { ok: true, value: call() };
  } catch (error) {
    return { ok: false, error };
  }
}

describe('authviaAdapter', () => {
  it('declares the two Authvia kinds', () => {
    expect(authviaAdapter.provider).toBe('authvia');
    expect([...authviaAdapter.kinds]).toEqual([...KINDS]);
  });

  it('refuses a kind that is not Authvia', () => {
    const webhook = testWebhook({ provider: 'authvia', kind: 'process', body: {} });
    expect(() => authviaAdapter.normalize(webhook, testSource('authvia', 'process' as SourceKind))).toThrow(
      expect.objectContaining({ code: 'providers.unsupported_kind' }),
    );
  });

  it.each(KINDS)('%s: any JSON body either yields well-formed events or throws InvalidRecordError', (kind) => {
    const source = testSource('authvia', kind, { timezone: 'America/New_York' });
    fc.assert(
      fc.property(anyBody(kind), (body) => {
        const webhook = testWebhook({ provider: 'authvia', kind, body: Buffer.from(JSON.stringify(body)) });
        const routed = outcome(() => authviaAdapter.routingKey(webhook, source));
        const normalized = outcome(() => authviaAdapter.normalize(webhook, source));
        for (const result of [routed, normalized]) {
          if (!result.ok && !(result.error instanceof InvalidRecordError)) throw result.error;
        }
        if (routed.ok) expect(typeof routed.value).toBe('string');
        if (normalized.ok) {
          expect(eventProblems(normalized.value as NormalizedEvent[], webhook)).toEqual([]);
          expect(routed.ok).toBe(true);
          expect((normalized.value as NormalizedEvent[])[0]!.key).toBe(`authvia:${routed.ok ? routed.value : ''}`);
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 400 },
    );
  });
  // class-transformer took a nested object's own `constructor` key for its class and threw a TypeError: the normalizer
  // dead-lettered it as an internal fault (an ERROR to act on). Now a clear refusal of the body.
  it.each([
    ['business-process', 'an action object', { ...VALID['business-process'], actions: [{ constructor: 1 }] }],
    ['business-process', 'an address object', { ...VALID['business-process'], addresses: [{ constructor: { a: 1 } }] }],
    ['business-process-action', 'the context', { ...VALID['business-process-action'], context: { constructor: 'x' } }],
  ] as const)('%s: %s with a key named "constructor" is refused as invalid input, not a TypeError', (kind, _what, body) => {
    const source = testSource('authvia', kind);
    const webhook = testWebhook({ provider: 'authvia', kind, body: Buffer.from(JSON.stringify(body)) });
    // The routing key reads only the ids: the gateway stores the webhook; the normalizer refuses it (one dead letter).
    expect(typeof authviaAdapter.routingKey(webhook, source)).toBe('string');
    const result = outcome(() => authviaAdapter.normalize(webhook, source));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toBeInstanceOf(InvalidRecordError);
    expect(!result.ok && (result.error as InvalidRecordError).code).toBe('providers.invalid_field');
  });
});
