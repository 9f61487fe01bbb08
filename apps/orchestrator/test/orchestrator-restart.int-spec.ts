import type { Producer } from 'kafkajs';
import { Topics } from '@hookbus/contracts';
import { TopicObserver, waitFor } from '@hookbus/testing';
import { startFakeCredas, type FakeCredas } from '../../../test/fake-credas';
import type { OrchestratorService } from '../src/orchestrator.app';
import { API_KEY, committedOffset, kafka, newGroupId, produceCompletion, skipHistory, startTestOrchestrator } from './orchestrator-harness';

describe('Credas orchestrator stopped during a retrieval', () => {
  let fake: FakeCredas;
  let producer: Producer;
  let observer: TopicObserver;
  let orchestrator: OrchestratorService | null = null;

  beforeAll(async () => {
    fake = await startFakeCredas({ apiKey: API_KEY });
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    observer = await TopicObserver.start([Topics.results.name]);
  });

  afterAll(async () => {
    await orchestrator?.close();
    await observer?.stop();
    await producer?.disconnect();
    await fake?.close();
  });

  it('completes after a restart, once', async () => {
    const groupId = newGroupId();
    await skipHistory(groupId);
    const p = fake.addProcess();
    // The PDF export hangs (within the client timeout) so the stop lands in the middle of the retrieval.
    fake.faults.add({ endpoint: 'pdf-export', match: p.processId, delayMs: 1_200, times: 1 });
    orchestrator = await startTestOrchestrator(fake.url, groupId);
    const completion = await produceCompletion(producer, p.processId);
    await waitFor(() => fake.requests.some((r) => r.processId === p.processId && r.endpoint === 'pdf-export'), { what: 'the PDF export under way' });
    await orchestrator.close();
    orchestrator = null;
    expect(observer.matching((r) => r.key?.toString() === `credas:${p.processId}`)).toHaveLength(0);

    orchestrator = await startTestOrchestrator(fake.url, groupId);
    await observer.waitForRecords((r) => r.key?.toString() === `credas:${p.processId}`);
    await waitFor(async () => (await committedOffset(groupId, Topics.processes.name, completion.partition)) > BigInt(completion.offset), { what: 'the completion committed' });
    expect(observer.matching((r) => r.key?.toString() === `credas:${p.processId}`)).toHaveLength(1);
    expect(fake.requests.filter((r) => r.processId === p.processId && r.endpoint === 'pdf-export').length).toBe(2);
  });
});
