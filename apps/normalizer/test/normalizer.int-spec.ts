import { randomUUID } from 'node:crypto';
import { NORMALIZER_COMMANDS_TOPIC, Topics, encodeReplayCommand, type CloudEvent, type EncodedRecord } from '@hookbus/contracts';
import { createDurableProducer, createKafka } from '@hookbus/kafka';
// The wire's header names, for assertions on what was written (production code reads them through the codecs).
import { DeadLetterHeaders, RawHeaders } from '../../../libs/contracts/src/record-headers';
import type { RunningService } from '@hookbus/nest-kafka';
import { RawRecordProducer, TEST_KAFKA_BROKERS, TopicObserver, testServiceContext, valueJson } from '@hookbus/testing';
import { deadLetters, originalRecord, readDeadLetters } from '../../../scripts/deadletters';
import { replay } from '../src/cli/replay';
import { startNormalizer } from '../src/normalizer.app';

describe('normalizer (real broker): raw records → canonical events, dead letters, replay, redrive', () => {
  let normalizer: RunningService;
  let raw: RawRecordProducer;
  let observer: TopicObserver;
  const commands = createDurableProducer(createKafka({ brokers: TEST_KAFKA_BROKERS, clientId: 'normalizer-int-spec-commands' }));
  const sendCommand = async (record: EncodedRecord) => {
    await commands.send({ topic: record.topic, acks: -1, messages: [{ key: record.key, value: record.value, headers: { ...record.headers } }] });
  };

  beforeAll(async () => {
    observer = await TopicObserver.start([Topics.communications.name, Topics.processes.name, Topics.checks.name, Topics.deadLetter.name, Topics.raw.credas.name]);
    await commands.connect();
    raw = await RawRecordProducer.connect();
    normalizer = await startNormalizer(testServiceContext('normalizer'));
  });

  afterAll(async () => {
    await normalizer?.close();
    await raw?.close();
    await commands.disconnect();
    await observer?.stop();
  });

  // Other tests put deliberately broken records on these topics: match by key before parsing.
  const eventsWithSubject = (subject: string) =>
    observer.matching((r) => r.topic.startsWith('events.') && r.key?.toString() === subject).map((r) => ({ topic: r.topic, event: valueJson<CloudEvent>(r) }));

  it('normalizes one webhook of every provider onto its topic with its key', async () => {
    const processId = randomUUID();
    const bpId = randomUUID();
    const sessionId = `S${Date.now()}`;
    const phone = `+3069${String(Date.now()).slice(-8)}`;
    await raw.send({ provider: 'credas', sourceId: 'credas-process', kind: 'process', key: processId, query: 'our-reference=1232323', body: JSON.stringify({ ProcessId: processId, ClientId: randomUUID(), Status: 2, StatusDescription: 'The process is complete' }) });
    await raw.send({ provider: 'authvia', sourceId: 'authvia-business-process', kind: 'business-process', key: bpId, body: JSON.stringify({ id: bpId, partnerId: 'p1', avid: 'AV1', customerId: 'c1', status: 'in-progress', version: 3, expiration: '2026-12-31T00:00:00Z', actions: [], addresses: [] }) });
    await raw.send({ provider: 'octapush', sourceId: 'octapush-viber', kind: 'viber', key: phone, method: 'GET', pathStatus: 'Fallbacksms', query: `phone=${encodeURIComponent(phone)}&firstname=Maria`, body: '', contentType: '' });
    await raw.send({ provider: 'cellosign', sourceId: 'cellosign', kind: 'workflow', key: sessionId, body: JSON.stringify({ event: { type: 'WHEF_CLIENT_FORM_SUBMITTED', timestamp: '2025-01-26T08:49:33.626046' }, session: { id: sessionId, reference: 'r', process_id: 'p', process_number: 51, transaction_number: 53, recipient: { id: 1, name: 'client' }, labels: {} } }) });

    const [credas] = await observer.waitForRecords((r) => r.topic === Topics.processes.name && r.key?.toString() === `credas:${processId}`);
    expect(valueJson<CloudEvent<{ status: string; reference: Record<string, string> }>>(credas!)).toMatchObject({ type: 'hookbus.process.status', source: '/webhooks/credas-process', data: { status: 'completed', reference: { 'our-reference': '1232323' } } });
    const [authvia] = await observer.waitForRecords((r) => r.topic === Topics.processes.name && r.key?.toString() === `authvia:${bpId}`);
    expect(valueJson<CloudEvent<{ status: string; version: number }>>(authvia!).data).toMatchObject({ status: 'in_progress', version: 3 });
    const [octapush] = await observer.waitForRecords((r) => r.topic === Topics.communications.name && r.key?.toString() === `octapush:viber:${phone}`);
    expect(valueJson<CloudEvent<{ status: string; continuedAs: string }>>(octapush!).data).toMatchObject({ status: 'fallback_sms', continuedAs: `octapush:sms:${phone}` });
    const [cellosign] = await observer.waitForRecords((r) => r.topic === Topics.processes.name && r.key?.toString() === `cellosign:${sessionId}`);
    // Naive Cellosign timestamps are read in the source's time zone (UTC for the built-in source).
    expect(valueJson<CloudEvent<{ status: string }>>(cellosign!)).toMatchObject({ time: '2025-01-26T08:49:33.626Z', data: { status: 'submitted' } });
  });

  it('dead-letters a record the adapter cannot read, with its reason and origin, and keeps the partition moving', async () => {
    const processId = randomUUID();
    const receiptId = await raw.send({ provider: 'credas', sourceId: 'credas-process', kind: 'process', key: processId, body: '{"ClientId": "no process id here", "Status": 2}' });
    await raw.send({ provider: 'credas', sourceId: 'credas-process', kind: 'process', key: processId, body: JSON.stringify({ ProcessId: processId, ClientId: 'c', Status: 2 }) });
    const [dead] = await observer.waitForRecords((r) => r.topic === Topics.deadLetter.name && r.headers[RawHeaders.receiptId] === receiptId);
    expect(dead!.headers).toMatchObject({ [DeadLetterHeaders.stage]: 'normalizer', [DeadLetterHeaders.originalTopic]: Topics.raw.credas.name, [DeadLetterHeaders.attempts]: '1' });
    expect(dead!.headers[DeadLetterHeaders.errorCode]).toBe('providers.missing_field');
    expect(dead!.value!.toString()).toBe('{"ClientId": "no process id here", "Status": 2}');
    await observer.waitForRecords((r) => r.topic === Topics.processes.name && r.key?.toString() === `credas:${processId}`);

    const entry = (await readDeadLetters(TEST_KAFKA_BROKERS)).find((e) => e.record.headers[RawHeaders.receiptId] === receiptId)!;
    expect(originalRecord(entry)).toMatchObject({ topic: Topics.raw.credas.name, headers: { [RawHeaders.receiptId]: receiptId } });
    await deadLetters(['redrive', entry.id]);
    // Back on its original topic, without the dead-letter headers (and, still broken, dead-lettered again).
    const redriven = await observer.waitForRecords((r) => r.topic === Topics.raw.credas.name && r.headers[RawHeaders.receiptId] === receiptId, 2);
    expect(Object.keys(redriven[1]!.headers).some((h) => h.startsWith('hookbus-dlq-'))).toBe(false);
    expect((await readDeadLetters(TEST_KAFKA_BROKERS)).some((e) => e.id === entry.id)).toBe(false);
  });

  it('replays a raw range after the fact and republishes the same event ids', async () => {
    const processId = randomUUID();
    const since = new Date(Date.now() - 1000);
    const body = JSON.stringify({ clientId: 'c', processId, processActorId: 7, entityId: randomUUID(), smsStatus: 1, emailStatus: 1 });
    await raw.send({ provider: 'credas', sourceId: 'credas-actor', kind: 'process-actor', key: processId, body });
    const first = await observer.waitForRecords((r) => r.topic === Topics.communications.name && r.key?.toString().startsWith(`credas:${processId}:`) === true, 2);
    const result = await replay(['--source', 'credas-actor', '--from', since.toISOString()], () => undefined);
    expect(result.failed).toBe(0);
    const all = await observer.waitForRecords((r) => r.topic === Topics.communications.name && r.key?.toString().startsWith(`credas:${processId}:`) === true, 4);
    const ids = all.map((r) => valueJson<CloudEvent>(r).id);
    expect(new Set(ids).size).toBe(2);
    expect(new Set(ids)).toEqual(new Set(first.map((r) => valueJson<CloudEvent>(r).id)));
    expect(eventsWithSubject(`credas:${processId}:7:sms`).length).toBeGreaterThanOrEqual(2);
  });

  it('replays a raw range on a replay command (normalizer.commands.v1, as the console sends it) with the same event ids', async () => {
    const processId = randomUUID();
    const since = new Date(Date.now() - 1000);
    const body = JSON.stringify({ clientId: 'c', processId, processActorId: 8, entityId: randomUUID(), smsStatus: 1, emailStatus: 1 });
    await raw.send({ provider: 'credas', sourceId: 'credas-actor', kind: 'process-actor', key: processId, body });
    const first = await observer.waitForRecords((r) => r.topic === Topics.communications.name && r.key?.toString().startsWith(`credas:${processId}:`) === true, 2);
    await sendCommand(encodeReplayCommand({ type: 'replay', commandId: randomUUID(), provider: 'credas', sourceId: 'credas-actor', from: since.toISOString(), requestedBy: 'int-spec', requestedAt: new Date().toISOString() }));
    const all = await observer.waitForRecords((r) => r.topic === Topics.communications.name && r.key?.toString().startsWith(`credas:${processId}:`) === true, 4);
    const ids = all.map((r) => valueJson<CloudEvent>(r).id);
    expect(ids).toHaveLength(4);
    expect(new Set(ids)).toEqual(new Set(first.map((r) => valueJson<CloudEvent>(r).id)));
  });

  it('dead-letters a replay command it refuses, or whose range cannot be replayed, once each (no loop), and goes on with the next', async () => {
    // Written past the codec's encoder, which would refuse it: from is not before to.
    const invalidId = randomUUID();
    await sendCommand({ topic: NORMALIZER_COMMANDS_TOPIC, key: invalidId, headers: {}, value: Buffer.from(JSON.stringify({ type: 'replay', commandId: invalidId, provider: 'credas', from: '2026-11-02T00:00:00Z', to: '2026-11-01T00:00:00Z', requestedBy: 'int-spec', requestedAt: '2026-12-01T00:00:00Z' })) });
    const unknownSourceId = randomUUID();
    await sendCommand(encodeReplayCommand({ type: 'replay', commandId: unknownSourceId, provider: 'credas', sourceId: 'no-such-source', requestedBy: 'int-spec', requestedAt: new Date().toISOString() }));
    // Then a good command: its events prove the consumer went past both.
    const processId = randomUUID();
    const since = new Date(Date.now() - 1000);
    await raw.send({ provider: 'credas', sourceId: 'credas-actor', kind: 'process-actor', key: processId, body: JSON.stringify({ clientId: 'c', processId, processActorId: 9, entityId: randomUUID(), smsStatus: 1, emailStatus: 1 }) });
    await observer.waitForRecords((r) => r.topic === Topics.communications.name && r.key?.toString().startsWith(`credas:${processId}:`) === true, 2);
    await sendCommand(encodeReplayCommand({ type: 'replay', commandId: randomUUID(), provider: 'credas', sourceId: 'credas-actor', from: since.toISOString(), requestedBy: 'int-spec', requestedAt: new Date().toISOString() }));
    await observer.waitForRecords((r) => r.topic === Topics.communications.name && r.key?.toString().startsWith(`credas:${processId}:`) === true, 4);

    const deadFor = (key: string) => observer.matching((r) => r.topic === Topics.deadLetter.name && r.key?.toString() === key);
    const [invalid] = await observer.waitForRecords((r) => r.topic === Topics.deadLetter.name && r.key?.toString() === invalidId);
    expect(invalid!.headers).toMatchObject({ [DeadLetterHeaders.stage]: 'normalizer', [DeadLetterHeaders.originalTopic]: NORMALIZER_COMMANDS_TOPIC, [DeadLetterHeaders.errorCode]: 'normalizer.invalid_command', [DeadLetterHeaders.attempts]: '1' });
    const [unknown] = await observer.waitForRecords((r) => r.topic === Topics.deadLetter.name && r.key?.toString() === unknownSourceId);
    expect(unknown!.headers).toMatchObject({ [DeadLetterHeaders.originalTopic]: NORMALIZER_COMMANDS_TOPIC, [DeadLetterHeaders.errorCode]: 'normalizer.replay_refused', [DeadLetterHeaders.attempts]: '1' });
    // The good command was replayed after both: had either looped, it would have been dead-lettered again by now.
    expect(deadFor(invalidId)).toHaveLength(1);
    expect(deadFor(unknownSourceId)).toHaveLength(1);
  });
});
