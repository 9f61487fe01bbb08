import type { Kafka } from 'kafkajs';

export interface RecordPosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/** Reads the timestamp (epoch ms) of the first record at or after an offset; null when there is none to read. */
export interface RecordTimestampReader {
  timestampsAt(positions: readonly RecordPosition[]): Promise<Map<string, number | null>>;
  close(): Promise<void>;
}

export function positionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/** The slice of kafkajs' internal Cluster and Broker this reader uses (kafkajs 2.2.4, pinned in package.json). */
interface FetchedMessage {
  readonly offset: string;
  readonly timestamp: string;
  readonly isControlRecord?: boolean;
}
interface FetchResponse {
  readonly responses: ReadonlyArray<{ topicName: string; partitions: ReadonlyArray<{ partition: number; errorCode: number; messages: readonly FetchedMessage[] }> }>;
}
interface InternalBroker {
  fetch(request: {
    replicaId: number;
    isolationLevel: number;
    maxWaitTime: number;
    minBytes: number;
    maxBytes: number;
    topics: Array<{ topic: string; partitions: Array<{ partition: number; fetchOffset: string; maxBytes: number }> }>;
  }): Promise<FetchResponse>;
}
interface InternalCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addMultipleTargetTopics(topics: string[]): Promise<void>;
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(options: { nodeId: string }): Promise<InternalBroker>;
}
type CreateCluster = (options: { metadataMaxAge: number; allowAutoTopicCreation: boolean; isolationLevel: number }) => InternalCluster;

const READ_COMMITTED = 1;
const CONSUMER_REPLICA_ID = -1;
/** One record is all we need; the broker still returns a whole first batch if it is bigger (KIP-74). */
const PARTITION_MAX_BYTES = 64 * 1024;

/**
 * kafkajs has no `assign()`: its consumers read only through a consumer group, and joining one per sample would
 * take seconds and show up as yet another group. So this reader sends one Fetch request per leader broker through
 * the client's own cluster object, which kafkajs keeps behind a private symbol. If a kafkajs upgrade moves it,
 * construction fails loudly and the time lag is reported as unknown (the offset lag does not depend on it).
 */
export class KafkaRecordTimestampReader implements RecordTimestampReader {
  private cluster: InternalCluster | null = null;

  constructor(private readonly kafka: Kafka) {}

  static isSupported(kafka: Kafka): boolean {
    return findCreateCluster(kafka) !== null;
  }

  async timestampsAt(positions: readonly RecordPosition[]): Promise<Map<string, number | null>> {
    const result = new Map<string, number | null>();
    if (positions.length === 0) return result;
    const cluster = await this.connectedCluster();
    const topics = [...new Set(positions.map((p) => p.topic))];
    await cluster.addMultipleTargetTopics(topics);
    const requests = new Map<string, Array<{ topic: string; partition: number; offset: number }>>();
    for (const topic of topics) {
      const wanted = positions.filter((p) => p.topic === topic);
      const byLeader = cluster.findLeaderForPartitions(topic, wanted.map((p) => p.partition));
      for (const [leader, partitions] of Object.entries(byLeader)) {
        const list = requests.get(leader) ?? [];
        list.push(...wanted.filter((p) => partitions.includes(p.partition)));
        requests.set(leader, list);
      }
    }
    for (const [nodeId, list] of requests) {
      const broker = await cluster.findBroker({ nodeId });
      const response = await broker.fetch({
        replicaId: CONSUMER_REPLICA_ID,
        isolationLevel: READ_COMMITTED,
        maxWaitTime: 0,
        minBytes: 1,
        maxBytes: PARTITION_MAX_BYTES * list.length,
        topics: topics
          .map((topic) => ({ topic, partitions: list.filter((p) => p.topic === topic).map((p) => ({ partition: p.partition, fetchOffset: String(p.offset), maxBytes: PARTITION_MAX_BYTES })) }))
          .filter((t) => t.partitions.length > 0),
      });
      for (const position of list) result.set(positionKey(position.topic, position.partition), firstTimestamp(response, position));
    }
    return result;
  }

  async close(): Promise<void> {
    const cluster = this.cluster;
    this.cluster = null;
    await cluster?.disconnect();
  }

  private async connectedCluster(): Promise<InternalCluster> {
    if (this.cluster) return this.cluster;
    const create = findCreateCluster(this.kafka);
    if (!create) throw new Error('this kafkajs version does not expose its cluster; time lag is unavailable');
    const cluster = create({ metadataMaxAge: 60_000, allowAutoTopicCreation: false, isolationLevel: READ_COMMITTED });
    await cluster.connect();
    this.cluster = cluster;
    return cluster;
  }
}

function findCreateCluster(kafka: Kafka): CreateCluster | null {
  const symbol = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  const create = symbol ? (kafka as unknown as Record<symbol, unknown>)[symbol] : undefined;
  return typeof create === 'function' ? (create as CreateCluster) : null;
}

/** A fetch returns whole record batches, so records before the offset and transaction markers are skipped. */
function firstTimestamp(response: FetchResponse, position: RecordPosition): number | null {
  const partition = response.responses
    .filter((r) => r.topicName === position.topic)
    .flatMap((r) => r.partitions)
    .find((p) => p.partition === position.partition);
  if (!partition || partition.errorCode !== 0) return null;
  const record = partition.messages.find((m) => !m.isControlRecord && Number(m.offset) >= position.offset);
  return record ? Number(record.timestamp) : null;
}
