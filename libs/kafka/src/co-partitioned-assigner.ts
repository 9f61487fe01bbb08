import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

/**
 * Gives each member the same partition numbers of every subscribed topic (like Kafka Streams' co-partitioning), so
 * records with one key on several topics of equal partition count — e.g. a process's status events and the entity
 * hints about it — are handled by one member, which alone owns that key's state. kafkajs' default round robin
 * assigner spreads topic-partitions independently and would split a key's state between members.
 */
export const CoPartitionedAssigner: PartitionAssigner = ({ cluster }) => ({
  name: 'HookbusCoPartitioned',
  version: 1,
  async assign({ members, topics }) {
    const memberIds = members.map((m) => m.memberId).sort();
    const partitionCount = Math.max(...topics.map((topic) => cluster.findTopicPartitionMetadata(topic).length));
    const assignment: Record<string, Record<string, number[]>> = {};
    for (const id of memberIds) assignment[id] = {};
    for (let partition = 0; partition < partitionCount; partition++) {
      const owner = memberIds[partition % memberIds.length]!;
      for (const topic of topics) {
        if (partition >= cluster.findTopicPartitionMetadata(topic).length) continue;
        (assignment[owner]![topic] ??= []).push(partition);
      }
    }
    return memberIds.map((memberId) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment: assignment[memberId]!, userData: Buffer.alloc(0) }),
    }));
  },
  protocol({ topics }) {
    return { name: 'HookbusCoPartitioned', metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }) };
  },
});
