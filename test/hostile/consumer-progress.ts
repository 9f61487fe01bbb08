import { randomUUID } from 'node:crypto';
import { AssignerProtocol, Kafka, logLevel, type Admin } from 'kafkajs';
import { readRawWebhookFacts } from '@hookbus/contracts';

/** Where one consumer group stands on one partition it is assigned. */
export interface PartitionProgress {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  /** The group's committed offset (the next record it will read); the partition's low watermark if none yet. */
  readonly committed: number;
  /** The partition's high watermark. */
  readonly end: number;
}

/** A record a group has not consumed yet although it could: the group is behind, not merely short of a marker. */
export interface PendingRecord {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  /** The receipt id header, when the record carries one: it names the request that caused it. */
  readonly receiptId: string | null;
}

export interface GroupsProgress {
  readonly partitions: PartitionProgress[];
  /** Groups with no member, or none with an assignment: nothing consumes for them (a crashed service). */
  readonly idle: string[];
}

/**
 * The committed offset and the end of every partition assigned to the members of `groups` (read from their
 * assignments, so a partition on which a group never committed — stuck on its first record — is still seen).
 */
export async function groupProgress(admin: Admin, groups: readonly string[]): Promise<GroupsProgress> {
  const described = await admin.describeGroups([...groups]);
  const progress: PartitionProgress[] = [];
  const idle: string[] = [];
  const ends = new Map<string, Map<number, { low: number; high: number }>>();
  const endsOf = async (topic: string) => {
    if (!ends.has(topic)) {
      const offsets = await admin.fetchTopicOffsets(topic);
      ends.set(topic, new Map(offsets.map((o) => [o.partition, { low: Number(o.low), high: Number(o.high) }])));
    }
    return ends.get(topic)!;
  };
  for (const group of described.groups) {
    const assigned = new Map<string, Set<number>>();
    for (const member of group.members) {
      const assignment = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
      for (const [topic, partitions] of Object.entries(assignment?.assignment ?? {})) {
        const set = assigned.get(topic) ?? new Set<number>();
        for (const p of partitions) set.add(p);
        assigned.set(topic, set);
      }
    }
    if (assigned.size === 0) {
      idle.push(group.groupId);
      continue;
    }
    const committed = await admin.fetchOffsets({ groupId: group.groupId, topics: [...assigned.keys()] });
    for (const { topic, partitions } of committed) {
      const topicEnds = await endsOf(topic);
      for (const { partition, offset } of partitions) {
        if (!assigned.get(topic)?.has(partition)) continue;
        const end = topicEnds.get(partition) ?? { low: 0, high: 0 };
        const at = Number(offset);
        progress.push({ group: group.groupId, topic, partition, committed: at >= 0 ? at : end.low, end: end.high });
      }
    }
  }
  return { partitions: progress, idle };
}

/**
 * How far short of a partition's end a group that has consumed everything may be: none. Every stage commits its
 * consumer position, past the commit and abort markers a read-committed consumer never receives
 * (libs/kafka/src/batch-consumer.ts), so a caught-up group's committed offset is the end offset. `pendingRecords`
 * below still names the record behind a gap.
 */
export const CONTROL_RECORD_SLACK = 0;

/** The quick test: every assigned partition within CONTROL_RECORD_SLACK of its end. */
export function nearTheEnd(progress: readonly PartitionProgress[], slack = CONTROL_RECORD_SLACK): boolean {
  return progress.every((p) => p.end - p.committed <= slack);
}

/**
 * The exact test, as the group's own consumer would see it: a fresh read-committed consumer starts at each
 * partition's committed offset and reads to the end. A partition whose gap holds only transaction markers (or
 * aborted records) yields nothing and is caught up; the first record it does yield is one the group has not
 * consumed — returned, with its receipt id, so a stall names the request behind it. Partitions the probe could not
 * read to the end within `timeoutMs` are returned as pending at their committed offset.
 */
export async function pendingRecords(brokers: readonly string[], progress: readonly PartitionProgress[], timeoutMs = 15_000): Promise<PendingRecord[]> {
  const gaps = progress.filter((p) => p.end > p.committed);
  if (gaps.length === 0) return [];
  const kafka = new Kafka({ clientId: 'hookbus-hostile-probe', brokers: [...brokers], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `hostile-probe-${randomUUID()}`, readUncommitted: false, maxWaitTimeInMs: 200 });
  const slot = (topic: string, partition: number) => `${topic}/${partition}`;
  // Several groups may read one partition from different offsets: the probe reads it once, from the lowest.
  const from = new Map<string, number>();
  for (const gap of gaps) from.set(slot(gap.topic, gap.partition), Math.min(from.get(slot(gap.topic, gap.partition)) ?? Infinity, gap.committed));
  const firstRecord = new Map<string, { offset: number; key: string | null; receiptId: string | null }[]>();
  const reachedTo = new Map<string, number>();
  const topics = [...new Set(gaps.map((g) => g.topic))];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: false });
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      const key = slot(payload.topic, payload.partition);
      reachedTo.set(key, Math.max(reachedTo.get(key) ?? -1, Number(payload.lastOffset)));
    });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const key = slot(batch.topic, batch.partition);
        const seen = firstRecord.get(key) ?? [];
        for (const message of batch.messages) {
          const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, value?.toString()]));
          const { receiptId } = readRawWebhookFacts({ topic: batch.topic, key: message.key, value: message.value, headers });
          seen.push({ offset: Number(message.offset), key: message.key?.toString('utf8') ?? null, receiptId });
        }
        firstRecord.set(key, seen);
      },
    });
    for (const [key, offset] of from) {
      const [topic, partition] = [key.slice(0, key.lastIndexOf('/')), Number(key.slice(key.lastIndexOf('/') + 1))];
      consumer.seek({ topic, partition, offset: String(offset) });
    }
    const deadline = Date.now() + timeoutMs;
    const settled = (gap: PartitionProgress) => {
      const key = slot(gap.topic, gap.partition);
      return (firstRecord.get(key) ?? []).some((r) => r.offset >= gap.committed && r.offset < gap.end) || (reachedTo.get(key) ?? -1) >= gap.end - 1;
    };
    while (Date.now() < deadline && !gaps.every(settled)) await new Promise((r) => setTimeout(r, 100));
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
  const pending: PendingRecord[] = [];
  for (const gap of gaps) {
    const key = slot(gap.topic, gap.partition);
    const record = (firstRecord.get(key) ?? []).filter((r) => r.offset >= gap.committed && r.offset < gap.end).sort((a, b) => a.offset - b.offset)[0];
    if (record) pending.push({ group: gap.group, topic: gap.topic, partition: gap.partition, ...record });
    else if ((reachedTo.get(key) ?? -1) < gap.end - 1) pending.push({ group: gap.group, topic: gap.topic, partition: gap.partition, offset: gap.committed, key: null, receiptId: null });
  }
  return pending;
}
