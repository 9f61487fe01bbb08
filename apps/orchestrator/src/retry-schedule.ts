import { ORCHESTRATOR_COMMANDS_TOPIC, ORCHESTRATOR_RETRIEVALS_TOPIC, ORCHESTRATOR_RETRY_TOPICS } from '@hookbus/contracts';
import { backoffDelayMs, type BackoffPolicy } from '@hookbus/kafka';

/** A retry lane: a topic whose records all wait at most `maxDelayMs`, so waiting for its head never waits long. */
export interface RetryLane {
  readonly topic: string;
  readonly maxDelayMs: number;
  readonly name: string;
}

/** Declared in libs/contracts/src/topics.ts (InternalTopics), where provisioning reads them, and in the stage table (stages.ts). */
export const RETRY_LANES: readonly RetryLane[] = [
  { name: '10s', topic: ORCHESTRATOR_RETRY_TOPICS[0]!, maxDelayMs: 10_000 },
  { name: '2m', topic: ORCHESTRATOR_RETRY_TOPICS[1]!, maxDelayMs: 120_000 },
  { name: '15m', topic: ORCHESTRATOR_RETRY_TOPICS[2]!, maxDelayMs: 900_000 },
];

/**
 * The longest any retry waits, Credas' Retry-After included: the last lane's bound. A longer wait would either hold a
 * lane's partition past its bound or cycle the job through Kafka until due (one `Retry-After: 3600` did, about ten
 * round trips a second); Credas is asked again after this at the latest, and its next answer may say wait again.
 */
export const MAX_RETRY_DELAY_MS = RETRY_LANES[RETRY_LANES.length - 1]!.maxDelayMs;

export const COMMANDS_TOPIC = ORCHESTRATOR_COMMANDS_TOPIC;
export const RETRIEVALS_TOPIC = ORCHESTRATOR_RETRIEVALS_TOPIC;

export interface RetryPolicy {
  /** Attempts in all, the first included; after the last a retriable failure is dead-lettered. */
  readonly maxAttempts: number;
  readonly backoff: BackoffPolicy;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 8, backoff: { initialMs: 2_000, maxMs: 600_000, factor: 3 } };

/**
 * Delay before attempt `failedAttempt + 1`: exponential backoff with jitter (libs/kafka retry-policy), never
 * earlier than Credas' Retry-After (docs/providers/credas.md#result-api: honour it when present), never later than
 * MAX_RETRY_DELAY_MS.
 */
export function retryDelayMs(failedAttempt: number, retryAfterMs: number | null, policy: RetryPolicy, random: () => number = Math.random): number {
  const backoff = backoffDelayMs(failedAttempt, policy.backoff, random);
  return Math.min(MAX_RETRY_DELAY_MS, Math.max(backoff, retryAfterMs ?? 0));
}

/** The shortest lane whose bound covers the delay; a longer delay (never made since MAX_RETRY_DELAY_MS) gets the last. */
export function laneFor(delayMs: number, lanes: readonly RetryLane[] = RETRY_LANES): RetryLane {
  return lanes.find((lane) => delayMs <= lane.maxDelayMs) ?? lanes[lanes.length - 1]!;
}
