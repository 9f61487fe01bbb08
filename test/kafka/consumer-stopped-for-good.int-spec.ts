import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type { BatchSink } from '@hookbus/kafka';
import { KafkaBatchTransport } from '@hookbus/nest-kafka';
import { LogCapture, TEST_KAFKA_BROKERS, waitFor } from '@hookbus/testing';

/**
 * A consumer kafkajs stops for good (a crash it does not restart from: here a fenced transactional producer, which
 * the runner hands back to kafkajs) used to leave its service answering ready while it consumed nothing. The
 * transport now says so once, fails its readiness check, and tells the service to stop (runService then exits 1).
 */
describe('KafkaBatchTransport: a consumer kafkajs stops for good (real broker)', () => {
  const kafka = new Kafka({ clientId: 'test-stopped-for-good', brokers: TEST_KAFKA_BROKERS, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const run = randomUUID().slice(0, 8);
  const input = `test.stopped-for-good.${run}`;

  beforeAll(async () => {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: input, numPartitions: 1 }], waitForLeaders: true });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic: input, acks: -1, messages: [{ key: run, value: 'a' }] });
    await producer.disconnect();
  });

  afterAll(async () => {
    await admin.deleteTopics({ topics: [input] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('fails readiness, logs one ERROR and asks the service to stop, once', async () => {
    const sink: BatchSink<string> = {
      stage: 'test-fenced',
      transform: (record) => record.value!.toString('utf8'),
      async flush() {
        // What kafkajs throws when a newer owner of the transactional id fenced this one: not retriable (kafkajs
        // wraps it in a KafkaJSNonRetriableError when it crashes the consumer; the report names the cause).
        throw Object.assign(new Error('Producer attempted an operation with an old epoch'), { name: 'KafkaJSProtocolError', type: 'INVALID_PRODUCER_EPOCH', retriable: false });
      },
    };
    const capture = new LogCapture();
    const stops: string[] = [];
    const transport = new KafkaBatchTransport(kafka, sink, { groupId: `test-stopped-for-good-${run}`, topics: [input], fromBeginning: true, fetchMinBytes: 1 }, capture.logger('test'), undefined, (why) => stops.push(why));
    await expect(transport.readinessCheck()).resolves.toBeUndefined();
    await new Promise<void>((resolve, reject) => transport.listen((error) => (error ? reject(error) : resolve())));
    try {
      await waitFor(() => stops.length > 0, { what: 'the transport to report its consumer stopped for good', timeoutMs: 60_000 });
      expect(stops).toEqual([expect.stringMatching(/^the test-fenced consumer stopped for good \(kafkajs does not restart it after KafkaJSProtocolError: Producer attempted an operation with an old epoch\)$/)]);
      expect(transport.stoppedForGood).toBe(stops[0]);
      await expect(transport.readinessCheck()).rejects.toThrow(stops[0]);
      const errors = capture.lines.map((line) => JSON.parse(line) as { level: string; msg: string }).filter((line) => line.level === 'error');
      expect(errors.map((line) => line.msg)).toEqual(['consumer stopped for good']);
    } finally {
      await transport.close();
    }
  });
});
