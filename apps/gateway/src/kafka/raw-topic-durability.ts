import type { Kafka } from 'kafkajs';
import { rawTopicFor } from '@hookbus/contracts';
import type { SourceConfig } from '@hookbus/config';
import { describeTopicDurability, judgeAcknowledgedWriteDurability, type DurabilityVerdict } from '@hookbus/kafka';
import type { ServiceContext } from '@hookbus/platform';

/** The raw topics this gateway writes: one per provider of a configured source. */
export function rawTopicsOf(sources: readonly SourceConfig[]): string[] {
  return [...new Set(sources.map((source) => rawTopicFor(source.provider)))].sort();
}

/**
 * Asks the cluster whether the raw topics can lose a webhook already answered 200, and judges it by KAFKA_DURABILITY
 * (judgeAcknowledgedWriteDurability). Throws only when Kafka does not answer.
 */
export async function rawTopicDurabilityVerdict(context: ServiceContext, kafka: Kafka): Promise<DurabilityVerdict> {
  const topics = rawTopicsOf(context.config.sources);
  if (topics.length === 0) return { action: 'start' };
  const admin = kafka.admin();
  await admin.connect();
  try {
    const described = await describeTopicDurability(admin, topics);
    return judgeAcknowledgedWriteDurability(context.env.kafkaDurability.profile, described.brokerCount, described.topics);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
