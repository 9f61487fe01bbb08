import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { Topics } from '@hookbus/contracts';
// The wire's header names, for assertions on what was written (production code reads them through the codecs).
import { DeadLetterHeaders } from '../../libs/contracts/src/record-headers';
import { BatchConsumerRunner, MAX_RECORD_ATTEMPTS, type BatchEffects, type BatchSink, type ConsumedRecord, type TransformedRecord } from '@hookbus/kafka';
import { TEST_KAFKA_BROKERS, TopicObserver, waitFor } from '@hookbus/testing';

/**
 * The consumer runner against a real broker, with sinks that fail the way a bug or a refusing broker does: a failure
 * nobody classified is retried a bounded number of times for its record and then dead-lettered, a record Kafka
 * refuses (MESSAGE_TOO_LARGE) is dead-lettered at once, and in both cases the records after it are processed.
 */
describe('BatchConsumerRunner: poison records (real broker)', () => {
  const kafka = new Kafka({ clientId: 'test-runner-poison', brokers: TEST_KAFKA_BROKERS, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const run = randomUUID().slice(0, 8);
  const input = `test.runner-poison.${run}`;
  const input2 = `test.runner-poison-2.${run}`;
  const small = `test.runner-poison-small.${run}`;
  const runners: Array<BatchConsumerRunner<string>> = [];
  let deadLetters: TopicObserver;

  beforeAll(async () => {
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic: input, numPartitions: 1 }, { topic: input2, numPartitions: 1 }, { topic: small, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '2048' }] }],
      waitForLeaders: true,
    });
    deadLetters = await TopicObserver.start([Topics.deadLetter.name]);
  });

  afterAll(async () => {
    for (const runner of runners) await runner.stop();
    await deadLetters?.stop();
    await admin.deleteTopics({ topics: [input, input2, small] }).catch(() => undefined);
    await admin.disconnect();
  });

  async function produce(topic: string, values: string[]): Promise<void> {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: values.map((value) => ({ key: `${run}-${value}`, value })) });
    await producer.disconnect();
  }

  async function start(sink: BatchSink<string>, topic: string, transactional: boolean): Promise<void> {
    const runner = new BatchConsumerRunner(kafka, sink, {
      groupId: `test-runner-poison-${randomUUID()}`,
      topics: [topic],
      backoff: { initialMs: 20, maxMs: 200, factor: 2 },
      fetchMinBytes: 1,
      ...(transactional ? { transactionalIdFor: (_topic: string, partition: number) => `test-runner-poison-${run}-${partition}` } : {}),
    });
    runners.push(runner);
    await runner.start();
  }

  const ofThisRun = (value: string) => (r: ConsumedRecord) => r.key?.toString('utf8') === `${run}-${value}`;

  it('dead-letters a record that fails for no known reason after MAX_RECORD_ATTEMPTS, and processes the others', async () => {
    const done: string[] = [];
    const attempts = new Map<string, number>();
    const sink: BatchSink<string> = {
      stage: 'test-unknown',
      transform: (record) => record.value!.toString('utf8'),
      async flush(items: ReadonlyArray<TransformedRecord<string>>) {
        for (const { value } of items) {
          if (!value.startsWith('bug')) continue;
          attempts.set(value, (attempts.get(value) ?? 0) + 1);
          // What a bug looks like: not a HookbusError, no SQLSTATE, no Kafka error type.
          throw new TypeError("Cannot read properties of undefined (reading 'communicationId')");
        }
        done.push(...items.map((item) => item.value));
      },
    };
    await produce(input, ['a', 'bug-1', 'b']);
    await start(sink, input, false);

    await waitFor(() => done.includes('a') && done.includes('b'), { what: 'the records around the poison one', timeoutMs: 30_000 });
    const [deadLetter] = await deadLetters.waitForRecords(ofThisRun('bug-1'));
    expect(deadLetter!.headers).toMatchObject({ [DeadLetterHeaders.stage]: 'test-unknown', [DeadLetterHeaders.errorCode]: 'TypeError', [DeadLetterHeaders.attempts]: String(MAX_RECORD_ATTEMPTS) });
    // Each pass tries the batch, then the record alone (which counts); the fifth failure alone dead-letters it.
    expect(attempts.get('bug-1')).toBe(2 * MAX_RECORD_ATTEMPTS);
    await produce(input, ['c']);
    await waitFor(() => done.includes('c'), { what: 'a record sent after the dead letter' });
    expect(deadLetters.matching(ofThisRun('bug-1'))).toHaveLength(1);
  });

  it('dead-letters at once a record whose output Kafka refuses as too large, in a transaction too', async () => {
    const done: string[] = [];
    let flushes = 0;
    const sink: BatchSink<string> = {
      stage: 'test-too-large',
      transform: (record) => record.value!.toString('utf8'),
      async flush(items: ReadonlyArray<TransformedRecord<string>>, effects: BatchEffects) {
        flushes++;
        // The output of a "large" record is above the small topic's max.message.bytes: the broker refuses it.
        await effects.send(items.map(({ value }) => ({ topic: small, key: value, value: value.startsWith('large') ? 'x'.repeat(4096) : value })));
        done.push(...items.map((item) => item.value));
      },
    };
    await produce(input2, ['large-1', 'd']);
    await start(sink, input2, true);

    await waitFor(() => done.includes('d'), { what: 'the record after the too-large one', timeoutMs: 30_000 });
    const [deadLetter] = await deadLetters.waitForRecords(ofThisRun('large-1'));
    expect(deadLetter!.headers).toMatchObject({ [DeadLetterHeaders.stage]: 'test-too-large', [DeadLetterHeaders.attempts]: '1' });
    // The batch, then each record alone: no retry of a refusal that can only repeat.
    expect(flushes).toBeLessThanOrEqual(4);
    expect(deadLetters.matching(ofThisRun('large-1'))).toHaveLength(1);
  });
});
