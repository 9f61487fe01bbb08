import fc from 'fast-check';
import { EventTypes, type CloudEvent } from '../cloud-event';
import { InvalidRecordError } from '../errors';
import { PROVIDERS, Topics } from '../topics';
import { encodeCloudEventRecord, decodeCloudEventRecord } from './cloud-event-record.codec';
import { decodeDeadLetter, encodeDeadLetter, encodeRedriveMarker, isRedriveMarker, originalOfDeadLetter, readDeadLetter, deadLetterWithoutPayload } from './dead-letter.codec';
import type { EncodedRecord, RecordMessage } from './kafka-record';
import { encodeQuarantine, readQuarantine, type QuarantinedWebhook } from './quarantine.codec';
import { decodeRawWebhook, encodeRawWebhook, readRawWebhookFacts, type RawWebhook } from './raw-webhook.codec';
import { decodeStateRecord, encodeStateRecord, encodeStateTombstone } from './state-record.codec';

/** What a consumer hands over for what a producer sent: bytes for key and value, the headers as written. */
function consumed(record: EncodedRecord, partition = 0, offset = '0'): RecordMessage & { partition: number; offset: string } {
  return { topic: record.topic, partition, offset, key: record.key === null ? null : Buffer.from(record.key), value: record.value, headers: { ...record.headers } };
}

const text = fc.string({ minLength: 1, maxLength: 40 });
const maybe = (arb: fc.Arbitrary<string>) => fc.option(arb, { nil: null });
const rawWebhook: fc.Arbitrary<RawWebhook> = fc.record({
  key: text,
  body: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
  receiptId: fc.uuid(),
  receivedAt: fc.date({ min: new Date(0), max: new Date(4e12) }).map((d) => d.toISOString()),
  sourceId: text,
  provider: fc.constantFrom(...PROVIDERS),
  kind: text,
  method: fc.constantFrom('GET', 'POST'),
  path: text,
  query: fc.string({ maxLength: 40 }),
  contentType: maybe(text),
  pathStatus: maybe(text),
  requestHeaders: fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), fc.string({ maxLength: 10 })).map((h) => JSON.stringify(h)),
});

const GATEWAY_RAW: RawWebhook = {
  key: 'credas:p1', body: Buffer.from('{"a":1}'), receiptId: '0193a0c4-1111-7000-8000-000000000001', receivedAt: '2025-02-14T10:30:00.000Z',
  sourceId: 'octapush-sms', provider: 'octapush', kind: 'sms', method: 'GET', path: '/webhooks/octapush-sms/delivered', query: 'phone=1',
  contentType: null, pathStatus: 'delivered', requestHeaders: '{"user-agent":"x"}',
};

describe('raw webhook codec', () => {
  it('writes what the gateway wrote: its topic, key, body and every request fact, absent ones as empty strings, in this order', () => {
    const record = encodeRawWebhook(GATEWAY_RAW);
    expect(record.topic).toBe(Topics.raw.octapush.name);
    expect(record.key).toBe('credas:p1');
    expect(record.value).toEqual(Buffer.from('{"a":1}'));
    expect(Object.entries(record.headers)).toEqual([
      ['hookbus-receipt-id', GATEWAY_RAW.receiptId],
      ['hookbus-received-at', '2025-02-14T10:30:00.000Z'],
      ['hookbus-source-id', 'octapush-sms'],
      ['hookbus-provider', 'octapush'],
      ['hookbus-kind', 'sms'],
      ['hookbus-method', 'GET'],
      ['hookbus-path', '/webhooks/octapush-sms/delivered'],
      ['hookbus-query', 'phone=1'],
      ['hookbus-content-type', ''],
      ['hookbus-path-status', 'delivered'],
      ['hookbus-request-headers', '{"user-agent":"x"}'],
    ]);
  });

  it('decodes what it encodes', () => {
    fc.assert(
      fc.property(rawWebhook, (raw) => {
        expect(decodeRawWebhook(consumed(encodeRawWebhook(raw)))).toEqual(raw);
      }),
    );
  });

  const valid = consumed(encodeRawWebhook(GATEWAY_RAW));
  it.each([
    ['no provider', 'hookbus-provider', undefined, 'normalizer.raw_missing_provider'],
    ['a provider hookbus does not know', 'hookbus-provider', 'acme', 'normalizer.raw_missing_provider'],
    ['no source id', 'hookbus-source-id', undefined, 'normalizer.raw_missing_headers'],
    ['an empty receipt id', 'hookbus-receipt-id', '', 'normalizer.raw_missing_headers'],
    ['no receipt time', 'hookbus-received-at', undefined, 'normalizer.raw_missing_headers'],
    ['no kind', 'hookbus-kind', undefined, 'normalizer.raw_missing_headers'],
  ])('refuses a record with %s (%s: %p) as %s', (_what, header, value, code) => {
    const headers: Record<string, string | undefined> = { ...valid.headers, [header]: value };
    if (value === undefined) delete headers[header];
    let thrown: unknown;
    try {
      decodeRawWebhook({ ...valid, headers });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidRecordError);
    expect((thrown as InvalidRecordError).code).toBe(code);
  });

  it('reads a method other than GET as POST, a missing path as the source\'s, missing facts as null', () => {
    const headers: Record<string, string | undefined> = { ...valid.headers, 'hookbus-method': 'PUT' };
    for (const name of ['hookbus-path', 'hookbus-query', 'hookbus-request-headers']) delete headers[name];
    expect(decodeRawWebhook({ ...valid, value: null, headers })).toMatchObject({ method: 'POST', path: '/webhooks/octapush-sms', query: '', body: Buffer.alloc(0), contentType: null });
    expect(readRawWebhookFacts({ topic: 't', key: null, value: null })).toMatchObject({ key: null, receiptId: null, provider: null, query: '', method: null });
  });
});

