/**
 * test/support/consumer-groups.ts groupStartingNow, on the tests' broker: it places a new group at the topics' end,
 * and when its member cannot join it fails with a message naming the group instead of hanging the spec silently
 * (kafkajs at logLevel NOTHING says nothing when a consumer crashes for good, and its join event never comes).
 */
import { Kafka, logLevel } from 'kafkajs';
import { Topics } from '@hookbus/contracts';
import { TEST_KAFKA_BROKERS, groupStartingNow } from '@hookbus/testing';

const TOPICS = [Topics.deadLetter.name, Topics.transitions.name];

it("commits every partition's end offset for the new group", async () => {
  const admin = new Kafka({ clientId: 'test-group-starting-now-spec', brokers: TEST_KAFKA_BROKERS, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const groupId = await groupStartingNow('test-starting-now', TOPICS);
    for (const topic of TOPICS) {
      const ends = await admin.fetchTopicOffsets(topic);
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      // Nothing else writes these topics while this spec runs (one integration file at a time).
      expect(committed!.partitions.map(({ partition, offset }) => [partition, offset]).sort(([a], [b]) => Number(a) - Number(b))).toEqual(
        ends.map(({ partition, high }) => [partition, high]).sort(([a], [b]) => Number(a) - Number(b)),
      );
    }
  } finally {
    await admin.disconnect();
  }
});

it('fails at once, naming the group and the reason, when its member crashes for good while joining', async () => {
  // A session timeout above the broker's group.max.session.timeout.ms (30 min by default): the broker refuses the
  // join with INVALID_SESSION_TIMEOUT, which kafkajs does not retry.
  const began = Date.now();
  await expect(groupStartingNow('test-starting-now-crash', TOPICS, { consumer: { sessionTimeout: 3_600_000, rebalanceTimeout: 3_600_000 } })).rejects.toThrow(
    /^groupStartingNow: the member of test-starting-now-crash-[0-9a-f-]{36} crashed and will not rejoin: KafkaJSProtocolError: .*session timeout/i,
  );
  expect(Date.now() - began).toBeLessThan(20_000);
});

it('fails with a clear message when the join takes longer than its limit', async () => {
  // No member joins a group in 1 ms: the limit, not the join, ends the wait.
  await expect(groupStartingNow('test-starting-now-slow', TOPICS, { joinTimeoutMs: 1 })).rejects.toThrow(
    /^groupStartingNow: the member of test-starting-now-slow-[0-9a-f-]{36} did not join within 0\.001 s$/,
  );
});
