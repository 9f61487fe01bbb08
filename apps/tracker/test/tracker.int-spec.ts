import { randomUUID } from 'node:crypto';
import { Topics, type CloudEvent, type TransitionData } from '@hookbus/contracts';
import type { RunningService } from '@hookbus/nest-kafka';
import { keyHash } from '@hookbus/platform';
import { parseCommunicationState, parseProcessState } from '@hookbus/tracking';
import { Kafka, logLevel } from 'kafkajs';
import { LogCapture, RawRecordProducer, TEST_KAFKA_BROKERS, TopicObserver, capturedContext, expectNoPersonalData, valueJson, waitFor } from '@hookbus/testing';
import { startNormalizer } from '../../normalizer/src/normalizer.app';
import { startTracker } from '../src/tracker.app';

describe('tracker (real broker): raw webhooks → normalizer → tracked state and transitions', () => {
  let normalizer: RunningService;
  let tracker: RunningService;
  let raw: RawRecordProducer;
  let observer: TopicObserver;
  // Everything both services log in this file, scanned for phone numbers and emails by the last test.
  const logs = new LogCapture();

  beforeAll(async () => {
    observer = await TopicObserver.start([Topics.communicationState.name, Topics.processState.name, Topics.transitions.name]);
    raw = await RawRecordProducer.connect();
    normalizer = await startNormalizer(capturedContext('normalizer', logs, null));
    tracker = await startTracker(capturedContext('tracker', logs, null));
  });

  afterAll(async () => {
    await tracker?.close();
    await normalizer?.close();
    await raw?.close();
    await observer?.stop();
  });

  function actorBody(processId: string, entityId: string, sms: number, email: number): string {
    return JSON.stringify({ clientId: randomUUID(), processId, processActorId: 11014, entityId, smsStatus: sms, smsStatusDescription: 'x', emailStatus: email, emailStatusDescription: 'y' });
  }

  const transitionsFor = (key: string) =>
    observer.matching((r) => r.topic === Topics.transitions.name && r.key?.toString() === key).map((r) => valueJson<CloudEvent<TransitionData>>(r).data);

  it('tracks a Credas invitation through sent → delivered → bounced, announces each change once, and learns the process entity', async () => {
    const processId = randomUUID();
    const entityId = randomUUID();
    const smsId = `credas:${processId}:11014:sms`;
    const clientId = randomUUID();
    const send = (sms: number, email: number) =>
      raw.send({ provider: 'credas', sourceId: 'credas-actor', kind: 'process-actor', key: processId, body: actorBody(processId, entityId, sms, email).replace(/"clientId":"[^"]+"/, `"clientId":"${clientId}"`) });
    await send(1, 1);
    await observer.waitForRecords((r) => r.topic === Topics.transitions.name && r.key?.toString() === smsId, 1);
    await send(2, 2);
    await send(2, 2); // the provider repeats itself
    await send(5, 3);
    const states = await observer.waitForRecords(
      (r) => r.topic === Topics.communicationState.name && r.key?.toString() === smsId && parseCommunicationState(r.value!).status === 'bounced',
    );
    const finalState = parseCommunicationState(states[states.length - 1]!.value!);
    expect(finalState).toMatchObject({ status: 'bounced', final: true, processKey: `credas:${processId}`, entityId, seq: 3 });
    const smsTransitions = transitionsFor(smsId);
    expect(smsTransitions.map((t) => [t.from, t.to, t.seq])).toEqual([
      [null, 'sent', 1],
      ['sent', 'delivered', 2],
      ['delivered', 'bounced', 3],
    ]);
    expect(smsTransitions[2]).toMatchObject({ requiresAction: true, final: true });
    const processStates = await observer.waitForRecords((r) => r.topic === Topics.processState.name && r.key?.toString() === `credas:${processId}`);
    expect(parseProcessState(processStates[processStates.length - 1]!.value!)).toMatchObject({ entityId, seq: 0 });
    // Operators size the tracker's memory by the entities it holds: at least this invitation's two and its process.
    const metrics = await (await fetch(`${tracker.url}/metrics`)).text();
    const held = (kind: string) => Number(new RegExp(`^hookbus_tracker_states\\{kind="${kind}"[^}]*\\} (\\d+)`, 'm').exec(metrics)?.[1] ?? NaN);
    expect(held('communication')).toBeGreaterThanOrEqual(2);
    expect(held('process')).toBeGreaterThanOrEqual(1);
  });

  it('restores state after a restart: a redelivered status announces nothing new', async () => {
    const processId = randomUUID();
    const entityId = randomUUID();
    const emailId = `credas:${processId}:11014:email`;
    const body = JSON.stringify({ clientId: 'c', processId, processActorId: 11014, entityId, emailStatus: 2, emailStatusDescription: 'Delivered' });
    await raw.send({ provider: 'credas', sourceId: 'credas-actor', kind: 'process-actor', key: processId, body });
    await observer.waitForRecords((r) => r.topic === Topics.transitions.name && r.key?.toString() === emailId, 1);
    await tracker.close();
    tracker = await startTracker(capturedContext('tracker', logs, null));
    await raw.send({ provider: 'credas', sourceId: 'credas-actor', kind: 'process-actor', key: processId, body: body.replace('"emailStatus":2', '"emailStatus":2 ') });
    const opened = JSON.stringify({ clientId: 'c', processId, processActorId: 11014, entityId, emailStatus: 3, emailStatusDescription: 'Opened' });
    await raw.send({ provider: 'credas', sourceId: 'credas-actor', kind: 'process-actor', key: processId, body: opened });
    await observer.waitForRecords((r) => r.topic === Topics.transitions.name && r.key?.toString() === emailId, 2);
    expect(transitionsFor(emailId).map((t) => [t.from, t.to, t.seq])).toEqual([
      [null, 'delivered', 1],
      ['delivered', 'opened', 2],
    ]);
  });

  it('logs a state record it cannot read by position and key hash, never by its key (which holds a phone number)', async () => {
    const phone = '+306912345678';
    const key = `octapush:sms:${phone}:${randomUUID()}`;
    const producer = new Kafka({ clientId: 'tracker-test', brokers: TEST_KAFKA_BROKERS, logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    // Damaged state that quotes the phone number, as a codec error message would.
    await producer.send({ topic: Topics.communicationState.name, messages: [{ key, value: `{"communicationId":"${key}","status":` }] });
    await producer.disconnect();
    await tracker.close();
    tracker = await startTracker(capturedContext('tracker', logs, null));
    const line = await waitFor(
      // This record's line: earlier tests on the same broker may have left other unreadable states behind, and the
      // in-process tracker hashes keys with this process' key, so the hash names exactly this record.
      () => logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'unreadable state record skipped during restore' && l.keyHash === keyHash(key)),
      { what: 'the unreadable state to be logged' },
    );
    expect(line).toMatchObject({ topic: Topics.communicationState.name, keyHash: expect.stringMatching(/^[0-9a-f]{12}$/), offset: expect.any(String) });
    expect(JSON.stringify(line)).not.toContain(phone.slice(1));
  });

  it('logged no phone number or email address in any of the above', () => {
    expect(logs.lines.length).toBeGreaterThan(0);
    expectNoPersonalData(logs);
  });
});
