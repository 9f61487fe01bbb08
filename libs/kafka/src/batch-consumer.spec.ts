import { isConcurrentTransactions, isFencedError, isRebalanceError, isTopicMetadataPending } from './batch-errors';

const protocolError = (type: string) => Object.assign(new Error(type), { name: 'KafkaJSProtocolError', type });

describe('consumer runner error classes', () => {
  it.each(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'NOT_COORDINATOR'])('%s means the group moved on: abandon the batch', (type) => {
    expect(isRebalanceError(protocolError(type))).toBe(true);
    expect(isFencedError(protocolError(type))).toBe(false);
  });

  it.each(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED'])('%s means another owner fenced our transactional id', (type) => {
    expect(isFencedError(protocolError(type))).toBe(true);
    expect(isRebalanceError(protocolError(type))).toBe(false);
  });

  it('tells concurrent-transaction answers (retry in ~20 ms) from everything else', () => {
    expect(isConcurrentTransactions(protocolError('CONCURRENT_TRANSACTIONS'))).toBe(true);
    expect(isConcurrentTransactions(protocolError('REBALANCE_IN_PROGRESS'))).toBe(false);
    expect(isConcurrentTransactions(new Error('connection refused'))).toBe(false);
    expect(isRebalanceError(new Error('connection refused'))).toBe(false);
    expect(isFencedError(null)).toBe(false);
  });
});

describe('a topic the broker does not know yet', () => {
  it.each([
    ['UNKNOWN_TOPIC_OR_PARTITION', true],
    ['LEADER_NOT_AVAILABLE', true],
    ['REBALANCE_IN_PROGRESS', false],
    ['TOPIC_AUTHORIZATION_FAILED', false],
  ])('%s: subscribe waits and asks again = %s', (type, pending) => {
    expect(isTopicMetadataPending(protocolError(type))).toBe(pending);
  });

  it('is not a plain error', () => {
    expect(isTopicMetadataPending(new Error('UNKNOWN_TOPIC_OR_PARTITION'))).toBe(false);
    expect(isTopicMetadataPending(undefined)).toBe(false);
  });
});
