import { ConfigSource } from 'kafkajs';
import { TOPIC_DURABILITY, Topics, allTopics, holdsAcknowledgedWebhooks, type TopicDeclaration } from '@hookbus/contracts';
import { plannedTopicConfig, type DescribedConfigEntry } from './topic-config-plan';
import { acknowledgedWriteLossCauses, judgeAcknowledgedWriteDurability, type TopicDurabilityFacts } from './topic-durability';
import { ProvisioningRefused, minInsyncFloor, newTopic } from './topic-provisioner';

const onTopic = (configName: string, configValue: string): DescribedConfigEntry => ({ configName, configValue, configSource: ConfigSource.TOPIC_CONFIG, isSensitive: false });
const fromBroker = (configName: string, configValue: string): DescribedConfigEntry => ({ configName, configValue, configSource: ConfigSource.STATIC_BROKER_CONFIG, isSensitive: false });
const kafkaDefault = (configName: string, configValue: string): DescribedConfigEntry => ({ configName, configValue, configSource: ConfigSource.DEFAULT_CONFIG, isSensitive: false });
const OWNED = [
  { name: 'cleanup.policy', value: 'delete' },
  { name: 'retention.ms', value: '1000' },
];

describe('plannedTopicConfig: what alterConfigs is sent (it replaces every topic-level config)', () => {
  it.each<[string, DescribedConfigEntry[], number, Record<string, string>, boolean]>([
    [
      'a new topic: owned configs and the floor over Kafka\'s default 1',
      [kafkaDefault('min.insync.replicas', '1'), kafkaDefault('retention.ms', '604800000'), onTopic('cleanup.policy', 'delete')],
      2,
      { 'cleanup.policy': 'delete', 'retention.ms': '1000', 'min.insync.replicas': '2' },
      true,
    ],
    [
      'an operator\'s unrelated config is kept',
      [onTopic('cleanup.policy', 'delete'), onTopic('retention.ms', '1000'), onTopic('message.timestamp.type', 'LogAppendTime'), kafkaDefault('min.insync.replicas', '1')],
      1,
      { 'cleanup.policy': 'delete', 'retention.ms': '1000', 'message.timestamp.type': 'LogAppendTime' },
      false,
    ],
    [
      'an operator\'s higher min.insync.replicas is kept (hookbus\'s value is a floor)',
      [onTopic('cleanup.policy', 'delete'), onTopic('retention.ms', '1000'), onTopic('min.insync.replicas', '3')],
      2,
      { 'cleanup.policy': 'delete', 'retention.ms': '1000', 'min.insync.replicas': '3' },
      false,
    ],
    [
      'a topic-level min.insync.replicas below the floor is raised',
      [onTopic('cleanup.policy', 'delete'), onTopic('retention.ms', '1000'), onTopic('min.insync.replicas', '1')],
      2,
      { 'cleanup.policy': 'delete', 'retention.ms': '1000', 'min.insync.replicas': '2' },
      true,
    ],
    [
      'a broker-wide min.insync.replicas at or above the floor stays inherited (not lowered by a topic-level value)',
      [onTopic('cleanup.policy', 'delete'), onTopic('retention.ms', '1000'), fromBroker('min.insync.replicas', '2')],
      1,
      { 'cleanup.policy': 'delete', 'retention.ms': '1000' },
      false,
    ],
    [
      'an owned config an operator changed follows the declaration again',
      [onTopic('cleanup.policy', 'delete'), onTopic('retention.ms', '5'), kafkaDefault('min.insync.replicas', '1')],
      1,
      { 'cleanup.policy': 'delete', 'retention.ms': '1000' },
      true,
    ],
  ])('%s', (_, current, floor, expected, changed) => {
    const plan = plannedTopicConfig('t', current, OWNED, floor);
    expect(Object.fromEntries(plan.entries.map((e) => [e.name, e.value]))).toEqual(expected);
    expect(plan.changed).toBe(changed);
  });

  it('refuses to update a topic with a sensitive topic-level config it cannot read back (alterConfigs would erase it)', () => {
    const hidden: DescribedConfigEntry = { configName: 'some.secret', configValue: null, configSource: ConfigSource.TOPIC_CONFIG, isSensitive: true };
    expect(() => plannedTopicConfig('webhooks.raw.credas', [hidden], OWNED, 1)).toThrow(/webhooks\.raw\.credas: some\.secret is set on the topic but the broker does not reveal its value/);
    // Refused, not failed: trying again cannot reveal the value, so the provisioner must not retry it six times.
    expect(() => plannedTopicConfig('webhooks.raw.credas', [hidden], OWNED, 1)).toThrow(ProvisioningRefused);
  });
});

