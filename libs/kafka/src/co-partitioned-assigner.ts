import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

const PROTOCOL = 'HookbusCoPartitioned';

/** What a member announces when it joins: the partition numbers it owns now (empty for a new member). */
interface Ownership {
  readonly owned: readonly number[];
}

function encodeOwnership(owned: readonly number[]): Buffer {
  return Buffer.from(JSON.stringify({ owned } satisfies Ownership));
}

function decodeOwnership(userData: Buffer | null | undefined): readonly number[] {
  if (!userData || userData.length === 0) return [];
  try {
    const parsed = JSON.parse(userData.toString('utf8')) as Partial<Ownership>;
    return Array.isArray(parsed.owned) ? parsed.owned.filter((p): p is number => Number.isInteger(p) && p >= 0) : [];
  } catch {
    // A member of an older version (no user data) or a damaged one: it owns nothing we can keep.
    return [];
  }
}

/**
 * Sticky, balanced assignment of `partitionCount` partition numbers to `memberIds` (sorted): every member gets
 * floor or ceil of the average; a member keeps the partitions it claims up to its share, the members claiming the
 * most get the larger shares, and only the rest moves. Pure, so it is tested on its own.
 */
export function stickyPartitionNumbers(partitionCount: number, claims: ReadonlyMap<string, readonly number[]>): Map<string, number[]> {
  const memberIds = [...claims.keys()].sort();
  const result = new Map<string, number[]>(memberIds.map((id) => [id, []]));
  if (memberIds.length === 0) return result;
  const taken = new Set<number>();
  const valid = new Map<string, number[]>();
  for (const id of memberIds) {
    // Two members claiming one partition (a zombie's stale view): the first by member id keeps it.
    const mine = [...new Set(claims.get(id) ?? [])].filter((p) => p < partitionCount && !taken.has(p)).sort((a, b) => a - b);
    for (const p of mine) taken.add(p);
    valid.set(id, mine);
  }
  const base = Math.floor(partitionCount / memberIds.length);
  const larger = new Set(
    [...memberIds].sort((a, b) => valid.get(b)!.length - valid.get(a)!.length || a.localeCompare(b)).slice(0, partitionCount % memberIds.length),
  );
  const share = (id: string) => base + (larger.has(id) ? 1 : 0);
  const assigned = new Set<number>();
  for (const id of memberIds) {
    const kept = valid.get(id)!.slice(0, share(id));
    result.set(id, kept);
    for (const p of kept) assigned.add(p);
  }
  let next = 0;
  for (const id of memberIds) {
    const mine = result.get(id)!;
    while (mine.length < share(id)) {
      while (assigned.has(next)) next++;
      mine.push(next);
      assigned.add(next);
    }
    mine.sort((a, b) => a - b);
  }
  return result;
}

/**
 * Gives each member the same partition numbers of every subscribed topic (like Kafka Streams' co-partitioning), so
 * records with one key on several topics of equal partition count — e.g. a process's status events and the entity
 * hints about it — are handled by one member, which alone owns that key's state. kafkajs' default round robin
 * assigner spreads topic-partitions independently and would split a key's state between members.
 *
 * Sticky: each member announces the partition numbers it owns (`owned`, read when it joins), and a rebalance moves
 * only the partitions that must move to keep the members balanced — a partition that moves costs its new owner a
 * state restore. (Eager protocol still: every member stops during the rebalance, kafkajs has no cooperative one.)
 */
export function coPartitionedAssigner(owned: () => readonly number[] = () => []): PartitionAssigner {
  return ({ cluster }) => ({
    name: PROTOCOL,
    version: 1,
    async assign({ members, topics }) {
      const partitionCount = Math.max(...topics.map((topic) => cluster.findTopicPartitionMetadata(topic).length));
      const claims = new Map(members.map((m) => [m.memberId, decodeOwnership(AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.userData)]));
      const numbers = stickyPartitionNumbers(partitionCount, claims);
      return [...numbers].map(([memberId, partitions]) => {
        const assignment: Record<string, number[]> = {};
        for (const topic of topics) {
          const count = cluster.findTopicPartitionMetadata(topic).length;
          const mine = partitions.filter((p) => p < count);
          if (mine.length > 0) assignment[topic] = mine;
        }
        return { memberId, memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment, userData: Buffer.alloc(0) }) };
      });
    },
    protocol({ topics }) {
      return { name: PROTOCOL, metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: encodeOwnership(owned()) }) };
    },
  });
}

/** The co-partitioning assigner for members that keep no state worth keeping (a new member claims nothing). */
export const CoPartitionedAssigner: PartitionAssigner = coPartitionedAssigner();
