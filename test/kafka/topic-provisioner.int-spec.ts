import { randomUUID } from 'node:crypto';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { TOPIC_DURABILITY, type TopicDeclaration } from '@hookbus/contracts';
import { provisionTopics } from '@hookbus/kafka';
import { TEST_KAFKA_BROKERS } from '@hookbus/testing';

describe('topic provisioning (real broker)', () => {
  const admin = new Kafka({ clientId: 'test-provisioner', brokers: TEST_KAFKA_BROKERS, logLevel: logLevel.NOTHING }).admin();
  const suffix = randomUUID().slice(0, 8);
  const declare = (name: string, cleanupPolicy: 'compact' | 'delete', partitions: number): TopicDeclaration => ({
    name, partitions, cleanupPolicy, retentionMs: cleanupPolicy === 'delete' ? 3_600_000 : -1, maxMessageBytes: 2 * 1024 * 1024, key: 'k', value: 'v', writtenBy: 'test',
  });
  const state = declare(`test.state.${suffix}`, 'compact', 2);
  const events = declare(`test.events.${suffix}`, 'delete', 2);

  beforeAll(() => admin.connect());
  afterAll(async () => {
    await admin.deleteTopics({ topics: [state.name, events.name] }).catch(() => undefined);
    await admin.disconnect();
  });

  async function configOf(topic: string): Promise<Record<string, string>> {
    const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }] });
    return Object.fromEntries(resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
  }

  it('creates topics as declared, compacted ones with segments the cleaner can compact, and is idempotent', async () => {
    expect((await provisionTopics(admin, [state, events], TOPIC_DURABILITY.local)).created).toEqual([state.name, events.name]);
    expect(await configOf(state.name)).toMatchObject({ 'cleanup.policy': 'compact', 'segment.ms': '3600000', 'min.cleanable.dirty.ratio': '0.1', 'max.message.bytes': String(2 * 1024 * 1024) });
    expect(await configOf(events.name)).toMatchObject({ 'cleanup.policy': 'delete', 'retention.ms': '3600000' });

    // Again, with more partitions declared: nothing created, partitions grown, configs kept.
    expect((await provisionTopics(admin, [{ ...state, partitions: 3 }, events], TOPIC_DURABILITY.local)).created).toEqual([]);
    const [metadata] = (await admin.fetchTopicMetadata({ topics: [state.name] })).topics;
    expect(metadata!.partitions).toHaveLength(3);
    expect(await configOf(state.name)).toMatchObject({ 'cleanup.policy': 'compact', 'segment.ms': '3600000' });
  });
});
