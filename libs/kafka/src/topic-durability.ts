import type { Admin } from 'kafkajs';
import { ConfigResourceTypes } from 'kafkajs';
import { TOPIC_DURABILITY, type KafkaDurabilityProfile } from '@hookbus/contracts';
import { KAFKA_DEFAULT_MIN_INSYNC_REPLICAS, MIN_INSYNC_REPLICAS } from './topic-config-plan';

const UNCLEAN_LEADER_ELECTION = 'unclean.leader.election.enable';

/** What decides whether a topic can lose a write acks=all acknowledged, as the cluster reports it. */
export interface TopicDurabilityFacts {
  readonly topic: string;
  /** The fewest replicas any of its partitions has. */
  readonly replicationFactor: number;
  /** Effective: the topic's own value, else the broker's. */
  readonly minInsyncReplicas: number;
  readonly uncleanLeaderElection: boolean;
}

/**
 * Why a write acks=all acknowledged can be lost with one broker's disk: a single copy; or a write acknowledged by the
 * leader alone (min.insync.replicas 1 lets the in-sync set shrink to the leader, which then acknowledges alone); or an
 * out-of-sync replica allowed to become leader (unclean leader election), which drops what it never had.
 */
export function acknowledgedWriteLossCauses(facts: TopicDurabilityFacts): string[] {
  const causes: string[] = [];
  if (facts.replicationFactor < 2) causes.push(`replication factor ${facts.replicationFactor}`);
  if (facts.minInsyncReplicas < 2) causes.push(`${MIN_INSYNC_REPLICAS} ${facts.minInsyncReplicas}`);
  if (facts.uncleanLeaderElection) causes.push(`${UNCLEAN_LEADER_ELECTION}=true`);
  return causes;
}

export type DurabilityVerdict =
  | { readonly action: 'start' }
  | { readonly action: 'warn' | 'refuse'; readonly message: string };

/**
 * The start check of a service that writes topics holding acknowledged webhooks (the gateway). The rule:
 * - a topic can lose an acknowledged write when acknowledgedWriteLossCauses names a cause;
 * - KAFKA_DURABILITY=production: any such topic refuses the start (one line naming the topics and the fix);
 * - KAFKA_DURABILITY=local: silent on a cluster too small for production durability (fewer brokers than its
 *   replication factor, 3: a single-broker stack is what local means, and a warning there is noise); on a cluster
 *   that could hold it, a warning, as local settings there are most likely a mistake.
 */
export function judgeAcknowledgedWriteDurability(profile: KafkaDurabilityProfile, brokerCount: number, topics: readonly TopicDurabilityFacts[]): DurabilityVerdict {
  const atRisk = topics.map((facts) => ({ facts, causes: acknowledgedWriteLossCauses(facts) })).filter(({ causes }) => causes.length > 0);
  if (atRisk.length === 0) return { action: 'start' };
  const named = atRisk.map(({ facts, causes }) => `${facts.topic} (${causes.join(', ')})`).join(', ');
  const fixes = fixesFor(atRisk.map(({ facts }) => facts));
  const risk = `${named} can lose webhooks already answered 200 when one broker's disk is lost`;
  if (profile === 'production') {
    return { action: 'refuse', message: `KAFKA_DURABILITY=production: refusing to start: ${risk}; fix: ${fixes} (docs/operations.md, "Kafka durability")` };
  }
  if (brokerCount < TOPIC_DURABILITY.production.replicationFactor) return { action: 'start' };
  return { action: 'warn', message: `KAFKA_DURABILITY=local on a cluster of ${brokerCount} brokers: ${risk}; set KAFKA_DURABILITY=production and ${fixes} (docs/operations.md, "Kafka durability")` };
}

function fixesFor(topics: readonly TopicDurabilityFacts[]): string {
  const fixes: string[] = [];
  const floor = TOPIC_DURABILITY.production.minInsyncReplicas;
  if (topics.some((t) => t.minInsyncReplicas < 2)) {
    fixes.push(`raise ${MIN_INSYNC_REPLICAS} to ${floor} (run the init step with KAFKA_DURABILITY=production, or kafka-configs.sh --alter --entity-type topics --entity-name <topic> --add-config ${MIN_INSYNC_REPLICAS}=${floor})`);
  }
  if (topics.some((t) => t.replicationFactor < 2)) {
    fixes.push(`raise the replication factor to ${TOPIC_DURABILITY.production.replicationFactor} (kafka-reassign-partitions.sh: provisioning does not change an existing topic's)`);
  }
  if (topics.some((t) => t.uncleanLeaderElection)) fixes.push(`set ${UNCLEAN_LEADER_ELECTION}=false on the topics and the brokers`);
  return fixes.join('; ');
}

/**
 * What the cluster says about these topics' durability, and how many brokers it has. Topics that do not exist are
 * left out: the init step creates them, and a write to a missing topic fails on its own.
 */
export async function describeTopicDurability(admin: Admin, topics: readonly string[]): Promise<{ brokerCount: number; topics: TopicDurabilityFacts[] }> {
  const { brokers } = await admin.describeCluster();
  const existing = new Set(await admin.listTopics());
  const present = topics.filter((topic) => existing.has(topic));
  if (present.length === 0) return { brokerCount: brokers.length, topics: [] };
  const metadata = await admin.fetchTopicMetadata({ topics: present });
  const { resources } = await admin
    .describeConfigs({
      includeSynonyms: false,
      resources: present.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: [MIN_INSYNC_REPLICAS, UNCLEAN_LEADER_ELECTION] })),
    })
    .catch((error: unknown) => {
      // A managed Kafka whose ACLs give the principal Write but not DescribeConfigs: say which permission is missing,
      // instead of kafkajs' bare "not authorized" (the check cannot run until an operator grants it).
      const type = (error as { type?: unknown }).type;
      if (type === 'TOPIC_AUTHORIZATION_FAILED' || type === 'CLUSTER_AUTHORIZATION_FAILED') {
        throw Object.assign(new Error(`the raw topics' durability cannot be checked: this Kafka principal may not describe their configs (grant DescribeConfigs on ${present.join(', ')})`), { type, cause: error });
      }
      throw error;
    });
  return {
    brokerCount: brokers.length,
    topics: present.map((topic) => {
      const partitions = metadata.topics.find((m) => m.name === topic)?.partitions ?? [];
      const entries = resources.find((r) => r.resourceName === topic)?.configEntries ?? [];
      const value = (name: string): string | undefined => entries.find((e) => e.configName === name)?.configValue ?? undefined;
      return {
        topic,
        replicationFactor: partitions.length === 0 ? 0 : Math.min(...partitions.map((p) => p.replicas.length)),
        minInsyncReplicas: Number(value(MIN_INSYNC_REPLICAS) ?? KAFKA_DEFAULT_MIN_INSYNC_REPLICAS),
        uncleanLeaderElection: value(UNCLEAN_LEADER_ELECTION) === 'true',
      };
    }),
  };
}
