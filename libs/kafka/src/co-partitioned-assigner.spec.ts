import fc from 'fast-check';
import { AssignerProtocol, type Cluster } from 'kafkajs';
import { coPartitionedAssigner, stickyPartitionNumbers } from './co-partitioned-assigner';

const claimsOf = (entries: Record<string, number[]>) => new Map(Object.entries(entries));
const moved = (before: Map<string, number[]>, after: Map<string, number[]>) =>
  [...after].reduce((n, [id, partitions]) => n + partitions.filter((p) => !(before.get(id) ?? []).includes(p)).length, 0);

describe('sticky co-partitioned assignment', () => {
  it('balances new members over every partition', () => {
    expect(stickyPartitionNumbers(12, claimsOf({ a: [], b: [] }))).toEqual(new Map([['a', [0, 1, 2, 3, 4, 5]], ['b', [6, 7, 8, 9, 10, 11]]]));
  });

  it('a member joining takes only its share: nobody else loses more than it must', () => {
    const before = stickyPartitionNumbers(12, claimsOf({ a: [], b: [] }));
    const after = stickyPartitionNumbers(12, claimsOf({ a: before.get('a')!, b: before.get('b')!, c: [] }));
    expect(after.get('c')).toHaveLength(4);
    expect(moved(before, after)).toBe(4);
    for (const id of ['a', 'b']) expect(after.get(id)!.every((p) => before.get(id)!.includes(p))).toBe(true);
  });

  it('a member leaving hands over only its own partitions', () => {
    const before = claimsOf({ a: [0, 1, 2, 3], b: [4, 5, 6, 7], c: [8, 9, 10, 11] });
    const after = stickyPartitionNumbers(12, claimsOf({ a: before.get('a')!, c: before.get('c')! }));
    expect(moved(before, after)).toBe(4);
    expect([...after.get('a')!, ...after.get('c')!].sort((x, y) => x - y)).toEqual([...Array(12).keys()]);
  });

  it('a partition claimed twice (a stale member) goes to one member only', () => {
    const after = stickyPartitionNumbers(4, claimsOf({ a: [0, 1], b: [1, 2] }));
    expect(after.get('a')).toEqual([0, 1]);
    expect(after.get('b')).toEqual([2, 3]);
  });

  it('whatever members claim: every partition exactly once, shares differ by at most one, valid claims kept up to the share', () => {
    const scenario = fc.record({
      partitions: fc.integer({ min: 1, max: 24 }),
      claims: fc.dictionary(fc.stringMatching(/^[a-e]$/), fc.array(fc.nat(30), { maxLength: 12 }), { minKeys: 1, maxKeys: 5 }),
    });
    fc.assert(
      fc.property(scenario, ({ partitions, claims }) => {
        const result = stickyPartitionNumbers(partitions, new Map(Object.entries(claims)));
        const all = [...result.values()].flat().sort((a, b) => a - b);
        expect(all).toEqual([...Array(partitions).keys()]);
        const sizes = [...result.values()].map((p) => p.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        // Sticky: a member whose claims fit in the smaller share keeps them all (unless another member, first by id,
        // claimed the same partition).
        const base = Math.floor(partitions / result.size);
        const claimedBefore = new Set<number>();
        for (const id of [...result.keys()].sort()) {
          const valid = [...new Set(claims[id])].filter((p) => p < partitions && !claimedBefore.has(p));
          valid.forEach((p) => claimedBefore.add(p));
          if (valid.length <= base) for (const p of valid) expect(result.get(id)).toContain(p);
        }
      }),
    );
  });

  it('gives each member the same partition numbers of every topic, from the ownership members announce', async () => {
    const counts: Record<string, number> = { events: 6, hints: 6, small: 2 };
    const cluster = { findTopicPartitionMetadata: (topic: string) => Array.from({ length: counts[topic]! }, (_, partitionId) => ({ partitionId })) } as unknown as Cluster;
    const memberOwning = (owned: number[]) => coPartitionedAssigner(() => owned)({ cluster, groupId: 'g', logger: undefined as never });
    const metadata = (owned: number[]) => memberOwning(owned).protocol({ topics: ['events', 'hints', 'small'] }).metadata;
    const leader = memberOwning([]);
    const result = await leader.assign({
      members: [
        { memberId: 'm1', memberMetadata: metadata([3, 4, 5]) },
        { memberId: 'm2', memberMetadata: metadata([]) },
      ],
      topics: ['events', 'hints', 'small'],
    });
    const decoded = new Map(result.map((r) => [r.memberId, AssignerProtocol.MemberAssignment.decode(r.memberAssignment)!.assignment]));
    expect(decoded.get('m1')).toEqual({ events: [3, 4, 5], hints: [3, 4, 5] });
    expect(decoded.get('m2')).toEqual({ events: [0, 1, 2], hints: [0, 1, 2], small: [0, 1] });
  });
});
