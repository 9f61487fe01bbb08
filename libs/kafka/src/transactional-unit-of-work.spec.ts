import type { Kafka } from 'kafkajs';
import { TransactionalUnitOfWork } from './transactional-unit-of-work';

/** A transactional producer session; `failSends` sends fail (as a timed-out produce that may have been appended). */
class FakeTransactionalProducer {
  readonly committed: string[] = [];
  connected = false;
  failSends = 0;

  constructor(readonly id: number) {}

  async connect(): Promise<void> {
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    this.connected = false;
  }

  async transaction() {
    const pending: string[] = [];
    return {
      sendBatch: async ({ topicMessages }: { topicMessages: Array<{ messages: Array<{ value: string }> }> }) => {
        if (this.failSends > 0) {
          this.failSends--;
          throw Object.assign(new Error('The request timed out'), { name: 'KafkaJSRequestTimeoutError' });
        }
        for (const topic of topicMessages) pending.push(...topic.messages.map((m) => m.value));
        return [];
      },
      sendOffsets: async () => undefined,
      commit: async () => void this.committed.push(...pending),
      abort: async () => void (pending.length = 0),
    };
  }
}

function unitOfWork(): { uow: TransactionalUnitOfWork; sessions: FakeTransactionalProducer[] } {
  const sessions: FakeTransactionalProducer[] = [];
  const kafka = {
    producer: () => {
      const producer = new FakeTransactionalProducer(sessions.length + 1);
      sessions.push(producer);
      return producer;
    },
  } as unknown as Kafka;
  return { uow: new TransactionalUnitOfWork(kafka, 'group', (_topic, partition) => `group-p${partition}`), sessions };
}

const partition = { topic: 'in', partition: 0 };
const sendOne = (uow: TransactionalUnitOfWork, value: string, offset: string) =>
  uow.run(partition, async (effects) => void (await effects.send([{ topic: 'out', key: value, value }])), async () => undefined, { ...partition, offset });

describe('TransactionalUnitOfWork producer sessions', () => {
  it('after a failed send (aborted), the next transaction goes out on a fresh producer: a new epoch, no reused sequence numbers', async () => {
    const { uow, sessions } = unitOfWork();
    await uow.prepare([{ topic: 'in', partitions: [0] }]);
    await sendOne(uow, 'a', '1');
    sessions[0].failSends = 1;
    await expect(sendOne(uow, 'b', '2')).rejects.toThrow('timed out');
    await sendOne(uow, 'c', '3');

    expect(sessions).toHaveLength(2);
    expect(sessions[0].committed).toEqual(['a']);
    expect(sessions[0].connected).toBe(false);
    expect(sessions[1].committed).toEqual(['c']);
  });
});
