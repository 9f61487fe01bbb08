import type { Admin } from 'kafkajs';
import { fetchTopicOffsetsSettled } from './topic-offsets';

const kafkaProtocol = (type: string, retriable: boolean) => Object.assign(new Error(type), { name: 'KafkaJSProtocolError', type, retriable });
const OFFSETS = [{ partition: 0, offset: '5', low: '0', high: '5' }];

/** An admin whose ListOffsets answers each of `failures` in turn, then the offsets. Counts the calls. */
function adminFailing(failures: readonly unknown[]): Admin & { calls: number } {
  const admin = {
    calls: 0,
    async fetchTopicOffsets() {
      const failure = failures[admin.calls++];
      if (failure !== undefined) throw failure;
      return OFFSETS;
    },
  };
  return admin as unknown as Admin & { calls: number };
}

const noWait = async () => undefined;

describe('fetchTopicOffsetsSettled: ListOffsets waiting out a cluster that cannot answer yet', () => {
  it.each([
    ['NOT_LEADER_FOR_PARTITION (a broker that just created its topics; kafkajs gives up at once)', kafkaProtocol('NOT_LEADER_FOR_PARTITION', true)],
    ['LEADER_NOT_AVAILABLE', kafkaProtocol('LEADER_NOT_AVAILABLE', true)],
    ['UNKNOWN_TOPIC_OR_PARTITION (metadata not yet propagated)', kafkaProtocol('UNKNOWN_TOPIC_OR_PARTITION', true)],
    ['a connection refused', Object.assign(new Error('connect ECONNREFUSED'), { name: 'KafkaJSConnectionError' })],
  ])('retries %s and answers the offsets', async (_, error) => {
    const retried: number[] = [];
    const admin = adminFailing([error, error]);
    await expect(fetchTopicOffsetsSettled(admin, 't', { sleep: noWait, onRetry: (_e, attempt) => retried.push(attempt) })).resolves.toEqual(OFFSETS);
    expect(admin.calls).toBe(3);
    expect(retried).toEqual([1, 2]);
  });

  it('throws at once what is not about the cluster being there (no retry)', async () => {
    const bug = new TypeError('cannot read properties of undefined');
    const admin = adminFailing([bug]);
    await expect(fetchTopicOffsetsSettled(admin, 't', { sleep: noWait })).rejects.toBe(bug);
    expect(admin.calls).toBe(1);
  });

  it('throws the last error once the bound has passed', async () => {
    const error = kafkaProtocol('NOT_LEADER_FOR_PARTITION', true);
    const admin = adminFailing(Array.from({ length: 1_000 }, () => error));
    await expect(fetchTopicOffsetsSettled(admin, 't', { timeoutMs: 50, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) })).rejects.toBe(error);
    expect(admin.calls).toBeGreaterThan(1);
    expect(admin.calls).toBeLessThan(1_000);
  });
});