describe('newTopic: how a declared topic is created', () => {
  it.each([
    ['production', Topics.raw.credas.name, 3],
    ['production', Topics.processState.name, 3],
    ['local', Topics.raw.credas.name, 1],
    ['local', Topics.processState.name, 1],
  ] as Array<['production' | 'local', string, number]>)('%s: %s gets replication factor %i', (profile, name, replicationFactor) => {
    const topic: TopicDeclaration = allTopics().find((t) => t.name === name)!;
    // Its partitions and owned configs too, and no min.insync.replicas: that is set right after, as a floor.
    const created = newTopic(topic, TOPIC_DURABILITY[profile]);
    expect(created).toMatchObject({ topic: topic.name, numPartitions: topic.partitions, replicationFactor });
    expect(created.configEntries!.map((e) => e.name)).toContain('cleanup.policy');
    expect(created.configEntries!.map((e) => e.name)).not.toContain('min.insync.replicas');
  });

  it('production keeps two copies of every acknowledged write and survives one broker down; local fits one broker', () => {
    expect(TOPIC_DURABILITY.production).toEqual({ replicationFactor: 3, minInsyncReplicas: 2 });
    expect(TOPIC_DURABILITY.local).toEqual({ replicationFactor: 1, minInsyncReplicas: 1 });
  });

  it('treats exactly the raw webhook topics as holding acknowledged webhooks', () => {
    expect(allTopics().filter((t) => holdsAcknowledgedWebhooks(t.name)).map((t) => t.name).sort()).toEqual(Object.values(Topics.raw).map((t) => t.name).sort());
  });
});

describe('minInsyncFloor: what provisioning raises min.insync.replicas to', () => {
  it.each([
    ['production', 3, 2],
    ['production', 2, 2],
    // Above the replication factor the topic would refuse every write: a durability gap must not become an outage.
    ['production', 1, 1],
    ['local', 1, 1],
    ['local', 3, 1],
  ] as Array<['production' | 'local', number, number]>)('%s, a topic of %i replicas: %i', (profile, replicationFactor, floor) => {
    expect(minInsyncFloor(TOPIC_DURABILITY[profile], replicationFactor)).toBe(floor);
  });
});

const facts = (replicationFactor: number, minInsyncReplicas: number, uncleanLeaderElection = false, topic = 'webhooks.raw.credas'): TopicDurabilityFacts => ({
  topic,
  replicationFactor,
  minInsyncReplicas,
  uncleanLeaderElection,
});

describe('acknowledgedWriteLossCauses', () => {
  it.each([
    [3, 2, false, []],
    [2, 2, false, []],
    [1, 1, false, ['replication factor 1', 'min.insync.replicas 1']],
    [3, 1, false, ['min.insync.replicas 1']],
    [1, 2, false, ['replication factor 1']],
    [3, 2, true, ['unclean.leader.election.enable=true']],
  ] as Array<[number, number, boolean, string[]]>)('replication factor %i, min.insync.replicas %i, unclean leader election %s: %j', (replicationFactor, minInsyncReplicas, unclean, causes) => {
    expect(acknowledgedWriteLossCauses(facts(replicationFactor, minInsyncReplicas, unclean))).toEqual(causes);
  });
});

describe('judgeAcknowledgedWriteDurability: the start check of a service writing raw topics', () => {
  it.each<['start' | 'warn' | 'refuse', string, 'production' | 'local', number, TopicDurabilityFacts[]]>([
    ['start', 'production, 3 brokers, RF 3 / min.insync 2', 'production', 3, [facts(3, 2)]],
    ['refuse', 'production, 3 brokers, min.insync 1', 'production', 3, [facts(3, 1)]],
    ['refuse', 'production, 3 brokers, RF 1', 'production', 3, [facts(1, 2)]],
    ['refuse', 'production, unclean leader election', 'production', 3, [facts(3, 2, true)]],
    ['refuse', 'production on one broker', 'production', 1, [facts(1, 1)]],
    ['start', 'production, no raw topic exists yet', 'production', 3, []],
    ['start', 'local on one broker (npm start), silently', 'local', 1, [facts(1, 1)]],
    ['start', 'local on two brokers, silently (no room for production durability)', 'local', 2, [facts(1, 1)]],
    ['warn', 'local on three brokers with RF 1', 'local', 3, [facts(1, 1)]],
    ['start', 'local on three brokers with safe topics, silently', 'local', 3, [facts(3, 2)]],
  ])('%s: %s', (action, _, profile, brokers, topics) => {
    expect(judgeAcknowledgedWriteDurability(profile, brokers, topics).action).toBe(action);
  });

  it('refuses in one line naming each topic at risk, why, and the fix', () => {
    const verdict = judgeAcknowledgedWriteDurability('production', 3, [facts(1, 1), facts(3, 2, false, 'webhooks.raw.authvia'), facts(3, 1, false, 'webhooks.raw.octapush')]);
    expect(verdict.action).toBe('refuse');
    const message = (verdict as { message: string }).message;
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toMatch(/^KAFKA_DURABILITY=production: refusing to start: webhooks\.raw\.credas \(replication factor 1, min\.insync\.replicas 1\), webhooks\.raw\.octapush \(min\.insync\.replicas 1\) can lose webhooks already answered 200/);
    expect(message).not.toContain('webhooks.raw.authvia');
    expect(message).toContain('--add-config min.insync.replicas=2');
    expect(message).toContain('kafka-reassign-partitions.sh');
  });

  it('warns in local with the setting to change', () => {
    const verdict = judgeAcknowledgedWriteDurability('local', 3, [facts(1, 1)]);
    expect((verdict as { message: string }).message).toMatch(/^KAFKA_DURABILITY=local on a cluster of 3 brokers: webhooks\.raw\.credas .*; set KAFKA_DURABILITY=production/);
  });
});
