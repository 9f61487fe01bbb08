import type { Admin, ITopicConfig } from 'kafkajs';
import { ConfigResourceTypes } from 'kafkajs';
import type { TopicDeclaration, TopicDurability } from '@hookbus/contracts';
import { ProvisioningRefused, plannedTopicConfig, type TopicConfigEntry } from './topic-config-plan';

export { ProvisioningRefused };

/** The topic-level configs hookbus owns: set from the declaration on every provisioning (min.insync.replicas apart). */
function ownedConfig(topic: TopicDeclaration): TopicConfigEntry[] {
  const entries = [
    { name: 'cleanup.policy', value: topic.cleanupPolicy },
    { name: 'max.message.bytes', value: String(topic.maxMessageBytes) },
  ];
  if (topic.cleanupPolicy === 'delete') entries.push({ name: 'retention.ms', value: String(topic.retentionMs) });
  if (topic.cleanupPolicy === 'compact') {
    // The log cleaner only compacts closed segments, and a segment closes after segment.ms (7 days by default):
    // without these a state topic keeps every state ever written, and a restore reads all of them instead of one
    // record per live key. Tombstones (restore sentinels) stay a day so slow readers still see them.
    entries.push(
      { name: 'segment.ms', value: String(60 * 60 * 1000) },
      { name: 'min.cleanable.dirty.ratio', value: '0.1' },
      { name: 'delete.retention.ms', value: String(24 * 60 * 60 * 1000) },
    );
  }
  return entries;
}

/**
 * How a declared topic is created. Without min.insync.replicas: updateConfigs sets it right after, as for an existing
 * topic, so a broker-wide value higher than `durability`'s stays in force instead of being lowered by a topic-level one.
 */
export function newTopic(topic: TopicDeclaration, durability: TopicDurability): ITopicConfig {
  return { topic: topic.name, numPartitions: topic.partitions, replicationFactor: durability.replicationFactor, configEntries: ownedConfig(topic) };
}

export interface ProvisionResult {
  readonly created: string[];
  /**
   * Existing topics with fewer replicas than declared: provisioning never changes an existing topic's replication
   * factor (that is a partition reassignment, kafka-reassign-partitions.sh; docs/operations.md), and raises their
   * min.insync.replicas no higher than it (minInsyncFloor).
   */
  readonly replicationBelowDeclared: Array<{ topic: string; replicationFactor: number }>;
}

/**
 * Creates missing topics (with the replication factor of `durability`) and brings every declared topic in line with
 * its declaration (owned configs, min.insync.replicas at least `durability`'s, more partitions) without undoing what
 * an operator set on it. Idempotent: `npm start`, every test run and the container init step call it.
 */
export async function provisionTopics(admin: Admin, topics: readonly TopicDeclaration[], durability: TopicDurability, attempts = 6): Promise<ProvisionResult> {
  // What existed before the first attempt: a create that failed half-way must still count as created.
  const before = new Set(await admin.listTopics());
  for (let attempt = 1; ; attempt++) {
    try {
      const { replicationBelowDeclared } = await provisionOnce(admin, topics, durability);
      return { created: topics.map((t) => t.name).filter((name) => !before.has(name)), replicationBelowDeclared };
    } catch (error) {
      // A broker that just started (or just created the topics) can answer metadata requests with
      // UNKNOWN_TOPIC_OR_PARTITION or LEADER_NOT_AVAILABLE for a moment; what was created stays created, so look again.
      if (attempt >= attempts || error instanceof ProvisioningRefused) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
  }
}

async function provisionOnce(admin: Admin, topics: readonly TopicDeclaration[], durability: TopicDurability): Promise<Pick<ProvisionResult, 'replicationBelowDeclared'>> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t.name));
  if (missing.length > 0) {
    await admin.createTopics({ topics: missing.map((t) => newTopic(t, durability)), waitForLeaders: true }).catch((error: unknown) => {
      throw tooFewBrokers(error, durability) ?? error;
    });
  }
  if (topics.length === 0) return { replicationBelowDeclared: [] };
  const metadata = await admin.fetchTopicMetadata({ topics: topics.map((t) => t.name) });
  const replicationFactors = new Map(metadata.topics.map((m) => [m.name, Math.min(...m.partitions.map((p) => p.replicas.length))]));
  await updateConfigs(admin, topics, (topic) => minInsyncFloor(durability, replicationFactors.get(topic.name) ?? durability.replicationFactor));
  const present = topics.filter((t) => existing.has(t.name));
  const grow = metadata.topics
    .map((m) => ({ m, decl: present.find((t) => t.name === m.name) }))
    .filter(({ m, decl }) => decl !== undefined && m.partitions.length < decl.partitions)
    .map(({ decl }) => ({ topic: decl!.name, count: decl!.partitions }));
  if (grow.length > 0) await admin.createPartitions({ topicPartitions: grow });
  const replicationBelowDeclared = present
    .map((t) => ({ topic: t.name, replicationFactor: replicationFactors.get(t.name) ?? durability.replicationFactor }))
    .filter((t) => t.replicationFactor < durability.replicationFactor);
  return { replicationBelowDeclared };
}

