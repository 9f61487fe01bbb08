import { ConsumerRerun, consumerCrashResponse, rerunWaitMs, type ConsumerCrashResponse } from './consumer-crash';

describe('rerunWaitMs: the backoff before running a consumer again', () => {
  it.each([
    [1, 500],
    [2, 1_000],
    [3, 2_000],
    [6, 16_000],
    [7, 30_000],
    [50, 30_000],
    [0, 500],
  ])('attempt %i waits %i ms', (attempt, waitMs) => {
    expect(rerunWaitMs(attempt)).toBe(waitMs);
  });
});

describe('consumerCrashResponse: what a consumer owner does when kafkajs crashes the consumer', () => {
  const kafkajs = (name: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(name), { name, ...extra });
  // The crash seen when the broker was stopped under a running stage: kafkajs gives up finding the coordinator.
  const coordinatorGone = kafkajs('KafkaJSNonRetriableError', { retriable: false, cause: kafkajs('KafkaJSGroupCoordinatorNotFound', { retriable: false }) });
  const fenced = kafkajs('KafkaJSNonRetriableError', { retriable: false, cause: Object.assign(new Error('old epoch'), { name: 'KafkaJSProtocolError', type: 'INVALID_PRODUCER_EPOCH', retriable: false }) });
  const bug = new TypeError('x is undefined');

  it.each<[string, boolean, unknown, boolean, ConsumerCrashResponse]>([
    ['kafkajs restarts it', true, coordinatorGone, false, 'kafkajs-restarts'],
    ['the broker went away (coordinator not found): run it again', false, coordinatorGone, false, 'run-again'],
    ['a connection refused it gave up on: run it again', false, kafkajs('KafkaJSConnectionError', { code: 'ECONNREFUSED' }), false, 'run-again'],
    ['the broker went away while the service stops: no new run', false, coordinatorGone, true, 'stopped-for-good'],
    ['a fenced transactional producer: stopped for good', false, fenced, false, 'stopped-for-good'],
    ['a bug in our code: stopped for good', false, bug, false, 'stopped-for-good'],
  ])('%s', (_what, restart, error, stopping, expected) => {
    expect(consumerCrashResponse({ restart, error }, stopping)).toBe(expected);
  });
});

describe('ConsumerRerun', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs the consumer again after a growing wait, and forgets the waits once it joined', async () => {
    const runs: number[] = [];
    let clock = 0;
    const rerun = new ConsumerRerun(async () => void runs.push(clock), () => undefined, () => clock);
    expect(rerun.schedule()).toEqual({ attempt: 1, waitMs: 500 });
    expect(rerun.waitingForMs()).toBe(0);
    clock = 499;
    jest.advanceTimersByTime(499);
    expect(runs).toEqual([]);
    clock = 500;
    jest.advanceTimersByTime(1);
    expect(runs).toEqual([500]);
    expect(rerun.schedule()).toEqual({ attempt: 2, waitMs: 1_000 });
    expect(rerun.waitingForMs()).toBe(500);
    rerun.joined();
    expect(rerun.waitingForMs()).toBeNull();
    expect(rerun.schedule()).toEqual({ attempt: 1, waitMs: 500 });
  });

  it('reports a run that failed instead of letting it escape', async () => {
    const failures: unknown[] = [];
    const rerun = new ConsumerRerun(() => Promise.reject(new Error('no coordinator')), (error) => failures.push(error));
    rerun.schedule();
    jest.advanceTimersByTime(500);
    await Promise.resolve();
    await Promise.resolve();
    expect(failures).toEqual([new Error('no coordinator')]);
    // And the next run is scheduled even if kafkajs reports no crash for it (the cold review's stall).
    jest.advanceTimersByTime(1_000);
    await Promise.resolve();
    await Promise.resolve();
    expect(failures).toHaveLength(2);
    await rerun.stop();
  });

  it('on stop, cancels a pending run', async () => {
    const run = jest.fn(async () => undefined);
    const rerun = new ConsumerRerun(run, () => undefined);
    rerun.schedule();
    await expect(rerun.stop()).resolves.toBe(false);
    jest.advanceTimersByTime(60_000);
    expect(run).not.toHaveBeenCalled();
    expect(rerun.schedule()).toBeNull();
  });

  it('on stop, waits for a run in flight', async () => {
    let finish!: () => void;
    const rerun = new ConsumerRerun(() => new Promise<void>((resolve) => (finish = resolve)), () => undefined);
    rerun.schedule();
    jest.advanceTimersByTime(500);
    let stopped = false;
    const stopping = rerun.stop().then((wasInFlight) => {
      stopped = true;
      return wasInFlight;
    });
    await Promise.resolve();
    expect(stopped).toBe(false);
    finish();
    await expect(stopping).resolves.toBe(true);
  });
});