describe('quarantine codec', () => {
  const quarantined: fc.Arbitrary<QuarantinedWebhook> = fc
    .tuple(rawWebhook, fc.integer({ min: 100, max: 599 }), text, fc.boolean())
    .map(([{ key: _key, ...raw }, refusedStatus, refusedReason, bodyTruncated]) => ({ ...raw, refusedStatus, refusedReason, bodyTruncated }));

  it('is keyed by the receipt id on webhooks.quarantine, the raw headers then the refusal', () => {
    const { key: _k, ...raw } = GATEWAY_RAW;
    const record = encodeQuarantine({ ...raw, refusedStatus: 415, refusedReason: 'providers.unsupported_content_type: text/xml', bodyTruncated: false });
    expect(record).toMatchObject({ topic: Topics.quarantine.name, key: GATEWAY_RAW.receiptId });
    expect(Object.keys(record.headers).slice(-3)).toEqual(['hookbus-refused-status', 'hookbus-refused-reason', 'hookbus-body-truncated']);
    expect(record.headers).toMatchObject({ 'hookbus-refused-status': '415', 'hookbus-body-truncated': 'false' });
  });

  it('reads what it writes', () => {
    fc.assert(
      fc.property(quarantined, (q) => {
        const read = readQuarantine(consumed(encodeQuarantine(q)));
        expect(read).toEqual({ ...q, key: q.receiptId, method: q.method, path: q.path, requestHeaders: q.requestHeaders, query: q.query });
      }),
    );
  });

  it('reads an unreadable status as null and anything but "true" as not truncated', () => {
    expect(readQuarantine({ topic: Topics.quarantine.name, key: 'r', value: null, headers: { 'hookbus-refused-status': 'x', 'hookbus-body-truncated': 'TRUE' } })).toMatchObject({ refusedStatus: null, bodyTruncated: false, refusedReason: null });
  });
});

describe('CloudEvent record codec', () => {
  const event = (subject: string, id: string, receiptid: string): CloudEvent<Record<string, unknown>> => ({
    specversion: '1.0', id, type: EventTypes.transition, source: '/tracker', subject, time: '2025-02-14T10:30:00Z', datacontenttype: 'application/json',
    provider: 'credas', receiptid, data: { key: subject },
  });

  it('writes the event as JSON keyed by its subject, with content type, receipt and event id headers', () => {
    const record = encodeCloudEventRecord({ topic: Topics.transitions.name, event: event('credas:p1', 'e-1', 'r-1') });
    expect(record.key).toBe('credas:p1');
    expect(record.value!.toString()).toBe(JSON.stringify(event('credas:p1', 'e-1', 'r-1')));
    expect(record.headers).toEqual({ 'content-type': 'application/cloudevents+json', 'hookbus-receipt-id': 'r-1', 'hookbus-event-id': 'e-1' });
  });

  it('decodes what it encodes', () => {
    fc.assert(
      fc.property(text, text, text, (subject, id, receiptid) => {
        const ev = event(subject, id, receiptid);
        expect(decodeCloudEventRecord(consumed(encodeCloudEventRecord({ topic: Topics.transitions.name, event: ev })))).toEqual({ kind: 'event', key: subject, event: ev });
      }),
    );
  });
});

describe('state record codec', () => {
  it('decodes what it encodes, on the partition given', () => {
    fc.assert(
      fc.property(text, fc.nat(63), fc.json(), text, text, (key, partition, value, id, receiptid) => {
        const record = encodeStateRecord({ topic: Topics.communicationState.name, key, partition, value, cause: { id, receiptid } });
        expect(record.partition).toBe(partition);
        expect(decodeStateRecord(consumed(record))).toEqual({ key, value, causeEventId: id, causeReceiptId: receiptid });
      }),
    );
  });

  it('decodes a tombstone it encodes as a removed state (value null), without headers', () => {
    fc.assert(
      fc.property(text, fc.nat(63), (key, partition) => {
        const record = encodeStateTombstone({ topic: Topics.processState.name, key, partition });
        expect(record).toEqual({ topic: Topics.processState.name, key, partition, value: null, headers: {} });
        expect(decodeStateRecord(consumed(record))).toEqual({ key, value: null, causeEventId: null, causeReceiptId: null });
      }),
    );
  });

  it('reads a keyless record or a tombstone without throwing (each reader decides what they mean)', () => {
    expect(decodeStateRecord({ topic: 'state.processes.v1', key: null, value: '{}' })).toEqual({ key: null, value: '{}', causeEventId: null, causeReceiptId: null });
    expect(decodeStateRecord({ topic: 'state.processes.v1', key: '', value: null })).toEqual({ key: null, value: null, causeEventId: null, causeReceiptId: null });
  });
});

