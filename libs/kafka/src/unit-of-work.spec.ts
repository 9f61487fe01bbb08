import type { Consumer, Kafka, Producer } from 'kafkajs';
import { PlainUnitOfWork } from './unit-of-work';

/** A producer session of its own; `failSends` sends fail (as a timed-out produce that may have been appended). */
class FakeProducer {
  readonly sent: string[] = [];
  connected = false;
  failSends = 0;
  refuseConnect = false;
  /** The next send waits for this before it answers (a produce still in flight). */
  gate: Promise<void> | null = null;

  constructor(readonly id: number) {}

  async connect(): Promise<void> {
    if (this.refuseConnect) throw Object.assign(new Error('connect ECONNREFUSED'), { name: 'KafkaJSConnectionError' });
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    this.connected = false;
  }

  async sendBatch({ topicMessages }: { topicMessages: Array<{ messages: Array<{ value: string }> }> }): Promise<[]> {
    if (!this.connected) throw Object.assign(new Error('not connected'), { name: 'KafkaJSConnectionError' });
    const fails = this.failSends > 0;
    if (fails) this.failSends--;
    const gate = this.gate;
    this.gate = null;
    if (gate) await gate;
    if (fails) throw Object.assign(new Error('The request timed out'), { name: 'KafkaJSRequestTimeoutError' });
    for (const topic of topicMessages) this.sent.push(...topic.messages.map((m) => m.value));
    return [];
  }
}

function unitOfWork(): { uow: PlainUnitOfWork; sessions: FakeProducer[]; commits: unknown[] } {
  const sessions: FakeProducer[] = [];
  const commits: unknown[] = [];
  const consumer = { commitOffsets: async (offsets: unknown[]) => void commits.push(...offsets) } as unknown as Consumer;
  const create = () => {
    const producer = new FakeProducer(sessions.length + 1);
    sessions.push(producer);
    return producer as unknown as Producer;
  };
  return { uow: new PlainUnitOfWork({} as Kafka, consumer, create), sessions, commits };
}

const partition = { topic: 'in', partition: 0 };
const heartbeat = async () => undefined;
const sendOne = (uow: PlainUnitOfWork, value: string, offset: string) =>
  uow.run(partition, async (effects) => void (await effects.send([{ topic: 'out', key: value, value }])), heartbeat, { ...partition, offset });

describe('PlainUnitOfWork producer sessions', () => {
  it('never sends again on a session a send failed on: the next batch goes out on a new producer (its own sequence numbers)', async () => {
    const { uow, sessions, commits } = unitOfWork();
    await uow.connect();
    await sendOne(uow, 'a', '1');
    sessions[0].failSends = 1;
    // kafkajs hands the failed send's sequence numbers back; had it been appended, the next records sent on this
    // session under those numbers would be answered as its duplicate and dropped.
    await expect(sendOne(uow, 'b', '2')).rejects.toThrow('timed out');
    await sendOne(uow, 'c', '3');

    expect(sessions).toHaveLength(2);
    expect(sessions[0].sent).toEqual(['a']);
    expect(sessions[0].connected).toBe(false);
    expect(sessions[1].sent).toEqual(['c']);
    expect(commits).toEqual([{ ...partition, offset: '1' }, { ...partition, offset: '3' }]);
  });

  it('tries the renewal again on the next batch when the broker refused it, and never falls back to the failed session', async () => {
    const { uow, sessions } = unitOfWork();
    await uow.connect();
    sessions[0].failSends = 1;
    await expect(sendOne(uow, 'a', '1')).rejects.toThrow('timed out');
    // The first renewal is refused (the broker still away)...
    const create = sessions.push.bind(sessions);
    sessions.push = (...items: FakeProducer[]) => {
      for (const item of items) if (sessions.length === 1) item.refuseConnect = true;
      return create(...items);
    };
    await expect(sendOne(uow, 'b', '2')).rejects.toThrow('ECONNREFUSED');
    // ...the next batch renews again.
    await sendOne(uow, 'c', '3');
    expect(sessions).toHaveLength(3);
    expect(sessions[0].sent).toEqual([]);
    expect(sessions[1].sent).toEqual([]);
    expect(sessions[2].sent).toEqual(['c']);
  });

  it('a batch whose send began while another was in flight never goes out on that session once the other failed', async () => {
    // The real-load fault suite's broker restart (seed 200889509) lost one normalized event this way: two batches of
    // the normalizer sent on one session at once; the first failed after its records were appended, kafkajs handed
    // its sequence numbers back, and the second (already inside producer.send, waiting for the broker lock) took
    // them: the broker answered its record on that partition as a duplicate of the first's and appended nothing.
    const { uow, sessions, commits } = unitOfWork();
    await uow.connect();
    let answerFirst!: () => void;
    sessions[0].gate = new Promise<void>((resolve) => (answerFirst = resolve));
    sessions[0].failSends = 1;
    const first = sendOne(uow, 'a', '1');
    // The first batch's request is in flight (sends of the same turn would go in it: see the coalescing specs below).
    await new Promise((resolve) => setImmediate(resolve));
    const second = sendOne(uow, 'b', '2');
    await new Promise((resolve) => setImmediate(resolve));
    answerFirst();
    await expect(first).rejects.toThrow('timed out');
    await second;
    expect(sessions[0].sent).toEqual([]);
    expect(sessions).toHaveLength(2);
    expect(sessions[1].sent).toEqual(['b']);
    expect(commits).toEqual([{ ...partition, offset: '2' }]);
  });

  it('renews once for concurrent batches that find the session spent', async () => {
    const { uow, sessions } = unitOfWork();
    await uow.connect();
    sessions[0].failSends = 1;
    await expect(sendOne(uow, 'a', '1')).rejects.toThrow('timed out');
    await Promise.all([sendOne(uow, 'b', '2'), sendOne(uow, 'c', '3')]);
    expect(sessions).toHaveLength(2);
    expect(sessions[1].sent.sort()).toEqual(['b', 'c']);
  });
});

