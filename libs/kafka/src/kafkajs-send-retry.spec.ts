/**
 * kafkajs 2.2.4's own sendMessages, retrier and Lock against fake brokers that deduplicate like Kafka (a batch whose
 * first and last sequence match one of the last five is a duplicate: acknowledged, not appended). The failover this
 * replays: P0's old leader appends a batch (replicated) and its answer is lost; P1's leader answers NOT_LEADER at
 * once; with Promise.all the attempt failed on P1 and the retry sent P0's batch to the new leader before the old
 * request had failed — which then handed P0's sequence numbers back. The next batch on P0, another record, went out
 * under numbers the broker had seen: acknowledged, never written. patches/kafkajs+2.2.4.patch makes an attempt wait
 * for all its requests (Promise.allSettled) before a retry. The second case: a partition whose leader failed is sent
 * to its new leader on the retry even when that broker already took the attempt's other partitions (unpatched,
 * kafkajs kept its answers per broker and sent nothing more to one that had answered: the partition's records were
 * never sent, and the send succeeded). Both cases fail without the patch.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import { dirname, join } from 'node:path';

const kafkajsSrc = join(dirname(require.resolve('kafkajs/package.json')), 'src');
const load = (path: string) => require(join(kafkajsSrc, path));

interface Partition { next: number; cache: Array<{ first: number; last: number }>; log: string[] }
type Msg = { value: string; partition: number };
type TopicData = Array<{ topic: string; partitions: Array<{ partition: number; messages: Msg[]; firstSequence: number }> }>;

/** kafkajs' own producer sequence bookkeeping, as its eosManager keeps it for an idempotent producer, with its Lock per broker. */
function idempotentProducerState() {
  const Lock = load('utils/lock');
  const sequences: Record<string, Record<number, number>> = {};
  const locks: Record<number, { acquire(): Promise<void>; release(): void }> = {};
  const eosManager = {
    isTransactional: () => false,
    getProducerId: () => 7,
    getProducerEpoch: () => 0,
    getSequence: (t: string, p: number) => ((sequences[t] ??= {})[p] ??= 0),
    updateSequence: (t: string, p: number, increment: number) => {
      eosManager.getSequence(t, p);
      sequences[t]![p]! += increment;
    },
    acquireBrokerLock: async (b: { nodeId: number }) => (locks[b.nodeId] ??= new Lock({ timeout: 0xffff })).acquire(),
    releaseBrokerLock: (b: { nodeId: number }) => locks[b.nodeId]!.release(),
  };
  return { sequences, eosManager };
}

/** kafkajs' sendMessages with its own retrier, messages on the partition they name. */
function kafkajsSend(cluster: object, eosManager: object): (request: { acks: number; topicMessages: Array<{ topic: string; messages: Msg[] }> }) => Promise<unknown> {
  const sendMessages = load('producer/sendMessages');
  const createRetry = load('retry');
  const logger = { debug: () => undefined, error: () => undefined, info: () => undefined, warn: () => undefined };
  return sendMessages({
    logger,
    cluster,
    partitioner: ({ message }: { message: Msg }) => message.partition,
    eosManager,
    retrier: createRetry({ initialRetryTime: 20, maxRetryTime: 1000, retries: 50 }),
  });
}

it("kafkajs' retry never hands back sequence numbers another request has used: a record acknowledged after a leader failover is written", async () => {
  const { KafkaJSProtocolError, KafkaJSRequestTimeoutError } = load('errors');
  const { createErrorFromCode } = load('protocol/error');
  const NOT_LEADER = 6;
  const OUT_OF_ORDER_SEQUENCE = 45;

  const { eosManager } = idempotentProducerState();

  const partitions: Record<number, Partition> = { 0: { next: 0, cache: [], log: [] }, 1: { next: 0, cache: [], log: [] } };
  const append = (p: number, first: number, messages: Msg[]): void => {
    const state = partitions[p]!;
    const last = first + messages.length - 1;
    if (state.cache.some((c) => c.first === first && c.last === last)) return; // a duplicate: acknowledged, not appended
    if (first !== state.next) throw new KafkaJSProtocolError(createErrorFromCode(OUT_OF_ORDER_SEQUENCE));
    state.log.push(...messages.map((m) => m.value));
    state.next = last + 1;
    state.cache.push({ first, last });
    if (state.cache.length > 5) state.cache.shift();
  };
  const appendAll = (topicData: TopicData) => {
    for (const { partitions: parts } of topicData) for (const { partition, messages, firstSequence } of parts) append(partition, firstSequence, messages);
  };
  const acknowledged = (topicData: TopicData) => ({
    topics: topicData.map(({ topic, partitions: parts }) => ({ topicName: topic, partitions: parts.map(({ partition }) => ({ partition, errorCode: 0, baseOffset: '0' })) })),
  });

  let oldLeaderAnswered: () => void = () => undefined;
  const oldLeaderDone = new Promise<void>((resolve) => (oldLeaderAnswered = resolve));
  let p1LeaderCalls = 0;
  let oldLeaderCalls = 0;
  const brokers: Record<number, { nodeId: number; produce(request: { topicData: TopicData }): Promise<unknown> }> = {
    // P0's old leader: appends (replicated to the new leader), then its answer is lost (a request timeout, later).
    1: {
      nodeId: 1,
      async produce({ topicData }) {
        if (++oldLeaderCalls > 1) throw new KafkaJSProtocolError(createErrorFromCode(NOT_LEADER));
        appendAll(topicData);
        await new Promise((resolve) => setTimeout(resolve, 300));
        oldLeaderAnswered();
        throw new KafkaJSRequestTimeoutError('Request produce(key: 0, version: 7) timed out');
      },
    },
    // P1's leader: NOT_LEADER once (an election under way), then fine.
    2: {
      nodeId: 2,
      async produce({ topicData }) {
        if (++p1LeaderCalls === 1) throw new KafkaJSProtocolError(createErrorFromCode(NOT_LEADER));
        appendAll(topicData);
        return acknowledged(topicData);
      },
    },
    // P0's new leader, sharing the old leader's replicated state.
    3: {
      nodeId: 3,
      async produce({ topicData }) {
        appendAll(topicData);
        return acknowledged(topicData);
      },
    },
  };
  let leaderOfP0 = 1;
  const cluster = {
    refreshMetadataIfNecessary: async () => undefined,
    addMultipleTargetTopics: async () => undefined,
    isConnected: () => true,
    refreshMetadata: async () => void (leaderOfP0 = 3),
    removeBroker: () => undefined,
    findTopicPartitionMetadata: () => [{ partitionId: 0, leader: leaderOfP0 }, { partitionId: 1, leader: 2 }],
    findLeaderForPartitions: (_topic: string, parts: number[]) =>
      parts.reduce<Record<number, number[]>>((byLeader, p) => {
        const leader = Number(p) === 0 ? leaderOfP0 : 2;
        (byLeader[leader] ??= []).push(Number(p));
        return byLeader;
      }, {}),
    findBroker: async ({ nodeId }: { nodeId: number }) => brokers[nodeId],
  };
  const send = kafkajsSend(cluster, eosManager);

  await send({ acks: -1, topicMessages: [{ topic: 't', messages: [{ value: 'a', partition: 0 }, { value: 'b', partition: 1 }] }] });
  await oldLeaderDone;
  await new Promise((resolve) => setTimeout(resolve, 20));
  await send({ acks: -1, topicMessages: [{ topic: 't', messages: [{ value: 'c', partition: 0 }] }] });

  expect(partitions[0]!.log).toEqual(['a', 'c']);
  expect(partitions[1]!.log).toEqual(['b']);
});

