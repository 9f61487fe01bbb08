import { DEFAULT_RETRY_POLICY, MAX_RETRY_DELAY_MS, RETRY_LANES, laneFor, retryDelayMs } from './retry-schedule';

describe('retryDelayMs', () => {
  const policy = { maxAttempts: 5, backoff: { initialMs: 1000, maxMs: 60_000, factor: 2 } };

  it.each([
    [1, 0, 500],
    [1, 1, 1000],
    [3, 0, 2000],
    [3, 1, 4000],
    [10, 1, 60_000],
  ])('attempt %i with random %d waits %i ms', (attempt, random, expected) => {
    expect(retryDelayMs(attempt, null, policy, () => random)).toBe(expected);
  });

  it('never retries before Retry-After', () => {
    expect(retryDelayMs(1, 30_000, policy, () => 1)).toBe(30_000);
  });

  it.each([
    ['an hour', 3_600_000],
    ['a day', 86_400_000],
    ['a year', 365 * 86_400_000],
  ])('caps a Retry-After of %s at the last lane (15 minutes)', (_name, retryAfter) => {
    expect(MAX_RETRY_DELAY_MS).toBe(900_000);
    expect(retryDelayMs(1, retryAfter, policy, () => 1)).toBe(MAX_RETRY_DELAY_MS);
  });

  it('keeps the backoff when Retry-After is shorter', () => {
    expect(retryDelayMs(3, 100, policy, () => 1)).toBe(4000);
  });
});

describe('laneFor', () => {
  it.each([
    [0, '10s'],
    [10_000, '10s'],
    [10_001, '2m'],
    [120_000, '2m'],
    [600_000, '15m'],
    [3_600_000, '15m'],
  ])('%i ms goes to lane %s', (delay, lane) => {
    expect(laneFor(delay).name).toBe(lane);
  });

  it('covers the default policy cap within the lanes', () => {
    expect(DEFAULT_RETRY_POLICY.backoff.maxMs).toBeLessThanOrEqual(RETRY_LANES[RETRY_LANES.length - 1]!.maxDelayMs);
  });
});
