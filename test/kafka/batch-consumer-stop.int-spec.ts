import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { BatchConsumerRunner, incompleteStops, type BatchSink } from '@hookbus/kafka';
import { TEST_KAFKA_BROKERS, waitFor } from '@hookbus/testing';

/**
 * A stop is clean only if nothing was left undone: the runner's stop cuts a retry wait short (Postgres or Kafka down)
 * and leaves the batch in hand uncommitted — the next owner reads it again, but the stop must say so, and the service
 * then exits 1 (libs/platform/src/service-process.ts), not 0 as if it had finished its work.
 */
describe('BatchConsumerRunner.stop: reports work it abandoned (real broker)', () => {
  const kafka = new Kafka({ clientId: 'test-runner-stop', brokers: TEST_KAFKA_BROKERS, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const run = randomUUID().slice(0, 8);
  const input = `test.runner-stop.${run}`;

  beforeAll(async () => {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: input, numPartitions: 1 }], waitForLeaders: true });
  });

  afterAll(async () => {
    await admin.deleteTopics({ topics: [input] }).catch(() => undefined);
    await admin.disconnect();
  });

  function runner(sink: BatchSink<string>): BatchConsumerRunner<string> {
    return new BatchConsumerRunner(kafka, sink, { groupId: `test-runner-stop-${randomUUID()}`, topics: [input], backoff: { initialMs: 5_000, maxMs: 5_000, factor: 1 }, fetchMinBytes: 1 });
  }

  it('an idle stop is clean', async () => {
    const idle = runner({ stage: 'test-stop-idle', transform: (r) => r.value!.toString('utf8'), flush: async () => undefined });
    await idle.start();
    expect(await idle.stop()).toEqual({ abandonedBatches: 0, failedDisconnects: [] });
    expect(incompleteStops().filter((line) => line.startsWith('test-stop-idle'))).toEqual([]);
  });

  it('a stop during the retry wait of a batch whose flush fails (database down) reports the batch abandoned', async () => {
    let failures = 0;
    const sink: BatchSink<string> = {
      stage: 'test-stop-abandon',
      transform: (record) => record.value!.toString('utf8'),
      async flush() {
        failures++;
        // What pg throws when Postgres is down: retried, never dead-lettered.
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      },
    };
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic: input, acks: -1, messages: [{ key: run, value: 'a' }] });
    await producer.disconnect();
    const stuck = runner(sink);
    await stuck.start();
    await waitFor(() => failures >= 1, { what: 'a failed flush', timeoutMs: 30_000 });
    const report = await stuck.stop();
    expect(report.abandonedBatches).toBe(1);
    expect(incompleteStops()).toContain('test-stop-abandon: 1 batch(es) abandoned uncommitted');
  });
});