describe('PlainUnitOfWork sends of concurrent batches', () => {
  it('take turns on the shared producer: a batch of another partition never goes out while one is in flight', async () => {
    // While one send's request fails and kafkajs hands its sequence numbers back, that send is still retrying: a
    // concurrent send would take the numbers at once and be answered as the duplicate of the appended request.
    const inFlight = { now: 0, most: 0 };
    const releases: Array<() => void> = [];
    const consumer = { commitOffsets: async () => undefined } as unknown as Consumer;
    const producer = {
      connect: async () => undefined,
      disconnect: async () => undefined,
      sendBatch: async () => {
        inFlight.most = Math.max(inFlight.most, ++inFlight.now);
        await new Promise<void>((resolve) => releases.push(resolve));
        inFlight.now--;
        return [];
      },
    };
    const uow = new PlainUnitOfWork({} as Kafka, consumer, () => producer as unknown as Producer);
    await uow.connect();
    const batches = [0, 1].map((p) =>
      uow.run({ topic: 'in', partition: p }, async (effects) => void (await effects.send([{ topic: 'out', key: `k${p}`, value: `v${p}` }])), heartbeat, { topic: 'in', partition: p, offset: '1' }),
    );
    let settled = 0;
    for (const batch of batches) void batch.then(() => settled++);
    // Answer each send only once both batches had every chance to start theirs.
    while (settled < batches.length) {
      for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
      releases.shift()?.();
    }
    await Promise.all(batches);
    expect(inFlight.most).toBe(1);
  });
});

describe('PlainUnitOfWork: the batches of one fetch share a produce request and an offset commit', () => {
  /** A producer that records each request's values; a request holding a value in `refuse` fails as the broker refuses a record. */
  function recordingUnitOfWork(refuse: (values: string[]) => Error | null = () => null) {
    const requests: string[][] = [];
    const commitRequests: unknown[][] = [];
    const consumer = { commitOffsets: async (offsets: unknown[]) => void commitRequests.push(offsets) } as unknown as Consumer;
    const producer = {
      connect: async () => undefined,
      disconnect: async () => undefined,
      sendBatch: async ({ topicMessages }: { topicMessages: Array<{ messages: Array<{ value: string }> }> }) => {
        const values = topicMessages.flatMap((t) => t.messages.map((m) => m.value));
        const refused = refuse(values);
        if (refused) throw refused;
        requests.push(values);
        return [];
      },
    };
    return { uow: new PlainUnitOfWork({} as Kafka, consumer, () => producer as unknown as Producer), requests, commitRequests };
  }
  const batchOf = (uow: PlainUnitOfWork, p: number, values: string[]) =>
    uow.run({ topic: 'in', partition: p }, async (effects) => void (await effects.send(values.map((value) => ({ topic: 'out', key: value, value })))), heartbeat, { topic: 'in', partition: p, offset: String(p + 10) });

  it('sends the concurrent batches of three partitions in one request and commits their offsets in one commit', async () => {
    const { uow, requests, commitRequests } = recordingUnitOfWork();
    await uow.connect();
    await Promise.all([batchOf(uow, 0, ['a', 'b']), batchOf(uow, 1, ['c']), batchOf(uow, 2, ['d'])]);
    expect(requests).toEqual([['a', 'b', 'c', 'd']]);
    expect(commitRequests).toEqual([[{ topic: 'in', partition: 0, offset: '10' }, { topic: 'in', partition: 1, offset: '11' }, { topic: 'in', partition: 2, offset: '12' }]]);
  });

  it('a record the broker refuses fails only its own batch: the merged request is tried again batch by batch', async () => {
    const tooLarge = () => Object.assign(new Error('The request included a message larger than the max message size the server will accept'), { name: 'KafkaJSProtocolError', type: 'MESSAGE_TOO_LARGE' });
    const { uow, requests, commitRequests } = recordingUnitOfWork((values) => (values.includes('huge') ? tooLarge() : null));
    await uow.connect();
    const outcomes = await Promise.allSettled([batchOf(uow, 0, ['a']), batchOf(uow, 1, ['huge']), batchOf(uow, 2, ['d'])]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(requests).toEqual([['a'], ['d']]);
    expect(commitRequests.flat()).toEqual([{ topic: 'in', partition: 0, offset: '10' }, { topic: 'in', partition: 2, offset: '12' }]);
  });

  it('a broker that is away fails every batch of the merged request at once (each is retried as a batch), without trying them one by one', async () => {
    let attempts = 0;
    const { uow, requests } = recordingUnitOfWork(() => {
      attempts++;
      return Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092'), { name: 'KafkaJSConnectionError' });
    });
    await uow.connect();
    const outcomes = await Promise.allSettled([batchOf(uow, 0, ['a']), batchOf(uow, 1, ['b'])]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(attempts).toBe(1);
    expect(requests).toEqual([]);
  });
});
