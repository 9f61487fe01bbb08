import type { Producer, ProducerBatch, RecordMetadata } from 'kafkajs';
import { startOverdueTicks } from './overdue-ticker';

const INTERVAL_MS = 1_000;
const PARTITIONS = 3;

/** A producer session; each send waits until the test answers it, so an unanswered one is still in flight. */
class Session {
  /** Records per sendBatch. */
  readonly requests: number[] = [];
  readonly pending: Array<(error?: Error) => void> = [];
  connected = false;
  refuseConnect = false;

  async connect(): Promise<void> {
    if (this.refuseConnect) throw Object.assign(new Error('connect ECONNREFUSED'), { name: 'KafkaJSConnectionError' });
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    this.connected = false;
  }

  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    this.requests.push((batch.topicMessages ?? []).reduce((n, t) => n + t.messages.length, 0));
    return new Promise((resolve, reject) => this.pending.push((error) => (error ? reject(error) : resolve([]))));
  }

  answer(error?: Error): void {
    this.pending.shift()!(error);
  }
}

/** Started, and its first connection settled. */
async function ticker(prepare: (session: Session, index: number) => void = () => undefined) {
  const sessions: Session[] = [];
  const errors: unknown[] = [];
  const stop = startOverdueTicks(
    () => {
      const session = new Session();
      prepare(session, sessions.length);
      sessions.push(session);
      return session as unknown as Producer;
    },
    PARTITIONS,
    INTERVAL_MS,
    (error) => errors.push(error),
  );
  await settle();
  return { sessions, errors, stop };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

async function tick(): Promise<void> {
  jest.advanceTimersByTime(INTERVAL_MS);
  await settle();
}

beforeEach(() => jest.useFakeTimers({ doNotFake: ['setImmediate'] }));
afterEach(() => jest.useRealTimers());

it('sends one tick per partition each interval', async () => {
  const { sessions, stop } = await ticker();
  await tick();
  expect(sessions[0]!.requests).toEqual([PARTITIONS]);
  sessions[0]!.answer();
  await settle();
  await tick();
  expect(sessions[0]!.requests).toEqual([PARTITIONS, PARTITIONS]);
  sessions[0]!.answer();
  await stop();
});

it('never has two sends in flight: an interval that ends while the last ticks are unanswered sends none', async () => {
  // Two sends on one idempotent session: the second would take the sequence numbers a failed request of the first
  // hands back while the first still retries, and be answered as a duplicate of it — never written.
  const { sessions, stop } = await ticker();
  await tick();
  await tick();
  await tick();
  expect(sessions[0]!.requests).toHaveLength(1);
  sessions[0]!.answer();
  await settle();
  await tick();
  expect(sessions[0]!.requests).toHaveLength(2);
  sessions[0]!.answer();
  await stop();
});

it('after a failed send the next ticks go out on a new producer session, never on the failed one', async () => {
  const { sessions, errors, stop } = await ticker();
  await tick();
  sessions[0]!.answer(Object.assign(new Error('Request Produce(key: 0, version: 7) timed out'), { name: 'KafkaJSRequestTimeoutError' }));
  await settle();
  expect(errors).toHaveLength(1);
  await tick();
  expect(sessions).toHaveLength(2);
  expect(sessions[0]!.requests).toHaveLength(1);
  expect(sessions[1]!.requests).toEqual([PARTITIONS]);
  sessions[1]!.answer();
  await stop();
});

it('a first connection the broker refused is tried again by the next tick (before, no tick was ever sent)', async () => {
  const { sessions, errors, stop } = await ticker((session, index) => (session.refuseConnect = index === 0));
  expect(errors).toHaveLength(1);
  await tick();
  expect(sessions.flatMap((s) => s.requests)).toEqual([PARTITIONS]);
  sessions[sessions.length - 1]!.answer();
  await stop();
});

it('sends nothing after stop, and leaves no producer connected', async () => {
  const { sessions, stop } = await ticker();
  await stop();
  await tick();
  expect(sessions.flatMap((s) => s.requests)).toEqual([]);
  expect(sessions.every((s) => !s.connected)).toBe(true);
});
