import fc from 'fast-check';
import { readCloudEventBody } from './cloud-event-record.codec';
import type { EncodedRecord, RecordMessage } from './kafka-record';
import { decodeRefetchCommand, encodeRefetchCommand, type RefetchCommand } from './refetch-command.codec';
import { decodeRetrievalMemo, encodeRetrievalMemo, type RetrievalMemo } from './retrieval-memo.codec';
import { decodeRetryRecord, encodeRetryRecord, type RetryRecord } from './retry-record.codec';

function consumed(record: EncodedRecord): RecordMessage {
  return { topic: record.topic, key: record.key === null ? null : Buffer.from(record.key), value: record.value, headers: { ...record.headers } };
}

const text = fc.string({ minLength: 1, maxLength: 40 });
const originHeaders = fc.dictionary(fc.string({ minLength: 1, maxLength: 20 }).filter((n) => !n.startsWith('hookbus-retry-') && n !== '__proto__'), fc.string({ maxLength: 20 }));
const retry: fc.Arbitrary<RetryRecord> = fc.record({
  topic: text,
  processKey: text,
  origin: fc.record({
    topic: text,
    partition: fc.nat(1000),
    offset: fc.bigInt({ min: 0n, max: 2n ** 62n }).map(String),
    value: fc.option(fc.uint8Array({ maxLength: 100 }).map((b) => Buffer.from(b)), { nil: null }),
    headers: originHeaders,
  }),
  attempt: fc.integer({ min: 1, max: 100 }),
  dueAt: fc.nat(),
  force: fc.boolean(),
  lastError: fc.option(text, { nil: null }),
});

describe('retry record codec', () => {
  it('decodes what it encodes: the origin with its own headers, the attempt, due time and flags', () => {
    fc.assert(
      fc.property(retry, (r) => {
        const record = encodeRetryRecord(r);
        expect(record.key).toBe(r.processKey);
        expect(record.value).toBe(r.origin.value);
        const { value: _value, ...origin } = r.origin;
        expect(decodeRetryRecord(consumed(record))).toEqual({ origin, attempt: r.attempt, dueAt: r.dueAt, processKey: r.processKey, force: r.force, lastError: r.lastError });
      }),
    );
  });

  it('writes the headers the orchestrator wrote before the codec, in the same order', () => {
    const record = encodeRetryRecord({
      topic: 'orchestrator.credas.retry-10s.v1', processKey: 'credas:p1', attempt: 2, dueAt: 1739528400000, force: false, lastError: 'credas.unavailable',
      origin: { topic: 'events.processes.v1', partition: 3, offset: '42', value: Buffer.from('{"id":"e1"}'), headers: { 'content-type': 'application/cloudevents+json', 'hookbus-receipt-id': 'r1' } },
    });
    expect(record).toEqual({ topic: 'orchestrator.credas.retry-10s.v1', key: 'credas:p1', value: Buffer.from('{"id":"e1"}'), headers: expect.anything() });
    expect(Object.entries(record.headers)).toEqual([
      ['content-type', 'application/cloudevents+json'],
      ['hookbus-receipt-id', 'r1'],
      ['hookbus-retry-attempt', '2'],
      ['hookbus-retry-due-at', '1739528400000'],
      ['hookbus-retry-origin-topic', 'events.processes.v1'],
      ['hookbus-retry-origin-partition', '3'],
      ['hookbus-retry-origin-offset', '42'],
      ['hookbus-retry-process-key', 'credas:p1'],
      ['hookbus-retry-force', 'false'],
      ['hookbus-retry-last-error', 'credas.unavailable'],
    ]);
    expect(encodeRetryRecord({ ...decodeRetryRecordInput(), lastError: null }).headers).not.toHaveProperty('hookbus-retry-last-error');
  });

  it('reads a record without an origin topic as no retry, and refuses a retry without a valid attempt or due time', () => {
    expect(decodeRetryRecord({ topic: 't', key: 'k', value: null, headers: { 'hookbus-receipt-id': 'r' } })).toBeNull();
    for (const headers of [{ 'hookbus-retry-origin-topic': 't' }, { 'hookbus-retry-origin-topic': 't', 'hookbus-retry-attempt': '0', 'hookbus-retry-due-at': '1' }, { 'hookbus-retry-origin-topic': 't', 'hookbus-retry-attempt': '1', 'hookbus-retry-due-at': 'x' }]) {
      expect(() => decodeRetryRecord({ topic: 't', key: 'k', value: null, headers })).toThrow(expect.objectContaining({ code: 'orchestrator.invalid_retry' }));
    }
  });
});

