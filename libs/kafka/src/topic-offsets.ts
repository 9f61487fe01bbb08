import type { Admin } from 'kafkajs';
import { failureClass } from './failure-class';

export interface PartitionOffsets {
  readonly partition: number;
  readonly offset: string;
  readonly low: string;
  readonly high: string;
}

export interface TopicOffsetsOptions {
  /** How long a partition may stay without a leader the broker knows of before the failure is thrown. */
  readonly timeoutMs?: number;
  /** Called before each wait, with the error that caused it (to log at debug). */
  readonly onRetry?: (error: unknown, attempt: number) => void;
  readonly sleep?: (ms: number) => Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const FIRST_WAIT_MS = 100;
const LONGEST_WAIT_MS = 2_000;

/**
 * `admin.fetchTopicOffsets`, waiting out a cluster that cannot answer yet. kafkajs gives up at once on a
 * NOT_LEADER_FOR_PARTITION or LEADER_NOT_AVAILABLE from ListOffsets, and a broker answers exactly that for a moment
 * after it created its topics or moved a leader (seen in CI: the orchestrator's memory, started right after the
 * topics were provisioned, exited on "This server is not the leader for that topic-partition"). Retried only while
 * the error says a dependency is not there yet (failureClass 'unavailable'), within `timeoutMs`; anything else, and
 * the last error past the bound, is thrown as it is.
 */
export async function fetchTopicOffsetsSettled(admin: Admin, topic: string, options: TopicOffsetsOptions = {}): Promise<PartitionOffsets[]> {
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await admin.fetchTopicOffsets(topic);
    } catch (error) {
      if (failureClass(error) !== 'unavailable' || Date.now() >= deadline) throw error;
      options.onRetry?.(error, attempt);
      await sleep(Math.min(LONGEST_WAIT_MS, FIRST_WAIT_MS * 2 ** (attempt - 1), Math.max(0, deadline - Date.now())));
    }
  }
}
