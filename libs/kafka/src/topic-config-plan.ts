// Relative imports and kafkajs only: test/support/global-setup.ts loads the provisioner without the @hookbus mapper.
import { ConfigSource } from 'kafkajs';

export const MIN_INSYNC_REPLICAS = 'min.insync.replicas';
/** Kafka's own default when neither the topic nor the broker sets it. */
export const KAFKA_DEFAULT_MIN_INSYNC_REPLICAS = 1;

/** A provisioning failure that trying again cannot fix (the provisioner does not retry it). */
export class ProvisioningRefused extends Error {}

export interface TopicConfigEntry {
  readonly name: string;
  readonly value: string;
}

/** One entry of a topic's describeConfigs answer (kafkajs ConfigEntries), as far as planning needs it. */
export interface DescribedConfigEntry {
  readonly configName: string;
  /** null for a sensitive entry: the broker does not reveal it. */
  readonly configValue: string | null;
  readonly configSource: ConfigSource;
  readonly isSensitive: boolean;
}

/**
 * The whole set of topic-level configs to send with alterConfigs, which replaces every topic-level config with what it
 * is given (kafkajs 2.x has no IncrementalAlterConfigs: tulios/kafkajs#1517). Hence: every entry set on the topic
 * itself (configSource TOPIC_CONFIG: an operator's, or hookbus's from an earlier run) is kept, the keys hookbus owns
 * are overlaid, and min.insync.replicas is a floor — raised to `minInsyncFloor` when the topic's effective value (its
 * own, or inherited from the broker) is lower, never lowered. `changed` is false when sending it would change nothing,
 * so the write (and its race, see provisionTopics) happens only when needed.
 */
export function plannedTopicConfig(
  topic: string,
  current: readonly DescribedConfigEntry[],
  owned: readonly TopicConfigEntry[],
  minInsyncFloor: number,
): { entries: TopicConfigEntry[]; changed: boolean } {
  const onTopic = current.filter((entry) => entry.configSource === ConfigSource.TOPIC_CONFIG);
  const hidden = onTopic.find((entry) => entry.configValue === null);
  if (hidden) {
    // alterConfigs would erase it, and its value cannot be read back to be sent again.
    throw new ProvisioningRefused(`${topic}: ${hidden.configName} is set on the topic but the broker does not reveal its value (sensitive); hookbus cannot update this topic's configs without erasing it: remove it, or change the topic with kafka-configs.sh`);
  }
  const before = new Map(onTopic.map((entry) => [entry.configName, entry.configValue!]));
  const after = new Map(before);
  for (const { name, value } of owned) {
    if (name === MIN_INSYNC_REPLICAS) throw new Error(`${MIN_INSYNC_REPLICAS} is a floor, given apart from the owned configs`);
    after.set(name, value);
  }
  const effective = Number(current.find((entry) => entry.configName === MIN_INSYNC_REPLICAS)?.configValue ?? KAFKA_DEFAULT_MIN_INSYNC_REPLICAS);
  const ownValue = before.get(MIN_INSYNC_REPLICAS);
  if (ownValue !== undefined) after.set(MIN_INSYNC_REPLICAS, String(Math.max(Number(ownValue), minInsyncFloor)));
  // Inherited and high enough (a broker-wide min.insync.replicas=2): left inherited, so the broker's setting still rules.
  else if (effective < minInsyncFloor) after.set(MIN_INSYNC_REPLICAS, String(minInsyncFloor));
  const changed = after.size !== before.size || [...after].some(([name, value]) => before.get(name) !== value);
  return { entries: [...after].map(([name, value]) => ({ name, value })), changed };
}