it("kafkajs' retry sends a failed partition to its new leader even when that broker took the attempt's other partitions", async () => {
  // The tracker's loss in the cluster scenario: one transaction's records for P0 went to P0's leader (broker 1, fine)
  // and for P1 to its stale leader (broker 2: NOT_LEADER); the refreshed metadata named broker 1 leader of P1, and
  // unpatched kafkajs sent nothing more to a broker that had answered, so P1's records were never sent and the send
  // (then the transaction, with its input offsets) succeeded without them.
  const { KafkaJSProtocolError } = load('errors');
  const { createErrorFromCode } = load('protocol/error');
  const NOT_LEADER = 6;

  const { sequences, eosManager } = idempotentProducerState();
  const logs: Record<number, string[]> = { 0: [], 1: [] };
  let leaderOfP1 = 2;
  const produced = (nodeId: number, topicData: TopicData) => {
    for (const { partitions: parts } of topicData) {
      for (const { partition } of parts) {
        const leader = partition === 0 ? 1 : leaderOfP1;
        if (leader !== nodeId) throw new KafkaJSProtocolError(createErrorFromCode(NOT_LEADER));
      }
    }
    for (const { partitions: parts } of topicData) for (const { partition, messages } of parts) logs[partition]!.push(...messages.map((m) => m.value));
    return { topics: topicData.map(({ topic, partitions: parts }) => ({ topicName: topic, partitions: parts.map(({ partition }) => ({ partition, errorCode: 0, baseOffset: '0' })) })) };
  };
  const brokers: Record<number, { nodeId: number; produce(request: { topicData: TopicData }): Promise<unknown> }> = {
    1: { nodeId: 1, produce: async ({ topicData }) => produced(1, topicData) },
    // P1's old leader: it lost the leadership to broker 1 (the client's metadata does not know yet).
    2: {
      nodeId: 2,
      produce: async ({ topicData }) => {
        leaderOfP1 = 1;
        return produced(2, topicData);
      },
    },
  };
  let metadataLeaderOfP1 = 2;
  const cluster = {
    refreshMetadataIfNecessary: async () => undefined,
    addMultipleTargetTopics: async () => undefined,
    isConnected: () => true,
    refreshMetadata: async () => void (metadataLeaderOfP1 = leaderOfP1),
    removeBroker: () => undefined,
    findTopicPartitionMetadata: () => [{ partitionId: 0, leader: 1 }, { partitionId: 1, leader: metadataLeaderOfP1 }],
    findLeaderForPartitions: (_topic: string, parts: number[]) =>
      parts.reduce<Record<number, number[]>>((byLeader, p) => {
        const leader = Number(p) === 0 ? 1 : metadataLeaderOfP1;
        (byLeader[leader] ??= []).push(Number(p));
        return byLeader;
      }, {}),
    findBroker: async ({ nodeId }: { nodeId: number }) => brokers[nodeId],
  };
  const send = kafkajsSend(cluster, eosManager);

  const answer = (await send({ acks: -1, topicMessages: [{ topic: 't', messages: [{ value: 'a', partition: 0 }, { value: 'b', partition: 1 }] }] })) as Array<{ partition: number }>;

  expect(logs[0]).toEqual(['a']);
  expect(logs[1]).toEqual(['b']);
  expect(answer.map((r) => r.partition).sort()).toEqual([0, 1]);
  expect(sequences['t']).toEqual({ 0: 1, 1: 1 });
});