function decodeRetryRecordInput(): RetryRecord {
  return { topic: 'l', processKey: 'credas:p', attempt: 1, dueAt: 0, force: true, lastError: null, origin: { topic: 'o', partition: 0, offset: '0', value: null, headers: {} } };
}

const memo: fc.Arbitrary<RetrievalMemo> = fc.record(
  {
    processKey: text,
    processId: text,
    entityId: text,
    eventId: text,
    triggerEventId: text,
    sha256: text,
    retrievedAt: text,
    checkEventIds: fc.array(text, { minLength: 1, maxLength: 5 }),
  },
  { requiredKeys: ['processKey', 'processId', 'entityId', 'eventId', 'triggerEventId', 'sha256', 'retrievedAt'] },
);

describe('retrieval memo codec', () => {
  it('decodes what it encodes, keyed by the process key', () => {
    fc.assert(
      fc.property(memo, (m) => {
        const decoded = decodeRetrievalMemo(consumed(encodeRetrievalMemo('orchestrator.credas.retrievals.v1', m)));
        expect(decoded).toEqual({ key: m.processKey, kind: 'memo', memo: { ...m, checkEventIds: m.checkEventIds ?? [] } });
      }),
    );
  });

  it('writes the JSON the orchestrator wrote before the codec (field order, checkEventIds only when there are some)', () => {
    const m: RetrievalMemo = {
      processKey: 'credas:p1', processId: 'p1', entityId: 'ent-1', eventId: 'e1', triggerEventId: 't1', sha256: 'ab', retrievedAt: '2025-02-14T10:30:00.000Z',
    };
    expect(encodeRetrievalMemo('orchestrator.credas.retrievals.v1', { ...m, checkEventIds: [] }).value!.toString()).toBe(
      '{"processKey":"credas:p1","processId":"p1","entityId":"ent-1","eventId":"e1","triggerEventId":"t1","sha256":"ab","retrievedAt":"2025-02-14T10:30:00.000Z"}',
    );
    expect(encodeRetrievalMemo('orchestrator.credas.retrievals.v1', { ...m, checkEventIds: ['c1', 'c2'] })).toEqual({
      topic: 'orchestrator.credas.retrievals.v1',
      key: 'credas:p1',
      value: Buffer.from('{"processKey":"credas:p1","processId":"p1","entityId":"ent-1","eventId":"e1","triggerEventId":"t1","sha256":"ab","retrievedAt":"2025-02-14T10:30:00.000Z","checkEventIds":["c1","c2"]}'),
      headers: {},
    });
  });

  it('reads tombstones as removed and skips what the memory cannot use', () => {
    expect(decodeRetrievalMemo({ topic: 't', key: 'credas:p', value: null })).toEqual({ key: 'credas:p', kind: 'removed' });
    for (const value of ['', 'not json', 'null', '{"processKey":"credas:p"}', '{"entityId":"e"}']) {
      expect(decodeRetrievalMemo({ topic: 't', key: 'credas:p', value })).toEqual({ key: 'credas:p', kind: 'unreadable' });
    }
    expect(decodeRetrievalMemo({ topic: 't', key: 'credas:p', value: '{"processKey":"credas:p","entityId":"e","checkEventIds":["a",1,"b"]}' })).toEqual({
      key: 'credas:p', kind: 'memo', memo: { processKey: 'credas:p', entityId: 'e', checkEventIds: ['a', 'b'] },
    });
  });
});

const refetch: fc.Arbitrary<RefetchCommand> = fc.record({
  type: fc.constant('refetch' as const),
  commandId: text,
  processId: text,
  entityId: fc.option(text, { nil: null }),
  requestedAt: text,
});

