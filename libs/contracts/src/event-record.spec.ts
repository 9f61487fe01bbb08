import { decodeEventRecord, EVENT_TYPES_BY_TOPIC, type EventRecord } from './event-record';
import { topicContract } from './schemas/topic-contracts';

const transition = {
  specversion: '1.0', id: '0193a0c4-1111-8000-8000-000000000001', type: 'hookbus.transition', source: '/tracker', subject: 'credas:p:11014:sms',
  time: '2026-11-30T20:00:00.000Z', datacontenttype: 'application/json', provider: 'credas', receiptid: '0193a0c4-0000-7000-8000-000000000000',
  data: { kind: 'communication', key: 'credas:p:11014:sms', provider: 'credas', from: 'sent', to: 'delivered', final: false, requiresAction: false, seq: 2, causedBy: 'e1' },
};
const record = (value: unknown, key: string | null = transition.subject, topic = 'events.transitions.v1'): EventRecord => ({
  topic,
  key: key === null ? null : Buffer.from(key),
  value: value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
});

describe('decodeEventRecord: a record of a public event topic as its CloudEvent', () => {
  it('decodes a hookbus event, keyed by its subject', () => {
    const decoded = decodeEventRecord(record(transition));
    expect(decoded).toEqual({ kind: 'event', key: transition.subject, event: transition });
    if (decoded.kind === 'event' && decoded.event.type === 'hookbus.transition') expect(decoded.event.data.to).toBe('delivered');
  });

  it('takes text as well as bytes', () => {
    expect(decodeEventRecord({ topic: 'events.transitions.v1', key: transition.subject, value: JSON.stringify(transition) }).kind).toBe('event');
  });

  it('reports a well-formed event of a type it does not know, for the consumer to skip (an addition to the contract)', () => {
    expect(decodeEventRecord(record({ ...transition, type: 'hookbus.something.new' }))).toEqual({ kind: 'unknown-type', key: transition.subject, type: 'hookbus.something.new', id: transition.id });
  });

  it.each<[string, EventRecord, RegExp]>([
    ['a null value', record(null), /null/],
    ['bytes that are not JSON', record('{"specversion":'), /not JSON/],
    ['a JSON array', record([transition]), /not a JSON object/],
    ['another CloudEvents version', record({ ...transition, specversion: '0.3' }), /specversion/],
    ['no id', record({ ...transition, id: '' }), /id is missing/],
    ['no type', record({ ...transition, type: undefined }), /type is missing/],
    ['a type this topic does not carry', record({ ...transition, type: 'hookbus.process.status' }), /not carried by events.transitions.v1/],
    ['a key other than the subject', record(transition, 'credas:other:1:sms'), /differs from the event subject/],
    ['no key', record(transition, null), /differs from the event subject/],
    ['no subject', record({ ...transition, subject: undefined }), /subject is missing/],
    ['no provider', record({ ...transition, provider: undefined }), /provider is missing/],
    ['data that is not an object', record({ ...transition, data: 'x' }), /data is not a JSON object/],
  ])('refuses %s, naming the rule and never the content', (_name, input, reason) => {
    const decoded = decodeEventRecord(input);
    expect(decoded.kind).toBe('invalid');
    if (decoded.kind === 'invalid') {
      expect(decoded.reason).toMatch(reason);
      expect(decoded.reason).not.toContain('credas:p');
    }
  });

  it.each(Object.entries(EVENT_TYPES_BY_TOPIC))('%s: the types it carries are the ones its contract (AsyncAPI) names', (topic, types) => {
    const contracted = [...new Set(topicContract(topic).messages.map((m) => m.selector.type))].sort();
    expect([...types].sort()).toEqual(contracted);
  });
});
