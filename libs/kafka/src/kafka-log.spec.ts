import { ConsumerCrashJudge, classifyKafkaLog } from './kafka-log';

describe('classifyKafkaLog', () => {
  // Lines a healthy `npm start` + `npm run demo` on a fresh broker printed at ERROR before (issue 15), and other
  // broker states kafkajs retries by itself.
  it.each([
    ['error', 'Response InitProducerId(key: 22, version: 1)', { error: "The coordinator is loading and hence can't process requests for this group" }, 'GROUP_LOAD_IN_PROGRESS'],
    ['error', 'Response GroupCoordinator(key: 10, version: 2)', { error: 'The group coordinator is not available' }, 'GROUP_COORDINATOR_NOT_AVAILABLE'],
    ['error', 'Response InitProducerId(key: 22, version: 1)', { error: 'This is not the correct coordinator for this group' }, 'NOT_COORDINATOR_FOR_GROUP'],
    ['error', 'Failed to send messages: The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing', { retryCount: 0 }, 'CONCURRENT_TRANSACTIONS'],
    ['error', 'Response Metadata(key: 3, version: 6)', { error: 'There is no leader for this topic-partition as we are in the middle of a leadership election' }, 'LEADER_NOT_AVAILABLE'],
    ['error', 'Response Produce(key: 0, version: 7)', { error: 'This server is not the leader for that topic-partition' }, 'NOT_LEADER_FOR_PARTITION'],
    ['warn', 'The group is rebalancing, re-joining', { error: 'The group is rebalancing, so a rejoin is needed' }, 'REBALANCE_IN_PROGRESS'],
    ['error', 'The coordinator is not aware of this member, re-joining the group', { error: 'The coordinator is not aware of this member' }, 'UNKNOWN_MEMBER_ID'],
    ['error', 'Connection error: connect ECONNREFUSED 127.0.0.1:9092', {}, 'CONNECTION'],
    ['error', 'Failed to connect to broker, reconnecting', { retryCount: 1 }, 'CONNECTION'],
    ['warn', 'Consumer is not aware of all assigned partitions, refreshing metadata', {}, 'METADATA_REFRESH'],
    ['error', 'Crash: KafkaJSConnectionClosedError: Closed connection', {}, 'CONNECTION'],
  ] as const)('%s "%s" %j is a retried state: debug, counted as %s', (level, message, extra, type) => {
    expect(classifyKafkaLog(level, message, extra, ['127.0.0.1:9092'])).toEqual({ level: 'debug', retriable: type });
  });

  it('keeps a failure that needs someone at error, saying what to check', () => {
    const verdict = classifyKafkaLog('error', 'Response Produce(key: 0, version: 7)', { error: 'Messages are rejected since there are fewer in-sync replicas than required' }, ['127.0.0.1:9092']);
    expect(verdict.level).toBe('error');
    expect(verdict.retriable).toBeNull();
    expect(verdict.action).toContain('127.0.0.1:9092');
  });

  // Seen on a fresh broker under load: the group coordinator moved while __consumer_offsets was being created, the
  // join used up its retries, and kafkajs restarted the consumer, which then joined.
  it('counts a consumer crash caused by a transient state as that state; the restart notice is noise', () => {
    expect(classifyKafkaLog('error', 'Crash: KafkaJSNumberOfRetriesExceeded: This is not the correct coordinator for this group', {}, [])).toEqual({ level: 'debug', retriable: 'NOT_COORDINATOR_FOR_GROUP' });
    expect(classifyKafkaLog('error', 'Restarting the consumer in 783ms', {}, [])).toEqual({ level: 'debug', retriable: null });
  });

  it("leaves any other consumer crash to the consumer's own report (debug here), so one crash is one ERROR line", () => {
    expect(classifyKafkaLog('error', 'Crash: KafkaJSNonRetriableError: Topic authorization failed', {}, [])).toEqual({ level: 'debug', retriable: null });
  });

  it('keeps other errors at error, saying what to check', () => {
    const verdict = classifyKafkaLog('error', 'Failed to send offset commit', {}, []);
    expect(verdict).toMatchObject({ level: 'error', retriable: null });
    expect(verdict.action).toContain('KAFKA_BROKERS');
  });

  it('drops the idempotent producer retry notice to debug without counting it', () => {
    expect(classifyKafkaLog('warn', 'Limiting retries for the idempotent producer may invalidate EoS guarantees', {})).toEqual({ level: 'debug', retriable: null });
  });

  it('drops a late answer to a request kafkajs already failed over to debug', () => {
    expect(classifyKafkaLog('warn', 'Response without match', { correlationId: 25 })).toEqual({ level: 'debug', retriable: null });
  });

  it('leaves other warnings as they are', () => {
    expect(classifyKafkaLog('warn', 'consumer#run was called, but the consumer is already running', {})).toEqual({ level: 'warn', retriable: null });
  });
});

describe('ConsumerCrashJudge', () => {
  const notCoordinator = new Error('This is not the correct coordinator for this group: This is not the correct coordinator for this group');

  // The cascade seen on a fresh broker under load (a first-hour run): each crash restarted, then the consumer joined.
  it('lets restarted crashes caused by transient states pass as those states until the fifth in a row without a join', () => {
    const judge = new ConsumerCrashJudge();
    expect(judge.crashed(notCoordinator, true)).toBe('NOT_COORDINATOR_FOR_GROUP');
    expect(judge.crashed(new Error('Closed connection'), true)).toBe('CONNECTION');
    expect(judge.crashed(new Error('Connection error: write after end'), true)).toBe('CONNECTION');
    expect(judge.crashed(notCoordinator, true)).toBe('NOT_COORDINATOR_FOR_GROUP');
    expect(judge.crashed(notCoordinator, true)).toBeNull();
    judge.joined();
    expect(judge.crashed(notCoordinator, true)).toBe('NOT_COORDINATOR_FOR_GROUP');
  });

  it('reports a crash kafkajs does not restart, or with another cause', () => {
    expect(new ConsumerCrashJudge().crashed(notCoordinator, false)).toBeNull();
    expect(new ConsumerCrashJudge().crashed(new Error('Topic authorization failed'), true)).toBeNull();
  });
});
