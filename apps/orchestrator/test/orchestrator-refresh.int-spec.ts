import { Writable } from 'node:stream';
import type { Producer } from 'kafkajs';
import pino from 'pino';
import { Topics } from '@hookbus/contracts';
import { UsageError } from '@hookbus/config';
import { REDACTED_PATHS } from '@hookbus/platform';
import { TEST_KAFKA_BROKERS, TopicObserver, valueJson, waitFor } from '@hookbus/testing';
import { startFakeCredas, type FakeActiveCheck, type FakeCredas, type FakeProcess } from '../../../test/fake-credas';
import { runRefetchCli } from '../src/cli/refetch';
import type { CredasResultsEvent } from '../src/credas-results-event';
import type { OrchestratorService } from '../src/orchestrator.app';
import { COMMANDS_TOPIC } from '../src/retry-schedule';
import { API_KEY, committedOffset, kafka, newGroupId, produceCheckUpdate, produceCompletion, skipHistory, startTestOrchestrator } from './orchestrator-harness';

/**
 * Refreshes (ongoing-monitoring and status-update webhooks), the re-fetch command, and what the service logs —
 * against the real broker and the fake Credas API, whose data changes between the retrieval and the refresh.
 */
describe('Credas orchestrator refresh and re-fetch (real broker, fake Credas API)', () => {
  let fake: FakeCredas;
  let producer: Producer;
  let observer: TopicObserver;
  let orchestrator: OrchestratorService;
  let groupId: string;
  const logLines: string[] = [];

  const resultsFor = (processId: string) =>
    observer.matching((r) => r.topic === Topics.results.name && r.key?.toString() === `credas:${processId}`).map((r) => valueJson<CredasResultsEvent>(r));
  const waitForResults = async (processId: string, count: number) => {
    await observer.waitForRecords((r) => r.topic === Topics.results.name && r.key?.toString() === `credas:${processId}`, count);
    return resultsFor(processId);
  };
  const requestsFor = (id: string, endpoint?: string) => fake.requests.filter((r) => (r.processId === id || r.entityId === id) && (!endpoint || r.endpoint === endpoint));
  const statuses = (event: CredasResultsEvent) => event.data.activeChecks.map((c) => [c.status, c.statusName, c.typeName]);
  /** Waits until the orchestrator has committed past the record: whatever it caused has been published. */
  const consumed = (topic: string, at: { partition: number; offset: string }) =>
    waitFor(async () => (await committedOffset(groupId, topic, at.partition)) > BigInt(at.offset), { what: `${topic} offset ${at.offset} consumed` });

  async function retrieved(options: { entityId?: string } = {}): Promise<FakeProcess> {
    const p = fake.addProcess(options);
    await produceCompletion(producer, p.processId);
    await waitForResults(p.processId, 1);
    return p;
  }

  /** What Credas answers after a change: the entity's Right to Work check now failed (code 4). */
  function failRightToWork(p: FakeProcess): FakeActiveCheck[] {
    const changed = p.activeChecks.map((c) => (c.type === 11 ? { ...c, status: 4, lastCheckedDate: '2025-03-01T08:00:00Z' } : c));
    fake.process(p.processId)!.activeChecks = changed;
    return changed;
  }

  beforeAll(async () => {
    fake = await startFakeCredas({ apiKey: API_KEY });
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    observer = await TopicObserver.start([Topics.results.name, Topics.deadLetter.name]);
    groupId = newGroupId();
    await skipHistory(groupId);
    // Every line the service writes, at debug, with the service's own redaction (libs/platform/src/logger.ts).
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString('utf8'));
        done();
      },
    });
    const logger = pino({ level: 'debug', base: { service: 'orchestrator' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, sink);
    orchestrator = await startTestOrchestrator(fake.url, groupId, { logger });
  });

  afterEach(() => fake.faults.clear());

  afterAll(async () => {
    await orchestrator?.close();
    await observer?.stop();
    await producer?.disconnect();
    await fake?.close();
  });

  it('an ongoing-monitoring webhook refreshes every retrieved process of that entity with the new active checks, and no other', async () => {
    const first = await retrieved();
    const second = await retrieved({ entityId: first.entityId });
    const other = await retrieved();
    expect(statuses(resultsFor(first.processId)[0]!)).toContainEqual([1, 'pass', 'right_to_work']);
    failRightToWork(first);
    // The fake answers an entity's checks from all its processes: one list keeps the assertions plain.
    fake.process(second.processId)!.activeChecks = [];
    const checksBefore = requestsFor(first.entityId, 'active-checks').length;

    const check = await produceCheckUpdate(producer, first.entityId, 'monitoring');

    for (const p of [first, second]) {
      const events = await waitForResults(p.processId, 2);
      const refreshed = events[1]!;
      expect(refreshed.data.trigger).toMatchObject({ kind: 'monitoring', eventId: check.eventId });
      expect(refreshed.data).toMatchObject({ processId: p.processId, entityId: first.entityId, details: { id: p.processId } });
      // The changed Right to Work arrived, and the old answer is gone.
      expect(statuses(refreshed)).toContainEqual([4, 'fail', 'right_to_work']);
      expect(statuses(refreshed)).not.toContainEqual([1, 'pass', 'right_to_work']);
      expect(refreshed.data.report.sha256).toBe(p.pdfSha256);
      expect(refreshed.id).not.toBe(events[0]!.id);
    }
    await consumed(Topics.checks.name, check);
    expect(requestsFor(first.entityId, 'active-checks').length - checksBefore).toBe(2);
    expect(resultsFor(other.processId)).toHaveLength(1);
    expect(requestsFor(other.entityId, 'active-checks')).toHaveLength(1);
  });

  it('a redelivered check webhook does not refresh again, even after a later one (a replay of the checks topic)', async () => {
    const p = await retrieved();
    const a = await produceCheckUpdate(producer, p.entityId, 'monitoring');
    await waitForResults(p.processId, 2);
    const again = await produceCheckUpdate(producer, p.entityId, 'monitoring', a.eventId);
    await consumed(Topics.checks.name, again);
    expect(resultsFor(p.processId)).toHaveLength(2);

    failRightToWork(p);
    const b = await produceCheckUpdate(producer, p.entityId, 'monitoring');
    const events = await waitForResults(p.processId, 3);
    expect(events[2]!.data.trigger.eventId).toBe(b.eventId);
    expect(statuses(events[2]!)).toContainEqual([4, 'fail', 'right_to_work']);

    const replayedA = await produceCheckUpdate(producer, p.entityId, 'monitoring', a.eventId);
    const replayedB = await produceCheckUpdate(producer, p.entityId, 'monitoring', b.eventId);
    await consumed(Topics.checks.name, replayedB);
    expect(BigInt(replayedB.offset)).toBeGreaterThan(BigInt(replayedA.offset));
    expect(resultsFor(p.processId).map((e) => e.data.trigger.eventId)).toEqual([expect.any(String), a.eventId, b.eventId]);
    expect(requestsFor(p.processId, 'pdf-export')).toHaveLength(3);
  });

  it('a status-update webhook refreshes the retrieved processes of its entity; for an entity never retrieved it calls nothing', async () => {
    const p = await retrieved();
    failRightToWork(p);
    const update = await produceCheckUpdate(producer, p.entityId, 'status-update');
    const [, refreshed] = await waitForResults(p.processId, 2);
    expect(refreshed!.data.trigger).toMatchObject({ kind: 'status-update', eventId: update.eventId });
    expect(statuses(refreshed!)).toContainEqual([4, 'fail', 'right_to_work']);

    // The completion will fetch it: a refresh before any retrieval would race it for nothing.
    const unseen = fake.addProcess();
    const early = await produceCheckUpdate(producer, unseen.entityId, 'status-update');
    await consumed(Topics.checks.name, early);
    expect(requestsFor(unseen.entityId)).toHaveLength(0);
    expect(requestsFor(unseen.processId)).toHaveLength(0);
  });

  it('`npm run credas:refetch -- <processId>` causes exactly one new retrieval of an already-retrieved process', async () => {
    const p = await retrieved();
    const changed = failRightToWork(p);
    const calls = (endpoint: 'details' | 'active-checks' | 'pdf-export') => requestsFor(endpoint === 'active-checks' ? p.entityId : p.processId, endpoint).length;
    expect([calls('details'), calls('active-checks'), calls('pdf-export')]).toEqual([1, 1, 1]);

    const command = await runRefetchCli([p.processId], { ...process.env, KAFKA_BROKERS: TEST_KAFKA_BROKERS.join(',') });
    const [, refetched] = await waitForResults(p.processId, 2);
    expect(refetched!.data.trigger).toEqual({ kind: 'refetch', eventId: command.commandId, receiptId: command.commandId });
    expect(refetched!.data.activeChecks.map((c) => c.status)).toEqual(changed.map((c) => c.status));

    const admin = kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(COMMANDS_TOPIC).finally(() => admin.disconnect());
    for (const end of ends.filter((e) => BigInt(e.high) > 0n)) await consumed(COMMANDS_TOPIC, { partition: end.partition, offset: String(BigInt(end.high) - 1n) });
    expect(resultsFor(p.processId)).toHaveLength(2);
    expect([calls('details'), calls('active-checks'), calls('pdf-export')]).toEqual([2, 2, 2]);
  });

  it('the re-fetch command refuses anything but Credas ids, before sending', async () => {
    // A wrong command line is a UsageError (exit 64) naming what is wrong; the broker at :1 is never reached.
    for (const [args, reason] of [
      [[], 'name the Credas processId'],
      [['../processes'], 'not a Credas processId'],
      [['p-1', 'e/1'], 'not a Credas entityId'],
      [['p-1', 'e-1', 'extra'], 'at most a processId and an entityId'],
    ] as const) {
      await expect(runRefetchCli([...args], { KAFKA_BROKERS: '127.0.0.1:1' })).rejects.toThrow(new RegExp(`^credas:refetch: ${reason}`));
      await expect(runRefetchCli([...args], { KAFKA_BROKERS: '127.0.0.1:1' })).rejects.toBeInstanceOf(UsageError);
    }
  });

  it('never logs the API key or personal data from Credas answers, through failures and recoveries', async () => {
    const p = fake.addProcess();
    fake.faults.add({ status: 403, times: 1 });
    fake.faults.add({ endpoint: 'pdf-export', match: p.processId, status: 500, times: 1 });
    await produceCompletion(producer, p.processId);
    await waitForResults(p.processId, 1);
    const missing = fake.addProcess();
    fake.faults.add({ endpoint: 'details', match: missing.processId, status: 404 });
    await produceCompletion(producer, missing.processId);
    await observer.waitForRecords((r) => r.topic === Topics.deadLetter.name && r.key?.toString() === `credas:${missing.processId}`);

    const logs = logLines.join('');
    // The capture works: the outcomes above were logged.
    expect(logs).toContain('Credas results published');
    expect(logs).toContain('refused the API key');
    expect(logs).toContain('retrying later');
    expect(logs).toContain('dead-lettered');
    expect(logs).not.toContain(API_KEY);
    // The fake's details name the actor (processActors[]): none of it may reach a log line.
    for (const personal of ['alex.example@example.com', '"Alex"', 'Example"', 'ops@hookbus.example']) expect(logs).not.toContain(personal);
  });
});
