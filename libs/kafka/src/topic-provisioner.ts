import type { Admin, ITopicConfig } from 'kafkajs';
import { ConfigResourceTypes } from 'kafkajs';
import type { TopicDeclaration } from '@hookbus/contracts';

function configEntries(topic: TopicDeclaration): Array<{ name: string; value: string }> {
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
 * Creates missing topics and brings existing ones in line with their declaration (configs, more partitions).
 * Idempotent: `npm start`, every test run and the container init step call it.
 */
export async function provisionTopics(admin: Admin, topics: readonly TopicDeclaration[], attempts = 6): Promise<{ created: string[] }> {
  // What existed before the first attempt: a create that failed half-way must still count as created.
  const before = new Set(await admin.listTopics());
  for (let attempt = 1; ; attempt++) {
    try {
      await provisionOnce(admin, topics);
      return { created: topics.map((t) => t.name).filter((name) => !before.has(name)) };
    } catch (error) {
      // A broker that just started (or just created the topics) can answer metadata requests with
      // UNKNOWN_TOPIC_OR_PARTITION or LEADER_NOT_AVAILABLE for a moment; what was created stays created, so look again.
      if (attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
  }
}

async function provisionOnce(admin: Admin, topics: readonly TopicDeclaration[]): Promise<{ created: string[] }> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t.name));
  if (missing.length > 0) {
    const toCreate: ITopicConfig[] = missing.map((t) => ({
      topic: t.name,
      numPartitions: t.partitions,
      configEntries: configEntries(t),
    }));
    await admin.createTopics({ topics: toCreate, waitForLeaders: true });
  }
  const createdNow = missing.map((t) => t.name);
  const present = topics.filter((t) => existing.has(t.name));
  if (present.length > 0) {
    await admin.alterConfigs({
      validateOnly: false,
      resources: present.map((t) => ({ type: ConfigResourceTypes.TOPIC, name: t.name, configEntries: configEntries(t) })),
    });
    const metadata = await admin.fetchTopicMetadata({ topics: present.map((t) => t.name) });
    const grow = metadata.topics
      .map((m) => ({ m, decl: present.find((t) => t.name === m.name)! }))
      .filter(({ m, decl }) => m.partitions.length < decl.partitions)
      .map(({ decl }) => ({ topic: decl.name, count: decl.partitions }));
    if (grow.length > 0) await admin.createPartitions({ topicPartitions: grow });
  }
  return { created: createdNow };
}
