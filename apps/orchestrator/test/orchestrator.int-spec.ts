import { createHash } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { Topics } from '@hookbus/contracts';
// The wire's header names, for assertions on what was written (production code reads them through the codecs).
import { DeadLetterHeaders } from '../../../libs/contracts/src/record-headers';
import type { ConsumedRecord } from '@hookbus/kafka';
import { TEST_KAFKA_BROKERS, TopicObserver, valueJson, waitFor } from '@hookbus/testing';
import { startFakeCredas, type FakeCredas } from '../../../test/fake-credas';
import type { CredasResultsEvent } from '../src/credas-results-event';
import type { OrchestratorService } from '../src/orchestrator.app';
import { API_KEY, committedOffset, kafka, metric, newGroupId, produceCompletion, produceProcessState, skipHistory, startTestOrchestrator } from './orchestrator-harness';

describe('Credas orchestrator (real broker, fake Credas API)', () => {
  let fake: FakeCredas;
  let producer: Producer;
  let observer: TopicObserver;
  let orchestrator: OrchestratorService;
  let groupId: string;

  const resultsFor = (processId: string) =>
    observer.matching((r) => r.topic === Topics.results.name && r.key?.toString() === `credas:${processId}`).map((r) => valueJson<CredasResultsEvent>(r));
  const waitForResult = async (processId: string, timeoutMs = 30_000) =>
    valueJson<CredasResultsEvent>((await observer.waitForRecords((r) => r.topic === Topics.results.name && r.key?.toString() === `credas:${processId}`, 1, timeoutMs))[0]!);
  const requestsFor = (id: string, endpoint?: string) => fake.requests.filter((r) => (r.processId === id || r.entityId === id) && (!endpoint || r.endpoint === endpoint));
  const deadLettersFor = (processId: string): ConsumedRecord[] => observer.matching((r) => r.topic === Topics.deadLetter.name && r.key?.toString() === `credas:${processId}`);

  beforeAll(async () => {
    fake = await startFakeCredas({ apiKey: API_KEY });
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    observer = await TopicObserver.start([Topics.results.name, Topics.deadLetter.name]);
    groupId = newGroupId();
    await skipHistory(groupId);
    orchestrator = await startTestOrchestrator(fake.url, groupId);
  });

  afterEach(() => fake.faults.clear());

  afterAll(async () => {
    await orchestrator?.close();
    await observer?.stop();
    await producer?.disconnect();
    await fake?.close();
  });

  it('publishes details, active checks and the PDF intact, with the entity from the process state; a redelivery is not fetched again', async () => {
    // The details carry no entity: only the tracker's state knows it.
    const p = fake.addProcess({ detailsShape: 'none' });
    await produceProcessState(producer, p.processId, p.entityId);
    const first = await produceCompletion(producer, p.processId);

    const event = await waitForResult(p.processId);
    const pdf = Buffer.from(event.data.report.pdf, 'base64');
    expect(createHash('sha256').update(pdf).digest('hex')).toBe(p.pdfSha256);
    expect(event.data.report).toMatchObject({ sha256: p.pdfSha256, bytes: p.pdf.length, contentType: 'application/pdf' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(event).toMatchObject({ type: 'hookbus.credas.results', subject: `credas:${p.processId}`, provider: 'credas' });
    expect(event.data).toMatchObject({ processId: p.processId, entityId: p.entityId, entitySource: 'process-state', details: { id: p.processId } });
    expect(event.data.activeChecks.map((c) => [c.status, c.statusName, c.typeName])).toEqual([
      [1, 'pass', 'right_to_work'],
      [6, 'refer', null],
      [9, 'awaiting_data', null],
    ]);

    const again = await produceCompletion(producer, p.processId);
    await waitFor(async () => (await committedOffset(groupId, Topics.processes.name, again.partition)) > BigInt(again.offset), { what: 'the redelivery consumed' });
    expect(BigInt(again.offset)).toBeGreaterThan(BigInt(first.offset));
    expect(resultsFor(p.processId)).toHaveLength(1);
    expect(requestsFor(p.processId, 'pdf-export')).toHaveLength(1);
  });

  it('finds the entity in the details when the process state does not know it', async () => {
    const p = fake.addProcess();
    await produceCompletion(producer, p.processId);
    const event = await waitForResult(p.processId);
    expect(event.data).toMatchObject({ entityId: p.entityId, entitySource: 'details' });
    expect(requestsFor(p.entityId, 'active-checks')).toHaveLength(1);
  });

  it('rides out a 429 storm, waiting at least Retry-After, while other processes go through', async () => {
    const stormy = fake.addProcess();
    const calm = fake.addProcess();
    // The storm lasts until the calm process is through and Credas has said 429 twice, so the order below does not
    // depend on how fast this machine is. Five attempts 2 s apart give the calm process about 8 s.
    fake.faults.add({ endpoint: 'details', match: stormy.processId, status: 429, retryAfterSeconds: 2 });
    await produceCompletion(producer, stormy.processId);
    await produceCompletion(producer, calm.processId);

    await waitForResult(calm.processId);
    expect(resultsFor(stormy.processId)).toHaveLength(0);
    await waitFor(async () => requestsFor(stormy.processId, 'details').filter((r) => r.status === 429).length >= 2, { what: 'two 429 answers' });
    fake.faults.clear();
    await waitForResult(stormy.processId);
    const attempts = requestsFor(stormy.processId, 'details');
    const statuses = attempts.map((r) => r.status);
    expect(statuses.length).toBeGreaterThanOrEqual(3);
    expect(statuses).toEqual([...statuses.slice(0, -1).map(() => 429), 200]);
    for (let i = 1; i < attempts.length; i++) expect(attempts[i]!.at - attempts[i - 1]!.at).toBeGreaterThanOrEqual(2000);
  });

  it('retries a 500 and then succeeds', async () => {
    const p = fake.addProcess();
    fake.faults.add({ endpoint: 'pdf-export', match: p.processId, status: 500, times: 1 });
    await produceCompletion(producer, p.processId);
    const event = await waitForResult(p.processId);
    expect(event.data.report.sha256).toBe(p.pdfSha256);
    expect(requestsFor(p.processId, 'pdf-export').map((r) => r.status)).toEqual([500, 200]);
    expect(deadLettersFor(p.processId)).toHaveLength(0);
  });

  it('dead-letters a process Credas does not know (404) with the reason, at once', async () => {
    const processId = '0d9a2f7e-0000-4000-8000-00000000a404';
    const unique = `${processId.slice(0, -4)}${Math.floor(Math.random() * 9000 + 1000)}`;
    const { offset } = await produceCompletion(producer, unique);
    const [dead] = await observer.waitForRecords((r) => r.topic === Topics.deadLetter.name && r.key?.toString() === `credas:${unique}`);
    expect(dead!.headers[DeadLetterHeaders.errorCode]).toBe('credas.not_found');
    expect(dead!.headers[DeadLetterHeaders.originalTopic]).toBe(Topics.processes.name);
    expect(dead!.headers[DeadLetterHeaders.originalOffset]).toBe(offset);
    expect(dead!.headers[DeadLetterHeaders.error]).not.toContain(API_KEY);
    expect(requestsFor(unique, 'details')).toHaveLength(1);
  });

  it('answers slow Credas calls by timing out and retrying, without holding up other processes', async () => {
    const slow = fake.addProcess();
    const quick = fake.addProcess();
    // Every details call for the slow process outlasts the 1.5 s timeout until the quick one is through: with a
    // single slow answer, the retry could win the race against the quick process on a busy machine (CI saw it).
    // The harness allows five attempts (about 9 s), far more than this needs.
    fake.faults.add({ endpoint: 'details', match: slow.processId, delayMs: 3_000 });
    await produceCompletion(producer, slow.processId);
    await produceCompletion(producer, quick.processId);
    await waitForResult(quick.processId);
    expect(resultsFor(slow.processId)).toHaveLength(0);
    // One call timed out and was retried (that retry is slow too); the next one is answered at once.
    await waitFor(async () => requestsFor(slow.processId, 'details').length >= 2, { what: 'a retry of the timed-out call' });
    fake.faults.clear();
    const event = await waitForResult(slow.processId);
    expect(event.data.report.sha256).toBe(slow.pdfSha256);
    expect(requestsFor(slow.processId, 'details')).toHaveLength(3);
  });

  it('on 403 alerts and pauses every call instead of burning retries, then resumes when the key works', async () => {
    const p = fake.addProcess();
    const before = await metric(orchestrator.url, 'hookbus_credas_auth_rejected_total');
    fake.faults.add({ status: 403 });
    await produceCompletion(producer, p.processId);
    await waitFor(async () => (await metric(orchestrator.url, 'hookbus_credas_auth_rejected_total')) >= before + 3, { what: 'three 403 answers' });
    expect(await metric(orchestrator.url, 'hookbus_credas_auth_blocked')).toBe(1);
    // Paused, not hammering: the pause doubles (400 ms, 800 ms, ...), one probe at a time.
    expect(requestsFor(p.processId).length).toBeLessThanOrEqual(6);
    expect(deadLettersFor(p.processId)).toHaveLength(0);

    fake.faults.clear();
    const event = await waitForResult(p.processId);
    expect(event.data.report.sha256).toBe(p.pdfSha256);
    expect(await metric(orchestrator.url, 'hookbus_credas_auth_blocked')).toBe(0);
    expect(deadLettersFor(p.processId)).toHaveLength(0);
  });

  it('re-fetches on an explicit command even though the process was retrieved', async () => {
    const { sendRefetch } = await import('../src/cli/refetch');
    const p = fake.addProcess();
    await produceCompletion(producer, p.processId);
    await waitForResult(p.processId);
    const command = await sendRefetch(TEST_KAFKA_BROKERS, p.processId, null);
    await observer.waitForRecords((r) => r.topic === Topics.results.name && r.key?.toString() === `credas:${p.processId}`, 2);
    const events = resultsFor(p.processId);
    expect(events.map((e) => e.data.trigger.kind)).toEqual(['completed', 'refetch']);
    expect(events[1]!.data.trigger.eventId).toBe(command.commandId);
    expect(new Set(events.map((e) => e.id)).size).toBe(2);
  });
});
