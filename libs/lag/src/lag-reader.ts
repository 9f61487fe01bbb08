import { AssignerProtocol, type Admin, type GroupDescription } from 'kafkajs';
import { groupStateOf, offsetLag, oldestUnconsumedOffset, type GroupMembership, type GroupSample, type PartitionSample } from './lag-sample';
import { positionKey, type RecordPosition, type RecordTimestampReader } from './record-timestamp-reader';

/**
 * A group to watch; without `topics`, every topic the group has committed offsets on or its members are assigned
 * (as Kafka's own `kafka-consumer-groups --describe` lists them: a partition consumed but never committed is lag too).
 */
export interface LagTarget {
  readonly groupId: string;
  readonly topics?: readonly string[];
}

interface LogBounds {
  readonly start: number;
  readonly end: number;
}

/**
 * Takes one sample of each group with the admin API: committed offsets (OffsetFetch), log bounds (ListOffsets),
 * state and members (DescribeGroups), and — for lagging partitions — the timestamp of the record at the committed
 * offset (the oldest unconsumed one).
 */
export class LagReader {
  constructor(
    private readonly admin: Admin,
    private readonly timestamps: RecordTimestampReader | null,
  ) {}

  async read(targets: readonly LagTarget[], now: number): Promise<GroupSample[]> {
    if (targets.length === 0) return [];
    const described = await this.admin.describeGroups(targets.map((t) => t.groupId));
    const bounds = new Map<string, Map<number, LogBounds>>();
    const samples: GroupSample[] = [];
    for (const target of targets) {
      const group = described.groups.find((g) => g.groupId === target.groupId);
      const topics = target.topics ?? (await this.consumedTopics(target.groupId, group));
      const committed = topics.length === 0 ? [] : await this.admin.fetchOffsets({ groupId: target.groupId, topics: [...topics] });
      const partitions: PartitionSample[] = [];
      for (const { topic, partitions: offsets } of committed) {
        const topicBounds = await this.boundsOf(topic, bounds);
        for (const { partition, offset } of offsets) {
          const log = topicBounds.get(partition);
          if (!log) continue;
          const position = Number(offset) >= 0 ? Number(offset) : null;
          partitions.push({ topic, partition, committed: position, start: log.start, end: log.end, lag: offsetLag(position, log.start, log.end), lagSeconds: 0 });
        }
      }
      partitions.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
      samples.push({
        groupId: target.groupId,
        at: now,
        membership: membershipOf(group),
        state: groupStateOf(group?.state),
        members: group?.members.length ?? 0,
        partitions: await this.withTimeLag(partitions, now),
      });
    }
    return samples;
  }

  /** Topics with committed offsets, plus those assigned to the group's current members. */
  private async consumedTopics(groupId: string, group: GroupDescription | undefined): Promise<string[]> {
    const topics = new Set((await this.admin.fetchOffsets({ groupId })).map((t) => t.topic));
    for (const topic of assignedTopics(group)) topics.add(topic);
    return [...topics].sort();
  }

  private async boundsOf(topic: string, cache: Map<string, Map<number, LogBounds>>): Promise<Map<number, LogBounds>> {
    const cached = cache.get(topic);
    if (cached) return cached;
    const offsets = await this.admin.fetchTopicOffsets(topic);
    const result = new Map(offsets.map((o) => [o.partition, { start: Number(o.low), end: Number(o.high) }]));
    cache.set(topic, result);
    return result;
  }

  private async withTimeLag(partitions: PartitionSample[], now: number): Promise<PartitionSample[]> {
    const waiting: RecordPosition[] = partitions.flatMap((p) => {
      const offset = oldestUnconsumedOffset(p.committed, p.start, p.end);
      return offset === null ? [] : [{ topic: p.topic, partition: p.partition, offset }];
    });
    if (waiting.length === 0) return partitions;
    const timestamps = await this.readTimestamps(waiting);
    return partitions.map((p) => {
      if (p.lag === 0) return p;
      const timestamp = timestamps.get(positionKey(p.topic, p.partition));
      return { ...p, lagSeconds: timestamp == null ? null : ageSeconds(timestamp, now) };
    });
  }

  private async readTimestamps(positions: RecordPosition[]): Promise<Map<string, number | null>> {
    if (!this.timestamps) return new Map();
    try {
      return await this.timestamps.timestampsAt(positions);
    } catch {
      // The offset lag stands on its own; an unreadable record only makes the time lag unknown for this sample.
      return new Map();
    }
  }
}

/** Seconds between a record's timestamp and `now`; a producer clock ahead of ours counts as 0, not negative. */
export function ageSeconds(timestampMs: number, now: number): number {
  return Math.max(0, (now - timestampMs) / 1000);
}

/** Topics in the members' assignments of a consumer-protocol group (other protocols assign nothing we can read). */
export function assignedTopics(group: GroupDescription | undefined): string[] {
  if (!group || group.protocolType !== 'consumer') return [];
  const topics = new Set<string>();
  for (const member of group.members) {
    try {
      const decoded = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
      for (const topic of Object.keys(decoded?.assignment ?? {})) topics.add(topic);
    } catch {
      // An assignment this client cannot decode: the committed offsets still tell most of the story.
    }
  }
  return [...topics];
}

export function membershipOf(group: GroupDescription | undefined): GroupMembership {
  if (!group) return 'unknown';
  if (group.members.length > 0) return 'active';
  if (group.state === 'Empty' || group.state === 'Dead') return 'empty';
  return 'unknown';
}