/**
 * The min.insync.replicas provisioning raises a topic to: the declared one, but never above the topic's replication
 * factor. A topic with fewer replicas than in-sync replicas required accepts no write at all: raising it would turn a
 * durability gap (reported: replicationBelowDeclared, and the gateway's start check) into an outage of every stage.
 */
export function minInsyncFloor(durability: TopicDurability, replicationFactor: number): number {
  return Math.min(durability.minInsyncReplicas, replicationFactor);
}

/**
 * kafkajs says only "Topic creation errors" when the broker refuses a replication factor above its broker count (a
 * production setting against a one-broker stack): say which setting and topics.
 */
function tooFewBrokers(error: unknown, durability: TopicDurability): ProvisioningRefused | null {
  const refused = ((error as { errors?: Array<{ type?: string; topic?: string }> }).errors ?? []).filter((e) => e.type === 'INVALID_REPLICATION_FACTOR');
  if (refused.length === 0) return null;
  const topics = refused.map((e) => e.topic).join(', ');
  return new ProvisioningRefused(
    `the cluster has fewer brokers than KAFKA_REPLICATION_FACTOR ${durability.replicationFactor} (KAFKA_DURABILITY=production asks for 3): cannot create ${topics}; point KAFKA_BROKERS at the production cluster, or set KAFKA_DURABILITY=local for a single-broker stack`,
  );
}

/**
 * Read, merge, write (plannedTopicConfig): kafkajs 2.x can only send the non-incremental AlterConfigs, which replaces
 * every topic-level config — sent with hookbus's keys alone, it wiped what an operator had set (a raised
 * min.insync.replicas, say) on every `npm start` and init job. Not atomic: an operator's change landing between this
 * describe and this alter is lost. Accepted: provisioning runs at deploys, the window is one round trip, and only a
 * topic whose configs differ from the plan is written at all; an operator changing configs during a deploy checks
 * them afterwards (docs/operations.md, "Kafka durability").
 */
async function updateConfigs(admin: Admin, topics: readonly TopicDeclaration[], floorOf: (topic: TopicDeclaration) => number): Promise<void> {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((t) => ({ type: ConfigResourceTypes.TOPIC, name: t.name })),
  });
  const changes = topics.flatMap((topic) => {
    const described = resources.find((r) => r.resourceName === topic.name);
    if (!described || described.errorCode !== 0) throw new Error(`describeConfigs gave no configs for ${topic.name} (error code ${described?.errorCode ?? 'none'})`);
    const plan = plannedTopicConfig(topic.name, described.configEntries, ownedConfig(topic), floorOf(topic));
    return plan.changed ? [{ type: ConfigResourceTypes.TOPIC, name: topic.name, configEntries: plan.entries }] : [];
  });
  if (changes.length > 0) await admin.alterConfigs({ validateOnly: false, resources: changes });
}