describe('dead letter codec', () => {
  const original = fc.record({
    topic: text,
    partition: fc.nat(1000),
    offset: fc.bigInt({ min: 0n, max: 2n ** 62n }).map(String),
    key: fc.option(fc.uint8Array({ maxLength: 30 }).map((b) => Buffer.from(b)), { nil: null }),
    value: fc.option(fc.uint8Array({ maxLength: 100 }).map((b) => Buffer.from(b)), { nil: null }),
    headers: fc.dictionary(fc.string({ minLength: 1, maxLength: 20 }).filter((n) => !n.startsWith('hookbus-dlq-') && n !== '__proto__'), fc.string({ maxLength: 20 })),
  });
  const deadLetter = fc.record({ original, stage: text, errorCode: text, errorClass: text, attempts: fc.integer({ min: 1, max: 100 }), failedAt: fc.date({ min: new Date(0), max: new Date(4e12) }) });

  it('decodes what it encodes, the original record byte for byte', () => {
    fc.assert(
      fc.property(deadLetter, (dl) => {
        const record = encodeDeadLetter(dl);
        expect(record.topic).toBe(Topics.deadLetter.name);
        expect(decodeDeadLetter(record)).toEqual(dl);
        expect(originalOfDeadLetter(record)).toEqual({ topic: dl.original.topic, key: dl.original.key, value: dl.original.value, headers: dl.original.headers });
      }),
    );
  });

  it('writes the original headers, then the dead letter headers in this order', () => {
    const record = encodeDeadLetter({ original: { topic: 'webhooks.raw.credas', partition: 2, offset: '99', key: 'k', value: Buffer.from('v'), headers: { 'hookbus-receipt-id': 'r' } }, stage: 'normalizer', errorCode: 'providers.missing_field', errorClass: 'InvalidRecordError', attempts: 1, failedAt: new Date('2025-02-14T10:30:00Z') });
    expect(Object.entries(record.headers)).toEqual([
      ['hookbus-receipt-id', 'r'],
      ['hookbus-dlq-stage', 'normalizer'],
      ['hookbus-dlq-error-code', 'providers.missing_field'],
      ['hookbus-dlq-error', 'InvalidRecordError'],
      ['hookbus-dlq-topic', 'webhooks.raw.credas'],
      ['hookbus-dlq-partition', '2'],
      ['hookbus-dlq-offset', '99'],
      ['hookbus-dlq-attempts', '1'],
      ['hookbus-dlq-failed-at', '2025-02-14T10:30:00.000Z'],
    ]);
    const dropped = deadLetterWithoutPayload(record);
    expect(dropped.value).toEqual(Buffer.alloc(0));
    expect(readDeadLetter(dropped).payloadDroppedBytes).toBe('1');
  });

  it.each([
    ['no stage', 'hookbus-dlq-stage'],
    ['no original topic', 'hookbus-dlq-topic'],
    ['no original partition', 'hookbus-dlq-partition'],
    ['no original offset', 'hookbus-dlq-offset'],
  ])('refuses a dead letter with %s as projector.dead_letter_headers', (_what, header) => {
    const record = encodeDeadLetter({ original: { topic: 't', partition: 0, offset: '1', key: null, value: null, headers: {} }, stage: 's', errorCode: 'c', errorClass: 'E', attempts: 1, failedAt: new Date(0) });
    const headers = { ...record.headers };
    delete headers[header];
    expect(() => decodeDeadLetter({ ...record, headers })).toThrow(expect.objectContaining({ code: 'projector.dead_letter_headers' }));
  });

  it('a redrive marker names the dead letter by its position, stage and origin, with a null value', () => {
    const dl = consumed(encodeDeadLetter({ original: { topic: 't', partition: 3, offset: '7', key: 'k', value: Buffer.from('v'), headers: {} }, stage: 's', errorCode: 'c', errorClass: 'E', attempts: 1, failedAt: new Date(0) }), 1, '42');
    const marker = encodeRedriveMarker(dl, new Date('2025-02-16T08:00:00Z'));
    expect(marker.value).toBeNull();
    expect(isRedriveMarker(marker)).toBe(true);
    expect(isRedriveMarker(dl)).toBe(false);
    expect(readDeadLetter(marker)).toMatchObject({ redriveOf: '1:42', redrivenAt: '2025-02-16T08:00:00.000Z', stage: 's', originalTopic: 't', originalPartition: '3', originalOffset: '7' });
  });
});
