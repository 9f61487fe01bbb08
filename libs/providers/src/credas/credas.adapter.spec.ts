import fc from 'fast-check';
import { InvalidRecordError } from '@hookbus/contracts';
import type { SourceKind } from '@hookbus/config';
import type { NormalizedEvent } from '../provider-adapter';
import { credasAdapter } from './credas.adapter';
import { eventProblems, testSource, testWebhook } from '../support/test-webhook';

const KINDS = ['process', 'process-actor', 'status-update', 'monitoring'] as const;
const FIELD_NAMES = [
  'processId', 'ProcessId', 'processActorId', 'entityId', 'EntityId', 'clientId', 'ClientId', 'smsStatus', 'emailStatus',
  'smsStatusDescription', 'emailStatusDescription', 'Status', 'StatusDescription', 'UpdateType', 'Payload', '__proto__', 'constructor',
];
const plausibleValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.uuid(),
  fc.integer({ min: -1, max: 12 }),
  fc.integer({ min: -1, max: 12 }).map(String),
  fc.uuid().map((id) => JSON.stringify({ EntityId: id })),
  fc.string({ maxLength: 300 }),
);
const plausibleBody = fc.dictionary(fc.constantFrom(...FIELD_NAMES), plausibleValue, { maxKeys: 8 });
const VALID: Record<(typeof KINDS)[number], Record<string, unknown>> = {
  process: { ProcessId: '1e144e85-f45b-4ae3-8915-ae2826ea1e55', ClientId: 'c', Status: 2, StatusDescription: 'The process is complete' },
  'process-actor': { processId: '9afe8b16-0b4d-4da3-a7d3-353c7ebece0d', processActorId: 11014, smsStatus: 2, emailStatus: 3 },
  'status-update': { UpdateType: 1, Payload: '{"EntityId":"3bd81445-a87d-4aa1-9f1d-72afc60fa414"}' },
  monitoring: { EntityId: '3bd81445-a87d-4aa1-9f1d-72afc60fa414', ClientId: 'c' },
};
/** A valid body with a few fields replaced by plausible or hostile values, so the property reaches success too. */
const mutatedBody = (kind: (typeof KINDS)[number]) =>
  plausibleBody.map((overrides) => ({ ...VALID[kind], ...overrides }));
const anyBody = (kind: (typeof KINDS)[number]) => fc.oneof(fc.jsonValue({ maxDepth: 4 }), plausibleBody, mutatedBody(kind));

function outcome(call: () => unknown): { ok: true; value: unknown } | { ok: false; error: unknown } {
  try {
    return { ok: true, value: call() };
  } catch (error) {
    return { ok: false, error };
  }
}

describe('credasAdapter', () => {
  it('declares the four Credas kinds', () => {
    expect(credasAdapter.provider).toBe('credas');
    expect([...credasAdapter.kinds].sort()).toEqual([...KINDS].sort());
  });

  it('refuses a kind that is not Credas', () => {
    const webhook = testWebhook({ provider: 'credas', kind: 'sms', body: {} });
    expect(() => credasAdapter.routingKey(webhook, testSource('credas', 'sms' as SourceKind))).toThrow(
      expect.objectContaining({ code: 'providers.unsupported_kind' }),
    );
  });

  it.each(KINDS)('%s: any JSON body either yields well-formed events or throws InvalidRecordError', (kind) => {
    const source = testSource('credas', kind);
    fc.assert(
      fc.property(anyBody(kind), (body) => {
        const webhook = testWebhook({ provider: 'credas', kind, body: Buffer.from(JSON.stringify(body)) });
        const routed = outcome(() => credasAdapter.routingKey(webhook, source));
        const normalized = outcome(() => credasAdapter.normalize(webhook, source));
        for (const result of [routed, normalized]) {
          if (!result.ok && !(result.error instanceof InvalidRecordError)) throw result.error;
        }
        if (routed.ok) expect(typeof routed.value).toBe('string');
        if (normalized.ok) {
          expect(eventProblems(normalized.value as NormalizedEvent[], webhook)).toEqual([]);
          // Whatever normalizes was accepted at the gateway too.
          expect(routed.ok).toBe(true);
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 400 },
    );
  });
});