describe('refetch command codec', () => {
  it('decodes what it encodes, keyed by the process key, on orchestrator.credas.commands.v1', () => {
    fc.assert(
      fc.property(refetch, (c) => {
        const record = encodeRefetchCommand(c);
        expect([record.topic, record.key, record.headers]).toEqual(['orchestrator.credas.commands.v1', `credas:${c.processId}`, {}]);
        expect(decodeRefetchCommand(consumed(record))).toEqual(c);
      }),
    );
  });

  it('writes the bytes npm run credas:refetch wrote before the codec (field order, entityId null when not named)', () => {
    const command: RefetchCommand = { type: 'refetch', commandId: '6f1c0c1e-0000-4000-8000-000000000001', processId: 'p1', entityId: null, requestedAt: '2025-02-14T10:30:00.000Z' };
    expect(encodeRefetchCommand(command)).toEqual({
      topic: 'orchestrator.credas.commands.v1',
      key: 'credas:p1',
      value: Buffer.from('{"type":"refetch","commandId":"6f1c0c1e-0000-4000-8000-000000000001","processId":"p1","entityId":null,"requestedAt":"2025-02-14T10:30:00.000Z"}'),
      headers: {},
    });
    expect(encodeRefetchCommand({ ...command, entityId: 'ent-1' }).value!.toString()).toBe(
      '{"type":"refetch","commandId":"6f1c0c1e-0000-4000-8000-000000000001","processId":"p1","entityId":"ent-1","requestedAt":"2025-02-14T10:30:00.000Z"}',
    );
  });

  it('reads an entityId that is not a string as none, and a missing requestedAt as empty', () => {
    expect(decodeRefetchCommand({ topic: 't', key: 'credas:p', value: '{"type":"refetch","commandId":"c","processId":"p","entityId":7}' })).toEqual({
      type: 'refetch', commandId: 'c', processId: 'p', entityId: null, requestedAt: '',
    });
  });
});

describe('readCloudEventBody', () => {
  it('hands over a JSON object as it came, whatever fields it lacks (the stage checks the ones it uses)', () => {
    expect(readCloudEventBody({ topic: 'events.checks.v1', key: null, value: Buffer.from('{"id":"e1","type":"x"}') }, 'orchestrator')).toEqual({ id: 'e1', type: 'x' });
  });
});

describe('the orchestrator readers refuse what it cannot use, with the codes its dead letters carry', () => {
  const refetchCommand = (value: string | null) => decodeRefetchCommand({ topic: 'orchestrator.credas.commands.v1', key: 'credas:p', value });
  const cloudEvent = (value: string | null) => readCloudEventBody({ topic: 'events.processes.v1', key: 'k', value }, 'orchestrator');
  it.each<[string, string, string | null, string, (value: string | null) => unknown]>([
    ['refetch command', 'no value', null, 'orchestrator.empty_record', refetchCommand],
    ['refetch command', 'empty bytes', '', 'orchestrator.invalid_json', refetchCommand],
    ['refetch command', 'not JSON', 'refetch p1', 'orchestrator.invalid_json', refetchCommand],
    ['refetch command', 'JSON null', 'null', 'orchestrator.unknown_command', refetchCommand],
    ['refetch command', 'another type', '{"type":"purge","commandId":"c","processId":"p"}', 'orchestrator.unknown_command', refetchCommand],
    ['refetch command', 'no processId', '{"type":"refetch","commandId":"c"}', 'orchestrator.invalid_event', refetchCommand],
    ['refetch command', 'an empty processId', '{"type":"refetch","commandId":"c","processId":""}', 'orchestrator.invalid_event', refetchCommand],
    ['refetch command', 'no commandId', '{"type":"refetch","processId":"p"}', 'orchestrator.invalid_event', refetchCommand],
    ['CloudEvent body', 'no value', null, 'orchestrator.empty_record', cloudEvent],
    ['CloudEvent body', 'empty bytes', '', 'orchestrator.invalid_json', cloudEvent],
    ['CloudEvent body', 'not JSON', '{"id":', 'orchestrator.invalid_json', cloudEvent],
    ['CloudEvent body', 'JSON null', 'null', 'orchestrator.invalid_event', cloudEvent],
    ['CloudEvent body', 'a JSON string', '"e1"', 'orchestrator.invalid_event', cloudEvent],
    ['CloudEvent body', 'a JSON array', '[{"id":"e1"}]', 'orchestrator.invalid_event', cloudEvent],
  ])('%s: %s (%p) → %s', (_reader, _what, value, code, read) => {
    expect(() => read(value)).toThrow(expect.objectContaining({ code }));
  });
});
